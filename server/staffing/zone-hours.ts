/**
 * Business-zone hour arithmetic for the forecast: "the same local hour d days earlier", the next
 * hour, the local date. Built on server/events' time rules, with their zone offsets memoised.
 *
 * Why memoise: one `zoneOffsetMinutes` is an `Intl` call of ~6 µs, and a forecast touches a few
 * hundred hour starts — that alone would be most of the per-tick budget. The offset of a zone at
 * an instant never changes, so caching it keeps the functions pure (same input, same output) while
 * successive ticks, which ask about the same hours, hit the cache.
 */
import { formatInstant, zoneOffsetMinutes } from '../events/index.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Entries per zone before the cache is dropped: ~3 months of hours, a few hundred kB at most. */
const CACHE_LIMIT = 2_500;

const offsetCaches = new Map<string, Map<number, number>>();
const formatCaches = new Map<string, Map<number, string>>();

function cacheFor<V>(caches: Map<string, Map<number, V>>, timeZone: string): Map<number, V> {
  let cache = caches.get(timeZone);
  if (cache === undefined) {
    cache = new Map();
    caches.set(timeZone, cache);
  }
  return cache;
}

/** Hour helpers bound to one business time zone. */
export interface ZoneHours {
  readonly timeZone: string;
  /** Offset from UTC at `epochMs`, minutes. */
  offsetMinutes(epochMs: number): number;
  /** Start of the business-zone hour containing `epochMs`. */
  hourStart(epochMs: number): number;
  /** Start of the business-zone day containing `epochMs`. */
  dayStart(epochMs: number): number;
  /** Start of the hour after the one starting at `hourStartMs`. */
  nextHourStart(hourStartMs: number): number;
  /**
   * The instant with the same local wall-clock time `days` days later (negative: earlier), e.g.
   * 20:00 last Tuesday from 20:00 today. Across a DST change this is not a multiple of 24 h.
   */
  shiftLocalDays(epochMs: number, days: number): number;
  /** Local calendar date (YYYY-MM-DD) and hour (0–23) of `epochMs`. */
  localDateHour(epochMs: number): { date: string; hour: number };
  /** RFC 3339 with milliseconds in the zone (server/events' `formatInstant`). */
  format(epochMs: number): string;
}

/** Hour helpers for `timeZone`, sharing a process-wide memo of zone offsets. */
export function zoneHours(timeZone: string): ZoneHours {
  const offsets = cacheFor(offsetCaches, timeZone);
  const formats = cacheFor(formatCaches, timeZone);

  const offsetMinutes = (epochMs: number): number => {
    let offset = offsets.get(epochMs);
    if (offset === undefined) {
      if (offsets.size >= CACHE_LIMIT) offsets.clear();
      offset = zoneOffsetMinutes(epochMs, timeZone);
      offsets.set(epochMs, offset);
    }
    return offset;
  };

  // Same floor-in-local-time rule as server/events' hourStartMs/dayStartMs, through the memo.
  const floorLocal = (epochMs: number, unitMs: number): number => {
    const offsetMs = offsetMinutes(epochMs) * 60_000;
    return Math.floor((epochMs + offsetMs) / unitMs) * unitMs - offsetMs;
  };

  const shiftLocalDays = (epochMs: number, days: number): number => {
    const localMs = epochMs + offsetMinutes(epochMs) * 60_000 + days * DAY_MS;
    // First guess with today's offset, then correct with the offset found at the guess.
    const guess = localMs - offsetMinutes(epochMs) * 60_000;
    return localMs - offsetMinutes(guess) * 60_000;
  };

  return {
    timeZone,
    offsetMinutes,
    hourStart: (epochMs) => floorLocal(epochMs, HOUR_MS),
    dayStart: (epochMs) => floorLocal(epochMs, DAY_MS),
    nextHourStart: (hourStartMs) => floorLocal(hourStartMs + HOUR_MS, HOUR_MS),
    shiftLocalDays,
    localDateHour(epochMs) {
      const local = new Date(epochMs + offsetMinutes(epochMs) * 60_000);
      const month = String(local.getUTCMonth() + 1).padStart(2, '0');
      const day = String(local.getUTCDate()).padStart(2, '0');
      return { date: `${local.getUTCFullYear()}-${month}-${day}`, hour: local.getUTCHours() };
    },
    format(epochMs) {
      let text = formats.get(epochMs);
      if (text === undefined) {
        if (formats.size >= CACHE_LIMIT) formats.clear();
        text = formatInstant(epochMs, timeZone);
        formats.set(epochMs, text);
      }
      return text;
    },
  };
}
