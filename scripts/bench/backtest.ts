/**
 * bench:backtest — the 30-day generated history through the backtest at 15-minute steps.
 *
 *   npm run bench:backtest [-- --input FILE] [--breakdown-lines 1000000] [--nats-lines 1000000]
 *                          [--no-nats] [--no-record]
 *
 * Prints, from one run: the raw NDJSON read + JSON.parse rate of the same file (the same chunked
 * reader the backtest uses, and node's readline for reference), the backtest's events/s and peak
 * RSS (in a child process, so the parent's memory does not count), their ratio, where the time
 * goes (read+parse, decode, admission, engine apply, rows, probes: cumulative passes over the
 * first lines; then each thread of a file run alone), and the NATS replay rate at --speed max.
 * Appends a row to docs/BENCHMARKS.md.
 *
 * The backtest runs as the CLI runs it (`runBacktestFile`): admission in one worker thread, the
 * engine in another, so it uses two cores where the raw parse rate uses one.
 *
 * Without --input it generates the history once into the temp folder (seed 7, 30 days ending
 * 2026-11-11, 2 shops, scale 1: about 5.4M events, 750 MB) and reuses it on later runs.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createEngine } from '../../server/engine/index.ts';
import { createAdmission, createEventClock, decodeEvent } from '../../server/events/index.ts';
import { startNatsServer } from '../../server/ingest/index.ts';
import { computeStaffingRows, DEFAULT_STAFFING_CONFIG } from '../../server/staffing/index.ts';
import { createLineAdmitter } from '../lib/backtest/admit-line.ts';
import { AdmittedDecoder, AdmittedEncoder, type AdmittedBatch } from '../lib/backtest/admitted-codec.ts';
import {
  createBacktest,
  DEFAULT_MAX_FUTURE_SEC,
  readLineBatches,
  runBacktestFile,
} from '../lib/backtest/index.ts';
import { createAdmittedBacktest } from '../lib/backtest/run-backtest.ts';
import { writeTrafficFile } from '../lib/generator/index.ts';
import { replayFile } from '../lib/replay.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DEFAULT_INPUT = join(tmpdir(), 'peakboard-bench-backtest-30d.ndjson');
const TIME_ZONE = 'Asia/Shanghai';
const STEP_MS = 15 * 60_000;

interface ChildResult {
  lines: number;
  accepted: number;
  rows: number;
  seconds: number;
  cpuSeconds: number;
  maxRssMiB: number;
}

async function rawChunkedParse(
  path: string,
  limit = Number.POSITIVE_INFINITY,
): Promise<{ lines: number; seconds: number }> {
  const startedMs = performance.now();
  let lines = 0;
  outer: for await (const batch of readLineBatches(path)) {
    for (const line of batch) {
      if (lines >= limit) break outer;
      lines += 1;
      if (line !== '') JSON.parse(line);
    }
  }
  return { lines, seconds: (performance.now() - startedMs) / 1000 };
}

async function rawReadlineParse(path: string): Promise<{ lines: number; seconds: number }> {
  const startedMs = performance.now();
  let lines = 0;
  const reader = createInterface({
    input: createReadStream(path, { highWaterMark: 1 << 20 }),
    crlfDelay: Infinity,
  });
  for await (const line of reader) {
    lines += 1;
    if (line !== '') JSON.parse(line);
  }
  return { lines, seconds: (performance.now() - startedMs) / 1000 };
}

/** The backtest in this process (child mode): prints its figures as one JSON line. */
async function runChild(input: string): Promise<void> {
  const startedMs = performance.now();
  const cpuBefore = process.cpuUsage();
  // The backtest CLI's own path: admission in a worker thread, the engine here.
  const report = await runBacktestFile(input, { timeZone: TIME_ZONE, stepMs: STEP_MS });
  // Serialising the report is part of a backtest run.
  let bytes = 0;
  for (const row of report.rows) bytes += JSON.stringify(row).length;
  bytes += JSON.stringify(report.summary).length;
  const cpu = process.cpuUsage(cpuBefore);
  const result: ChildResult & { reportBytes: number } = {
    lines: report.summary.totals.lines,
    accepted: report.summary.totals.accepted,
    rows: report.rows.length,
    seconds: (performance.now() - startedMs) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    reportBytes: bytes,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runBacktestChild(input: string): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'scripts', 'bench', 'backtest.ts'), '--child', '--input', input],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`backtest child exited with ${code}`));
      else resolvePromise(JSON.parse(output.trim().split('\n').pop() ?? '{}') as ChildResult);
    });
  });
}

