import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, type EngineProbe, type EngineSnapshot } from '../../server/engine/index.ts';
import { BASE_MS, MIN } from './event-builders.ts';
import { dedupe, generateScenario, random, SCENARIO_MS, shuffledWithinWindows } from './scenario.ts';

const TZ = 'Asia/Shanghai';

/** The probe's figures as the snapshot states them. */
function fromSnapshot(snapshot: EngineSnapshot) {
  const queues = Object.keys(snapshot.chat.queues);
  return {
    chatQueues: queues,
    waiting: queues.map((queue) => snapshot.chat.queues[queue]?.waiting),
    unansweredOver30m: queues.map((queue) => snapshot.chat.queues[queue]?.unansweredOver30m),
    refundsAwaitingResponse: snapshot.refunds.awaitingResponse,
    refundsUnansweredOver30m: snapshot.refunds.unansweredOver30m,
  };
}

function fromProbe(probe: EngineProbe): ReturnType<typeof fromSnapshot> {
  return {
    chatQueues: [...probe.chatQueues],
    waiting: [...probe.chatWaiting],
    unansweredOver30m: [...probe.chatUnansweredOver30m],
    refundsAwaitingResponse: probe.refundsAwaitingResponse,
    refundsUnansweredOver30m: probe.refundsUnansweredOver30m,
  };
}

describe('engine probe', () => {
  it('should give the queue depths and unanswered counts of a snapshot at the same instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const arrivals = dedupe(shuffledWithinWindows(generateScenario(seed), seed));
        const next = random(seed ^ 0x5bd1e995);
        // Probed (one engine) and snapshotted (another) at the same instants, events fed alike.
        const probed = createEngine({ timeZone: TZ, lateHorizonMs: 10 * MIN });
        const snapshotted = createEngine({ timeZone: TZ, lateHorizonMs: 10 * MIN });
        let atMs = BASE_MS;
        let index = 0;
        while (atMs < BASE_MS + SCENARIO_MS + 60 * MIN) {
          atMs += Math.floor(next() * 40 * MIN);
          while (index < arrivals.length && (arrivals[index]?.tsMs ?? 0) <= atMs + 3 * MIN) {
            const event = arrivals[index++];
            if (event === undefined) break;
            probed.apply(event);
            snapshotted.apply(event);
          }
          for (const shop of [null, 's1', 's2', 'none']) {
            expect(fromProbe(probed.probe(atMs, shop))).toEqual(
              fromSnapshot(snapshotted.snapshot(atMs, shop)),
            );
          }
        }
      }),
      { numRuns: 15 },
    );
  });
});
