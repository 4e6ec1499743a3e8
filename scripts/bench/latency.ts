/**
 * Publish → board latency at a peak's event rate, next to the raw limit measured in the same run.
 *
 * - A real nats-server and Peakboard (`startPeakboard`, CLOCK=wall) in a child process, so its RSS
 *   and CPU are the server's alone.
 * - A publisher sends realistic traffic (the generator's peak evening, re-stamped with the wall
 *   clock) at `--rate` events/s (default 5,000) for `--seconds` (default 20) after a warm-up.
 * - Every 100 ms a probe publishes a `chat.started` in the queue `latency-probe`; a WebSocket client
 *   on /ws (all shops, what a TV shows) times the frame where `chat.queues.latency-probe.waiting`
 *   first counts it. Probes are ingested in order, so waiting = k means probe k is on the board.
 * - Raw limit: 50 ms after each probe, a NATS core publish → subscribe of the same bytes on a
 *   subject outside the stream (`bench.latency.raw`), under the same load.
 * - Then the board in Chromium: navigationStart → first `[data-metric]` with a value, and the JS
 *   bundle's gzipped size from web/dist.
 *
 * Prints p50/p99 of both, their ratio, and appends rows to docs/BENCHMARKS.md.
 *
 *   npm run bench:latency [-- --rate 5000 --seconds 20 --tick-ms 250 --batch-wait-ms 100 --trace --no-record]
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import WebSocket from 'ws';
import { parseConfig } from '../../server/config/index.ts';
import { startNatsServer } from '../../server/ingest/index.ts';
import { startPeakboard } from '../../server/peakboard.ts';
import { createLocalTime, simulateTraffic, type GeneratedEvent } from '../lib/generator/index.ts';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const WEB_DIST = join(ROOT, 'web', 'dist');
const TIME_ZONE = 'Asia/Shanghai';
const PROBE_QUEUE = 'latency-probe';
const PROBE_SHOP = 'probe';
const PROBE_EVERY_MS = 100;
const WARMUP_MS = 3_000;
const CHROMIUM = '/usr/bin/chromium';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

// ---------------------------------------------------------------- server child

type ChildMessage =
  { type: 'ready'; url: string } | { type: 'report'; rssMiB: number; maxRssMiB: number; cpuPercent: number };

async function runServer(natsUrl: string, dataDir: string, tuning: Record<string, string>): Promise<void> {
  const board = await startPeakboard(
    parseConfig({
      NATS_URL: natsUrl,
      DATA_DIR: dataDir,
      PORT: '0',
      CLOCK: 'wall',
      LOG_LEVEL: 'warn',
      ...tuning,
    }),
    { webRoot: WEB_DIST },
  );
  let maxRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage().rss)), 500);
  let cpuAtStart = process.cpuUsage();
  let wallAtStart = performance.now();
  process.on('message', (message: { type: string }) => {
    if (message.type === 'start') {
      cpuAtStart = process.cpuUsage();
      wallAtStart = performance.now();
    } else if (message.type === 'report') {
      const cpu = process.cpuUsage(cpuAtStart);
      const rss = process.memoryUsage().rss;
      process.send?.({
        type: 'report',
        rssMiB: rss / 2 ** 20,
        maxRssMiB: Math.max(maxRss, rss) / 2 ** 20,
        cpuPercent: ((cpu.user + cpu.system) / 1000 / (performance.now() - wallAtStart)) * 100,
      } satisfies ChildMessage);
    } else if (message.type === 'stop') {
      clearInterval(sampler);
      void board.stop().then(() => process.exit(0));
    }
  });
  process.send?.({ type: 'ready', url: board.url } satisfies ChildMessage);
}

function nextMessage<T extends ChildMessage['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((done, fail) => {
    const onExit = (code: number | null): void =>
      fail(new Error(`server child exited (${code}) before ${type}`));
    const listener = (message: ChildMessage): void => {
      if (message.type !== type) return;
      child.off('message', listener);
      child.off('exit', onExit);
      done(message as Extract<ChildMessage, { type: T }>);
    };
    child.on('message', listener);
    child.once('exit', onExit);
  });
}

// ---------------------------------------------------------------- traffic

/** The generator's peak evening (19:30 on), as events to re-stamp: realistic mix, entity order kept. */
function peakTraffic(count: number): GeneratedEvent[] {
  const local = createLocalTime(TIME_ZONE);
  const today = local.position(Date.now()).dayNumber;
  const startMs = local.midnightMs(today) + (19 * 60 + 30) * 60_000;
  const events: GeneratedEvent[] = [];
  for (const generated of simulateTraffic({
    seed: 20_261_111,
    startMs,
    endMs: Infinity,
    peakDayNumber: today,
    shops: ['shop1', 'shop2', 'shop3', 'shop4'],
    scale: 4,
    timeZone: TIME_ZONE,
    idPrefix: `B${Date.now().toString(36)}-`,
  })) {
    if (generated.event.type === 'clock.tick') continue; // wall clock: ticks mean nothing
    events.push(generated);
    if (events.length >= count) break;
  }
  return events;
}

