/**
 * The backtest report (API.md, "Backtest report"): one aggregates row per step boundary and a
 * summary of the run. Everything in it is a function of the input lines and the options, never
 * of the wall clock, so the same input and flags give the same bytes.
 */
import type { EngineSnapshot } from '../../../server/engine/index.ts';
import type { RejectReason } from '../../../server/events/index.ts';
import type { WhatIfSummary } from './what-if/what-if-types.ts';

/** Ingest counts of a row: the lines dated at or before the row's instant (see ingest-tally.ts). */
export interface RowIngest {
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Always 0: a backtest has no consumer lag. */
  lagSec: 0;
}

/** One row: the aggregates of API.md as of a step boundary. */
export interface BacktestRow {
  asOf: string;
  /** Accepted events dated at or before `asOf` (the state's version). */
  seq: number;
  shop: EngineSnapshot['shop'];
  chat: EngineSnapshot['chat'];
  refunds: EngineSnapshot['refunds'];
  staffing: EngineSnapshot['staffing'];
  alerts: EngineSnapshot['alerts'];
  ingest: RowIngest;
}

/** Per chat queue (and `refund` for the refund desk) values of one hour. */
export type PerQueue = Record<string, number>;

export interface WorstStaffingGap {
  queue: string;
  gap: number;
  requiredAgents: number;
  onlineAgents: number;
  /** The row (step boundary) where the gap was largest. */
  asOf: string;
}

export interface HourSummary {
  /** Start of the business-zone hour, RFC 3339. */
  hourStart: string;
  /** Arrivals in the hour: chats started per queue, refunds requested under `refund`. */
  arrivals: PerQueue;
  /** The forecast for the hour as the board showed it when the hour began. */
  forecast: PerQueue;
  /** |forecast − actual| / actual per queue (absent where the hour had no arrivals). */
  absolutePercentageError: PerQueue;
  /** Largest queue depth seen at the probes of the hour: waiting chats, refunds awaiting response. */
  peakQueueDepth: PerQueue;
  /** Probes (one a minute by default) at which any chat or refund had waited ≥ 30 min. */
  minutesUnansweredOver30m: number;
  /** Probes taken in the hour (60 for a whole hour at 1-minute resolution). */
  minutesProbed: number;
  /** The row of the hour whose staffing gap for this hour was largest; null without staffing rows. */
  worstStaffingGap: WorstStaffingGap | null;
}

export interface PathSummary {
  completed30d: number;
  avgCompletionSec30d: number | null;
  p50CompletionSec30d: number | null;
  p90CompletionSec30d: number | null;
  firstResponseAvgSec30d: number | null;
}

export interface IngestTotals {
  /** Lines read, blank ones included. */
  lines: number;
  /** Blank lines: skipped and not counted (EVENTS.md). */
  blankLines: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
  /**
   * Accepted events dated at or before a row already written (they arrived more than the hold
   * window late): applied, so later rows include them, but earlier rows could not.
   */
  lateForRows: number;
  /** Events the engine could no longer apply (later than its late horizon). */
  lateEventsDropped: number;
}

export interface BacktestSummary {
  options: {
    step: string;
    from: string | null;
    to: string | null;
    shop: string | null;
    timeZone: string;
    holdSec: number;
    probeStep: string;
  };
  range: {
    firstEvent: string | null;
    lastEvent: string | null;
    firstRow: string | null;
    lastRow: string | null;
    rows: number;
  };
  totals: IngestTotals;
  hours: HourSummary[];
  /** Forecast accuracy per queue over the hours above (MAPE as a share, 0.12 = 12 %). */
  forecastAccuracy: Record<string, { mape: number | null; hours: number }>;
  peak: {
    queueDepth: PerQueue;
    minutesUnansweredOver30m: number;
    worstStaffingGap: (WorstStaffingGap & { hourStart: string }) | null;
  };
  /** Completions per refund path over the 30 days up to the last row. */
  paths: { asOf: string | null; byPath: Record<string, PathSummary> };
  whatIf?: WhatIfSummary;
}

export interface BacktestReport {
  rows: BacktestRow[];
  summary: BacktestSummary;
}
