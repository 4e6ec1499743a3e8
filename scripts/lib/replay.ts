/**
 * Replays an NDJSON traffic file into NATS: each line to `ops.<kind>.<shop>` with `Nats-Msg-Id`
 * set to its id. Core NATS publishes land in the JetStream stream that captures `ops.>`; they
 * are an order of magnitude faster than awaiting a JetStream ack per message, and delivery is
 * confirmed once at the end from the stream's own sequence numbers.
 */
import { createReadStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import { EVENT_KINDS, ID_MAX_LENGTH, parseTimestampMs, SHOP_PATTERN } from '../../server/events/index.ts';
import { DEFAULT_STREAM_NAME, ensureOpsStream } from './ops-stream.ts';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
/**
 * Where lines go that have no usable type or shop (invalid JSON among them): still inside
 * `ops.>`, so the stream keeps them and the server's dead-letter path counts them.
 */
export const FALLBACK_SUBJECT = 'ops.clock.unknown';

export interface ReplayOptions {
  /** NDJSON file to publish. */
  input: string;
  /** Default nats://127.0.0.1:4222. */
  natsUrl?: string;
  /** N× real time by event `ts`, or 'max' (default) for as fast as possible. */
  speed?: number | 'max';
  /** Stream to publish into (default OPS); when missing, the stream that captures ops.>, else created. */
  stream?: string;
  /** Messages between flushes (flow control: at most two batches are ever in flight). Default 4096. */
  flushEvery?: number;
  /** Called about once per `progressIntervalMs` (default 1000) and once at the end. */
  onProgress?: (progress: ReplayProgress) => void;
  progressIntervalMs?: number;
}

export interface ReplayProgress {
  published: number;
  elapsedMs: number;
  /** Latest event time published so far, epoch ms. */
  simulatedTsMs: number | undefined;
  /** Messages per second since the start. */
  ratePerSecond: number;
}

export interface ReplayReport {
  /** Messages published (one per non-blank line). */
  published: number;
  /** Of those, lines without a usable type or shop, sent to FALLBACK_SUBJECT. */
  fallback: number;
  /** Blank lines skipped (EVENTS.md: not counted). */
  blankLines: number;
  streamName: string;
  streamCreated: boolean;
  /** Increase of the stream's last sequence during the replay: messages the stream stored. */
  stored: number;
  /** published − stored: re-sends JetStream dropped inside its duplicate window (or, if larger than the file's re-sends, loss). */
  droppedByStream: number;
  /** The stream's message count after the replay. */
  streamMessages: number;
  elapsedMs: number;
  ratePerSecond: number;
  firstTsMs: number | undefined;
  lastTsMs: number | undefined;
}

interface Routed {
  subject: string;
  id: string | undefined;
  tsMs: number | undefined;
}

const KINDS: ReadonlySet<string> = new Set(EVENT_KINDS);

/** Subject, id and time of one line; fallback subject when it has no usable type or shop. */
export function routeLine(line: string): Routed {
  let body: unknown;
  try {
    body = JSON.parse(line);
  } catch {
    return { subject: FALLBACK_SUBJECT, id: undefined, tsMs: undefined };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { subject: FALLBACK_SUBJECT, id: undefined, tsMs: undefined };
  }
  const record = body as Record<string, unknown>;
  const id =
    typeof record.id === 'string' && record.id.length > 0 && record.id.length <= ID_MAX_LENGTH
      ? record.id
      : undefined;
  const tsMs = typeof record.ts === 'string' ? parseTimestampMs(record.ts) : undefined;
  const type = record.type;
  const shop = record.shop;
  const kind = typeof type === 'string' ? type.slice(0, type.indexOf('.')) : '';
  if (!KINDS.has(kind) || typeof shop !== 'string' || !SHOP_PATTERN.test(shop)) {
    return { subject: FALLBACK_SUBJECT, id, tsMs };
  }
  return { subject: `ops.${kind}.${shop}`, id, tsMs };
}

/** The file's lines, a read chunk (~1 MiB) at a time; a line split across chunks is joined. */
async function* readLineBatches(path: string): AsyncGenerator<string[], void, undefined> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let rest = '';
  for await (const chunk of stream as AsyncIterable<string>) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    yield lines.map(stripCarriageReturn);
  }
  if (rest !== '') yield [stripCarriageReturn(rest)];
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function checkSpeed(speed: number | 'max'): number {
  if (speed === 'max') return Infinity;
  if (!Number.isFinite(speed) || speed <= 0)
    throw new RangeError(`speed must be a number above 0 or 'max', got ${speed}`);
  return speed;
}

