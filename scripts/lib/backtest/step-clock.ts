/**
 * Step boundaries aligned in the business time zone: with a 15-minute step the rows fall on
 * :00, :15, :30, :45 local time, and a 1-day step falls on local midnights, whatever the zone's
 * offset from UTC.
 */
import { zoneOffsetMinutes } from '../../../server/events/index.ts';

const MINUTE_MS = 60_000;
/** Every zone's offset changes only at a whole quarter hour (UTC), so a quarter shares one offset. */
const QUARTER_MS = 15 * MINUTE_MS;

/** The zone's offset from UTC at an instant, ms; memoised per UTC quarter hour. */
export interface OffsetCache {
  offsetMs(epochMs: number): number;
}

export function createOffsetCache(timeZone: string): OffsetCache {
  // Intl formatting costs microseconds; the events of one quarter hour share one offset.
  const byQuarter = new Map<number, number>();
  return {
    offsetMs(epochMs) {
      const quarter = Math.floor(epochMs / QUARTER_MS);
      let offset = byQuarter.get(quarter);
      if (offset === undefined) {
        offset = zoneOffsetMinutes(epochMs, timeZone) * MINUTE_MS;
        if (byQuarter.size > 100_000) byQuarter.clear();
        byQuarter.set(quarter, offset);
      }
      return offset;
    },
  };
}

function toEpoch(localMs: number, offsets: OffsetCache, hintMs: number): number {
  // The offset at the boundary itself, found from the hint's offset (they differ only across DST).
  const guess = localMs - offsets.offsetMs(hintMs);
  return localMs - offsets.offsetMs(guess);
}

/** The first boundary at or after `epochMs`: local wall time rounded up to a multiple of `stepMs`. */
export function alignUpMs(epochMs: number, stepMs: number, offsets: OffsetCache): number {
  const local = epochMs + offsets.offsetMs(epochMs);
  const boundary = toEpoch(Math.ceil(local / stepMs) * stepMs, offsets, epochMs);
  // Across a DST change the converted boundary can land before the instant: take the next one.
  return boundary >= epochMs ? boundary : alignUpMs(epochMs + stepMs, stepMs, offsets);
}

/** The last boundary at or before `epochMs`. */
export function alignDownMs(epochMs: number, stepMs: number, offsets: OffsetCache): number {
  const local = epochMs + offsets.offsetMs(epochMs);
  const boundary = toEpoch(Math.floor(local / stepMs) * stepMs, offsets, epochMs);
  return boundary <= epochMs ? boundary : alignDownMs(epochMs - stepMs, stepMs, offsets);
}

/** The boundary after `boundaryMs`. */
export function nextBoundaryMs(boundaryMs: number, stepMs: number, offsets: OffsetCache): number {
  return alignUpMs(boundaryMs + 1, stepMs, offsets);
}
