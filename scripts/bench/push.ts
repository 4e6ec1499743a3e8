/**
 * WebSocket fan-out benchmark: 1,000 clients at 4 Hz (tickMs 250) against the push hub running in
 * a child process, so its CPU (process.cpuUsage) and RSS are the server's alone. The same run
 * measures the raw limit — JSON.stringify of the full snapshot once per tick plus the same 1,000
 * socket writes, no diff, no channels — and prints hub/raw as a ratio.
 *
 *   npm run bench:push [-- --clients 1000 --seconds 10]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { startPushHub } from '../../server/push/index.ts';
import { churn, sampleAggregates, sampleHistory } from '../../test/push/sample-aggregates.ts';

type Mode = 'hub' | 'raw';

interface ChildReport {
  cpuPercent: number;
  rssMiB: number;
  framesPerSec: number;
}

type ChildMessage = { type: 'ready'; port: number } | ({ type: 'report' } & ChildReport);

const TICK_MS = 250;

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** The engine stand-in: a realistic ~4 KB aggregates object that changes on every tick. */
function makeSnapshot(): () => ReturnType<typeof sampleAggregates> {
  const base = sampleAggregates(Date.now());
  return () => churn(base, Math.floor(Date.now() / TICK_MS), Date.now());
}

async function runChild(mode: Mode): Promise<void> {
  const server = createServer((_request, response) => response.writeHead(404).end());
  const snapshot = makeSnapshot();
  let stopServer: () => Promise<void>;
  /** Frames broadcast so far (per channel, not per socket). */
  let framesSent: () => number;

  if (mode === 'hub') {
    const hub = startPushHub({
      server,
      tickMs: TICK_MS,
      getSnapshot: snapshot,
      seedSeries: () => sampleHistory(Date.now()),
    });
    stopServer = () => hub.stop();
    framesSent = () => hub.stats().deltasBroadcast + hub.stats().snapshotsBroadcast;
  } else {
    let frames = 0;
    const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: true });
    const timer = setInterval(() => {
      if (wss.clients.size === 0) return;
      const text = Buffer.from(JSON.stringify({ type: 'snapshot', seq: frames + 1, data: snapshot() }));
      frames++;
      for (const socket of wss.clients) socket.send(text, { binary: false });
    }, TICK_MS);
    framesSent = () => frames;
    stopServer = async () => {
      clearInterval(timer);
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  send({ type: 'ready', port: (server.address() as AddressInfo).port });

  let cpuAtStart = process.cpuUsage();
  let wallAtStart = performance.now();
  let framesAtStart = 0;
  process.on('message', (message: { type: string }) => {
    if (message.type === 'start') {
      cpuAtStart = process.cpuUsage();
      wallAtStart = performance.now();
      framesAtStart = framesSent();
    } else if (message.type === 'stop') {
      const cpu = process.cpuUsage(cpuAtStart);
      const elapsedMs = performance.now() - wallAtStart;
      const counted = framesSent() - framesAtStart;
      send({
        type: 'report',
        cpuPercent: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
        rssMiB: process.memoryUsage().rss / 1024 / 1024,
        framesPerSec: (counted / elapsedMs) * 1000,
      });
      void stopServer().then(() => server.close(() => process.exit(0)));
    }
  });
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

function nextMessage<T extends ChildMessage['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve) => {
    const listener = (message: ChildMessage): void => {
      if (message.type !== type) return;
      child.off('message', listener);
      resolve(message as Extract<ChildMessage, { type: T }>);
    };
    child.on('message', listener);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface RunResult extends ChildReport {
  mode: Mode;
  receivedPerClientPerSec: number;
  bytesPerClientPerSec: number;
}

async function measure(mode: Mode, clientCount: number, seconds: number): Promise<RunResult> {
  const child = fork(fileURLToPath(import.meta.url), ['--child', mode], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port } = await nextMessage(child, 'ready');
  const sockets: WebSocket[] = [];
  let received = 0;
  let bytes = 0;
  for (let i = 0; i < clientCount; i += 100) {
    const batch = Array.from({ length: Math.min(100, clientCount - i) }, () => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
      socket.on('message', (data: Buffer) => {
        received++;
        bytes += data.length;
      });
      sockets.push(socket);
      return new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
    });
    await Promise.all(batch);
  }
  await sleep(2_000); // warm-up: JIT, socket buffers, the first snapshots
  received = 0;
  bytes = 0;
  child.send({ type: 'start' });
  const startedAt = performance.now();
  await sleep(seconds * 1000);
  child.send({ type: 'stop' });
  const elapsedSec = (performance.now() - startedAt) / 1000;
  const receivedSnapshot = received;
  const bytesSnapshot = bytes;
  const report = await nextMessage(child, 'report');
  for (const socket of sockets) socket.terminate();
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    mode,
    ...report,
    receivedPerClientPerSec: receivedSnapshot / clientCount / elapsedSec,
    bytesPerClientPerSec: bytesSnapshot / clientCount / elapsedSec,
  };
}

async function main(): Promise<void> {
  const clientCount = argument('clients', 1000);
  const seconds = argument('seconds', 10);
  console.log(
    `push fan-out: ${clientCount} clients, tick ${TICK_MS} ms, ${seconds} s measured per run, server in a child process\n`,
  );
  const hub = await measure('hub', clientCount, seconds);
  const raw = await measure('raw', clientCount, seconds);
  const row = (label: string, result: RunResult): string =>
    [
      label.padEnd(44),
      `${result.cpuPercent.toFixed(1)}%`.padStart(8),
      `${result.rssMiB.toFixed(0)} MiB`.padStart(9),
      result.framesPerSec.toFixed(2).padStart(9),
      result.receivedPerClientPerSec.toFixed(2).padStart(13),
      `${(result.bytesPerClientPerSec / 1024).toFixed(2)} KiB/s`.padStart(14),
    ].join(' ');
  console.log(
    `${'run'.padEnd(44)} ${'CPU/core'.padStart(8)} ${'RSS'.padStart(9)} ${'frames/s'.padStart(9)} ${'msgs/client/s'.padStart(13)} ${'bytes/client'.padStart(14)}`,
  );
  console.log(row('push hub (snapshot + merge-patch deltas)', hub));
  console.log(row('raw limit (stringify full snapshot once + write)', raw));
  console.log(
    `\nratio hub / raw CPU: ${(hub.cpuPercent / raw.cpuPercent).toFixed(2)}×   target: hub within one core (< 100%)`,
  );
  if (hub.receivedPerClientPerSec < 3.5) console.log('warning: clients received fewer than 3.5 frames/s');
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  void runChild(process.argv[childIndex + 1] === 'raw' ? 'raw' : 'hub');
} else {
  await main();
}
