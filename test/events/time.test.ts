import { describe, expect, it } from 'vitest';
import { dayStartMs, formatInstant, hourStartMs, parseTimestampMs } from '../../server/events/index.ts';

describe('parseTimestampMs', () => {
  it.each([
    ['2026-11-11T20:00:03.120+08:00', Date.UTC(2026, 10, 11, 12, 0, 3, 120)],
    ['2026-11-11T12:00:03.120Z', Date.UTC(2026, 10, 11, 12, 0, 3, 120)],
    ['2026-11-11T12:00:03Z', Date.UTC(2026, 10, 11, 12, 0, 3, 0)],
    // Fractions are truncated to ms, never rounded: .1299 → 129 ms.
    ['2026-11-11T12:00:03.1299Z', Date.UTC(2026, 10, 11, 12, 0, 3, 129)],
    ['2026-11-11T12:00:03.9999999Z', Date.UTC(2026, 10, 11, 12, 0, 3, 999)],
    ['2026-11-11T07:30:00-04:30', Date.UTC(2026, 10, 11, 12, 0, 0, 0)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['1970-01-01T00:00:00Z', 0],
  ])('should read %s as the right instant', (text, expected) => {
    expect(parseTimestampMs(text)).toBe(expected);
  });

  it.each([
    '2026-11-11T20:00:00',
    '2026-11-11 20:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-11T24:00:00Z',
    '2026-11-11T23:59:60Z',
    '2026-11-11T20:00:00+24:00',
    '26-11-11T20:00:00Z',
    '',
  ])('should refuse %j', (text) => {
    expect(parseTimestampMs(text)).toBeUndefined();
  });
});

describe('business time zone helpers', () => {
  const t = Date.UTC(2026, 10, 11, 12, 34, 56, 7); // 20:34:56.007 in Shanghai
  it('should write instants in the business zone with milliseconds', () => {
    expect(formatInstant(t, 'Asia/Shanghai')).toBe('2026-11-11T20:34:56.007+08:00');
    expect(formatInstant(t, 'UTC')).toBe('2026-11-11T12:34:56.007+00:00');
  });
  it('should find the start of the local hour and day', () => {
    expect(formatInstant(hourStartMs(t, 'Asia/Shanghai'), 'Asia/Shanghai')).toBe(
      '2026-11-11T20:00:00.000+08:00',
    );
    expect(formatInstant(dayStartMs(t, 'Asia/Shanghai'), 'Asia/Shanghai')).toBe(
      '2026-11-11T00:00:00.000+08:00',
    );
  });
});
