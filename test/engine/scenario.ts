/**
 * Random event scenarios for the engine's property tests (order independence, checkpoints):
 * not a test file itself.
 */
import { REFUND_PATHS, type PeakEvent } from '../../server/events/index.ts';
import { BASE_MS, DAY, ev, HOUR, MIN } from './event-builders.ts';

export const SHUFFLE_WINDOW_MS = 3 * MIN;
export const SCENARIO_MS = 2 * DAY;
const QUEUES = ['presale', 'aftersale', 'vip'];
const REASONS = ['quality', 'not_as_described', 'no_reason_7d', 'logistics'];

/** mulberry32: a tiny seeded PRNG, so a failing fast-check seed reproduces the same scenario. */
export function random(seed: number): () => number {
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
export function generateScenario(seed: number): PeakEvent[] {
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
export function shuffledWithinWindows(events: readonly PeakEvent[], seed: number): PeakEvent[] {
  const next = random(seed ^ 0x5bd1e995);
  return events
    .map((event) => ({ event, window: Math.floor((event.tsMs - BASE_MS) / SHUFFLE_WINDOW_MS), key: next() }))
    .sort((a, b) => a.window - b.window || a.key - b.key)
    .map(({ event }) => event);
}

export function byTs(events: readonly PeakEvent[]): PeakEvent[] {
  return [...events].sort((a, b) => a.tsMs - b.tsMs);
}

/** What the admission layer does: the first accepted id wins, later ones never reach the engine. */
export function dedupe(events: readonly PeakEvent[]): PeakEvent[] {
  const seen = new Set<string>();
  return events.filter((event) => (seen.has(event.id) ? false : (seen.add(event.id), true)));
}
