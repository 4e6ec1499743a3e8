/**
 * Arrivals forecast per queue and business-zone hour (DESIGN.md, Staffing):
 *
 * 1. **Base** for hour H: the mean of H's local hour on the 4 same weekdays before (H − 7, 14,
 *    21, 28 days, same wall-clock time). If any of those 4 hours is missing from the history
 *    (it starts before the queue's `historyStartMs`), the mean of H's local hour over the last 28
 *    days (H − 1 … H − 28 days) that are present. If none is present: 0 (source "none").
 * 2. **Plan** = base × the uplift plan's multiplier for H's local date and hour (1 without a plan).
 * 3. **Reforecast**: once today (since local midnight, up to now) has at least
 *    `reforecastMinArrivals` arrivals, every plan is multiplied by
 *    ratio = actual today / planned today, where planned today = the plans of today's completed
 *    hours + the current hour's plan × the elapsed share of that hour (arrivals are taken as
 *    uniform within an hour). If today's plan is 0 but arrivals came anyway, the forecast is
 *    today's mean hourly rate so far (source "today-rate").
 * 4. The current hour's forecast is never below the arrivals it has already had.
 * 5. Rounded to 2 decimals, so that snapshots and backtests are byte-stable.
 *
 * Accuracy (MAPE) compares today's completed hours with their *plan* (step 2): the reforecast
 * ratio is fitted to those same hours, so judging it on them would flatter it.
 */
import type { QueueStaffingInput, StaffingConfig, UpliftPlan } from './types.ts';
import { zoneHours, type ZoneHours } from './zone-hours.ts';

const HOUR_MS = 3_600_000;
const SAME_WEEKDAY_DAYS = [7, 14, 21, 28] as const;
const HISTORY_DAYS = 28;

/** Where a forecast came from, shown next to it so people can judge it. */
export type ForecastSource = 'same-weekday' | 'last-28-days' | 'today-rate' | 'none';

/** The forecast of one queue for one hour. */
export interface HourForecast {
  /** Start of the business-zone hour, epoch ms. */
  hourStartMs: number;
  /** Forecast arrivals in the hour, rounded to 2 decimals. */
  forecastArrivals: number;
  /** Arrivals so far in the hour (0 for hours not started yet). */
  actualArrivals: number;
  source: ForecastSource;
  /** Today's actual / planned ratio applied, or null when today has too few arrivals to judge. */
  reforecastRatio: number | null;
}

/**
 * Everything about "now" and the calendar that every queue's forecast shares, computed once per
 * snapshot (the hour keys are the expensive part, and identical across queues).
 */
export interface ForecastCalendar {
  readonly zone: ZoneHours;
  readonly nowMs: number;
  readonly currentHourMs: number;
  /** Today's hours that are over, oldest first. */
  readonly completedTodayHoursMs: readonly number[];
  /** Share of the current hour elapsed, in [0, 1). */
  readonly currentHourElapsedShare: number;
  /** Hours elapsed since local midnight (fractional). */
  readonly todayElapsedHours: number;
  /** The same local hour 7, 14, 21, 28 days before `hourStartMs`. */
  sameWeekdayHoursMs(hourStartMs: number): readonly number[];
  /** The same local hour 1 … 28 days before `hourStartMs`. */
  lastDaysHoursMs(hourStartMs: number): readonly number[];
  localDateHour(hourStartMs: number): { date: string; hour: number };
}

function memoByHour<V>(compute: (hourStartMs: number) => V): (hourStartMs: number) => V {
  const memo = new Map<number, V>();
  return (hourStartMs) => {
    let value = memo.get(hourStartMs);
    if (value === undefined) {
      value = compute(hourStartMs);
      memo.set(hourStartMs, value);
    }
    return value;
  };
}

/** The shared calendar for forecasts as of `nowMs` in `timeZone`. */
export function createForecastCalendar(nowMs: number, timeZone: string): ForecastCalendar {
  const zone = zoneHours(timeZone);
  const currentHourMs = zone.hourStart(nowMs);
  const dayStartMs = zone.dayStart(nowMs);
  const completedTodayHoursMs: number[] = [];
  for (let hour = dayStartMs; hour < currentHourMs; hour = zone.nextHourStart(hour))
    completedTodayHoursMs.push(hour);
  return {
    zone,
    nowMs,
    currentHourMs,
    completedTodayHoursMs,
    currentHourElapsedShare: (nowMs - currentHourMs) / HOUR_MS,
    todayElapsedHours: (nowMs - dayStartMs) / HOUR_MS,
    sameWeekdayHoursMs: memoByHour((hour) =>
      SAME_WEEKDAY_DAYS.map((days) => zone.shiftLocalDays(hour, -days)),
    ),
    lastDaysHoursMs: memoByHour((hour) =>
      Array.from({ length: HISTORY_DAYS }, (_, index) => zone.shiftLocalDays(hour, -(index + 1))),
    ),
    localDateHour: memoByHour((hour) => zone.localDateHour(hour)),
  };
}

interface BaseForecast {
  arrivals: number;
  source: ForecastSource;
}