function publishEvent(
  nc: NatsConnection,
  event: { id: string; type: string; shop: string },
  text: string,
): void {
  const h = headers();
  h.set('Nats-Msg-Id', event.id);
  nc.publish(`ops.${event.type.slice(0, event.type.indexOf('.'))}.${event.shop}`, text, { headers: h });
}

// ---------------------------------------------------------------- first data paint

async function firstDataPaint(url: string, runs: number): Promise<number[] | undefined> {
  if (!existsSync(CHROMIUM)) {
    console.log(`first data paint: skipped — ${CHROMIUM} is not installed`);
    return undefined;
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const times: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } }); // empty cache
      const page = await context.newPage();
      // A string, not a function: tsx's keepNames would wrap a function's inner helpers in __name(),
      // which does not exist in the page.
      await page.addInitScript({
        content: `(() => {
          const observer = new MutationObserver(() => {
            if (document.querySelector('[data-metric]:not([data-value=""])') === null) return;
            observer.disconnect();
            // The frame after the DOM holds the number is the one that paints it.
            requestAnimationFrame(() => { window.firstDataPaint = performance.now(); });
          });
          observer.observe(document, { subtree: true, childList: true, attributes: true });
        })();`,
      });
      await page.goto(`${url}/board?boards=overview`);
      const ms = await page.waitForFunction('window.firstDataPaint', null, { timeout: 15_000 });
      times.push(Number(await ms.jsonValue()));
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return times;
}

