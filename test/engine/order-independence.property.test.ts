import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine, type EngineSnapshot } from '../../server/engine/index.ts';
import { BASE_MS, DAY, MIN } from './event-builders.ts';
import {
  byTs,
  dedupe,
  generateScenario,
  random,
  SCENARIO_MS,
  SHUFFLE_WINDOW_MS,
  shuffledWithinWindows,
} from './scenario.ts';

const TZ = 'Asia/Shanghai';
function newEngine(): Engine {
  // A 10-minute late horizon makes compaction and orphan pruning happen inside two days.
  return createEngine({ timeZone: TZ, lateHorizonMs: 10 * MIN });
}

/** Whole snapshots, alert `since` included: it is a function of the events ≤ T (alerts.ts). */
function comparable(snapshot: EngineSnapshot): unknown {
  return snapshot;
}

function snapshotsAt(engine: Engine, instants: readonly number[]): unknown[] {
  return instants.flatMap((t) => [
    comparable(engine.snapshot(t, null)),
    comparable(engine.snapshot(t, 's2')),
  ]);
}

const seedArbitrary = fc.integer({ min: 1, max: 2 ** 31 - 1 });

describe('order independence', () => {
  it('should give identical snapshots for sorted and window-shuffled arrival with re-sends removed', () => {
    fc.assert(
      fc.property(seedArbitrary, (seed) => {
        const scenario = generateScenario(seed);
        const instants = [0.1, 0.5, 0.9, 1.2, 1.6, 2.1].map((days) => BASE_MS + Math.floor(days * DAY) + 7);
        const sorted = newEngine();
        for (const event of dedupe(byTs(scenario))) sorted.apply(event);
        const shuffled = newEngine();
        for (const event of dedupe(shuffledWithinWindows(scenario, seed))) shuffled.apply(event);
        expect(snapshotsAt(shuffled, instants)).toEqual(snapshotsAt(sorted, instants));
      }),
      { numRuns: 30 },
    );
  });

  it('should give a live engine advanced step by step the snapshot of a fresh engine fed only events ≤ T', () => {
    fc.assert(
      fc.property(seedArbitrary, (seed) => {
        const arrivals = dedupe(shuffledWithinWindows(generateScenario(seed), seed));
        const next = random(seed ^ 0x27d4eb2d);
        // Checkpoints at the end of shuffle windows: every event with ts ≤ T has arrived by then.
        const windowCount = Math.ceil(SCENARIO_MS / SHUFFLE_WINDOW_MS);
        const checkpoints = new Set<number>();
        while (checkpoints.size < 6) checkpoints.add(1 + Math.floor(next() * windowCount));
        const live = newEngine();
        let clockMs = Number.NEGATIVE_INFINITY;
        let compared = 0;
        const compareAt = (window: number) => {
          const asOfMs = BASE_MS + window * SHUFFLE_WINDOW_MS - 1;
          const fresh = newEngine();
          for (const event of arrivals) if (event.tsMs <= asOfMs) fresh.apply(event);
          expect(comparable(live.snapshot(asOfMs, null))).toEqual(comparable(fresh.snapshot(asOfMs, null)));
          expect(comparable(live.snapshot(asOfMs, 's1'))).toEqual(comparable(fresh.snapshot(asOfMs, 's1')));
          compared += 1;
        };
        let nextCheckpoints = [...checkpoints].sort((a, b) => a - b);
        for (const event of arrivals) {
          const window = Math.floor((event.tsMs - BASE_MS) / SHUFFLE_WINDOW_MS);
          while (nextCheckpoints.length > 0 && (nextCheckpoints[0] as number) <= window) {
            compareAt(nextCheckpoints[0] as number);
            nextCheckpoints = nextCheckpoints.slice(1);
          }
          live.apply(event);
          clockMs = Math.max(clockMs, event.tsMs);
          // The live clock is the largest ts seen; it sometimes lags, as a tick cadence would.
          if (next() < 0.5) live.advanceTo(clockMs - Math.floor(next() * 2) * MIN);
        }
        for (const window of nextCheckpoints) compareAt(window);
        expect(compared).toBe(6);
      }),
      { numRuns: 30 },
    );
  });
});
