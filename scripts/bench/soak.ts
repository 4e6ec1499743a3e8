/**
 * `npm run bench:soak -- --minutes 30 [--rate 5000] [--clients 200] [--clock event|wall]
 *                       [--preload-days 36] [--no-record]`
 *
 * A night on the wall, compressed: the real server (child process, its own nats-server and
 * DuckDB file) ingests generated peak traffic at `rate` events/s while `clients` WebSocket boards
 * listen.
 *
 * `--clock event` (default) is the steady state a server lives in for months: the retained
 * history is first filled (`--preload-days` of one shop's traffic, published as fast as NATS
 * takes it; the default 36 covers RETENTION_DAYS' default 35, so DuckDB and the dedupe set are
 * already at their steady size when the drift's first samples are taken),
 * then the soak keeps publishing the same timeline at `rate`, so event time runs ~days per
 * minute and windows expire, retention drops whole days and dedupe forgets them all the while.
 * Memory must then stay flat: that is what the drift target checks. `--clock wall` re-stamps
 * 20 shops' traffic with the wall clock instead (every event stays inside the window, so state
 * grows with every event by design; useful for latency, not for drift).
 *
 * Reports: server RSS after preload + warm-up and at the end, and the drift between the medians
 * of the first and last tenth of the run (target ≤ 10%), ingest lag
 * p99 (server's own lagSec, sampled every second) next to the raw limit measured in the same
 * run (publish → receive latency p99 of a plain NATS subscriber), push tick p99 (from /metrics),
 * frames per client, client stalls (no frame for > 5 s). Appends a row to docs/BENCHMARKS.md.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import WebSocket from 'ws';
import { formatInstant } from '../../server/events/index.ts';
import { startNatsServer } from '../../server/ingest/index.ts';
import { simulateTraffic } from '../lib/generator/index.ts';

const root = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    seconds: { type: 'string' },
    rate: { type: 'string', default: '5000' },
    clients: { type: 'string', default: '200' },
    clock: { type: 'string', default: 'event' },
    'preload-days': { type: 'string', default: '36' },
    'no-record': { type: 'boolean', default: false },
  },
});
const durationSec = values.seconds !== undefined ? Number(values.seconds) : Number(values.minutes) * 60;
const rate = Number(values.rate);
const clientCount = Number(values.clients);
const clockMode = values.clock;
const preloadDays = Number(values['preload-days']);
if (
  !(durationSec >= 10) ||
  !(rate >= 1) ||
  !Number.isInteger(clientCount) ||
  clientCount < 0 ||
  (clockMode !== 'event' && clockMode !== 'wall') ||
  !(preloadDays >= 0)
) {
  console.error(
    'bench:soak: --minutes (or --seconds ≥ 10), --rate ≥ 1, --clients ≥ 0, --preload-days ≥ 0 are required numbers; --clock is event or wall',
  );
  process.exit(2);
}
const eventClock = clockMode === 'event';
const TZ = 'Asia/Shanghai';
const warmUpSec = Math.min(60, Math.floor(durationSec / 4));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

const dir = mkdtempSync(join(tmpdir(), 'peakboard-soak-'));
const nats = await startNatsServer({ storeDir: join(dir, 'nats') });
const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
  cwd: root,
  env: {
    ...process.env,
    NATS_URL: nats.url,
    DATA_DIR: join(dir, 'data'),
    PORT: '0',
    CLOCK: clockMode,
    LOG_LEVEL: 'warn',
    // All boards of the soak come from one address.
    WS_MAX_PER_IP: String(clientCount + 10),
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let serverLog = '';
server.stdout.on('data', (c: Buffer) => (serverLog += c.toString()));
server.stderr.on('data', (c: Buffer) => (serverLog += c.toString()));
const baseUrl = await new Promise<string>((done, fail) => {
  const timer = setTimeout(() => fail(new Error(`server did not start:\n${serverLog}`)), 60_000);
  const check = (): void => {
    const m = /Peakboard is running: board (http:\/\/[^/\s]+)/.exec(serverLog);
    if (m?.[1] !== undefined) {
      clearTimeout(timer);
      done(m[1]);
    }
  };
  server.stdout.on('data', check);
  server.stderr.on('data', check);
});
const serverPid = server.pid as number;
console.error(
  `soak: server ${baseUrl} (pid ${serverPid}); ${rate} events/s, ${clientCount} clients, ${durationSec} s`,
);

// Boards.
const lastFrameAt: number[] = [];
const frames: number[] = [];
let stalls = 0;
const sockets: WebSocket[] = [];
for (let i = 0; i < clientCount; i++) {
  const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws`, { perMessageDeflate: false });
  lastFrameAt[i] = Date.now();
  frames[i] = 0;
  socket.on('message', () => {
    lastFrameAt[i] = Date.now();
    frames[i] = (frames[i] ?? 0) + 1;
  });
  sockets.push(socket);
}

// Raw limit: a plain subscriber's publish → receive latency on the same NATS server.
const nc = await connect({ servers: nats.url, noAsyncTraces: true });
const rawLatenciesMs: number[] = [];
nc.subscribe('soak.probe', {
  callback: (_error, msg) => {
    rawLatenciesMs.push(Date.now() - Number(msg.string()));
  },
});

// Publisher: generated peak traffic. Event mode keeps the timeline's own timestamps (one shop,
// starting 30+ days before 11.11 so the peak comes round); wall mode re-stamps 20 shops' traffic.
const SOAK_START_MS = Date.UTC(2026, 9, 1, 16, 0);
const events = simulateTraffic({
  seed: 17,
  startMs: eventClock ? SOAK_START_MS : Date.UTC(2026, 10, 11, 11, 0),
  endMs: Infinity,
  peakDayNumber: Math.floor(Date.UTC(2026, 10, 11, 12) / 86_400_000),
  shops: eventClock ? ['soak1'] : Array.from({ length: 20 }, (_, i) => `soak${i + 1}`),
  scale: eventClock ? 1 : 2,
  timeZone: TZ,
  idPrefix: `soak${Date.now().toString(36)}-`,
})[Symbol.iterator]();
let published = 0;
let lastEventTsMs = 0;
function publishNext(): boolean {
  const next = events.next();
  if (next.done === true) return false;
  const event = eventClock ? next.value.event : { ...next.value.event, ts: formatInstant(Date.now(), TZ) };
  lastEventTsMs = next.value.tsMs;
  const h = natsHeaders();
  h.set('Nats-Msg-Id', event.id);
  nc.publish(`ops.${event.type.slice(0, event.type.indexOf('.'))}.${event.shop}`, JSON.stringify(event), {
    headers: h,
  });
  published += 1;
  return true;
}

interface IngestBlock {
  accepted: number;
  duplicates: number;
  rejected: number;
  lagSec: number;
}
async function ingestBlock(): Promise<IngestBlock> {
  const response = await fetch(`${baseUrl}/api/snapshot`);
  return ((await response.json()) as { ingest: IngestBlock }).ingest;
}

// Preload (event mode): fill the window, then wait until the server has taken all of it.
if (eventClock && preloadDays > 0) {
  const preloadStart = performance.now();
  const untilMs = SOAK_START_MS + preloadDays * 86_400_000;
  while (lastEventTsMs < untilMs && publishNext()) {
    if ((published & 8191) === 0) await nc.flush();
  }
  await nc.flush();
  for (;;) {
    const ingest = await ingestBlock().catch(() => undefined);
    if (ingest !== undefined && ingest.accepted + ingest.duplicates + ingest.rejected >= published) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  console.error(
    `soak: preloaded ${published.toLocaleString('en')} events (${preloadDays} days) in ${((performance.now() - preloadStart) / 1000).toFixed(0)} s`,
  );
}
const preloaded = published;
const startMs = Date.now();
lastFrameAt.fill(startMs);
const lagSamples: number[] = [];
const rssSamples: { atSec: number; rss: number }[] = [];
const endAt = startMs + durationSec * 1000;
let sampleFailures = 0;
// Once a second: lag as the server reports it, server RSS, and boards that went quiet.
const sampler = setInterval(() => {
  const elapsedSec = (Date.now() - startMs) / 1000;
  rssSamples.push({ atSec: elapsedSec, rss: rssMiB(serverPid) });
  const now = Date.now();
  for (let i = 0; i < clientCount; i++) {
    if (now - (lastFrameAt[i] ?? now) > 5_000) {
      stalls += 1;
      lastFrameAt[i] = now;
    }
  }
  void fetch(`${baseUrl}/api/snapshot`)
    .then(async (response) => {
      const snapshot = (await response.json()) as { ingest: { lagSec: number } };
      if (elapsedSec > warmUpSec) lagSamples.push(snapshot.ingest.lagSec);
    })
    .catch(() => {
      sampleFailures += 1;
    });
}, 1000);
while (Date.now() < endAt) {
  const due = Math.floor(((Date.now() - startMs) / 1000) * rate);
  while (published - preloaded < due && publishNext());
  nc.publish('soak.probe', String(Date.now()));
  await nc.flush();
  await new Promise((r) => setTimeout(r, 50));
}
clearInterval(sampler);
const metricsText = await (await fetch(`${baseUrl}/metrics`)).text();
const actualRate = (published - preloaded) / ((Date.now() - startMs) / 1000);

// Tick p99 from the histogram buckets (upper bound of the bucket holding the 99th percentile).
const buckets = [...metricsText.matchAll(/peakboard_push_tick_seconds_bucket\{le="([^"]+)"\} (\d+)/g)].map(
  (m) => ({
    le: m[1] === '+Inf' ? Infinity : Number(m[1]),
    count: Number(m[2]),
  }),
);
const tickTotal = buckets.at(-1)?.count ?? 0;
const tickP99 = buckets.find((b) => b.count >= 0.99 * tickTotal)?.le ?? NaN;

const afterWarmUp = rssSamples.filter((s) => s.atSec >= warmUpSec);
const rssStart = afterWarmUp[0]?.rss ?? rssSamples[0]?.rss ?? 0;
const rssEnd = rssSamples.at(-1)?.rss ?? 0;
// RSS saw-tooths by a few hundred MiB (V8 old-space collections, DuckDB's buffer pool, the dedupe
// table's incremental moves), so single samples make a noisy drift: the target is checked on the
// median of the first and of the last tenth of the run after warm-up (at least 10 samples each).
const edge = Math.max(10, Math.floor(afterWarmUp.length / 10));
const median = (samples: { rss: number }[]): number =>
  percentile(
    samples.map((x) => x.rss).sort((a, b) => a - b),
    0.5,
  );
const rssStartMedian = median(afterWarmUp.slice(0, edge));
const rssEndMedian = median(afterWarmUp.slice(-edge));
const drift = rssStartMedian > 0 ? (rssEndMedian - rssStartMedian) / rssStartMedian : 0;
const rssMax = Math.max(...afterWarmUp.map((x) => x.rss));
const lagP99 = percentile(
  [...lagSamples].sort((a, b) => a - b),
  0.99,
);
const rawP99Ms = percentile(
  [...rawLatenciesMs].sort((a, b) => a - b),
  0.99,
);
const framesPerClient = clientCount > 0 ? frames.reduce((a, b) => a + b, 0) / clientCount : 0;

for (const s of sockets) s.terminate();
await nc.close();
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
await nats.stop();
rmSync(dir, { recursive: true, force: true });

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
console.log(
  `\nbench:soak  (${durationSec} s, ${Math.round(actualRate)} events/s, ${clientCount} clients; ${machine})`,
);
console.log(
  `  server RSS after ${warmUpSec} s warm-up : ${rssStart.toFixed(0)} MiB; at the end ${rssEnd.toFixed(0)} MiB; highest ${rssMax.toFixed(0)} MiB`,
);
console.log(
  `  RSS drift (median of first → last ${edge} samples): ${rssStartMedian.toFixed(0)} → ${rssEndMedian.toFixed(0)} MiB = ${(drift * 100).toFixed(1)}% (target ≤ 10%)`,
);
console.log(
  `  ingest lag p99 (server)      : ${(lagP99 * 1000).toFixed(0)} ms over ${lagSamples.length} samples (${sampleFailures} failed)`,
);
console.log(`  raw NATS pub→sub p99 (limit) : ${rawP99Ms.toFixed(1)} ms`);
console.log(`  push tick p99 (bucket bound) : ${(tickP99 * 1000).toFixed(1)} ms over ${tickTotal} ticks`);
console.log(
  `  frames per client            : ${framesPerClient.toFixed(0)}; client stalls (> 5 s without a frame): ${stalls}`,
);
if (!values['no-record']) {
  appendFileSync(
    join(root, 'docs', 'BENCHMARKS.md'),
    `| ${new Date().toISOString().slice(0, 10)} | bench:soak ${durationSec} s | ${Math.round(actualRate)} ev/s, ${clientCount} clients | ` +
      `NATS p99 ${rawP99Ms.toFixed(1)} ms | lag p99 ${(lagP99 * 1000).toFixed(0)} ms, tick p99 ≤ ${(tickP99 * 1000).toFixed(1)} ms, stalls ${stalls} | ` +
      `RSS drift ${(drift * 100).toFixed(1)}% (medians ${rssStartMedian.toFixed(0)}→${rssEndMedian.toFixed(0)} MiB) | ${rssStart.toFixed(0)}→${rssEnd.toFixed(0)} MiB, max ${rssMax.toFixed(0)} | ${machine} | \`npm run bench:soak -- --seconds ${durationSec}\` |\n`,
  );
}
process.exit(0);