export async function replayFile(options: ReplayOptions): Promise<ReplayReport> {
  const speed = checkSpeed(options.speed ?? 'max');
  const flushEvery = Math.max(1, options.flushEvery ?? 4096);
  const progressIntervalMs = options.progressIntervalMs ?? 1000;

  const connection = await connect({ servers: options.natsUrl ?? DEFAULT_NATS_URL });
  try {
    const manager = await jetstreamManager(connection);
    const { info: before, created } = await ensureOpsStream(manager, options.stream ?? DEFAULT_STREAM_NAME);
    const streamName = before.config.name;
    const lastSequenceBefore = before.state.last_seq;

    const startedMs = performance.now();
    let published = 0;
    let fallback = 0;
    let blankLines = 0;
    let firstTsMs: number | undefined;
    let lastTsMs: number | undefined;
    let inFlight: Promise<void> | undefined;
    let nextProgressMs = startedMs + progressIntervalMs;
    const report = (): void =>
      options.onProgress?.({
        published,
        elapsedMs: performance.now() - startedMs,
        simulatedTsMs: lastTsMs,
        ratePerSecond: published / Math.max(0.001, (performance.now() - startedMs) / 1000),
      });

    /** Publishes one line; returns a promise only when the caller must wait (flow control). */
    const publishLine = (line: string, routed: Routed): Promise<void> | undefined => {
      if (routed.subject === FALLBACK_SUBJECT) fallback++;
      if (routed.id === undefined) {
        connection.publish(routed.subject, line);
      } else {
        const messageHeaders = headers();
        messageHeaders.set('Nats-Msg-Id', routed.id);
        connection.publish(routed.subject, line, { headers: messageHeaders });
      }
      published++;
      if ((published & 255) === 0 && performance.now() >= nextProgressMs) {
        nextProgressMs = performance.now() + progressIntervalMs;
        report();
      }
      if (published % flushEvery !== 0) return undefined;
      // Flow control: wait for the previous batch's round trip, keep this one in flight.
      const previous = inFlight;
      inFlight = connection.flush();
      return previous;
    };

    // Lines are handled a chunk at a time in a synchronous loop. Awaiting per line would let
    // nats.js flush its outbound buffer after every message (one socket write each) and halve
    // the rate; now it writes 32 KiB at a time and awaits only for pacing and flow control.
    for await (const batch of readLineBatches(options.input)) {
      for (const line of batch) {
        if (line.trim() === '') {
          blankLines++;
          continue;
        }
        const routed = routeLine(line);
        if (routed.tsMs !== undefined) {
          firstTsMs ??= routed.tsMs;
          // Pacing follows event time; lines without a readable ts go out at once.
          if (Number.isFinite(speed)) {
            const aheadMs = startedMs + (routed.tsMs - firstTsMs) / speed - performance.now();
            if (aheadMs > 2) {
              await connection.flush();
              await sleep(aheadMs);
            }
          }
          if (lastTsMs === undefined || routed.tsMs > lastTsMs) lastTsMs = routed.tsMs;
        }
        const wait = publishLine(line, routed);
        if (wait !== undefined) await wait;
      }
    }
    if (inFlight !== undefined) await inFlight;
    await connection.flush();
    const elapsedMs = performance.now() - startedMs;
    report();

    // A flush proves the server read every message; the stream stores them asynchronously,
    // so wait until its last sequence accounts for all of them or stops moving.
    const expectedLastSequence = lastSequenceBefore + published;
    let after = await manager.streams.info(streamName);
    let unchangedPolls = 0;
    const deadlineMs = performance.now() + 30_000;
    while (
      after.state.last_seq < expectedLastSequence &&
      unchangedPolls < 5 &&
      performance.now() < deadlineMs
    ) {
      await sleep(100);
      const next = await manager.streams.info(streamName);
      unchangedPolls = next.state.last_seq === after.state.last_seq ? unchangedPolls + 1 : 0;
      after = next;
    }
    const stored = after.state.last_seq - lastSequenceBefore;
    return {
      published,
      fallback,
      blankLines,
      streamName,
      streamCreated: created,
      stored,
      droppedByStream: published - stored,
      streamMessages: after.state.messages,
      elapsedMs,
      ratePerSecond: published / Math.max(0.001, elapsedMs / 1000),
      firstTsMs,
      lastTsMs,
    };
  } finally {
    await connection.close();
  }
}
