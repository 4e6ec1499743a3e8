/**
 * The summary's per-hour table, filled from the engine's own reads (no metric is computed
 * twice): forecasts from the staffing rows at the hour's start, arrivals from the staffing
 * input's hourly counts once the hour is over, queue depth and "unanswered ≥ 30 min" from the
 * probes (`Engine.probe`, the snapshot's own figures), the worst staffing gap from the rows.
 */
import type { EngineProbe, EngineSnapshot } from '../../../server/engine/index.ts';
import { formatInstant, REFUND_QUEUE } from '../../../server/events/index.ts';
import type { StaffingInput } from '../../../server/staffing/index.ts';
import type { HourSummary, PerQueue, WorstStaffingGap } from './report-types.ts';
import { alignDownMs, type OffsetCache } from './step-clock.ts';

const HOUR_MS = 3_600_000;

interface HourAccumulator {
  forecast: PerQueue | undefined;
  arrivals: PerQueue | undefined;
  peakQueueDepth: PerQueue;
  minutesUnansweredOver30m: number;
  minutesProbed: number;
  worstStaffingGap: WorstStaffingGap | null;
}

/** Queue depth per queue at one instant: waiting chats, and refunds awaiting a first response. */
export function queueDepths(probe: EngineProbe): PerQueue {
  const depths: PerQueue = {};
  const queues = probe.chatQueues;
  for (let index = 0; index < queues.length; index += 1) {
    depths[queues[index] as string] = probe.chatWaiting[index] ?? 0;
  }
  depths[REFUND_QUEUE] = probe.refundsAwaitingResponse;
  return depths;
}

/** True when any chat or refund has waited ≥ 30 min at the probe's instant. */
export function anyUnansweredOver30m(probe: EngineProbe): boolean {
  if (probe.refundsUnansweredOver30m > 0) return true;
  return probe.chatUnansweredOver30m.some((count) => count > 0);
}

export class HourSummaries {
  private readonly hours = new Map<number, HourAccumulator>();

  constructor(
    private readonly timeZone: string,
    private readonly offsets: OffsetCache,
  ) {}

  private hour(hourStartMs: number): HourAccumulator {
    let hour = this.hours.get(hourStartMs);
    if (hour === undefined) {
      hour = {
        forecast: undefined,
        arrivals: undefined,
        peakQueueDepth: {},
        minutesUnansweredOver30m: 0,
        minutesProbed: 0,
        worstStaffingGap: null,
      };
      this.hours.set(hourStartMs, hour);
    }
    return hour;
  }

  /**
   * At an hour start: the forecast the board showed for the hour beginning now, and the final
   * arrivals of the hour just ended (the engine keys arrivals by the same business-zone hours).
   */
  observeHourStart(atMs: number, snapshot: EngineSnapshot, input: StaffingInput | undefined): void {
    const hourStart = formatInstant(atMs, this.timeZone);
    const forecast: PerQueue = {};
    for (const row of snapshot.staffing)
      if (row.hourStart === hourStart) forecast[row.queue] = row.forecastArrivals;
    this.hour(atMs).forecast = forecast;
    const previousHourMs = alignDownMs(atMs - 1, HOUR_MS, this.offsets);
    const previous = this.hours.get(previousHourMs);
    if (previous === undefined || input === undefined) return;
    const arrivals: PerQueue = {};
    for (const queue of input.queues) arrivals[queue.queue] = queue.hourlyArrivals.get(previousHourMs) ?? 0;
    previous.arrivals = arrivals;
  }

  observeProbe(atMs: number, probe: EngineProbe): void {
    const hour = this.hour(alignDownMs(atMs, HOUR_MS, this.offsets));
    hour.minutesProbed += 1;
    if (anyUnansweredOver30m(probe)) hour.minutesUnansweredOver30m += 1;
    for (const [queue, depth] of Object.entries(queueDepths(probe))) {
      if (depth > (hour.peakQueueDepth[queue] ?? Number.NEGATIVE_INFINITY))
        hour.peakQueueDepth[queue] = depth;
    }
  }

  /** A row's staffing rows for its own hour: keeps the largest gap (the first on ties). */
  observeRow(atMs: number, snapshot: EngineSnapshot): void {
    const hourStartMs = alignDownMs(atMs, HOUR_MS, this.offsets);
    const hourStart = formatInstant(hourStartMs, this.timeZone);
    const hour = this.hour(hourStartMs);
    for (const row of snapshot.staffing) {
      if (row.hourStart !== hourStart) continue;
      if (hour.worstStaffingGap !== null && row.gap <= hour.worstStaffingGap.gap) continue;
      hour.worstStaffingGap = {
        queue: row.queue,
        gap: row.gap,
        requiredAgents: row.requiredAgents,
        onlineAgents: row.onlineAgents,
        asOf: snapshot.asOf,
      };
    }
  }

  /** Hours seen from their start to their end, in time order. */
  finish(): HourSummary[] {
    const result: HourSummary[] = [];
    for (const [hourStartMs, hour] of [...this.hours].sort((a, b) => a[0] - b[0])) {
      if (hour.forecast === undefined || hour.arrivals === undefined) continue;
      const absolutePercentageError: PerQueue = {};
      for (const [queue, actual] of Object.entries(hour.arrivals)) {
        const forecast = hour.forecast[queue];
        if (actual > 0 && forecast !== undefined) {
          absolutePercentageError[queue] =
            Math.round((Math.abs(forecast - actual) / actual) * 10_000) / 10_000;
        }
      }
      result.push({
        hourStart: formatInstant(hourStartMs, this.timeZone),
        arrivals: hour.arrivals,
        forecast: hour.forecast,
        absolutePercentageError,
        peakQueueDepth: hour.peakQueueDepth,
        minutesUnansweredOver30m: hour.minutesUnansweredOver30m,
        minutesProbed: hour.minutesProbed,
        worstStaffingGap: hour.worstStaffingGap,
      });
    }
    return result;
  }
}
