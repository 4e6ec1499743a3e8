import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IngestTally, type Outcome } from '../../scripts/lib/backtest/ingest-tally.ts';

/** The definition: a row's counts are the lines dated (rounded up to the second) at or before it. */
class ReferenceTally {
  private readonly dated: { outcome: Outcome; datedMs: number }[] = [];
  count(outcome: Outcome, tsMs: number): void {
    this.dated.push({ outcome, datedMs: Math.ceil(tsMs / 1000) * 1000 });
  }
  settle(instantMs: number): Record<Outcome, number> {
    const counts = { accepted: 0, duplicates: 0, rejected: 0 };
    for (const { outcome, datedMs } of this.dated) if (datedMs <= instantMs) counts[outcome] += 1;
    return counts;
  }
}

const BASE_MS = Date.parse('2026-11-11T00:00:00Z');
const outcome = fc.constantFrom<Outcome>('accepted', 'duplicates', 'rejected');
// Near the rows (most lines; some within a second or two of a later row), around the ring's
// smallest sizes (1,024 and 2,048 s: a slot then serves two seconds), far behind or ahead of
// them (a day, a year), and undated (−∞).
const offsetMs = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -600_000, max: 1_800_000 }) },
  {
    weight: 3,
    arbitrary: fc
      .integer({ min: 0, max: 30 })
      .chain((minutes) => fc.integer({ min: minutes * 60_000 - 2_000, max: minutes * 60_000 + 2_000 })),
  },
  { weight: 2, arbitrary: fc.integer({ min: 1015, max: 1035 }).map((seconds) => seconds * 1000) },
  { weight: 2, arbitrary: fc.integer({ min: 2040, max: 2060 }).map((seconds) => seconds * 1000) },
  { weight: 1, arbitrary: fc.integer({ min: -86_400_000, max: 400 * 86_400_000 }) },
  { weight: 1, arbitrary: fc.constant(Number.NEGATIVE_INFINITY) },
);
const step = fc.oneof(
  fc.record({ kind: fc.constant('count' as const), outcome, offsetMs }),
  fc.record({
    kind: fc.constant('row' as const),
    advanceSec: fc.integer({ min: 0, max: 30 }).map((minutes) => minutes * 60),
  }),
);

describe('ingest tally', () => {
  it('should give every row the counts of the lines dated at or before it, whatever the spread', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 50, maxLength: 400, size: 'max' }),
        fc.constantFrom(0, 900_000, 1_200_000, 3_600_000),
        (steps, spanMs) => {
          const tally = new IngestTally(spanMs);
          const reference = new ReferenceTally();
          let rowMs = BASE_MS;
          for (const item of steps) {
            if (item.kind === 'count') {
              // Lines are dated around the next row, as the clock runs ahead of the rows.
              const tsMs = rowMs + item.offsetMs + 0.5;
              tally.count(item.outcome, tsMs);
              reference.count(item.outcome, tsMs);
            } else {
              rowMs += item.advanceSec * 1000;
              expect({ ...tally.settle(rowMs) }).toEqual(reference.settle(rowMs));
            }
          }
          rowMs += 500 * 86_400_000;
          expect({ ...tally.settle(rowMs) }).toEqual(reference.settle(rowMs));
        },
      ),
      { numRuns: 300 },
    );
  });
});
