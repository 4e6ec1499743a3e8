/**
 * The backtest core: NDJSON lines in, the report out. Pure apart from the engine it owns: no I/O,
 * no wall clock; the CLI is a thin shell around it.
 *
 * Admission is the server's own (`createAdmission` with an event clock: validate → future rule →
 * dedupe), so bad lines, duplicates and future events are counted exactly as the live server
 * counts them. Accepted events go to one engine, the very engine the server runs.
 *
 * When is an instant ready? A row as of T must include every event with ts ≤ T, whatever order
 * the lines came in. The engine already holds back events newer than its watermark, so arrival
 * order within the future window does not matter to it; what matters is not to look at T before
 * a late line for T can still come. Lines may be out of order by up to the hold window (default
 * 300 s, the future rule's bound: an event that far ahead of the clock is accepted, so its
 * neighbours may trail it by as much). So T is snapshotted once the event clock has passed
 * T + hold. An event arriving later than that still reaches the engine (later rows include it)
 * and is counted as `lateForRows`.
 */
import {
  createEngine,
  DEFAULT_ALERT_THRESHOLDS,
  type AlertThresholds,
  type EngineSnapshot,
} from '../../../server/engine/index.ts';
import { formatInstant, type PeakEvent, type RejectReason } from '../../../server/events/index.ts';
import {
  computeStaffingRows,
  DEFAULT_STAFFING_CONFIG,
  meanAbsolutePercentageError,
  type StaffingConfig,
  type StaffingInput,
} from '../../../server/staffing/index.ts';
import { createLineAdmitter, type AdmittedSink } from './admit-line.ts';
import { formatDuration } from './duration.ts';
import { HourSummaries } from './hour-summaries.ts';
import { IngestTally } from './ingest-tally.ts';
import { ProbeSchedule, type Instant } from './probe-schedule.ts';
import type {
  BacktestReport,
  BacktestRow,
  BacktestSummary,
  HourSummary,
  PathSummary,
  PerQueue,
} from './report-types.ts';
import { alignDownMs, alignUpMs, createOffsetCache } from './step-clock.ts';
import { createChatLog, type ChatLog } from './what-if/chat-log.ts';
import { runWhatIf } from './what-if/run-what-if.ts';
import type { WhatIfPlan } from './what-if/what-if-types.ts';

/** EVENTS.md: an event more than 300 s ahead of the clock is rejected. */
export const DEFAULT_MAX_FUTURE_SEC = 300;
export const DEFAULT_PROBE_STEP_MS = 60_000;

export interface BacktestOptions {
  /** Business time zone: row instants, hours and step alignment. */
  timeZone: string;
  /** Row step, ms (e.g. 900000 for 15 min); boundaries aligned in the business zone. */
  stepMs: number;
  /** First row at or after this instant (epoch ms); default the first event. */
  fromMs?: number;
  /** Last row at or before this instant (epoch ms); default the first boundary at or after the last event. */
  toMs?: number;
  /** One shop (its events only, as the server's `?shop=` time travel), or null for all. */
  shop?: string | null;
  /** The future rule, seconds (default 300). */
  maxFutureSec?: number;
  /** How far out of order lines may arrive and still count for the rows, ms (default the future rule). */
  holdMs?: number;
  /** Resolution of the summary's queue-depth and unanswered probes, ms (default 1 min). */
  probeStepMs?: number;
  alertThresholds?: Partial<AlertThresholds>;
  staffingConfig?: StaffingConfig;
  /** Roster changes to simulate next to the actual day; calibration is reported with it. */
  whatIf?: WhatIfPlan;
  /** Called every `progressEveryLines` lines (default 65,536) and once at the end. */
  onProgress?: (progress: BacktestProgress) => void;
  progressEveryLines?: number;
}

export interface BacktestProgress {
  lines: number;
  accepted: number;
  /** The event clock, epoch ms (NaN before the first accepted event). */
  simulatedMs: number;
  rows: number;
}

export interface Backtest {
  /** Admits one line (a blank line is skipped and not counted). */
  pushLine(line: string): void;
  /** Ends the input: writes the remaining rows and the summary. */
  finish(): BacktestReport;
}

/**
 * The backtest after admission: lines come in as their outcomes (admit-line.ts), in line order.
 * `createBacktest` puts its own admission in front; a file run (run-backtest-file.ts) admits
 * in a worker thread and replays the outcomes here.
 */
