/**
 * Business-zone calendar arithmetic for the simulation, fast enough to call per event: the zone
 * offset is looked up through Intl once per 15 minutes of simulated time (every real zone
 * changes offset on a quarter-hour boundary) and `ts` prefixes are reused within a minute.
 */
import { zoneOffsetMinutes } from '../../../server/events/index.ts';

const MINUTE_MS = 60_000;
const QUARTER_HOUR_MS = 15 * MINUTE_MS;
export const DAY_MS = 86_400_000;

/** Where an instant falls on the business-zone calendar. */
export interface LocalPosition {
  /** Days since 1970-01-01 on the local calendar. */
  dayNumber: number;
  /** Minutes since local midnight (0–1439; DST days may differ by an hour). */
  minuteOfDay: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

export interface LocalTime {
  /** Zone offset in milliseconds at `epochMs`. */
  offsetMs(epochMs: number): number;
  /** RFC 3339 with milliseconds and the zone's offset, e.g. `2026-11-11T20:00:03.120+08:00`. */
  format(epochMs: number): string;
  position(epochMs: number): LocalPosition;
  /** Epoch ms of local midnight starting the local day `dayNumber`. */
  midnightMs(dayNumber: number): number;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

function offsetText(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

export function createLocalTime(timeZone: string): LocalTime {
  const offsetByQuarter = new Map<number, number>();
  let minuteKey = NaN;
  let minutePrefix = '';
  let minuteSuffix = '';

  function offsetMs(epochMs: number): number {
    const quarter = Math.floor(epochMs / QUARTER_HOUR_MS);
    let offset = offsetByQuarter.get(quarter);
    if (offset === undefined) {
      offset = zoneOffsetMinutes(quarter * QUARTER_HOUR_MS, timeZone) * MINUTE_MS;
      offsetByQuarter.set(quarter, offset);
    }
    return offset;
  }

  function format(epochMs: number): string {
    const minute = Math.floor(epochMs / MINUTE_MS);
    if (minute !== minuteKey) {
      const offset = offsetMs(epochMs);
      const local = new Date(minute * MINUTE_MS + offset);
      minuteKey = minute;
      minutePrefix =
        `${String(local.getUTCFullYear()).padStart(4, '0')}-${pad2(local.getUTCMonth() + 1)}-` +
        `${pad2(local.getUTCDate())}T${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}:`;
      minuteSuffix = offsetText(offset / MINUTE_MS);
    }
    const withinMinute = epochMs - minute * MINUTE_MS;
    const seconds = Math.floor(withinMinute / 1000);
    const millis = withinMinute - seconds * 1000;
    const millisText = millis < 10 ? `00${millis}` : millis < 100 ? `0${millis}` : String(millis);
    return `${minutePrefix}${pad2(seconds)}.${millisText}${minuteSuffix}`;
  }

  function position(epochMs: number): LocalPosition {
    const localMs = epochMs + offsetMs(epochMs);
    const dayNumber = Math.floor(localMs / DAY_MS);
    return {
      dayNumber,
      minuteOfDay: Math.floor((localMs - dayNumber * DAY_MS) / MINUTE_MS),
      // 1970-01-01 was a Thursday.
      weekday: (((dayNumber + 4) % 7) + 7) % 7,
    };
  }

  function midnightMs(dayNumber: number): number {
    const guess = dayNumber * DAY_MS;
    // The offset at local midnight can differ from the offset at UTC midnight by a DST change,
    // so correct once with the offset found at the first estimate.
    const first = guess - offsetMs(guess);
    return guess - offsetMs(first);
  }

  return { offsetMs, format, position, midnightMs };
}

/** Local day number of a `YYYY-MM-DD` date, or undefined when the text is not a real date. */
export function dayNumberOfDate(dateText: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateText);
  if (match === null) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const utc = Date.UTC(year, month - 1, day);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return undefined;
  }
  return utc / DAY_MS;
}
