import { describe, expect, it } from 'vitest';
import {
  parseWhatIfPlan,
  runBacktest,
  WhatIfPlanError,
  type BacktestOptions,
} from '../../scripts/lib/backtest/index.ts';
import { dayLines, FIFTEEN_MINUTES_MS, TIME_ZONE } from './fixtures.ts';

// Busy enough for queues to build in the evening, small enough to simulate in well under a second.
const lines = dayLines(0, { shops: 1, scale: 0.12 });
const base: BacktestOptions = {
  timeZone: TIME_ZONE,
  stepMs: FIFTEEN_MINUTES_MS,
  probeStepMs: FIFTEEN_MINUTES_MS,
};

function whatIfOf(plan: unknown) {
  const summary = runBacktest(lines, { ...base, whatIf: parseWhatIfPlan(plan) }).summary.whatIf;
  if (summary === undefined) throw new Error('no what-if in the summary');
  return summary;
}

describe('what-if roster simulation', () => {
  const addFive = {
    changes: [
      { queue: 'presale', from: '2026-11-11T19:00+08:00', to: '2026-11-12T00:00+08:00', addAgents: 5 },
    ],
    seed: 3,
  };

  it('should reproduce the actual hourly average wait within 15 % with the roster unchanged', () => {
    const { calibration, totals } = whatIfOf({ changes: [] });
    expect(calibration.hours).toBeGreaterThan(10);
    expect(calibration.hourlyWaitError).not.toBeNull();
    expect(calibration.hourlyWaitError as number).toBeLessThanOrEqual(0.15);
    expect(totals.simulated.arrivals).toBe(totals.actual.arrivals);
    // With no change the what-if run is the calibration run.
    expect(totals.whatIf).toEqual(totals.simulated);
  });

  it('should give the same result for the same seed and plan', () => {
    expect(whatIfOf(addFive)).toEqual(whatIfOf(addFive));
  });

  it('should not make waits or abandons worse when agents are added', () => {
    const { totals, hours } = whatIfOf(addFive);
    expect(totals.whatIf.avgWaitSec as number).toBeLessThan(totals.simulated.avgWaitSec as number);
    expect(totals.whatIf.abandoned).toBeLessThanOrEqual(totals.simulated.abandoned);
    for (const hour of hours) {
      if (hour.queue !== 'presale' || hour.simulated.avgWaitSec === null || hour.whatIf.avgWaitSec === null)
        continue;
      expect(hour.whatIf.avgWaitSec).toBeLessThanOrEqual(hour.simulated.avgWaitSec + 1);
    }
  });

  it('should make waits longer when agents are taken off', () => {
    const { totals } = whatIfOf({
      changes: [
        { queue: 'presale', from: '2026-11-11T10:00+08:00', to: '2026-11-11T18:00+08:00', addAgents: -2 },
      ],
    });
    expect(totals.whatIf.avgWaitSec as number).toBeGreaterThan(totals.simulated.avgWaitSec as number);
  });

  it('should refuse a plan it cannot read, saying where', () => {
    expect(() =>
      parseWhatIfPlan({ changes: [{ queue: 'presale', from: 'soon', to: 'later', addAgents: 1 }] }),
    ).toThrow(WhatIfPlanError);
    expect(() =>
      parseWhatIfPlan({
        changes: [
          { queue: 'presale', from: '2026-11-11T20:00+08:00', to: '2026-11-11T21:00+08:00', addAgents: 1.5 },
        ],
      }),
    ).toThrow(/changes\[0\]\.addAgents/);
  });
});
