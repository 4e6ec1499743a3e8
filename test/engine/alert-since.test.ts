/**
 * Alert `since` for windowed conditions is a function of the events ≤ T (alerts.ts,
 * sinceFromHistory): the newest minute boundary ≤ T at which the condition did not hold, looked
 * for over 24 h. Expected instants are worked out by hand from the minute panes in each test.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../server/engine/index.ts';
import { formatInstant, type PeakEvent } from '../../server/events/index.ts';
import { at, BASE_MS, DAY, ev, HOUR, MIN } from './event-builders.ts';

const TZ = 'Asia/Shanghai';
const iso = (ms: number) => formatInstant(ms, TZ);

function engineWith(events: readonly PeakEvent[]): Engine {
  const engine = createEngine({ timeZone: TZ });
  for (const event of events) engine.apply(event);
  return engine;
}

function sinceOf(
  engine: Engine,
  atMs: number,
  metric: string,
  shop: string | null = null,
): string | undefined {
  return engine.snapshot(atMs, shop).alerts.find((alert) => alert.metric === metric)?.since;
}

/** 100 orders spread over the day before BASE, so the refund rate is requests / 100. */
function orders(): PeakEvent[] {
  const events: PeakEvent[] = [];
  for (let i = 0; i < 100; i += 1) events.push(ev.orderPaid(BASE_MS - DAY + i * 10 * MIN + 1, `o${i}`));
  return events;
}

describe('alert since (deterministic)', () => {
  it('should put since at the start of the minute in which a rate rose, and keep it', () => {
    // 3 requests by 20:10:30 → 3/100 = 3% (not above); the 4th at 20:12:30 → 4% > 3%.
    // Boundary 20:12 still sees 3 (not raised), boundary 20:13 sees 4 → since = 20:12:00.
    const events = [
      ...orders(),
      ev.requested(at(0), 'r1', 'unshipped'),
      ev.requested(at(300), 'r2', 'unshipped'),
      ev.requested(at(630), 'r3', 'unshipped'),
      ev.requested(at(750), 'r4', 'unshipped'),
    ];
    const expected = iso(at(720));
    // Asked inside the minute of the rise, and an hour later: the same answer.
    const live = engineWith(events);
    expect(sinceOf(live, at(760), 'refunds.rates30d.refundRate')).toBe(expected);
    expect(sinceOf(live, at(3600), 'refunds.rates30d.refundRate')).toBe(expected);
  });

  it('should give a fresh (time-travel) engine the since of the live engine at the same instant', () => {
    const events = [
      ...orders(),
      ev.requested(at(0), 'r1', 'unshipped'),
      ev.requested(at(300), 'r2', 'unshipped'),
      ev.requested(at(630), 'r3', 'unshipped'),
      ev.requested(at(750), 'r4', 'unshipped'),
      ev.requested(at(2000), 'r5', 'unshipped', 'other', { shop: 's2' }),
    ];
    const live = createEngine({ timeZone: TZ });
    const instants = [at(100), at(700), at(751), at(1000), at(2500), at(9000)];
    let next = 0;
    for (const event of events) {
      while (next < instants.length && (instants[next] as number) < event.tsMs) {
        live.snapshot(instants[next] as number, null);
        next += 1;
      }
      live.apply(event);
    }
    for (; next < instants.length; next += 1) {
      const t = instants[next] as number;
      const fresh = engineWith(events.filter((event) => event.tsMs <= t));
      for (const shop of [null, 's1', 's2']) expect(live.snapshot(t, shop)).toEqual(fresh.snapshot(t, shop));
    }
  });

  it('should start a new since when the condition clears and rises again', () => {
    // 4 requests at 20:00:00.000 … 20:00:03: the 20:00 boundary holds only the first (1%), the
    // 20:01 one all four (4% > 3%) → since 20:00:00. 50 more orders at 21:00:30 → 4/150 ≈ 2.7% (cleared at the
    // 21:01 boundary); 1 more request at 22:05:10 → 5/150 ≈ 3.3% → raised from the 22:06
    // boundary, not at 22:05 → since = 22:05:00.
    const events = [...orders()];
    for (let i = 0; i < 4; i += 1) events.push(ev.requested(at(i), `r${i}`, 'unshipped'));
    for (let i = 0; i < 50; i += 1) events.push(ev.orderPaid(at(3630), `late-o${i}`));
    events.push(ev.requested(at(7510), 'r9', 'unshipped'));
    const engine = engineWith(events);
    expect(sinceOf(engine, at(3000), 'refunds.rates30d.refundRate')).toBe(iso(at(0)));
    expect(sinceOf(engine, at(3700), 'refunds.rates30d.refundRate')).toBeUndefined();
    expect(sinceOf(engine, at(8000), 'refunds.rates30d.refundRate')).toBe(iso(at(7500)));
  });

  it('should report the 24 h look-back limit for a condition older than that', () => {
    const events = [...orders(), ev.requested(at(0), 'r1', 'unshipped')];
    for (let i = 2; i < 6; i += 1) events.push(ev.requested(at(i), `r${i}`, 'unshipped'));
    const engine = engineWith(events);
    // Raised from the 20:01 boundary of day 0 (since 20:00); asked 2 days later at 20:00:30 → the oldest
    // boundary looked at is 24 h before 20:00 of that day.
    expect(sinceOf(engine, at(30) + 2 * DAY, 'refunds.rates30d.refundRate')).toBe(iso(at(0) + DAY));
  });

  it('should time chat first-response alerts from their 60-minute panes', () => {
    // Two chats answered after 3 h (above the 2 h threshold): first answers at 20:30:20 and
    // 20:40:00. The 60-min window at 20:30 is empty, at 20:31 it holds one → since = 20:30:00.
    const events = [
      ev.chatStarted(at(1820) - 3 * HOUR, 'c1', 'presale'),
      ev.agent(at(1820), 'c1'),
      ev.chatStarted(at(2400) - 3 * HOUR, 'c2', 'presale'),
      ev.agent(at(2400), 'c2'),
    ];
    const engine = engineWith(events);
    const metric = 'chat.queues.presale.firstResponse60m.avgSec';
    expect(sinceOf(engine, at(1830), metric)).toBe(iso(at(1800)));
    expect(sinceOf(engine, at(3000), metric)).toBe(iso(at(1800)));
    // Both answers leave the 60-min window at 21:40:00: cleared from then on.
    expect(sinceOf(engine, at(6000), metric)).toBeUndefined();
  });

  it('should keep since per shop scope', () => {
    const events = [...orders()];
    // Shop s2 has no orders at all: its rate is null (no alert); s1 and all have 4 / 100.
    for (let i = 0; i < 4; i += 1) events.push(ev.requested(at(60 * i + 1), `r${i}`, 'unshipped'));
    events.push(ev.requested(at(30), 'x1', 'unshipped', 'other', { shop: 's2' }));
    const engine = engineWith(events);
    // s1: requests at 20:00:01, 20:01:01, 20:02:01, 20:03:01 → 4% from the 20:04 boundary →
    // since 20:03. All shops: the s2 request at 20:00:30 makes 4 at the 20:03 boundary → 20:02.
    expect(sinceOf(engine, at(600), 'refunds.rates30d.refundRate', 's1')).toBe(iso(at(180)));
    expect(sinceOf(engine, at(600), 'refunds.rates30d.refundRate')).toBe(iso(at(120)));
    expect(sinceOf(engine, at(600), 'refunds.rates30d.refundRate', 's2')).toBeUndefined();
  });
});
