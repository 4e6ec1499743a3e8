import { describe, expect, it } from 'vitest';
import {
  computeStaffingRows,
  forecastAccuracy,
  meanAbsolutePercentageError,
} from '../../server/staffing/index.ts';
import { arrivalsAt, at, chatQueue, config, sameWeekdays, staffingInput, TIME_ZONE } from './fixtures.ts';

// 2026-11-11 is a Wednesday; its 4 previous Wednesdays are Nov 4, Oct 28, Oct 21 and Oct 14.

/** Forecasts of one queue's four rows, current hour first. */
function forecastsOf(input: Parameters<typeof computeStaffingRows>[0]): number[] {
  return computeStaffingRows(input).map((row) => row.forecastArrivals);
}

describe('forecast: same-weekday average', () => {
  const hourlyArrivals = arrivalsAt({
    ...sameWeekdays('20:00', [10, 20, 30, 40]),
    ...sameWeekdays('21:00', [8, 8, 8, 8]),
    // Other weekdays at 20:00 must not count.
    '2026-11-10T20:00': 1000,
    '2026-11-07T20:00': 1000,
    '2026-11-11T20:00': 5,
  });

  it('should average the same local hour over the last 4 same weekdays', () => {
    // 20:00: (10 + 20 + 30 + 40) / 4 = 25. 21:00: (8·4) / 4 = 8. 22:00 and 23:00 had nothing.
    // Today has 5 arrivals (< 30), so no reforecast.
    const rows = computeStaffingRows(
      staffingInput('2026-11-11T20:20', [chatQueue({ queue: 'aftersale', hourlyArrivals })]),
    );
    expect(rows.map((row) => row.forecastArrivals)).toEqual([25, 8, 0, 0]);
    expect(rows.map((row) => row.actualArrivals)).toEqual([5, 0, 0, 0]);
    expect(rows.map((row) => row.forecastSource)).toEqual([
      'same-weekday',
      'same-weekday',
      'same-weekday',
      'same-weekday',
    ]);
    expect(rows.map((row) => row.hourStart)).toEqual([
      '2026-11-11T20:00:00.000+08:00',
      '2026-11-11T21:00:00.000+08:00',
      '2026-11-11T22:00:00.000+08:00',
      '2026-11-11T23:00:00.000+08:00',
    ]);
  });

  it('should fall back to the same hour of the last 28 days when a same weekday is missing from the history', () => {
    // History starts 2026-10-20 00:00, so Oct 14 is missing: 3 same-weekday samples, not 4.
    // Present 20:00 hours: Oct 20 … Nov 10 = 12 + 10 = 22 days, holding 30 (Oct 21), 20 (Oct 28),
    // 10 (Nov 4), 1000 (Nov 7), 1000 (Nov 10): 2060 / 22 = 93.636… → 93.64.
    const rows = computeStaffingRows(
      staffingInput('2026-11-11T20:20', [
        chatQueue({ queue: 'aftersale', hourlyArrivals, historyStartMs: at('2026-10-20T00:00') }),
      ]),
    );
    expect(rows[0]?.forecastArrivals).toBe(93.64);
    expect(rows[0]?.forecastSource).toBe('last-28-days');
  });

  it('should forecast 0 from nothing when no history is present at all', () => {
    const rows = computeStaffingRows(
      staffingInput('2026-11-11T20:20', [
        chatQueue({ queue: 'aftersale', hourlyArrivals: new Map(), historyStartMs: at('2026-11-11T00:00') }),
      ]),
    );
    expect(rows.map((row) => [row.forecastArrivals, row.forecastSource])).toEqual([
      [0, 'none'],
      [0, 'none'],
      [0, 'none'],
      [0, 'none'],
    ]);
  });

  it('should never forecast the current hour below the arrivals it already had', () => {
    // Plan 25 for 20:00, but 40 have arrived by 20:20; the reforecast is switched off here.
    const busy = new Map(hourlyArrivals);
    busy.set(at('2026-11-11T20:00'), 40);
    const input = staffingInput(
      '2026-11-11T20:20',
      [chatQueue({ queue: 'aftersale', hourlyArrivals: busy })],
      {
        reforecastMinArrivals: 1000,
      },
    );
    expect(forecastsOf(input)).toEqual([40, 8, 0, 0]);
  });
});

