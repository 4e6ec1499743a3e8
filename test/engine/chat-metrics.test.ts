import { describe, expect, it } from 'vitest';
import { createEngine, type ChatQueueAggregates, type EngineSnapshot } from '../../server/engine/index.ts';
import type { PeakEvent } from '../../server/events/index.ts';
import { at, ev, HOUR, MIN } from './event-builders.ts';

const TZ = 'Asia/Shanghai';

type QueueName = 'presale' | 'aftersale' | 'vip' | 'bulk';

/** The snapshot's chat queues, typed by the names these tests use (a missing one fails the test). */
function queuesOf(snapshot: EngineSnapshot): Record<QueueName, ChatQueueAggregates> {
  return snapshot.chat.queues as Record<QueueName, ChatQueueAggregates>;
}

function engineWith(events: PeakEvent[]) {
  const engine = createEngine({ timeZone: TZ });
  for (const event of events) engine.apply(event);
  return engine;
}

describe('chat queues', () => {
  it('should count a new chat as waiting and unassigned, with its wait measured from chat.started', () => {
    const engine = engineWith([ev.chatStarted(at(0), 'c1', 'presale')]);
    const queue = queuesOf(engine.snapshot(at(90), null)).presale;
    // Waiting since 0 s, snapshot at 90 s → 90 s.
    expect(queue).toMatchObject({ waiting: 1, unassigned: 1, oldestWaitSec: 90, unansweredOver30m: 0 });
  });

  it('should measure the wait from the earliest customer message after the last agent message', () => {
    const engine = engineWith([
      ev.chatStarted(at(0), 'c1', 'aftersale'),
      ev.assigned(at(5), 'c1'),
      ev.agent(at(10), 'c1'),
      ev.customer(at(20), 'c1'),
      ev.customer(at(50), 'c1'),
    ]);
    const queue = queuesOf(engine.snapshot(at(100), null)).aftersale;
    // Last agent message at 10 s; earliest customer message after it at 20 s → 100 − 20 = 80 s.
    expect(queue).toMatchObject({ waiting: 1, unassigned: 0, oldestWaitSec: 80 });
  });

  it('should not count a chat as waiting after an agent message answers it', () => {
    const engine = engineWith([ev.chatStarted(at(0), 'c1', 'presale'), ev.agent(at(10), 'c1')]);
    expect(queuesOf(engine.snapshot(at(100), null)).presale).toMatchObject({
      waiting: 0,
      oldestWaitSec: 0,
    });
  });

  it('should treat an agent message at the same millisecond as a customer message as answering it', () => {
    const engine = engineWith([
      ev.chatStarted(at(0), 'c1', 'presale'),
      ev.agent(at(10), 'c1', 'a1', { id: 'a-early-id' }),
      // Same ms; the agent message has the smaller id yet still applies after the customer message.
      ev.customer(at(10), 'c1', { id: 'z-late-id' }),
    ]);
    expect(queuesOf(engine.snapshot(at(100), null)).presale.waiting).toBe(0);
  });

  it('should count a wait of exactly 1800 s as unanswered over 30 min, and 1799.999 s as not', () => {
    const engine = engineWith([ev.chatStarted(at(0), 'c1', 'presale')]);
    expect(queuesOf(engine.snapshot(at(1800) - 1, null)).presale.unansweredOver30m).toBe(0);
    // Time passing alone raises it: no event arrives between the two snapshots.
    const queue = queuesOf(engine.snapshot(at(1800), null)).presale;
    expect(queue.unansweredOver30m).toBe(1);
    expect(queue.oldestWaitSec).toBe(1800);
  });

  it('should report firstResponse60m count, mean and nearest-rank p90 under the queue at the first agent message', () => {
    // Ten chats started at 0 s, first answered after 10, 20, …, 100 s.
    const events: PeakEvent[] = [];
    for (let i = 1; i <= 10; i += 1) {
      events.push(ev.chatStarted(at(0), `c${i}`, 'presale'));
      events.push(ev.agent(at(10 * i), `c${i}`));
    }
    const engine = engineWith(events);
    const stats = queuesOf(engine.snapshot(at(200), null)).presale.firstResponse60m;
    // Mean (10+…+100)/10 = 55 s; p90 nearest rank ⌈0.9·10⌉ = 9th value = 90 s.
    expect(stats).toEqual({ count: 10, avgSec: 55, p90Sec: 90 });
  });

  it('should count a first response in (T − 60 min, T] and drop it exactly 60 min after', () => {
    const engine = engineWith([ev.chatStarted(at(0), 'c1', 'presale'), ev.agent(at(30), 'c1')]);
    // Agent message at 30 s; at 30 s + 60 min − 1 ms it is inside, at 30 s + 60 min it is on the open lower edge.
    expect(queuesOf(engine.snapshot(at(30) + HOUR - 1, null)).presale.firstResponse60m.count).toBe(1);
    expect(queuesOf(engine.snapshot(at(30) + HOUR, null)).presale.firstResponse60m).toEqual({
      count: 0,
      avgSec: null,
      p90Sec: null,
    });
  });

  it('should move a transferred chat to its new queue, group its first response there, and keep it unassigned', () => {
    const engine = engineWith([
      ev.chatStarted(at(0), 'c1', 'presale'),
      ev.transferred(at(10), 'c1', 'aftersale'),
      ev.customer(at(15), 'c1'),
    ]);
    const before = queuesOf(engine.snapshot(at(20), null));
    // A transfer is not an assignment: still unassigned; waiting since the start (0 s) → 20 s.
    expect(before.presale).toMatchObject({ waiting: 0, unassigned: 0 });
    expect(before.aftersale).toMatchObject({ waiting: 1, unassigned: 1, oldestWaitSec: 20 });
    engine.apply(ev.agent(at(40), 'c1'));
    engine.apply(ev.transferred(at(50), 'c1', 'vip'));
    const after = queuesOf(engine.snapshot(at(60), null));
    // First agent message at 40 s while in aftersale: 40 s first response counted there, not in vip.
    expect(after.aftersale.firstResponse60m).toEqual({ count: 1, avgSec: 40, p90Sec: 40 });
    expect(after.vip).toMatchObject({ waiting: 0, unassigned: 1, firstResponse60m: { count: 0 } });
  });

  it('should count a chat closed with no agent message as abandoned under its queue at the close', () => {
    const engine = engineWith([
      ev.chatStarted(at(0), 'c1', 'presale'),
      ev.transferred(at(10), 'c1', 'aftersale'),
      ev.chatClosed(at(20), 'c1'),
      ev.chatStarted(at(0), 'c2', 'presale'),
      // Agent message at the same ms as the close comes before it: not abandoned.
      ev.agent(at(30), 'c2'),
      ev.chatClosed(at(30), 'c2'),
    ]);
    const queues = queuesOf(engine.snapshot(at(60), null));
    expect(queues.aftersale.abandoned60m).toBe(1);
    expect(queues.presale.abandoned60m).toBe(0);
    expect(queues.presale.waiting + queues.aftersale.waiting).toBe(0);
    expect(queuesOf(engine.snapshot(at(20) + HOUR, null)).aftersale.abandoned60m).toBe(0);
  });

  it('should count agents online or busy for each queue their latest status lists, and drop them when away', () => {
    const engine = engineWith([
      ev.agentStatus(at(0), 'a1', 'online', ['presale', 'aftersale']),
      ev.agentStatus(at(0), 'a2', 'busy', ['presale']),
      ev.agentStatus(at(0), 'a3', 'online', ['refund']),
    ]);
    let queues = queuesOf(engine.snapshot(at(10), null));
    expect(queues.presale.agentsOnline).toBe(2);
    expect(queues.aftersale.agentsOnline).toBe(1);
    engine.apply(ev.agentStatus(at(20), 'a1', 'away', ['presale', 'aftersale']));
    queues = queuesOf(engine.snapshot(at(30), null));
    expect(queues.presale.agentsOnline).toBe(1);
    expect(queues.aftersale.agentsOnline).toBe(0);
    // An older status arriving late does not override the latest one.
    engine.apply(ev.agentStatus(at(15), 'a1', 'online', ['aftersale']));
    expect(queuesOf(engine.snapshot(at(40), null)).aftersale.agentsOnline).toBe(0);
  });

  it('should list presale and aftersale always, plus queues named by the scope shop chat events', () => {
    const engine = engineWith([
      ev.chatStarted(at(0), 'c1', 'vip', { shop: 's1' }),
      ev.chatStarted(at(0), 'c1', 'presale', { shop: 's2' }),
      ev.transferred(at(5), 'c1', 'bulk', { shop: 's2' }),
    ]);
    expect(Object.keys(engine.snapshot(at(10), null).chat.queues)).toEqual([
      'presale',
      'aftersale',
      'bulk',
      'vip',
    ]);
    expect(Object.keys(engine.snapshot(at(10), 's1').chat.queues)).toEqual(['presale', 'aftersale', 'vip']);
    const s2 = queuesOf(engine.snapshot(at(10), 's2'));
    expect(Object.keys(s2)).toEqual(['presale', 'aftersale', 'bulk']);
    // The same chat id in two shops is two chats.
    expect(s2.bulk.waiting).toBe(1);
    expect(queuesOf(engine.snapshot(at(10), 'unknown-shop')).presale.waiting).toBe(0);
  });

  it('should list only the queues a chat was in: not a second opening, a transfer after the close or an orphan transfer', () => {
    const engine = engineWith([
      ev.chatStarted(at(0), 'c1', 'presale'),
      ev.chatClosed(at(10), 'c1'),
      // The same id again after the close: no effect (EVENTS.md), so no queue either.
      ev.chatStarted(at(20), 'c1', 'vip'),
      ev.transferred(at(30), 'c1', 'bulk'),
      // A transfer of a chat that never opened.
      ev.transferred(at(30), 'c2', 'bulk'),
    ]);
    expect(Object.keys(engine.snapshot(at(40), null).chat.queues)).toEqual(['presale', 'aftersale']);
    // A late close before a transfer takes that transfer's queue off again; a late opening
    // earlier than the first makes its queue the one the chat was in.
    const late = engineWith([ev.chatStarted(at(0), 'c3', 'presale'), ev.transferred(at(20), 'c3', 'vip')]);
    expect(Object.keys(late.snapshot(at(25), null).chat.queues)).toEqual(['presale', 'aftersale', 'vip']);
    late.apply(ev.chatClosed(at(10), 'c3'));
    late.apply(ev.chatStarted(at(-5), 'c3', 'bulk'));
    expect(Object.keys(late.snapshot(at(40), null).chat.queues)).toEqual(['presale', 'aftersale', 'bulk']);
  });

  it('should ignore events before chat.started and a second chat.started', () => {
    const engine = engineWith([
      ev.agent(at(0), 'c1'),
      ev.chatStarted(at(10), 'c1', 'presale'),
      ev.chatStarted(at(20), 'c1', 'aftersale'),
    ]);
    const queues = queuesOf(engine.snapshot(at(30), null));
    // The agent message before the opening answers nothing; the later opening changes no queue.
    expect(queues.presale).toMatchObject({ waiting: 1, oldestWaitSec: 20, firstResponse60m: { count: 0 } });
    expect(queues.aftersale.waiting).toBe(0);
  });

  it('should list the oldest waiting chats first with queue, wait and assigned agent', () => {
    const engine = engineWith([
      ev.chatStarted(at(0), 'c1', 'presale'),
      ev.chatStarted(at(-30), 'c2', 'aftersale'),
      ev.assigned(at(1), 'c2', 'agent-7'),
      ev.chatStarted(at(5), 'c3', 'presale'),
      ev.agent(at(6), 'c3'),
    ]);
    const items = engine.unanswered({ kind: 'chat', shop: null, limit: 5, asOfMs: at(60) });
    expect(items.map((item) => [item.id, item.waitSec, item.agentId])).toEqual([
      ['c2', 90, 'agent-7'],
      ['c1', 60, null],
    ]);
    expect(items[0]).toMatchObject({
      kind: 'chat',
      queue: 'aftersale',
      waitingSince: '2026-11-11T19:59:30.000+08:00',
    });
    expect(engine.unanswered({ kind: 'chat', shop: null, limit: 1, asOfMs: at(60) })).toHaveLength(1);
  });

  it('should apply a late agent message in the middle of a chat history exactly where it belongs', () => {
    const engine = engineWith([ev.chatStarted(at(0), 'c1', 'presale'), ev.customer(at(100), 'c1')]);
    expect(queuesOf(engine.snapshot(at(200), null)).presale.oldestWaitSec).toBe(200);
    // Arrives after the snapshot, with ts 50 s: it answered the start; the wait now runs from 100 s.
    engine.apply(ev.agent(at(50), 'c1'));
    const queue = queuesOf(engine.snapshot(at(200), null)).presale;
    expect(queue.oldestWaitSec).toBe(100);
    expect(queue.firstResponse60m).toEqual({ count: 1, avgSec: 50, p90Sec: 50 });
  });

  it('should keep events ahead of the snapshot instant out of it until time reaches them', () => {
    const engine = engineWith([
      ev.chatStarted(at(0), 'c1', 'presale'),
      ev.chatStarted(at(300), 'c2', 'presale'),
    ]);
    expect(queuesOf(engine.snapshot(at(100), null)).presale.waiting).toBe(1);
    expect(queuesOf(engine.snapshot(at(300), null)).presale.waiting).toBe(2);
    expect(() => engine.snapshot(at(299), null)).toThrow(RangeError);
  });

  it('should count a late event for a chat compacted beyond the late horizon as dropped', () => {
    const engine = createEngine({ timeZone: TZ, lateHorizonMs: 10 * MIN });
    engine.apply(ev.chatStarted(at(0), 'c1', 'presale'));
    engine.apply(ev.chatClosed(at(60), 'c1'));
    engine.advanceTo(at(60) + 11 * MIN);
    engine.apply(ev.agent(at(30), 'c1'));
    expect(engine.stats().lateEventsDropped).toBe(1);
  });
});