/** Cumulative passes over the first `limit` lines: each adds one stage to the previous. */
async function breakdown(input: string, limit: number): Promise<Record<string, number>> {
  const lines: string[] = [];
  for await (const batch of readLineBatches(input)) {
    for (const line of batch) if (lines.length < limit) lines.push(line);
    if (lines.length >= limit) break;
  }
  const time = (work: () => void): number => {
    const startedMs = performance.now();
    work();
    return (performance.now() - startedMs) / 1000;
  };
  const parse = time(() => {
    for (const line of lines) JSON.parse(line);
  });
  const decode = time(() => {
    for (const line of lines) decodeEvent(line);
  });
  const admission = time(() => {
    const clock = createEventClock();
    const admit = createAdmission({ clock, maxFutureSec: 300, seen: new Set() });
    for (const line of lines) admit.admit(line);
  });
  // Admission + engine: events applied and the watermark advanced every step (what rows need,
  // without taking the snapshots), so the engine's own event work is measured.
  let engineApply = 0;
  let rowSnapshots = 0;
  {
    const clock = createEventClock();
    const admit = createAdmission({ clock, maxFutureSec: 300, seen: new Set() });
    const engine = createEngine({
      timeZone: TIME_ZONE,
      staffing: { compute: computeStaffingRows, config: DEFAULT_STAFFING_CONFIG },
    });
    let nextMs = Number.NaN;
    const instants: number[] = [];
    engineApply = time(() => {
      for (const line of lines) {
        const result = admit.admit(line);
        if (result.outcome !== 'accepted') continue;
        engine.apply(result.event);
        if (Number.isNaN(nextMs)) nextMs = Math.ceil(result.event.tsMs / STEP_MS) * STEP_MS;
        while (clock.nowMs() - 300_000 > nextMs) {
          engine.advanceTo(nextMs);
          instants.push(nextMs);
          nextMs += STEP_MS;
        }
      }
    });
    // The same rows as snapshots, on a second engine fed the same way (so the apply cost is known).
    const clock2 = createEventClock();
    const admit2 = createAdmission({ clock: clock2, maxFutureSec: 300, seen: new Set() });
    const engine2 = createEngine({
      timeZone: TIME_ZONE,
      staffing: { compute: computeStaffingRows, config: DEFAULT_STAFFING_CONFIG },
    });
    let next2 = Number.NaN;
    const withSnapshots = time(() => {
      for (const line of lines) {
        const result = admit2.admit(line);
        if (result.outcome !== 'accepted') continue;
        engine2.apply(result.event);
        if (Number.isNaN(next2)) next2 = Math.ceil(result.event.tsMs / STEP_MS) * STEP_MS;
        while (clock2.nowMs() - 300_000 > next2) {
          engine2.snapshot(next2, null);
          next2 += STEP_MS;
        }
      }
    });
    rowSnapshots = withSnapshots - engineApply;
  }
  const full = time(() => {
    const backtest = createBacktest({ timeZone: TIME_ZONE, stepMs: STEP_MS });
    for (const line of lines) backtest.pushLine(line);
    backtest.finish();
  });
  // The two threads of a file run, each alone: admission + encoding (the admission worker, file
  // reading aside), then decoding + engine + rows (the engine worker). The batches are kept for
  // the second from an untimed pass: kept during the first, they would slow it down.
  const admitInBatches = (keep: AdmittedBatch[] | undefined): void => {
    const admitter = createLineAdmitter(DEFAULT_MAX_FUTURE_SEC);
    const encoder = new AdmittedEncoder();
    for (let start = 0; start < lines.length; start += 8192) {
      const end = Math.min(lines.length, start + 8192);
      for (let index = start; index < end; index += 1) admitter.admit(lines[index] as string, encoder);
      const batch = encoder.take();
      if (keep === undefined) encoder.recycle(batch.nums.buffer as ArrayBuffer);
      else keep.push(batch);
    }
  };
  const readingThread = time(() => admitInBatches(undefined));
  const batches: AdmittedBatch[] = [];
  admitInBatches(batches);
  const engineThread = time(() => {
    const backtest = createAdmittedBacktest({ timeZone: TIME_ZONE, stepMs: STEP_MS });
    const decoder = new AdmittedDecoder();
    for (const batch of batches) decoder.replay(batch, backtest);
    backtest.finish();
  });
  return {
    lines: lines.length,
    'JSON.parse': parse,
    'decode (validation, includes its own parse)': decode,
    'admission (decode + future rule + dedupe)': admission,
    'engine.apply + advance (without snapshots)': engineApply - admission,
    'row snapshots (15 min, staffing included)': rowSnapshots,
    'minute probes, hour summaries, rows assembly': full - (engineApply + rowSnapshots),
    'whole backtest core': full,
    'file run, admission thread alone (reading aside)': readingThread,
    'file run, engine thread alone': engineThread,
  };
}