export interface AdmittedBacktest extends AdmittedSink {
  /** The report; its `rows` are empty when they went to a row sink instead. */
  finish(): BacktestReport;
}

export function createBacktest(options: BacktestOptions): Backtest {
  const admitter = createLineAdmitter(options.maxFutureSec ?? DEFAULT_MAX_FUTURE_SEC);
  const backtest = createAdmittedBacktest(options);
  return {
    pushLine: (line) => admitter.admit(line, backtest),
    finish: () => backtest.finish(),
  };
}

/**
 * `rowSink`: each row, in order, as soon as it is taken, instead of keeping it for the report
 * (a file run hands rows to the reading thread as they come, not in one copy at the end).
 */
export function createAdmittedBacktest(
  options: BacktestOptions,
  rowSink?: (row: BacktestRow) => void,
): AdmittedBacktest {
  const timeZone = options.timeZone;
  const stepMs = options.stepMs;
  const shop = options.shop ?? null;
  const holdMs = options.holdMs ?? (options.maxFutureSec ?? DEFAULT_MAX_FUTURE_SEC) * 1000;
  const probeStepMs = options.probeStepMs ?? DEFAULT_PROBE_STEP_MS;
  const staffingConfig = options.staffingConfig ?? DEFAULT_STAFFING_CONFIG;
  const progressEvery = options.progressEveryLines ?? 1 << 16;
  if (!(stepMs >= 1000 && stepMs % 1000 === 0))
    throw new RangeError('step must be a whole number of seconds');
  if (!(probeStepMs >= 1000 && probeStepMs % 1000 === 0)) {
    throw new RangeError('probe step must be a whole number of seconds');
  }

  const offsets = createOffsetCache(timeZone);
  /**
   * Instants updated on (almost) every event, as fields of one object: a `let` of the closure
   * holding a double is boxed anew on each write, a double field is written in place.
   * clockMs: the event clock, the largest accepted ts (the admission's clock, observed the same
   * way); nextInstantMs: the schedule's next instant (−∞ until it starts: most events take none).
   */
  const times = {
    clockMs: Number.NEGATIVE_INFINITY,
    firstTsMs: Number.POSITIVE_INFINITY,
    lastTsMs: Number.NEGATIVE_INFINITY,
    lastInstantMs: Number.NEGATIVE_INFINITY,
    nextInstantMs: Number.NEGATIVE_INFINITY,
  };
  const tally = new IngestTally(stepMs + holdMs);

  // The staffing input of the last snapshot (an hour start reads its hourly arrivals).
  let staffingInput: StaffingInput | undefined;
  const engine = createEngine({
    timeZone,
    alertThresholds: { ...DEFAULT_ALERT_THRESHOLDS, ...options.alertThresholds },
    staffing: {
      config: staffingConfig,
      compute: (input) => {
        staffingInput = input;
        return computeStaffingRows(input);
      },
    },
  });
  const hours = new HourSummaries(timeZone, offsets);
  const chatLog: ChatLog | undefined = options.whatIf === undefined ? undefined : createChatLog();

  const rows: BacktestRow[] = [];
  const keepRow = rowSink ?? ((row: BacktestRow) => rows.push(row));
  let rowCount = 0;
  let firstRowAsOf: string | null = null;
  let lastRowAsOf: string | null = null;
  let lines = 0;
  let blankLines = 0;
  let lateForRows = 0;
  let schedule: ProbeSchedule | undefined;
  const fromMs = options.fromMs === undefined ? undefined : alignUpMs(options.fromMs, stepMs, offsets);
  const toMs = options.toMs === undefined ? undefined : alignDownMs(options.toMs, stepMs, offsets);
  let lastSnapshot: EngineSnapshot | undefined;

  /**
   * The schedule starts once its first row is ready: before that, a line up to the hold window
   * late could still bring an earlier first event, and so an earlier first row.
   */
  function startSchedule(limitMs: number): ProbeSchedule | undefined {
    if (schedule !== undefined) return schedule;
    if (times.firstTsMs === Number.POSITIVE_INFINITY) return undefined;
    const firstRowMs = fromMs ?? alignUpMs(times.firstTsMs, stepMs, offsets);
    if (!(firstRowMs < limitMs)) return undefined;
    schedule = new ProbeSchedule(firstRowMs, stepMs, probeStepMs, offsets);
    if (toMs !== undefined) schedule.lastRowMs = toMs;
    return schedule;
  }

  function take(instant: Instant): void {
    const atMs = instant.atMs;
    times.lastInstantMs = atMs;
    // Probes (one a minute) read only queue depths and unanswered counts: the engine's cheap
    // probe gives the snapshot's own figures without percentiles, alerts and staffing.
    if (instant.probe) hours.observeProbe(atMs, engine.probe(atMs, shop));
    if (!instant.row && !instant.hourStart) return;
    staffingInput = undefined;
    const snapshot = engine.snapshot(atMs, shop);
    if (instant.row) {
      const counts = tally.settle(atMs);
      rowCount += 1;
      firstRowAsOf ??= snapshot.asOf;
      lastRowAsOf = snapshot.asOf;
      keepRow({
        asOf: snapshot.asOf,
        seq: counts.accepted,
        shop: snapshot.shop,
        chat: snapshot.chat,
        refunds: snapshot.refunds,
        staffing: snapshot.staffing,
        alerts: snapshot.alerts,
        ingest: {
          accepted: counts.accepted,
          duplicates: counts.duplicates,
          rejected: counts.rejected,
          lagSec: 0,
        },
      });
      hours.observeRow(atMs, snapshot);
      lastSnapshot = snapshot;
    }
    if (instant.hourStart) hours.observeHourStart(atMs, snapshot, staffingInput);
  }

  /** Takes every instant strictly before `limitMs`. */
  function takeBefore(limitMs: number): void {
    const current = startSchedule(limitMs);
    if (current === undefined) return;
    while (current.peekMs() < limitMs) take(current.take());
    times.nextInstantMs = current.peekMs();
  }

  function accepted(event: PeakEvent): void {
    lines += 1;
    const tsMs = event.tsMs;
    if (tsMs > times.clockMs) times.clockMs = tsMs;
    tally.count('accepted', tsMs);
    if (tsMs < times.firstTsMs) times.firstTsMs = tsMs;
    if (tsMs > times.lastTsMs) times.lastTsMs = tsMs;
    if (tsMs <= times.lastInstantMs) lateForRows += 1;
    const applies = (shop === null || event.shop === shop) && (toMs === undefined || tsMs <= toMs);
    if (applies) {
      engine.apply(event);
      chatLog?.observe(event);
    }
    if (times.clockMs - holdMs > times.nextInstantMs) takeBefore(times.clockMs - holdMs);
    if (lines % progressEvery === 0) reportProgress();
  }

  function blank(): void {
    lines += 1;
    blankLines += 1;
    if (lines % progressEvery === 0) reportProgress();
  }

  function duplicate(tsMs: number): void {
    lines += 1;
    tally.count('duplicates', tsMs);
    if (lines % progressEvery === 0) reportProgress();
  }

  function rejected(reason: RejectReason, datedMs: number): void {
    lines += 1;
    tally.count('rejected', datedMs, reason);
    if (lines % progressEvery === 0) reportProgress();
  }

  function reportProgress(): void {
    options.onProgress?.({
      lines,
      accepted: tally.totals.accepted,
      simulatedMs: times.clockMs === Number.NEGATIVE_INFINITY ? Number.NaN : times.clockMs,
      rows: rowCount,
    });
  }

  function finish(): BacktestReport {
    const current = startSchedule(Number.POSITIVE_INFINITY);
    if (current !== undefined) {
      if (toMs === undefined) current.lastRowMs = alignUpMs(times.lastTsMs, stepMs, offsets);
      takeBefore(Number.POSITIVE_INFINITY);
    }
    reportProgress();
    const hourSummaries = hours.finish();
    const summary: BacktestSummary = {
      options: {
        step: formatDuration(stepMs),
        from: fromMs === undefined ? null : formatInstant(fromMs, timeZone),
        to: toMs === undefined ? null : formatInstant(toMs, timeZone),
        shop,
        timeZone,
        holdSec: holdMs / 1000,
        probeStep: formatDuration(probeStepMs),
      },
      range: {
        firstEvent: Number.isFinite(times.firstTsMs) ? formatInstant(times.firstTsMs, timeZone) : null,
        lastEvent: Number.isFinite(times.lastTsMs) ? formatInstant(times.lastTsMs, timeZone) : null,
        firstRow: firstRowAsOf,
        lastRow: lastRowAsOf,
        rows: rowCount,
      },
      totals: {
        lines,
        blankLines,
        accepted: tally.totals.accepted,
        duplicates: tally.totals.duplicates,
        rejected: tally.totals.rejected,
        rejectedByReason: sortedByKey(tally.rejectedByReason),
        lateForRows,
        lateEventsDropped: engine.stats().lateEventsDropped,
      },
      hours: hourSummaries,
      forecastAccuracy: forecastAccuracyByQueue(hourSummaries),
      peak: peakOf(hourSummaries),
      paths: pathsOf(lastSnapshot),
    };
    if (options.whatIf !== undefined && chatLog !== undefined && current !== undefined && rowCount > 0) {
      summary.whatIf = runWhatIf({
        chatLog,
        plan: options.whatIf,
        timeZone,
        fromMs: current.firstRowMs,
        toMs: current.lastRowMs,
        stepMs,
        thresholdSec: staffingConfig.defaultTarget.thresholdSec,
      });
    }
    return { rows, summary };
  }

  return { blank, accepted, duplicate, rejected, finish };
}

