import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertCallLog } from '../../scripts/lib/backtest/callcenter/convert-calls.ts';
import { runBacktest } from '../../scripts/lib/backtest/index.ts';
import { REPO_ROOT } from './fixtures.ts';

const DATA = resolve(REPO_ROOT, '..', 'shared', 'data', 'anonymous-bank');
const LOG = join(DATA, 'anonymous_bank_february_1999.txt');
const present = existsSync(LOG);
if (!present) console.warn(`skipping the real call-centre month: ${LOG} is absent`);

describe.skipIf(!present)('the real call-centre month (Technion, February 1999)', () => {
  it('should import every call and backtest the whole month end to end', () => {
    const { lines, report: imported } = convertCallLog(readFileSync(LOG, 'latin1').split('\n'));
    expect(imported).toMatchObject({ rows: 33_344, phantom: 278, unreadable: 0 });
    expect(imported.chats + imported.selfService + imported.phantom + imported.negativeVruTime).toBe(33_344);

    const { rows, summary } = runBacktest(lines, {
      timeZone: 'Asia/Jerusalem',
      stepMs: 3_600_000,
      // Quarter-hour probes keep the month under a few seconds; the CLI's default is a minute.
      probeStepMs: 15 * 60_000,
    });
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
  }, 40_000);
});
