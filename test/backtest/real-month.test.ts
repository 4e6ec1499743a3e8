import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertCallLog, type ConvertReport } from '../../scripts/lib/backtest/callcenter/convert-calls.ts';
import { runBacktest, type BacktestReport } from '../../scripts/lib/backtest/index.ts';
import { REPO_ROOT } from './fixtures.ts';

const DATA = resolve(REPO_ROOT, '..', 'shared', 'data', 'anonymous-bank');
const LOG = join(DATA, 'anonymous_bank_february_1999.txt');
const present = existsSync(LOG);
if (!present) console.warn(`skipping the real call-centre month: ${LOG} is absent`);

/** Sunday–Thursday: the bank's working week. */
function isWorkingDay(date: string): boolean {
  const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
  return weekday !== 5 && weekday !== 6;
}

describe.skipIf(!present)('the real call-centre month (Technion, February 1999)', () => {
  let lines: string[];
  let imported: ConvertReport;
  let report: BacktestReport;

  beforeAll(() => {
    ({ lines, report: imported } = convertCallLog(readFileSync(LOG, 'latin1').split('\n')));
    report = runBacktest(lines, {
      timeZone: 'Asia/Jerusalem',
      stepMs: 3_600_000,
      // Quarter-hour probes keep the month under a few seconds; the CLI's default is a minute.
      probeStepMs: 15 * 60_000,
      whatIf: { changes: [] },
    });
  }, 120_000);

  it('should import every call and backtest the whole month end to end', () => {
    expect(imported).toMatchObject({ rows: 33_344, phantom: 278, unreadable: 0 });
    expect(imported.chats + imported.selfService + imported.phantom + imported.negativeVruTime).toBe(33_344);
    const { rows, summary } = report;
    expect(summary.totals).toMatchObject({
      accepted: lines.length,
      duplicates: 0,
      rejected: 0,
      lateForRows: 0,
    });
    expect(rows[0]?.asOf).toBe('1999-02-01T07:00:00.000+02:00');
    expect(rows.length).toBeGreaterThan(24 * 27);
    // Every chat that started in a whole hour of the run is an arrival of that hour.
    const arrivals = summary.hours.reduce(
      (sum, hour) => sum + (hour.arrivals.presale ?? 0) + (hour.arrivals.aftersale ?? 0),
      0,
    );
    expect(arrivals).toBeGreaterThan(imported.chats - 50);
    expect(arrivals).toBeLessThanOrEqual(imported.chats);
    expect(summary.peak.queueDepth.aftersale).toBeGreaterThan(5);
  });

  it('should calibrate the what-if on the month: availability inferred, existing customers first', () => {
    const calibration = report.summary.whatIf?.calibration;
    if (calibration === undefined) throw new Error('no what-if calibration');
    // Presence from first to last service overstates who was answering (docs/REAL-DATA.md).
    expect(calibration.availability).toBe('inferred');
    expect(calibration.queuePriority).toEqual(['aftersale']);
    expect(calibration.holdTimeFactor).toBeGreaterThan(1);
    expect(calibration.holdTimeFactor).toBeLessThan(1.2);
    // Hour by hour of each day: down from 65 % with the logged presence, near the noise floor
    // (how far a month that followed the model exactly would be from the model's mean).
    expect(calibration.hourlyWaitError as number).toBeLessThan(0.3);
    expect(calibration.hourlyWaitError as number).toBeLessThan(
      1.5 * (calibration.noiseFloor?.hourlyWaitError as number),
    );
    // The month's mean day, hour by hour: within 15 %.
    expect(calibration.hourOfDayWaitError as number).toBeLessThanOrEqual(0.15);
  });

  it('should hold the calibration out of sample: each day with what the other days fitted', () => {
    const days = report.summary.whatIf?.calibration.days;
    if (days === null || days === undefined) throw new Error('no day check');
    const working = days.perDay.filter((day) => isWorkingDay(day.date));
    expect(working).toHaveLength(20);
    expect(days.outOfSample.hourOfDayWaitError as number).toBeLessThanOrEqual(0.15);
    expect(days.outOfSample.hourlyWaitError as number).toBeLessThan(0.3);
    for (const day of working) {
      expect(day.availability).toBe('inferred');
      expect(day.outOfSampleHourlyWaitError as number).toBeLessThan(0.45);
    }
  });
});
