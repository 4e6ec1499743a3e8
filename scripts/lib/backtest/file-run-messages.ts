/**
 * Messages of a file run (run-backtest-file.ts): the admission worker reads and admits the file
 * and hands batches straight to the engine worker over a channel of their own; the engine worker
 * sends rows, progress and the report to the thread that started the run.
 */
import type { MessagePort } from 'node:worker_threads';
import type { AdmittedBatch } from './admitted-codec.ts';
import type { BacktestReport, BacktestRow } from './report-types.ts';
import type { BacktestOptions, BacktestProgress } from './run-backtest.ts';

export interface AdmissionWorkerData {
  path: string;
  maxFutureSec: number;
  /** To the engine worker: batches out, `taken` back. */
  port: MessagePort;
  /** Batches posted and not yet taken before the reader waits. */
  maxInFlight: number;
}

export interface EngineWorkerData {
  /** The run's options; progress is posted when `progress` is set. */
  options: Omit<BacktestOptions, 'onProgress'>;
  progress: boolean;
  /** From the admission worker. */
  port: MessagePort;
}

/** Admission worker → engine worker. */
export type AdmittedMessage = { type: 'batch'; batch: AdmittedBatch } | { type: 'end' };

/** Engine worker → admission worker: one batch applied, its buffer back (the reader may post another). */
export type TakenMessage = { type: 'taken'; buffer: ArrayBuffer };

/** Engine worker → the run. Rows go as they are taken; the report at the end has none. */
export type EngineMessage =
  | { type: 'rows'; rows: BacktestRow[] }
  | { type: 'progress'; progress: BacktestProgress }
  | { type: 'report'; report: BacktestReport };