function boardJsGzipBytes(): number {
  const assets = join(WEB_DIST, 'assets');
  if (!existsSync(assets)) execFileSync('npx', ['vite', 'build', 'web'], { cwd: ROOT, stdio: 'ignore' });
  let bytes = 0;
  for (const name of readdirSync(assets)) {
    if (name.endsWith('.js')) bytes += gzipSync(readFileSync(join(assets, name)), { level: 9 }).length;
  }
  return bytes;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const rate = argument('rate', 5_000);
  const seconds = argument('seconds', 20);
  const record = !process.argv.includes('--no-record');
  // Server tuning (defaults: the server's own, TICK_MS 250 and BATCH_MAX_WAIT_MS 100).
  const tuning: Record<string, string> = {};
  if (process.argv.includes('--tick-ms')) tuning['TICK_MS'] = String(argument('tick-ms', 250));
  if (process.argv.includes('--batch-wait-ms'))
    tuning['BATCH_MAX_WAIT_MS'] = String(argument('batch-wait-ms', 100));
  const tuningText = Object.entries(tuning)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  if (!existsSync(join(WEB_DIST, 'index.html')))
    execFileSync('npx', ['vite', 'build', 'web'], { cwd: ROOT, stdio: 'inherit' });

  const loadAvgAtStart = loadavg()[0] ?? 0;
  const work = mkdtempSync(join(tmpdir(), 'peakboard-latency-'));
  const nats = await startNatsServer({ storeDir: join(work, 'nats') });
  const child = fork(
    fileURLToPath(import.meta.url),
    ['--serve', nats.url, join(work, 'data'), JSON.stringify(tuning)],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const stopAll = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await nats.stop();
    rmSync(work, { recursive: true, force: true });
  };

  try {
    const { url } = await nextMessage(child, 'ready');
    const totalEvents = Math.ceil((rate * (seconds * 1000 + WARMUP_MS + 1_000)) / 1000);
    const generatingAt = performance.now();
    const traffic = peakTraffic(totalEvents);
    console.log(
      `bench:latency — ${rate.toLocaleString('en-US')} events/s for ${seconds} s (+${WARMUP_MS / 1000} s warm-up), ` +
        `${traffic.length.toLocaleString('en-US')} generated peak-evening events (${Math.round(performance.now() - generatingAt)} ms), ` +
        `probe every ${PROBE_EVERY_MS} ms, server ${tuningText || 'defaults (TICK_MS 250, BATCH_MAX_WAIT_MS 100)'}; ` +
        `load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores`,
    );

    const publisher = await connect({ servers: nats.url });
    const rawSubscriber = await connect({ servers: nats.url });
    const local = createLocalTime(TIME_ZONE);

    // Raw limit: NATS core publish → subscribe of the probe's bytes, under the same load.
    const rawSentAt = new Map<number, number>();
    const rawLatencies: number[] = [];
    let measuring = false;
    const rawSubscription = rawSubscriber.subscribe('bench.latency.raw');
    void (async () => {
      for await (const message of rawSubscription) {
        const n = Number(message.headers?.get('probe'));
        const sentAt = rawSentAt.get(n);
        if (sentAt !== undefined && measuring) rawLatencies.push(performance.now() - sentAt);
      }
    })();
    await rawSubscriber.flush();

    // The board's side: all shops, what the TV shows.
    const probeSentAt: number[] = [];
    const latencies: number[] = [];
    /** [sentAt, latency] per probe seen while measuring, for the per-second trace. */
    const trace: [number, number][] = [];
    let lastFrameAt = 0;
    let maxFrameGapMs = 0;
    let seen = 0;
    let frames = 0;
    let frameBytes = 0;
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { perMessageDeflate: false });
    socket.on('message', (raw: Buffer) => {
      const receivedAt = performance.now();
      if (measuring && lastFrameAt > 0) maxFrameGapMs = Math.max(maxFrameGapMs, receivedAt - lastFrameAt);
      lastFrameAt = receivedAt;
      frames++;
      frameBytes += raw.length;
      const frame = JSON.parse(raw.toString()) as {
        data?: { chat?: { queues?: Record<string, { waiting?: number }> } };
      };
      const waiting = frame.data?.chat?.queues?.[PROBE_QUEUE]?.waiting;
      if (typeof waiting !== 'number') return;
      for (; seen < waiting; seen++) {
        const sentAt = probeSentAt[seen];
        if (sentAt !== undefined && measuring) {
          latencies.push(receivedAt - sentAt);
          trace.push([sentAt, receivedAt - sentAt]);
        }
      }
    });
    await new Promise<void>((done, fail) => {
      socket.once('open', () => done());
      socket.once('error', fail);
    });

    let next = 0;
    let published = 0;
    let probes = 0;
    const startedAt = performance.now();
    const endAt = startedAt + WARMUP_MS + seconds * 1000;
    let nextProbeAt = startedAt;
    let measuredFrom = Infinity;
    while (performance.now() < endAt) {
      const now = performance.now();
      if (!measuring && now - startedAt >= WARMUP_MS) {
        measuring = true;
        measuredFrom = now;
        frames = 0;
        frameBytes = 0;
        child.send({ type: 'start' });
      }
      // Traffic: as many as the rate allows by now.
      const due = Math.floor(((now - startedAt) / 1000) * rate);
      if (due > published) {
        const ts = local.format(Date.now());
        for (; published < due && next < traffic.length; published++, next++) {
          const event = { ...(traffic[next] as GeneratedEvent).event, ts };
          publishEvent(publisher, event, JSON.stringify(event));
        }
      }
      if (now >= nextProbeAt) {
        const n = probes++;
        const event = {
          id: `probe-${startedAt.toFixed(0)}-${n}`,
          type: 'chat.started',
          ts: local.format(Date.now()),
          shop: PROBE_SHOP,
          chat_id: `probe-${n}`,
          queue: PROBE_QUEUE,
          customer_id: `probe-customer-${n}`,
        };
        const text = JSON.stringify(event);
        probeSentAt[n] = performance.now();
        publishEvent(publisher, event, text);
        nextProbeAt += PROBE_EVERY_MS;
        setTimeout(() => {
          const h = headers();
          h.set('probe', String(n));
          rawSentAt.set(n, performance.now());
          publisher.publish('bench.latency.raw', text, { headers: h });
        }, PROBE_EVERY_MS / 2);
      }
      await publisher.flush();
      await sleep(5);
    }
    const elapsedSec = (performance.now() - measuredFrom) / 1000;
    await sleep(2_000); // the last probes
    measuring = false;
    child.send({ type: 'report' });
    const server = await nextMessage(child, 'report');
    const ingest = ((await (await fetch(`${url}/api/snapshot`)).json()) as { ingest: Record<string, number> })
      .ingest;
    socket.terminate();
    await publisher.drain();
    await rawSubscriber.drain();

    const sorted = [...latencies].sort((a, b) => a - b);
    const rawSorted = [...rawLatencies].sort((a, b) => a - b);
    const measuredProbes = Math.round(elapsedSec * (1000 / PROBE_EVERY_MS));
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    const raw50 = percentile(rawSorted, 50);
    const raw99 = percentile(rawSorted, 99);
    const achieved = published / ((performance.now() - startedAt) / 1000);
    console.log(
      `published ${published.toLocaleString('en-US')} events (${Math.round(achieved).toLocaleString('en-US')}/s incl. drain)`,
    );
    console.log(
      `frames on /ws during the measurement: ${(frames / elapsedSec).toFixed(1)}/s, ${(frameBytes / frames / 1024).toFixed(1)} KiB average`,
    );
    console.log('');
    console.log(
      `${'path'.padEnd(52)} ${'samples'.padStart(8)} ${'p50'.padStart(10)} ${'p99'.padStart(10)} ${'max'.padStart(10)}`,
    );
    const line = (label: string, values: number[], count: number): string =>
      `${label.padEnd(52)} ${String(count).padStart(8)} ${`${percentile(values, 50).toFixed(1)} ms`.padStart(10)} ${`${percentile(values, 99).toFixed(1)} ms`.padStart(10)} ${`${(values.at(-1) ?? NaN).toFixed(1)} ms`.padStart(10)}`;
    console.log(line('raw limit: NATS core publish → subscribe', rawSorted, rawSorted.length));
    console.log(line('Peakboard: publish → /ws frame showing it', sorted, sorted.length));
    console.log(
      `\nratio Peakboard / raw: p50 ${(p50 / raw50).toFixed(0)}×, p99 ${(p99 / raw99).toFixed(0)}×   target p99 ≤ 250 ms: ${p99 <= 250 ? 'met' : 'NOT met'}`,
    );
    if (sorted.length < measuredProbes * 0.95)
      console.log(`warning: ${sorted.length} of ~${measuredProbes} probes were seen on the board`);
    console.log(
      `ingest: accepted ${ingest['accepted']}, duplicates ${ingest['duplicates']}, rejected ${ingest['rejected']}, lag ${ingest['lagSec']} s; ` +
        `largest gap between frames ${maxFrameGapMs.toFixed(0)} ms`,
    );
    if (process.argv.includes('--trace')) {
      const bySecond = new Map<number, number[]>();
      for (const [sentAt, latency] of trace) {
        const second = Math.floor((sentAt - measuredFrom) / 1000);
        bySecond.set(second, [...(bySecond.get(second) ?? []), latency]);
      }
      for (const [second, values] of bySecond) {
        values.sort((a, b) => a - b);
        console.log(
          `  t+${String(second).padStart(2)} s  p50 ${percentile(values, 50).toFixed(0).padStart(4)} ms  max ${(values.at(-1) ?? 0).toFixed(0).padStart(4)} ms`,
        );
      }
    }
    console.log(
      `server child: CPU ${server.cpuPercent.toFixed(0)}% of one core, RSS ${server.rssMiB.toFixed(0)} MiB (max ${server.maxRssMiB.toFixed(0)} MiB)`,
    );

    // The board in Chromium, on the same server, with the load stopped (cold cache each time).
    const paints = await firstDataPaint(url, 5);
    child.send({ type: 'stop' });
    await new Promise<void>((done) => (child.exitCode !== null ? done() : child.once('exit', () => done())));
    const jsGzip = boardJsGzipBytes();
    const paintSorted = paints === undefined ? undefined : [...paints].sort((a, b) => a - b);
    if (paintSorted !== undefined) {
      console.log(
        `\nfirst data paint (navigationStart → first [data-metric] with a value, painted), 5 cold loads: ` +
          `median ${percentile(paintSorted, 50).toFixed(0)} ms, worst ${(paintSorted.at(-1) ?? NaN).toFixed(0)} ms   target ≤ 1000 ms`,
      );
    }
    console.log(`board JS: ${(jsGzip / 1024).toFixed(1)} KB gzipped   budget 80 KB`);

    if (record) {
      const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
      const date = new Date().toISOString().slice(0, 10);
      const load = loadAvgAtStart;
      const flags = process.argv.slice(2).filter((arg) => arg !== '--trace');
      const command = `\`npm run bench:latency${flags.length > 0 ? ` -- ${flags.join(' ')}` : ''}\``;
      const rows = [
        `| ${date} | bench:latency publish → /ws frame (p50 / p99) | ${rate.toLocaleString('en-US')} ev/s × ${seconds} s, ${sorted.length} probes${tuningText ? `, ${tuningText}` : ''}, load ${load.toFixed(1)} | NATS core ${raw50.toFixed(1)} / ${raw99.toFixed(1)} ms | ${p50.toFixed(0)} / ${p99.toFixed(0)} ms | ${(p50 / raw50).toFixed(0)}× / ${(p99 / raw99).toFixed(0)}× | ${server.maxRssMiB.toFixed(0)} MiB | ${machine} | ${command} |`,
      ];
      if (paintSorted !== undefined) {
        rows.push(
          `| ${date} | board first data paint (median / worst of 5 cold loads) · JS gzipped | localhost, 1920×1080 | — | ${percentile(paintSorted, 50).toFixed(0)} / ${(paintSorted.at(-1) ?? NaN).toFixed(0)} ms · ${(jsGzip / 1024).toFixed(1)} KB | — | — | ${machine} | ${command} |`,
        );
      }
      appendFileSync(join(ROOT, 'docs', 'BENCHMARKS.md'), rows.join('\n') + '\n');
      console.log('\nappended to docs/BENCHMARKS.md');
    }
  } finally {
    await stopAll();
  }
}

const serveIndex = process.argv.indexOf('--serve');
if (serveIndex >= 0) {
  await runServer(
    process.argv[serveIndex + 1] ?? '',
    process.argv[serveIndex + 2] ?? '',
    JSON.parse(process.argv[serveIndex + 3] ?? '{}') as Record<string, string>,
  );
} else {
  await main();
}