describe('forecast: reforecast from today', () => {
  // Now 02:30 on Wednesday. Same-weekday plans: 00:00 → 10, 01:00 → 10, 02:00 → 20, 03:00 → 20,
  // 04:00 → 4, 05:00 → 2.
  const plan = {
    ...sameWeekdays('00:00', [10, 10, 10, 10]),
    ...sameWeekdays('01:00', [10, 10, 10, 10]),
    ...sameWeekdays('02:00', [20, 20, 20, 20]),
    ...sameWeekdays('03:00', [20, 20, 20, 20]),
    ...sameWeekdays('04:00', [4, 4, 4, 4]),
    ...sameWeekdays('05:00', [2, 2, 2, 2]),
  };

  it("should scale every forecast by today's actual/planned ratio once today has 30 arrivals", () => {
    // Planned so far = 10 (00:00) + 10 (01:00) + 20 × 0.5 (half of 02:00 elapsed) = 30.
    // Actual so far = 15 + 15 + 15 = 45 ≥ 30 → ratio 45 / 30 = 1.5.
    // Rows: 02:00 → 20 × 1.5 = 30, 03:00 → 30, 04:00 → 6, 05:00 → 3.
    const hourlyArrivals = arrivalsAt({
      ...plan,
      '2026-11-11T00:00': 15,
      '2026-11-11T01:00': 15,
      '2026-11-11T02:00': 15,
    });
    const rows = computeStaffingRows(
      staffingInput('2026-11-11T02:30', [chatQueue({ queue: 'aftersale', hourlyArrivals })]),
    );
    expect(rows.map((row) => row.forecastArrivals)).toEqual([30, 30, 6, 3]);
  });

  it('should not scale while today has fewer than 30 arrivals', () => {
    // 10 + 10 + 9 = 29 arrivals: below the threshold, the plan stands.
    const hourlyArrivals = arrivalsAt({
      ...plan,
      '2026-11-11T00:00': 10,
      '2026-11-11T01:00': 10,
      '2026-11-11T02:00': 9,
    });
    const input = staffingInput('2026-11-11T02:30', [chatQueue({ queue: 'aftersale', hourlyArrivals })]);
    expect(forecastsOf(input)).toEqual([20, 20, 4, 2]);
  });

  it("should use today's hourly rate when arrivals come where nothing was planned", () => {
    // No history at all; 45 arrivals in the 2.5 h since midnight → 18 an hour for every row.
    const hourlyArrivals = arrivalsAt({
      '2026-11-11T00:00': 15,
      '2026-11-11T01:00': 15,
      '2026-11-11T02:00': 15,
    });
    const rows = computeStaffingRows(
      staffingInput('2026-11-11T02:30', [
        chatQueue({ queue: 'aftersale', hourlyArrivals, historyStartMs: at('2026-11-11T00:00') }),
      ]),
    );
    expect(rows.map((row) => row.forecastArrivals)).toEqual([18, 18, 18, 18]);
    expect(rows[0]?.forecastSource).toBe('today-rate');
  });
});

describe('forecast: uplift plan', () => {
  it("should multiply the hours of the plan by the queue's multiplier, else by the '*' one", () => {
    // Plans 02:00 → 20, 03:00 → 20, 04:00 → 4, 05:00 → 2; today has no arrivals (no reforecast).
    // Uplift on 2026-11-11 hours 3 and 4: aftersale × 2 → 20, 40, 8, 2; presale takes '*' × 3 → 20, 60, 12, 2.
    const history = arrivalsAt({
      ...sameWeekdays('02:00', [20, 20, 20, 20]),
      ...sameWeekdays('03:00', [20, 20, 20, 20]),
      ...sameWeekdays('04:00', [4, 4, 4, 4]),
      ...sameWeekdays('05:00', [2, 2, 2, 2]),
    });
    const rows = computeStaffingRows(
      staffingInput(
        '2026-11-11T02:30',
        [
          chatQueue({ queue: 'aftersale', hourlyArrivals: history }),
          chatQueue({ queue: 'presale', hourlyArrivals: history }),
        ],
        { uplift: { days: [{ date: '2026-11-11', hours: [3, 4], multipliers: { aftersale: 2, '*': 3 } }] } },
      ),
    );
    expect(rows.filter((row) => row.queue === 'aftersale').map((row) => row.forecastArrivals)).toEqual([
      20, 40, 8, 2,
    ]);
    expect(rows.filter((row) => row.queue === 'presale').map((row) => row.forecastArrivals)).toEqual([
      20, 60, 12, 2,
    ]);
  });
});

describe('forecast accuracy (MAPE)', () => {
  it("should average |actual − plan| / actual over today's completed hours", () => {
    // Now 03:30. Completed: 00:00 plan 10, actual 8 → 2/8 = 0.25; 01:00 plan 10, actual 12 → 2/12;
    // 02:00 had no arrivals → skipped. MAPE = (0.25 + 0.1667) / 2 = 0.2083.
    const queue = chatQueue({
      queue: 'aftersale',
      hourlyArrivals: arrivalsAt({
        ...sameWeekdays('00:00', [10, 10, 10, 10]),
        ...sameWeekdays('01:00', [5, 10, 15, 10]),
        ...sameWeekdays('02:00', [3, 3, 3, 3]),
        '2026-11-11T00:00': 8,
        '2026-11-11T01:00': 12,
        '2026-11-11T03:00': 50,
      }),
    });
    const accuracy = forecastAccuracy(queue, at('2026-11-11T03:30'), TIME_ZONE, config());
    expect(accuracy.hours).toBe(2);
    expect(accuracy.mape).toBeCloseTo((2 / 8 + 2 / 12) / 2, 12);
  });

  it('should be null before any completed hour had arrivals', () => {
    const queue = chatQueue({ queue: 'aftersale' });
    expect(forecastAccuracy(queue, at('2026-11-11T00:30'), TIME_ZONE, config())).toEqual({
      mape: null,
      hours: 0,
    });
  });

  it('should skip pairs whose actual is 0', () => {
    expect(
      meanAbsolutePercentageError([
        { forecast: 5, actual: 0 },
        { forecast: 15, actual: 10 },
      ]),
    ).toEqual({ mape: 0.5, hours: 1 });
  });
});