/** Step 1: same-weekday mean, else the 28-day mean of the hour, else nothing. */
function baseForecast(
  queue: QueueStaffingInput,
  hourStartMs: number,
  calendar: ForecastCalendar,
): BaseForecast {
  const historyStartMs = queue.historyStartMs ?? Number.NEGATIVE_INFINITY;
  const arrivals = queue.hourlyArrivals;
  let sum = 0;
  let samples = 0;
  for (const hour of calendar.sameWeekdayHoursMs(hourStartMs)) {
    if (hour < historyStartMs) continue;
    sum += arrivals.get(hour) ?? 0;
    samples++;
  }
  if (samples === SAME_WEEKDAY_DAYS.length) return { arrivals: sum / samples, source: 'same-weekday' };
  sum = 0;
  samples = 0;
  for (const hour of calendar.lastDaysHoursMs(hourStartMs)) {
    if (hour < historyStartMs) continue;
    sum += arrivals.get(hour) ?? 0;
    samples++;
  }
  if (samples > 0) return { arrivals: sum / samples, source: 'last-28-days' };
  return { arrivals: 0, source: 'none' };
}

/**
 * Uplift multiplier for a queue at a local date and hour: the queue's own multiplier of every
 * matching plan day, else that day's "*" multiplier, multiplied together (two matching entries
 * compound, so a "whole day × 1.5" and an "evening × 2" give × 3 in the evening).
 */
export function upliftMultiplier(
  plan: UpliftPlan | undefined,
  queueName: string,
  local: { date: string; hour: number },
): number {
  if (plan === undefined) return 1;
  let multiplier = 1;
  for (const day of plan.days) {
    if (day.date !== local.date) continue;
    if (day.hours !== undefined && !day.hours.includes(local.hour)) continue;
    multiplier *= day.multipliers[queueName] ?? day.multipliers['*'] ?? 1;
  }
  return multiplier;
}

function plannedArrivals(
  queue: QueueStaffingInput,
  hourStartMs: number,
  calendar: ForecastCalendar,
  config: StaffingConfig,
): BaseForecast {
  const base = baseForecast(queue, hourStartMs, calendar);
  const multiplier = upliftMultiplier(config.uplift, queue.queue, calendar.localDateHour(hourStartMs));
  return { arrivals: base.arrivals * multiplier, source: base.source };
}

function roundTo2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * Forecasts for one queue and the given hour starts (current hour or later), as defined in this
 * file's header.
 */
export function forecastHours(
  queue: QueueStaffingInput,
  hourStartsMs: readonly number[],
  calendar: ForecastCalendar,
  config: StaffingConfig,
): HourForecast[] {
  const arrivals = queue.hourlyArrivals;
  const currentHourArrivals = arrivals.get(calendar.currentHourMs) ?? 0;
  let actualToday = currentHourArrivals;
  for (const hour of calendar.completedTodayHoursMs) actualToday += arrivals.get(hour) ?? 0;

  let ratio: number | null = null;
  let todayRate: number | null = null;
  if (actualToday >= config.reforecastMinArrivals && actualToday > 0) {
    let plannedToday =
      plannedArrivals(queue, calendar.currentHourMs, calendar, config).arrivals *
      calendar.currentHourElapsedShare;
    for (const hour of calendar.completedTodayHoursMs) {
      plannedToday += plannedArrivals(queue, hour, calendar, config).arrivals;
    }
    if (plannedToday > 0) ratio = actualToday / plannedToday;
    // A minute's floor keeps a burst at exactly midnight from dividing by zero.
    else todayRate = actualToday / Math.max(calendar.todayElapsedHours, 1 / 60);
  }

  return hourStartsMs.map((hourStartMs) => {
    const isCurrentHour = hourStartMs === calendar.currentHourMs;
    const actualArrivals = isCurrentHour ? currentHourArrivals : 0;
    let forecast: number;
    let source: ForecastSource;
    if (todayRate !== null) {
      forecast = todayRate;
      source = 'today-rate';
    } else {
      const planned = plannedArrivals(queue, hourStartMs, calendar, config);
      forecast = planned.arrivals * (ratio ?? 1);
      source = planned.source;
    }
    if (isCurrentHour) forecast = Math.max(forecast, actualArrivals);
    return {
      hourStartMs,
      forecastArrivals: roundTo2(forecast),
      actualArrivals,
      source,
      reforecastRatio: ratio,
    };
  });
}

/** Mean absolute percentage error of forecasts against actuals, over pairs whose actual is > 0. */
export function meanAbsolutePercentageError(pairs: readonly { forecast: number; actual: number }[]): {
  mape: number | null;
  hours: number;
} {
  let sum = 0;
  let hours = 0;
  for (const { forecast, actual } of pairs) {
    // An hour with no arrivals has no percentage error; skipping it is the usual MAPE convention.
    if (!(actual > 0)) continue;
    sum += Math.abs(actual - forecast) / actual;
    hours++;
  }
  return { mape: hours === 0 ? null : sum / hours, hours };
}

/**
 * Forecast accuracy of one queue today: MAPE (a share, 0.12 = 12 %) of the plan (base × uplift,
 * before reforecast) against actual arrivals over today's completed business-zone hours with at
 * least one arrival. `mape` is null when no such hour exists yet.
 * @param nowMs - the snapshot instant, epoch ms
 */
export function forecastAccuracy(
  queue: QueueStaffingInput,
  nowMs: number,
  timeZone: string,
  config: StaffingConfig,
): { mape: number | null; hours: number } {
  const calendar = createForecastCalendar(nowMs, timeZone);
  return meanAbsolutePercentageError(
    calendar.completedTodayHoursMs.map((hour) => ({
      forecast: plannedArrivals(queue, hour, calendar, config).arrivals,
      actual: queue.hourlyArrivals.get(hour) ?? 0,
    })),
  );
}