/** Runs a whole input held in memory or produced lazily (a generator of lines streams). */
export function runBacktest(lines: Iterable<string>, options: BacktestOptions): BacktestReport {
  const backtest = createBacktest(options);
  for (const line of lines) backtest.pushLine(line);
  return backtest.finish();
}

/** The same, for an asynchronous source (a file read in chunks). */
export async function runBacktestAsync(
  batches: AsyncIterable<readonly string[]>,
  options: BacktestOptions,
): Promise<BacktestReport> {
  const backtest = createBacktest(options);
  for await (const batch of batches) for (const line of batch) backtest.pushLine(line);
  return backtest.finish();
}

function sortedByKey<V>(record: Partial<Record<string, V>>): Partial<Record<string, V>> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function forecastAccuracyByQueue(hours: readonly HourSummary[]): BacktestSummary['forecastAccuracy'] {
  const queues = new Set<string>();
  for (const hour of hours) for (const queue of Object.keys(hour.arrivals)) queues.add(queue);
  const result: BacktestSummary['forecastAccuracy'] = {};
  for (const queue of queues) {
    const pairs = hours.flatMap((hour) => {
      const forecast = hour.forecast[queue];
      const actual = hour.arrivals[queue];
      return forecast === undefined || actual === undefined ? [] : [{ forecast, actual }];
    });
    const { mape, hours: counted } = meanAbsolutePercentageError(pairs);
    result[queue] = { mape: mape === null ? null : Math.round(mape * 10_000) / 10_000, hours: counted };
  }
  return result;
}

