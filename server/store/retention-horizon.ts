/**
 * Which days retention removes: whole business days (BUSINESS_TZ) whose end is at least
 * RETENTION_DAYS × 24 h before the clock. Pure; a 23- or 25-hour day around a DST change is
 * still one whole day.
 */
import { zoneOffsetMinutes } from '../events/index.ts';

const DAY_MS = 86_400_000;
/** From a day's start, 36 h always lands in the next day (days are 23–25 h long). */
const INTO_NEXT_DAY_MS = 36 * 3_600_000;

/**
 * Local midnight of the business day containing `epochMs`, with the offset in force at midnight
 * (events' `dayStartMs` floors with the offset at `epochMs`, an hour off on DST-change days).
 */
export function businessDayStartMs(epochMs: number, timeZone: string): number {
  const offsetMs = (at: number) => zoneOffsetMinutes(at, timeZone) * 60_000;
  const localMidnight = Math.floor((epochMs + offsetMs(epochMs)) / DAY_MS) * DAY_MS;
  return localMidnight - offsetMs(localMidnight - offsetMs(epochMs));
}

/**
 * The start of the oldest business day kept at `nowMs`: everything before it is removed. The day
 * containing `nowMs − retentionDays × 24 h` has not ended by then, so it is kept, and the kept
 * history is always more than `retentionDays` days long.
 */
export function retentionHorizonMs(nowMs: number, retentionDays: number, timeZone: string): number {
  return businessDayStartMs(nowMs - retentionDays * DAY_MS, timeZone);
}

/** The start of the business day after the one starting at `dayStart`. */
export function nextDayStartMs(dayStart: number, timeZone: string): number {
  return businessDayStartMs(dayStart + INTO_NEXT_DAY_MS, timeZone);
}

/** The first instant after `nowMs` at which the horizon moves to the next day. */
export function nextHorizonChangeMs(nowMs: number, retentionDays: number, timeZone: string): number {
  return (
    nextDayStartMs(retentionHorizonMs(nowMs, retentionDays, timeZone), timeZone) + retentionDays * DAY_MS
  );
}

/** Business days from the one containing `fromMs` up to (not including) the day starting at `toDayStart`. */
export function businessDaysBefore(fromMs: number, toDayStart: number, timeZone: string): number {
  let days = 0;
  for (let day = businessDayStartMs(fromMs, timeZone); day < toDayStart; day = nextDayStartMs(day, timeZone))
    days += 1;
  return days;
}
