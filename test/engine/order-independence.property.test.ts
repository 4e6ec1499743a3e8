import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine, type EngineSnapshot } from '../../server/engine/index.ts';
import { REFUND_PATHS, type PeakEvent } from '../../server/events/index.ts';
import { BASE_MS, DAY, ev, HOUR, MIN } from './event-builders.ts';

const TZ = 'Asia/Shanghai';
const SHUFFLE_WINDOW_MS = 3 * MIN;
const SCENARIO_MS = 2 * DAY;
const QUEUES = ['presale', 'aftersale', 'vip'];
const REASONS = ['quality', 'not_as_described', 'no_reason_7d', 'logistics'];

/** mulberry32: a tiny seeded PRNG, so a failing fast-check seed reproduces the same scenario. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A small random scenario: chats, refunds, agents, orders and 5-minute ticks over two days, with
 * same-millisecond ties, events before openings, second openings and completions, orphans, and
 * ~5% exact re-sends (same id and body, as the admission layer would see them).
 */
function generateScenario(seed: number): PeakEvent[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const shop = () => (next() < 0.7 ? 's1' : 's2');
  const instant = () => BASE_MS + Math.floor(next() * SCENARIO_MS);
  // Coarse offsets make same-millisecond ties between an entity's events common.
  const later = (fromMs: number, maxMs: number) =>
    fromMs + Math.floor(next() * 6) * Math.floor((next() * maxMs) / 5);
  const events: PeakEvent[] = [];
  for (let t = BASE_MS; t <= BASE_MS + SCENARIO_MS; t += 5 * MIN) events.push(ev.tick(t));
  for (let i = 0; i < 12; i += 1) {
    const status = pick(['online', 'busy', 'away', 'offline'] as const);
    events.push(
      ev.agentStatus(
        instant(),
        `a${i % 4}`,
        status,
        [pick(QUEUES), pick([...QUEUES, 'refund'])],
        1 + (i % 4),
        { shop: shop() },
      ),
    );
  }
  for (let i = 0; i < 50; i += 1) events.push(ev.orderPaid(instant(), `o${i}`, { shop: shop() }));
  for (let i = 0; i < 35; i += 1) {
    const o = { shop: shop() };
    const chatId = `c${i % 30}`;
    const startMs = instant();
    if (next() < 0.9) events.push(ev.chatStarted(startMs, chatId, pick(QUEUES), o));
    if (next() < 0.1) events.push(ev.customer(startMs - MIN, chatId, o));
    let t = startMs;
    const steps = Math.floor(next() * 7);
    for (let s = 0; s < steps; s += 1) {
      t = later(t, 40 * MIN);
      const roll = next();
      if (roll < 0.35) events.push(ev.customer(t, chatId, o));
      else if (roll < 0.7) events.push(ev.agent(t, chatId, pick(['a0', 'a1']), o));
      else if (roll < 0.85) events.push(ev.assigned(t, chatId, pick(['a0', 'a1']), o));
      else events.push(ev.transferred(t, chatId, pick(QUEUES), o));
    }
    if (next() < 0.7) events.push(ev.chatClosed(later(t, 30 * MIN), chatId, o));
  }
  for (let i = 0; i < 30; i += 1) {
    const o = { shop: shop() };
    const refundId = `r${i % 26}`;
    const requestedMs = instant();
    if (next() < 0.9) events.push(ev.requested(requestedMs, refundId, pick(REFUND_PATHS), pick(REASONS), o));
    if (next() < 0.1) events.push(ev.responded(requestedMs - MIN, refundId, o));
    let t = requestedMs;
    const steps = Math.floor(next() * 6);
    for (let s = 0; s < steps; s += 1) {
      t = later(t, 6 * HOUR);
      const roll = next();
      if (roll < 0.3) events.push(ev.responded(t, refundId, o));
      else if (roll < 0.45) events.push(ev.updated(t, refundId, { path: pick(REFUND_PATHS) }, o));
      else if (roll < 0.6) events.push(ev.updated(t, refundId, { reason: pick(REASONS) }, o));
      else if (roll < 0.7) events.push(ev.shipped(t, refundId, o));
      else if (roll < 0.8) events.push(ev.received(t, refundId, o));
      else events.push(ev.escalated(t, refundId, o));
    }
    if (next() < 0.7) events.push(ev.succeeded(later(t, 12 * HOUR), refundId, o));
    if (next() < 0.15) events.push(ev.refundClosed(later(t, 12 * HOUR), refundId, o));
  }
  const resent = events.filter(() => next() < 0.05);
  return [...events, ...resent];
}

/** Arrival order: shuffled within 3-minute windows of event time (late by up to ~3 minutes). */
function shuffledWithinWindows(events: readonly PeakEvent[], seed: number): PeakEvent[] {
  const next = random(seed ^ 0x5bd1e995);
  return events
    .map((event) => ({ event, window: Math.floor((event.tsMs - BASE_MS) / SHUFFLE_WINDOW_MS), key: next() }))
    .sort((a, b) => a.window - b.window || a.key - b.key)
    .map(({ event }) => event);
}

function byTs(events: readonly PeakEvent[]): PeakEvent[] {
  return [...events].sort((a, b) => a.tsMs - b.tsMs);
}

/** What the admission layer does: the first accepted id wins, later ones never reach the engine. */
function dedupe(events: readonly PeakEvent[]): PeakEvent[] {
  const seen = new Set<string>();
  return events.filter((event) => (seen.has(event.id) ? false : (seen.add(event.id), true)));
}

function newEngine(): Engine {
  // A 10-minute late horizon makes compaction and orphan pruning happen inside two days.
  return createEngine({ timeZone: TZ, lateHorizonMs: 10 * MIN });
}

/** Snapshots without the observation-based alert `since` (equal only for the other fields). */
function comparable(snapshot: EngineSnapshot): unknown {
  return { ...snapshot, alerts: snapshot.alerts.map(({ since: _since, ...rest }) => rest) };
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
