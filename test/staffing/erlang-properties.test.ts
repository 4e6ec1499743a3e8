import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  erlangAMetrics,
  erlangB,
  erlangC,
  erlangCMetrics,
  requiredServersErlangC,
  StaffingInputError,
} from '../../server/staffing/index.ts';

/**
 * Erlang B by a different route: 1/B = Σ_{k=0..N} N!/((N−k)!·A^k), summed in log space
 * (log-sum-exp), so neither factorials nor powers overflow. Slow, independent of the recursion.
 */
function erlangBInLogSpace(servers: number, offeredLoad: number): number {
  const logTerms: number[] = [0];
  let logTerm = 0;
  for (let k = 1; k <= servers; k++) {
    logTerm += Math.log((servers - k + 1) / offeredLoad);
    logTerms.push(logTerm);
  }
  const largest = Math.max(...logTerms);
  const sum = logTerms.reduce((total, term) => total + Math.exp(term - largest), 0);
  return Math.exp(-(largest + Math.log(sum)));
}

describe('Erlang C service level', () => {
  it('should never fall when an agent is added (property over loads, handle times, thresholds)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 500, noNaN: true }),
        fc.double({ min: 5, max: 3600, noNaN: true }),
        fc.double({ min: 0, max: 600, noNaN: true }),
        (offeredLoad, handleSec, thresholdSec) => {
          let previous = -Infinity;
          for (
            let servers = Math.floor(offeredLoad) + 1;
            servers <= Math.floor(offeredLoad) + 40;
            servers++
          ) {
            const { serviceLevel } = erlangCMetrics(servers, offeredLoad, thresholdSec, handleSec);
            expect(serviceLevel).toBeGreaterThanOrEqual(previous - 1e-12);
            expect(serviceLevel).toBeLessThanOrEqual(1);
            previous = serviceLevel;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('should never let a longer threshold lower the service level', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 200, noNaN: true }),
        fc.integer({ min: 1, max: 30 }),
        (load, extra) => {
          const servers = Math.floor(load) + extra;
          const shorter = erlangCMetrics(servers, load, 10, 180).serviceLevel;
          const longer = erlangCMetrics(servers, load, 60, 180).serviceLevel;
          expect(longer).toBeGreaterThanOrEqual(shorter);
        },
      ),
    );
  });

  it('should return the smallest staffing meeting the target: one agent fewer misses it', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 300, noNaN: true }),
        fc.double({ min: 0.5, max: 0.95, noNaN: true }),
        (offeredLoad, targetServiceLevel) => {
          const servers = requiredServersErlangC({
            offeredLoad,
            handleSec: 240,
            thresholdSec: 30,
            targetServiceLevel,
            maxOccupancy: 1,
          });
          expect(erlangCMetrics(servers, offeredLoad, 30, 240).serviceLevel).toBeGreaterThanOrEqual(
            targetServiceLevel,
          );
          if (servers - 1 > offeredLoad) {
            expect(erlangCMetrics(servers - 1, offeredLoad, 30, 240).serviceLevel).toBeLessThan(
              targetServiceLevel,
            );
          }
        },
      ),
    );
  });

  it('should respect the occupancy cap even when the service level is met earlier', () => {
    // 10 Erlangs, 80 % in 20 s needs 14 agents; a 50 % cap needs 20.
    expect(
      requiredServersErlangC({
        offeredLoad: 10,
        handleSec: 180,
        thresholdSec: 20,
        targetServiceLevel: 0.8,
        maxOccupancy: 0.5,
      }),
    ).toBe(20);
  });

  it('should reject a target service level above 1 with a named error', () => {
    expect(() =>
      requiredServersErlangC({
        offeredLoad: 10,
        handleSec: 180,
        thresholdSec: 20,
        targetServiceLevel: 1.2,
        maxOccupancy: 1,
      }),
    ).toThrow(StaffingInputError);
  });
});

describe('Erlang A service level', () => {
  it('should never fall when an agent is added, over a grid of loads and patiences', () => {
    for (const arrivals of [20, 100, 400]) {
      for (const patienceSec of [30, 300, 3000]) {
        const parameters = { arrivals, intervalSec: 1800, handleSec: 180, patienceSec };
        let previous = -Infinity;
        for (let servers = 1; servers <= 50; servers++) {
          const { serviceLevel, abandonmentProbability } = erlangAMetrics(servers, parameters, 20);
          expect(serviceLevel).toBeGreaterThanOrEqual(previous - 1e-9);
          expect(abandonmentProbability).toBeGreaterThanOrEqual(0);
          expect(abandonmentProbability).toBeLessThanOrEqual(1);
          previous = serviceLevel;
        }
      }
    }
  });

  it('should converge to Erlang C when customers are infinitely patient', () => {
    const patient = erlangAMetrics(
      15,
      { arrivals: 100, intervalSec: 1800, handleSec: 180, patienceSec: 1e9 },
      20,
    );
    const erlangCFigures = erlangCMetrics(15, 10, 20, 180);
    expect(patient.waitingProbability).toBeCloseTo(erlangCFigures.waitingProbability, 6);
    expect(patient.serviceLevel).toBeCloseTo(erlangCFigures.serviceLevel, 6);
  });
});

describe('Erlang maths at 2,000 agents', () => {
  it('should match an independent log-space Erlang B to 1e-12 relative', () => {
    for (const [servers, offeredLoad] of [
      [2000, 1950],
      [2000, 1900],
      [2500, 2400],
      [2000, 2100],
    ] as const) {
      const recursive = erlangB(servers, offeredLoad);
      const reference = erlangBInLogSpace(servers, offeredLoad);
      expect(Number.isFinite(recursive)).toBe(true);
      expect(Math.abs(recursive - reference) / reference).toBeLessThan(1e-12);
    }
  });

  it('should give finite probabilities in [0, 1] and a staffing just above the load', () => {
    const waiting = erlangC(2000, 1950);
    expect(waiting).toBeGreaterThan(0);
    expect(waiting).toBeLessThan(1);
    const metrics = erlangCMetrics(2000, 1950, 20, 180);
    expect(metrics.serviceLevel).toBeGreaterThan(0);
    expect(metrics.serviceLevel).toBeLessThan(1);
    expect(Number.isFinite(metrics.averageSpeedOfAnswerSec)).toBe(true);
    const servers = requiredServersErlangC({
      offeredLoad: 1950,
      handleSec: 180,
      thresholdSec: 20,
      targetServiceLevel: 0.8,
      maxOccupancy: 1,
    });
    // Square-root staffing: N ≈ A + β·√A with β of order 1 for an 80 % target.
    expect(servers).toBeGreaterThan(1950);
    expect(servers).toBeLessThan(1950 + 3 * Math.sqrt(1950));
  });

  it('should underflow to a blocking of exactly 0, not NaN, when the load is tiny', () => {
    expect(erlangB(2000, 1)).toBe(0);
    expect(erlangC(2000, 1)).toBe(0);
    expect(erlangCMetrics(2000, 1, 20, 180).serviceLevel).toBe(1);
  });

  it('should keep Erlang A finite at 2,000 agents', () => {
    const metrics = erlangAMetrics(
      2000,
      { arrivals: 39_000, intervalSec: 3600, handleSec: 180, patienceSec: 300 },
      20,
    );
    for (const value of Object.values(metrics)) expect(Number.isFinite(value)).toBe(true);
    expect(metrics.serviceLevel).toBeGreaterThan(0.5);
    expect(metrics.serviceLevel).toBeLessThanOrEqual(1);
  });
});
