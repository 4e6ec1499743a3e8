/**
 * `npm run demo [-- --shops 2 --scale 1 --speed 1 --backfill-days 3 --no-peak]`
 *
 * The main job on the embedded defaults: starts Peakboard (a local nats-server under
 * DATA_DIR/nats, DuckDB in DATA_DIR), backfills a few generated past days on the first run so the
 * 30-day figures and forecasts have history, then publishes live peak-evening traffic stamped
 * with the wall clock, and prints one live line of what the board shows. Ctrl-C stops it all.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig } from '../server/config/index.ts';
import { NatsServerMissingError } from '../server/ingest/index.ts';
import { startPeakboard } from '../server/peakboard.ts';
import { StoreError } from '../server/store/index.ts';
import { createLocalTime, writeTrafficFile } from './lib/generator/index.ts';
import { startLiveTraffic } from './lib/live-traffic.ts';
import { replayFile } from './lib/replay.ts';

const root = resolve(import.meta.dirname, '..');

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(2);
}

let args: { shops: number; scale: number; speed: number; backfillDays: number; peak: boolean };
try {
  const { values } = parseArgs({
    options: {
      shops: { type: 'string', default: '2' },
      scale: { type: 'string', default: '1' },
      speed: { type: 'string', default: '1' },
      'backfill-days': { type: 'string', default: '3' },
      'no-peak': { type: 'boolean', default: false },
    },
  });
  args = {
    shops: Number(values.shops),
    scale: Number(values.scale),
    speed: Number(values.speed),
    backfillDays: Number(values['backfill-days']),
    peak: !values['no-peak'],
  };
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
if (!Number.isInteger(args.shops) || args.shops < 1 || args.shops > 50) fail('--shops must be a whole number from 1 to 50');
if (!(args.scale > 0 && args.scale <= 20)) fail('--scale must be above 0 and at most 20');
if (!(args.speed > 0 && args.speed <= 1000)) fail('--speed must be above 0 and at most 1000');
if (!Number.isInteger(args.backfillDays) || args.backfillDays < 0 || args.backfillDays > 35) {
  fail('--backfill-days must be a whole number from 0 to 35');
}

if (!existsSync(join(root, 'web', 'dist', 'index.html'))) {
  console.error('demo: building the board (npm run build) …');
  const built = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) fail('the board build failed');
}

let board: Awaited<ReturnType<typeof startPeakboard>>;
try {
  board = await startPeakboard(parseConfig(process.env));
} catch (error) {
  if (error instanceof ConfigError || error instanceof NatsServerMissingError || error instanceof StoreError) {
    fail(error.message);
  }
  throw error;
}
const config = board.config;
console.error(`\nPeakboard demo — board: ${board.url}/board   supervisor: ${board.url}/supervisor   (Ctrl-C stops)\n`);

// First run only: a few past days (ending yesterday) so 30-day figures and forecasts have history.
if (board.ingestStatus().counts.accepted === 0 && args.backfillDays > 0) {
  const local = createLocalTime(config.businessTimeZone);
  const yesterday = local.position(Date.now()).dayNumber - 1;
  const peakDay = new Date(local.midnightMs(yesterday) + 12 * 3_600_000).toISOString().slice(0, 10);
  const file = join(config.dataDir, 'demo-backfill.ndjson');
  const report = writeTrafficFile({
    seed: 7,
    days: args.backfillDays,
    peakDay,
    shops: args.shops,
    // History at a third of the live volume keeps the first start quick.
    scale: args.scale / 3,
    timeZone: config.businessTimeZone,
    out: file,
  });
  const closeOut = await appendCloseOut(file);
  console.error(
    `demo: backfilling ${report.events.toLocaleString('en')} events of the last ${args.backfillDays} days ` +
      `(+${closeOut} close-out events) …`,
  );
  await replayFile({ input: file, natsUrl: board.natsUrl, speed: 'max', stream: config.stream });
}

/**
 * A generated history stops mid-flight: chats still open, refunds unanswered, agents online at
 * its last instant would sit on the live board for ever. This closes them one second after the
 * history ends, as the night shift would have, so the board shows only the live evening.
 */