function peakOf(hours: readonly HourSummary[]): BacktestSummary['peak'] {
  const queueDepth: PerQueue = {};
  let minutes = 0;
  let worst: BacktestSummary['peak']['worstStaffingGap'] = null;
  for (const hour of hours) {
    minutes += hour.minutesUnansweredOver30m;
    for (const [queue, depth] of Object.entries(hour.peakQueueDepth)) {
      queueDepth[queue] = Math.max(queueDepth[queue] ?? 0, depth);
    }
    const gap = hour.worstStaffingGap;
    if (gap !== null && (worst === null || gap.gap > worst.gap))
      worst = { hourStart: hour.hourStart, ...gap };
  }
  return { queueDepth, minutesUnansweredOver30m: minutes, worstStaffingGap: worst };
}

function pathsOf(snapshot: EngineSnapshot | undefined): BacktestSummary['paths'] {
  const byPath: Record<string, PathSummary> = {};
  if (snapshot === undefined) return { asOf: null, byPath };
  for (const [path, aggregates] of Object.entries(snapshot.refunds.paths)) {
    byPath[path] = {
      completed30d: aggregates.completed30d,
      avgCompletionSec30d: aggregates.avgCompletionSec30d,
      p50CompletionSec30d: aggregates.p50CompletionSec30d,
      p90CompletionSec30d: aggregates.p90CompletionSec30d,
      firstResponseAvgSec30d: aggregates.firstResponseAvgSec30d,
    };
  }
  return { asOf: snapshot.asOf, byPath };
}
