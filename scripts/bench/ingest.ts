/**
 * `npm run bench:ingest [-- --events 1000000 --input FILE --no-record --cpu-prof DIR]`
 *
 * Publishes N generated events (realistic mix, from scripts/generate.ts) into a fresh JetStream
 * stream on a private nats-server, then measures in the same run:
 *   (a) the raw limit: a pull consumer that only counts and acks (ack-all per 5,000), with
 *       consume() as Peakboard uses it, and with fetch() batches of 5,000 as the issue words it;
 *   (b) Peakboard's ingest: validate, future rule, dedupe, DuckDB commit, ack — in a child
 *       process, so its peak RSS is its own.
 * Prints both rates and their ratio, and CPU time per message of both sides (steadier than rates
 * when the machine is shared), and appends a row to docs/BENCHMARKS.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { CompactIdSet, createAdmission, createEventClock } from '../../server/events/index.ts';
import { ensureStream, startIngest, startNatsServer } from '../../server/ingest/index.ts';
import { openStore } from '../../server/store/index.ts';

const root = resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    input: { type: 'string' },
    child: { type: 'boolean', default: false },
    'nats-url': { type: 'string' },
    dir: { type: 'string' },
    'no-record': { type: 'boolean', default: false },
    /** Directory for a V8 CPU profile of Peakboard's side (the child). */
    'cpu-prof': { type: 'string' },
  },
});
const eventCount = Number(args.events);
if (!Number.isInteger(eventCount) || eventCount < 1) {
  console.error('bench:ingest: --events must be a positive whole number');
  process.exit(2);
}

if (args.child) {
  await runPeakboardIngest(args['nats-url'] ?? '', args.dir ?? '', eventCount);
} else {
  await main();
}

/** Child process: Peakboard's ingest from an existing stream, timed until caught up. */
async function runPeakboardIngest(natsUrl: string, dir: string, expected: number): Promise<void> {
  const store = await openStore(join(dir, 'bench.duckdb'));
  // The server's own dedupe set, so the figure is the server's.
  const seen = new CompactIdSet();
  const clock = createEventClock();
  const admission = createAdmission({ clock, maxFutureSec: 300, seen });
  const counts = { accepted: 0, duplicates: 0, rejected: 0, rejectedByReason: {} };
  const startMs = performance.now();
  const cpuBefore = process.cpuUsage();
  const ingest = await startIngest({
    natsUrl,
    stream: 'OPS',
    consumer: 'peakboard',
    retentionDays: 3650,
    batchSize: 5000,
    batchMaxWaitMs: 100,
    lastStreamSeq: 0,
    counts,
    admission,
    seen,
    clock,
    sink: store,
    onCommitted: () => {},
  });
  for (;;) {
    const s = ingest.status();
    if (s.lastStreamSeq >= expected) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - startMs) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await ingest.stop();
  store.close();
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ seconds, cpuSeconds, rssMiB, counts }) + '\n');
  process.exit(0);
}

async function ensureInput(): Promise<string> {
  if (args.input !== undefined) return resolve(args.input);
  // ~95k events per shop-day at scale 1 (~235k on the peak day); enough days for N, first N lines used.
  const days = Math.max(2, Math.ceil(eventCount / 190_000) + 1);
  const file = join(tmpdir(), `peakboard-bench-ingest-${days}d.ndjson`);
  if (!existsSync(file)) {
    console.error(`generating ${days} days of traffic into ${file} …`);
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/generate.ts',
        '--seed',
        '7',
        '--days',
        String(days),
        '--peak-day',
        '2026-11-11',
        '--shops',
        '2',
        '--scale',
        '1',
        '--out',
        file,
      ],
      { cwd: root, stdio: 'inherit' },
    );
    if (r.status !== 0) throw new Error('generation failed');
  }
  return file;
}