async function appendCloseOut(file: string): Promise<number> {
  const openChats = new Map<string, string>();
  const unansweredRefunds = new Map<string, string>();
  const staffedAgents = new Map<string, { shop: string; queues: string[] }>();
  let lastMs = 0;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    const e = JSON.parse(line) as Record<string, unknown> & { type: string; shop: string; ts: string };
    lastMs = Math.max(lastMs, Date.parse(e.ts));
    const key = (id: unknown): string => `${e.shop}\u0000${String(id)}`;
    if (e.type === 'chat.started') openChats.set(key(e.chat_id), e.shop);
    else if (e.type === 'chat.closed') openChats.delete(key(e.chat_id));
    else if (e.type === 'refund.requested') unansweredRefunds.set(key(e.refund_id), e.shop);
    else if (e.type === 'refund.responded' || e.type === 'refund.succeeded' || e.type === 'refund.closed') {
      unansweredRefunds.delete(key(e.refund_id));
    } else if (e.type === 'agent.status') {
      if (e.status === 'online' || e.status === 'busy') staffedAgents.set(key(e.agent_id), { shop: e.shop, queues: e.queues as string[] });
      else staffedAgents.delete(key(e.agent_id));
    }
  }
  const ts = new Date(lastMs + 1000).toISOString();
  const out: string[] = [];
  let n = 0;
  const idOf = (k: string): string => k.slice(k.indexOf('\u0000') + 1);
  for (const [k, shop] of openChats) out.push(JSON.stringify({ id: `closeout-${++n}`, type: 'chat.closed', ts, shop, chat_id: idOf(k) }));
  for (const [k, shop] of unansweredRefunds) {
    out.push(JSON.stringify({ id: `closeout-${++n}`, type: 'refund.responded', ts, shop, refund_id: idOf(k), agent_id: 'night-shift' }));
  }
  for (const [k, a] of staffedAgents) {
    out.push(JSON.stringify({ id: `closeout-${++n}`, type: 'agent.status', ts, shop: a.shop, agent_id: idOf(k), status: 'offline', queues: a.queues }));
  }
  if (out.length > 0) appendFileSync(file, out.join('\n') + '\n');
  return out.length;
}

const stopTraffic = await startLiveTraffic({
  natsUrl: board.natsUrl,
  shops: args.shops,
  scale: args.scale,
  speed: args.speed,
  peak: args.peak,
  timeZone: config.businessTimeZone,
  stream: config.stream,
});

interface LiveSnapshot {
  chat: { queues: Record<string, { waiting: number; unansweredOver30m: number; agentsOnline: number }> };
  refunds: { awaitingResponse: number; unansweredOver30m: number };
  ingest: { accepted: number; duplicates: number; rejected: number; lagSec: number };
}

let previousAccepted = board.ingestStatus().counts.accepted;
const liveLine = setInterval(() => {
  void (async () => {
    try {
      const s = (await (await fetch(`${board.url}/api/snapshot`)).json()) as LiveSnapshot;
      const rate = s.ingest.accepted - previousAccepted;
      previousAccepted = s.ingest.accepted;
      const queues = Object.entries(s.chat.queues)
        .map(([q, a]) => `${q} ${a.waiting} waiting/${a.agentsOnline} agents`)
        .join(', ');
      const unanswered = Object.values(s.chat.queues).reduce((n, a) => n + a.unansweredOver30m, 0);
      process.stderr.write(
        `\r\x1b[2Kaccepted ${s.ingest.accepted.toLocaleString('en')} (+${rate}/s) dup ${s.ingest.duplicates} ` +
          `rejected ${s.ingest.rejected} lag ${s.ingest.lagSec.toFixed(1)}s | ${queues} | refunds awaiting ` +
          `${s.refunds.awaitingResponse} | unanswered ≥30m: chat ${unanswered}, refund ${s.refunds.unansweredOver30m}`,
      );
    } catch {
      process.stderr.write('\r\x1b[2K(waiting for the server)');
    }
  })();
}, 1000);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(liveLine);
  process.stderr.write('\ndemo: stopping …\n');
  const summary = await stopTraffic();
  await board.stop();
  console.error(`demo: published ${summary.published.toLocaleString('en')} live events; stopped.`);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
