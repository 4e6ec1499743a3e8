import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PaneRing } from '../../server/engine/pane-ring.ts';

const WINDOW = 5;
const LOOKBACK = 10;
const SLOTS = WINDOW + LOOKBACK + 2;

type Step = { kind: 'add'; offset: number; delta: number } | { kind: 'move'; by: number };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  // Additions land anywhere from below the floor (ignored) to the pane after the head.
  fc.record({
    kind: fc.constant('add' as const),
    offset: fc.integer({ min: -SLOTS - 2, max: 1 }),
    delta: fc.integer({ min: -3, max: 5 }),
  }),
  // Head moves: single minutes, short steps of several panes, and jumps past the window or the ring.
  fc.record({
    kind: fc.constant('move' as const),
    by: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 40 })),
  }),
);

describe('PaneRing', () => {
  it('should keep the window sum equal to the sum of the kept panes through any adds and head moves', () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { minLength: 1, maxLength: 200 }), (steps) => {
        const ring = new PaneRing(SLOTS, 1, WINDOW);
        // The reference: pane → value, forgetting panes below the floor as the ring does.
        const kept = new Map<number, number>();
        let head = 100;
        for (const step of steps) {
          if (step.kind === 'add') {
            const pane = head + step.offset;
            ring.add(pane, 0, step.delta, head);
            if (pane >= ring.floorOf(head)) kept.set(pane, (kept.get(pane) ?? 0) + step.delta);
          } else {
            ring.moveHead(head, head + step.by);
            head += step.by;
            for (const pane of kept.keys()) if (pane < ring.floorOf(head)) kept.delete(pane);
          }
          let windowSum = 0;
          for (let pane = head - WINDOW + 1; pane <= head; pane += 1) windowSum += kept.get(pane) ?? 0;
          expect(ring.windowSums[0]).toBe(windowSum);
          for (let pane = ring.floorOf(head); pane <= head + 1; pane += 1) {
            expect(ring.get(pane, 0)).toBe(kept.get(pane) ?? 0);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('should let panes that enter on a multi-minute step start empty after the ring wrapped', () => {
    const ring = new PaneRing(SLOTS, 1, WINDOW);
    let head = 100;
    // Fill the whole kept range, then step by 4: panes head + 2 … head + 4 reuse the floor's slots.
    for (let pane = ring.floorOf(head); pane <= head; pane += 1) ring.add(pane, 0, 1, head);
    expect(ring.windowSums[0]).toBe(WINDOW);
    ring.moveHead(head, head + 4);
    head += 4;
    // Panes head − 4 … head − 3 are the only filled ones left in the window (2 of them).
    expect(ring.windowSums[0]).toBe(WINDOW - 4);
  });
});
