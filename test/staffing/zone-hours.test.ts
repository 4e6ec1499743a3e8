import { describe, expect, it } from 'vitest';
import { formatInstant, hourStartMs, parseTimestampMs } from '../../server/events/index.ts';
import { zoneHours } from '../../server/staffing/zone-hours.ts';

function instant(text: string): number {
  const epochMs = parseTimestampMs(text);
  if (epochMs === undefined) throw new Error(`bad instant ${text}`);
  return epochMs;
}

describe('business-zone hours for the forecast', () => {
  it('should find the same local hour a week earlier across a DST change', () => {
    // New York leaves daylight time on 2026-11-01: 20:00 on Nov 2 (−05:00) ← 20:00 on Oct 26 (−04:00),
    // 7 × 24 + 1 hours apart.
    const zone = zoneHours('America/New_York');
    const shifted = zone.shiftLocalDays(instant('2026-11-02T20:00:00-05:00'), -7);
    expect(formatInstant(shifted, 'America/New_York')).toBe('2026-10-26T20:00:00.000-04:00');
  });

  it('should agree with server/events on hour starts, memo or not', () => {
    const zone = zoneHours('Asia/Kolkata');
    for (const text of [
      '2026-11-11T20:59:59.999+05:30',
      '2026-03-29T02:30:00Z',
      '2026-01-01T00:00:00+05:30',
    ]) {
      const epochMs = instant(text);
      expect(zone.hourStart(epochMs)).toBe(hourStartMs(epochMs, 'Asia/Kolkata'));
      expect(zone.hourStart(epochMs)).toBe(hourStartMs(epochMs, 'Asia/Kolkata'));
    }
  });

  it('should give the local date and hour of an instant', () => {
    expect(zoneHours('Asia/Shanghai').localDateHour(instant('2026-11-10T16:30:00Z'))).toEqual({
      date: '2026-11-11',
      hour: 0,
    });
  });
});
