/**
 * Helpers for the reliability suites (test/reliability): a seeded PRNG, polling the ingest
 * block and /healthz of a running server, the stream's own message count, the consumer's ack
 * floor, and a read-only look into a dead server's DuckDB file (WAL replayed in memory, the
 * files left untouched, so the next start still finds the WAL exactly as the crash left it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { formatInstant } from '../../server/events/index.ts';
import { replayFile } from '../../scripts/lib/replay.ts';
import { makeTempDir, startTestNats } from './nats.ts';
import { waitFor } from './publish.ts';
import { startServerProcess } from './server-process.ts';

const root = resolve(import.meta.dirname, '../..');

/** mulberry32: small, fast and seeded, so fault points are reproducible from the seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface IngestBlock {
  accepted: number;
  duplicates: number;
  rejected: number;
  pending: number;
  lagSec: number;
  rejectedByReason: Record<string, number>;
}

/** Messages the server has accounted for: every stored message ends in exactly one of these. */
export function processed(i: Pick<IngestBlock, 'accepted' | 'duplicates' | 'rejected'>): number {
  return i.accepted + i.duplicates + i.rejected;
}

export interface SnapshotBody {
  asOf: string;
  shop: string | null;
  chat: unknown;
  refunds: unknown;
  staffing: unknown;
  alerts: unknown;
  ingest: IngestBlock;
}

/** GET /api/snapshot (live, or as of `atMs` written in `timeZone`), for all shops or one. */
export async function fetchSnapshot(
  url: string,
  options: { atMs?: number; shop?: string | null; timeZone?: string } = {},
): Promise<SnapshotBody> {
  const params = new URLSearchParams();
  if (options.atMs !== undefined)
    params.set('at', formatInstant(options.atMs, options.timeZone ?? 'Asia/Shanghai'));
  if (options.shop !== undefined && options.shop !== null) params.set('shop', options.shop);
  const response = await fetch(`${url}/api/snapshot?${params}`);
  if (response.status !== 200)
    throw new Error(`snapshot ${params}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as SnapshotBody;
}

export async function fetchIngest(url: string): Promise<IngestBlock> {
  return (await fetchSnapshot(url)).ingest;
}

/** The engine's figures: everything in a snapshot that is a function of the accepted events. */
export function figures(s: SnapshotBody): Omit<SnapshotBody, 'ingest'> {
  return {
    asOf: s.asOf,
    shop: s.shop,
    chat: s.chat,
    refunds: s.refunds,
    staffing: s.staffing,
    alerts: s.alerts,
  };
}

export interface Health {
  status: number;
  body: {
    ok: boolean;
    nats: { connected: boolean; consumerActive: boolean };
    duckdb: { writable: boolean };
    ingest: {
      lastStreamSeq: number;
      streamLastSeq: number;
      pending: number;
      lagSec: number;
      lastError: string | null;
    };
  };
}

export async function fetchHealth(url: string): Promise<Health> {
  const response = await fetch(`${url}/healthz`);
  return { status: response.status, body: (await response.json()) as Health['body'] };
}

/** Polls `probe` every `everyMs` until it returns a value, or throws after `timeoutMs`. */
export function poll<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  return waitFor(probe, timeoutMs, what, everyMs);
}

/** Waits until the server has accounted for `stored` messages and sees nothing pending. */
export function caughtUp(url: string, stored: number, timeoutMs: number): Promise<IngestBlock> {
  return poll(
    async () => {
      const i = await fetchIngest(url);
      return processed(i) >= stored && i.pending === 0 ? i : undefined;
    },
    `${stored} messages processed`,
    timeoutMs,
    500,
  );
}

/** The stream's last sequence and message count, as JetStream itself reports them. */
export async function streamState(
  natsUrl: string,
  stream = 'OPS',
): Promise<{ lastSeq: number; messages: number }> {
  const nc = await connect({ servers: natsUrl });
  try {
    const info = await (await jetstreamManager(nc)).streams.info(stream);
    return { lastSeq: info.state.last_seq, messages: info.state.messages };
  } finally {
    await nc.close();
  }
}

/** The durable consumer's ack floor and delivered position (stream sequences). */
export async function consumerState(
  natsUrl: string,
  stream = 'OPS',
  consumer = 'peakboard',
): Promise<{ ackFloor: number; delivered: number; ackPending: number }> {
  const nc = await connect({ servers: natsUrl });
  try {
    const info = await (await jetstreamManager(nc)).consumers.info(stream, consumer);
    return {
      ackFloor: info.ack_floor.stream_seq,
      delivered: info.delivered.stream_seq,
      ackPending: info.num_ack_pending,
    };
  } finally {
    await nc.close();
  }
}

export interface CommittedState {
  lastStreamSeq: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  eventRows: number;
  deadLetterRows: number;
}

/**
 * What a stopped (or killed) server left in its DuckDB file. Opened READ_ONLY: DuckDB replays a
 * leftover WAL in memory but writes nothing, so the next server start meets the same files.
 */
export async function readCommittedState(databasePath: string): Promise<CommittedState> {
  const instance = await DuckDBInstance.create(databasePath, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const one = async (sql: string): Promise<number[]> =>
      ((await connection.runAndReadAll(sql)).getRows()[0] ?? []).map((v) => Number(v));
    const [lastStreamSeq = 0, accepted = 0, duplicates = 0, rejected = 0] = await one(
      'SELECT last_stream_seq::DOUBLE, accepted::DOUBLE, duplicates::DOUBLE, rejected::DOUBLE FROM ingest_state',
    );
    const [eventRows = 0] = await one('SELECT count(*)::DOUBLE FROM events');
    const [deadLetterRows = 0] = await one('SELECT count(*)::DOUBLE FROM dead_letters');
    return { lastStreamSeq, accepted, duplicates, rejected, eventRows, deadLetterRows };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * The server entry as a child process that is NOT waited for: lets a test kill it during
 * start-up (state rebuild, consumer creation), which startServerProcess cannot.
 */
export function spawnServer(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** True when this process may mount filesystems (root with CAP_SYS_ADMIN, not in a locked-down container). */
export function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * The oracle of "a clean run": a fresh nats-server and DATA_DIR, the real server as a child
 * process, `lines` replayed with the real replay tool, then the snapshots asked for. Returns the
 * final ingest block and the snapshots in the order of `queries`.
 */
export async function cleanRun(
  lines: readonly string[],
  queries: readonly { atMs?: number; shop?: string | null }[],
): Promise<{ ingest: IngestBlock; stored: number; snapshots: SnapshotBody[] }> {
  const temp = makeTempDir('peakboard-clean-');
  const nats = await startTestNats();
  const server = await startServerProcess({
    NATS_URL: nats.url,
    DATA_DIR: `${temp.dir}/data`,
    CLOCK: 'event',
  });
  try {
    const file = `${temp.dir}/clean.ndjson`;
    writeFileSync(file, lines.join('\n') + '\n');
    const report = await replayFile({ input: file, natsUrl: nats.url, speed: 'max' });
    const ingest = await caughtUp(server.url, report.stored, 120_000);
    const snapshots: SnapshotBody[] = [];
    for (const q of queries) snapshots.push(await fetchSnapshot(server.url, q));
    return { ingest, stored: report.stored, snapshots };
  } finally {
    await server.kill('SIGKILL');
    await nats.dispose();
    temp.remove();
  }
}