async function natsReplayRate(input: string, lines: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'peakboard-bench-backtest-nats-'));
  const prefix = join(dir, 'prefix.ndjson');
  try {
    // A prefix keeps the JetStream store (and the run) to a sensible size.
    const { writeFileSync } = await import('node:fs');
    const kept: string[] = [];
    for await (const batch of readLineBatches(input)) {
      for (const line of batch) if (kept.length < lines) kept.push(line);
      if (kept.length >= lines) break;
    }
    writeFileSync(prefix, kept.join('\n') + '\n');
    const nats = await startNatsServer({ storeDir: join(dir, 'nats') });
    try {
      const report = await replayFile({ input: prefix, natsUrl: nats.url, speed: 'max' });
      return report.ratePerSecond;
    } finally {
      await nats.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    strict: true,
    options: {
      input: { type: 'string' },
      child: { type: 'boolean', default: false },
      'breakdown-lines': { type: 'string', default: '1000000' },
      'nats-lines': { type: 'string', default: '1000000' },
      'no-nats': { type: 'boolean', default: false },
      'no-record': { type: 'boolean', default: false },
    },
  });
  const input = values.input ?? DEFAULT_INPUT;
  if (values.child) return runChild(input);
  if (!existsSync(input)) {
    console.log(`generating ${input} (30 days, 2 shops, scale 1) …`);
    writeTrafficFile({ seed: 7, days: 30, peakDay: '2026-11-11', shops: 2, scale: 1, out: input });
  }
  const sizeMB = statSync(input).size / 1e6;
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;

  const raw = await rawChunkedParse(input);
  const rawRate = raw.lines / raw.seconds;
  const readline = await rawReadlineParse(input);
  const readlineRate = readline.lines / readline.seconds;
  const child = await runBacktestChild(input);
  const rate = child.lines / child.seconds;
  const ratio = rate / rawRate;
  const stages = await breakdown(input, Number(values['breakdown-lines']));
  const natsRate = values['no-nats'] ? undefined : await natsReplayRate(input, Number(values['nats-lines']));

  const format = (value: number): string => Math.round(value).toLocaleString('en-US');
  console.log(`\nbench:backtest  (${format(child.lines)} lines, ${sizeMB.toFixed(0)} MB, ${machine})`);
  console.log(`  raw read + JSON.parse (chunked) : ${format(rawRate)} lines/s`);
  console.log(`  raw readline + JSON.parse       : ${format(readlineRate)} lines/s`);
  console.log(
    `  backtest, 15-min rows           : ${format(rate)} events/s (${child.seconds.toFixed(1)} s, ${child.cpuSeconds.toFixed(1)} s CPU, ${child.rows} rows)  (target ≥ 200,000)`,
  );
  console.log(
    `  backtest per CPU second         : ${format(child.lines / child.cpuSeconds)} events/CPU-s (the honest figure on a shared machine)`,
  );
  console.log(`  ratio backtest / raw            : ${ratio.toFixed(2)}   (target ≥ 0.3)`);
  console.log(`  backtest peak RSS               : ${child.maxRssMiB.toFixed(0)} MiB (target ≤ 1024)`);
  if (natsRate !== undefined)
    console.log(
      `  NATS replay --speed max         : ${format(natsRate)} events/s (first ${format(Number(values['nats-lines']))} lines)`,
    );
  console.log(
    `  where the time goes (first ${format(stages.lines ?? 0)} lines, seconds, each stage on top of the previous; the file-run lines stand alone):`,
  );
  for (const [stage, seconds] of Object.entries(stages)) {
    if (stage !== 'lines') console.log(`    ${stage.padEnd(48)} ${seconds.toFixed(2)}`);
  }
  const row =
    `| ${new Date().toISOString().slice(0, 10)} | bench:backtest | ${format(child.lines)} events (${sizeMB.toFixed(0)} MB, 30 d) | ` +
    `raw read+parse ${format(rawRate)}/s (readline ${format(readlineRate)}/s) | backtest ${format(rate)} ev/s ` +
    `(${format(child.lines / child.cpuSeconds)}/CPU-s, load ${loadavg()[0]?.toFixed(1)})` +
    `${natsRate === undefined ? '' : `; NATS replay ${format(natsRate)} ev/s`} | ratio ${ratio.toFixed(2)} | ` +
    `RSS ${child.maxRssMiB.toFixed(0)} MiB | ${machine} | \`npm run bench:backtest\` |`;
  console.log(`\n${row}`);
  if (!values['no-record']) appendFileSync(join(ROOT, 'docs', 'BENCHMARKS.md'), `${row}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