async function main(): Promise<void> {
  const input = await ensureInput();
  const dir = mkdtempSync(join(tmpdir(), 'peakboard-bench-'));
  const nats = await startNatsServer({ storeDir: join(dir, 'nats') });
  try {
    const nc = await connect({ servers: nats.url, noAsyncTraces: true });
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, { stream: 'OPS', retentionDays: 3650 });

    // Publish (setup, not measured): core publishes captured by the stream, flushed in chunks.
    let published = 0;
    const lines = createInterface({ input: createReadStream(input), crlfDelay: Infinity });
    const publishStart = performance.now();
    for await (const line of lines) {
      if (line === '') continue;
      let subject = 'ops.clock.unknown';
      let id: string | undefined;
      try {
        const body = JSON.parse(line) as { type?: unknown; shop?: unknown; id?: unknown };
        if (typeof body.type === 'string' && typeof body.shop === 'string') {
          subject = `ops.${body.type.split('.')[0]}.${body.shop}`;
        }
        if (typeof body.id === 'string') id = body.id;
      } catch {
        // published as is: a dead letter for the server
      }
      const h = natsHeaders();
      if (id !== undefined) h.set('Nats-Msg-Id', id);
      nc.publish(subject, line, { headers: h });
      if (++published % 10_000 === 0) await nc.flush();
      if (published >= eventCount) break;
    }
    lines.close();
    await nc.flush();
    const stored = (await jsm.streams.info('OPS')).state.messages;
    console.error(
      `published ${published} events in ${((performance.now() - publishStart) / 1000).toFixed(1)} s; stream holds ${stored}`,
    );

    // (a) Raw limit: consume + ack-all per 5,000, no processing.
    await jsm.consumers.add('OPS', {
      durable_name: 'raw',
      ack_policy: AckPolicy.All,
      max_ack_pending: 20_000,
    });
    const consumer = await jetstream(nc).consumers.get('OPS', 'raw');
    const rawStart = performance.now();
    const rawCpuBefore = process.cpuUsage();
    let rawCount = 0;
    await new Promise<void>((done) => {
      void consumer.consume({
        max_messages: 10_000,
        callback: (m) => {
          rawCount += 1;
          if (rawCount % 5000 === 0 || rawCount === stored) m.ack();
          if (rawCount === stored) done();
        },
      });
    });
    const rawSeconds = (performance.now() - rawStart) / 1000;
    const rawCpu = process.cpuUsage(rawCpuBefore);
    const rawCpuUsPerMsg = (rawCpu.user + rawCpu.system) / stored;

    // (a') The issue's own definition of the raw limit: fetch batches of 5,000, ack-all each.
    await jsm.consumers.add('OPS', {
      durable_name: 'raw-fetch',
      ack_policy: AckPolicy.All,
      max_ack_pending: 20_000,
    });
    const fetcher = await jetstream(nc).consumers.get('OPS', 'raw-fetch');
    const fetchStart = performance.now();
    let fetchCount = 0;
    while (fetchCount < stored) {
      const batch = await fetcher.fetch({ max_messages: 5000, expires: 2000 });
      let lastMsg: { ack(): void } | undefined;
      for await (const m of batch) {
        fetchCount += 1;
        lastMsg = m;
      }
      lastMsg?.ack();
    }
    const fetchSeconds = (performance.now() - fetchStart) / 1000;
    await nc.close();

    // (b) Peakboard's ingest in a child process.
    const child = spawn(
      process.execPath,
      [
        ...(args['cpu-prof'] !== undefined
          ? ['--cpu-prof', '--cpu-prof-dir', resolve(args['cpu-prof'])]
          : []),
        '--import',
        'tsx',
        'scripts/bench/ingest.ts',
        '--child',
        '--events',
        String(stored),
        '--nats-url',
        nats.url,
        '--dir',
        dir,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((r) => child.once('exit', r));
    const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
      seconds: number;
      cpuSeconds: number;
      rssMiB: number;
      counts: { accepted: number; duplicates: number; rejected: number };
    };

    const rawRate = stored / rawSeconds;
    const peakboardRate = stored / result.seconds;
    const ratio = peakboardRate / rawRate;
    const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
    console.log(`\nbench:ingest  (${stored} events, ${machine})`);
    console.log(`  raw JetStream consume + ack-all : ${Math.round(rawRate).toLocaleString('en')} msg/s`);
    console.log(
      `  raw JetStream fetch 5k + ack-all: ${Math.round(stored / fetchSeconds).toLocaleString('en')} msg/s`,
    );
    console.log(
      `  Peakboard end-to-end ingest     : ${Math.round(peakboardRate).toLocaleString('en')} events/s`,
    );
    console.log(
      `  ratio Peakboard / raw           : ${ratio.toFixed(2)}   (target ≥ 0.6; end-to-end target ≥ 50,000/s)`,
    );
    const peakboardCpuUsPerEvent = (result.cpuSeconds * 1e6) / stored;
    console.log(
      `  CPU per message (all threads)   : raw ${rawCpuUsPerMsg.toFixed(2)} µs, Peakboard ${peakboardCpuUsPerEvent.toFixed(2)} µs (ratio ${(rawCpuUsPerMsg / peakboardCpuUsPerEvent).toFixed(2)})`,
    );
    console.log(`  Peakboard peak RSS              : ${result.rssMiB.toFixed(0)} MiB (target ≤ 1024)`);
    console.log(
      `  accepted ${result.counts.accepted}, duplicates ${result.counts.duplicates}, rejected ${result.counts.rejected}`,
    );
    if (!args['no-record']) {
      const row =
        `| ${new Date().toISOString().slice(0, 10)} | bench:ingest | ${stored} events | raw ${Math.round(rawRate)} msg/s | ` +
        `Peakboard ${Math.round(peakboardRate)} ev/s | ratio ${ratio.toFixed(2)} | RSS ${result.rssMiB.toFixed(0)} MiB | ${machine} | \`npm run bench:ingest\` |\n`;
      appendFileSync(join(root, 'docs', 'BENCHMARKS.md'), row);
    }
  } finally {
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
