/**
 * A backtest of an NDJSON file on two cores: an admission worker reads and admits the lines (JSON
 * parse, validation, future rule, dedupe: about half the work) while an engine worker applies
 * the outcomes and takes the rows; they talk over their own channel, and this thread only
 * collects rows and the report. The outcomes go over in line order and through the same code as
 * `createBacktest().pushLine` (admit-line.ts, createAdmittedBacktest), so the report is
 * byte-for-byte the one `runBacktestAsync(readLineBatches(path))` gives.
 *
 * Both workers run with a capped old generation (heapLimitMb): besides bounding the heap, a cap
 * under 2 GB makes V8 let a heap grow to ~1.8× its live size between collections rather than up
 * to 4×. For 30 days of two busy shops (~300 MB live in the engine) that is the difference
 * between ~1.15 GB and ~0.93 GB of peak RSS, for up to ~10 % more CPU spent collecting; the
 * main thread stays nearly empty (an engine in it, without a cap, grew its heap to ~2.4× live).
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { MessageChannel, Worker, type ResourceLimits } from 'node:worker_threads';
import type { AdmissionWorkerData, EngineMessage, EngineWorkerData } from './file-run-messages.ts';
import type { BacktestReport, BacktestRow } from './report-types.ts';
import { DEFAULT_MAX_FUTURE_SEC, type BacktestOptions } from './run-backtest.ts';

/** Batches posted and not yet taken: enough to keep both threads busy, a few MB at most. */
const MAX_IN_FLIGHT = 4;

/**
 * A heap cap well above what the input can need: the engine's live heap has stayed under half
 * the input's size (30 days, 754 MB: ~300 MB), so never less than the file itself, and 1.5 GB at
 * least (a longer file adds rows, not live engine state: its windows are 30 days).
 */
function heapLimitMb(path: string): number {
  return Math.max(1536, Math.ceil(statSync(path).size / 2 ** 20));
}

/**
 * One worker of the run. Node 20 does not hand --import loaders (tsx) on to workers, so when this
 * module runs as TypeScript the worker registers tsx itself before importing its module.
 */
function startWorker(
  name: string,
  workerData: AdmissionWorkerData | EngineWorkerData,
  resourceLimits: ResourceLimits,
): Worker {
  const options = { workerData, resourceLimits, transferList: [workerData.port] };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, import.meta.url), options);
  const url = new URL(`./${name}.ts`, import.meta.url);
  const tsx = import.meta.resolve('tsx/esm/api');
  const code =
    `const { register } = await import(${JSON.stringify(tsx)}); register();\n` +
    `await import(${JSON.stringify(url.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), options);
}

/**
 * With both workers busy on a machine of two cores, V8's parallel scavenge tasks only compete
 * with the other worker for a core: 30 days took 24.9–27.1 s without them against 28.3–28.6 s
 * with them (three alternating pairs of runs). The flag is process-wide and read at each
 * scavenge; the backtest runs in its own process (the CLI, the bench), so it slows nothing else.
 */
function scavengeOnOneThreadWhenCoresAreFew(): void {
  if (availableParallelism() <= 2) setFlagsFromString('--no-parallel-scavenge');
}

export async function runBacktestFile(path: string, options: BacktestOptions): Promise<BacktestReport> {
  scavengeOnOneThreadWhenCoresAreFew();
  const { onProgress, ...rest } = options;
  const limits: ResourceLimits = { maxOldGenerationSizeMb: heapLimitMb(path) };
  const channel = new MessageChannel();
  const engine = startWorker(
    'backtest-worker',
    { options: rest, progress: onProgress !== undefined, port: channel.port2 },
    limits,
  );
  const admission = startWorker(
    'admission-worker',
    {
      path,
      maxFutureSec: options.maxFutureSec ?? DEFAULT_MAX_FUTURE_SEC,
      port: channel.port1,
      maxInFlight: MAX_IN_FLIGHT,
    },
    limits,
  );
  const workers = [admission, engine];
  const running = new Set(workers);
  const rows: BacktestRow[] = [];

  return await new Promise<BacktestReport>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      // The other worker would wait for ever for its peer: stop both.
      for (const worker of running) void worker.terminate();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    engine.on('message', (message: EngineMessage) => {
      if (message.type === 'rows') for (const row of message.rows) rows.push(row);
      else if (message.type === 'progress') onProgress?.(message.progress);
      else if (!settled) {
        settled = true;
        resolve({ rows, summary: message.report.summary });
      }
    });
    for (const worker of workers) {
      worker.on('error', fail);
      worker.on('exit', (code) => {
        running.delete(worker);
        if (code !== 0 || (worker === engine && !settled)) {
          fail(
            new Error(
              `backtest ${worker === engine ? 'engine' : 'admission'} worker exited with code ${code}`,
            ),
          );
        }
      });
    }
  });
}
