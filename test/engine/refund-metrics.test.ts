import { describe, expect, it } from 'vitest';
import { createEngine, metricValue, type StaffingRow } from '../../server/engine/index.ts';
import type { PeakEvent } from '../../server/events/index.ts';
import type { StaffingConfig, StaffingInput } from '../../server/staffing/types.ts';
import { at, DAY, ev, HOUR } from './event-builders.ts';

const TZ = 'Asia/Shanghai';

function engineWith(events: PeakEvent[]) {
  const engine = createEngine({ timeZone: TZ });
  for (const event of events) engine.apply(event);
  return engine;
}

describe('refund desk', () => {
  it('should count open refunds with no response as awaiting, unanswered from exactly 1800 s', () => {
    const engine = engineWith([
      ev.requested(at(0), 'r1', 'unshipped'),
      ev.requested(at(600), 'r2', 'in_transit'),
      ev.requested(at(0), 'r3', 'unshipped'),
      ev.responded(at(60), 'r3'),
    ]);
    let refunds = engine.snapshot(at(1800) - 1, null).refunds;
    expect(refunds).toMatchObject({
      awaitingResponse: 2,
      unansweredOver30m: 0,
      oldestUnansweredSec: 1799.999,
    });
    refunds = engine.snapshot(at(1800), null).refunds;
    // r1 requested at 0 s: T − requested = 1800 s → counts; r2 (1200 s) does not; r3 was answered.
    expect(refunds).toMatchObject({ awaitingResponse: 2, unansweredOver30m: 1, oldestUnansweredSec: 1800 });
    expect(refunds.paths.unshipped.open).toBe(2);
    expect(refunds.paths.all.open).toBe(3);
  });

  it('should apply a refund.responded that arrives before its refund.requested', () => {
    const engine = engineWith([ev.responded(at(120), 'r1')]);
    expect(engine.snapshot(at(130), null).refunds.paths.all.open).toBe(0);
    engine.apply(ev.requested(at(0), 'r1', 'unshipped'));
    const refunds = engine.snapshot(at(140), null).refunds;
    // Responded 120 s after the request.
    expect(refunds.awaitingResponse).toBe(0);
    expect(refunds.paths.unshipped.firstResponseAvgSec30d).toBe(120);
  });

  it('should ignore events of a refund that come before its request', () => {
    const engine = engineWith([ev.responded(at(0), 'r1'), ev.requested(at(10), 'r1', 'unshipped')]);
    expect(engine.snapshot(at(20), null).refunds).toMatchObject({ awaitingResponse: 1 });
  });

  it('should report completion count, mean and nearest-rank p50/p90 per path and for all', () => {
    const events: PeakEvent[] = [];
    // unshipped: durations 1..5 h; return_refund: 10 h.
    for (let i = 1; i <= 5; i += 1) {
      events.push(ev.requested(at(0), `u${i}`, 'unshipped'));
      events.push(ev.succeeded(at(0) + i * HOUR, `u${i}`));
    }
    events.push(ev.requested(at(0), 'x1', 'return_refund'));
    events.push(ev.refundClosed(at(0) + 10 * HOUR, 'x1'));
    const paths = engineWith(events).snapshot(at(0) + DAY, null).refunds.paths;
    // unshipped: mean 3 h = 10800 s; p50 = ⌈2.5⌉ = 3rd = 3 h; p90 = ⌈4.5⌉ = 5th = 5 h.
    expect(paths.unshipped).toMatchObject({
      open: 0,
      completed30d: 5,
      avgCompletionSec30d: 10_800,
      p50CompletionSec30d: 10_800,
      p90CompletionSec30d: 18_000,
    });
    // all: 1,2,3,4,5,10 h: mean 25/6 h = 15000 s; p50 = 3rd = 3 h; p90 = ⌈5.4⌉ = 6th = 10 h.
    expect(paths.all).toMatchObject({
      completed30d: 6,
      avgCompletionSec30d: 15_000,
      p50CompletionSec30d: 10_800,
      p90CompletionSec30d: 36_000,
    });
    expect(paths.in_transit).toMatchObject({
      completed30d: 0,
      avgCompletionSec30d: null,
      p50CompletionSec30d: null,
      p90CompletionSec30d: null,
      firstResponseAvgSec30d: null,
    });
  });

  it('should keep a completion in the 30-day window until exactly 30 days after it', () => {
    const completionMs = at(3600);
    const engine = engineWith([ev.requested(at(0), 'r1', 'in_transit'), ev.succeeded(completionMs, 'r1')]);
    // (T − 30 d, T]: at completion + 30 d − 1 ms inside; at completion + 30 d on the open lower edge.
    expect(engine.snapshot(completionMs + 30 * DAY - 1, null).refunds.paths.in_transit.completed30d).toBe(1);
    expect(engine.snapshot(completionMs + 30 * DAY, null).refunds.paths.in_transit.completed30d).toBe(0);
  });

  it('should group open and completed refunds under their latest path', () => {
    const engine = engineWith([
      ev.requested(at(0), 'r1', 'unshipped'),
      ev.updated(at(100), 'r1', { path: 'return_refund' }),
      ev.updated(at(50), 'r1', { path: 'in_transit' }),
    ]);
    let paths = engine.snapshot(at(200), null).refunds.paths;
    // The update at 100 s is the latest, though it arrived first.
    expect([paths.unshipped.open, paths.in_transit.open, paths.return_refund.open]).toEqual([0, 0, 1]);
    engine.apply(ev.succeeded(at(1000), 'r1'));
    paths = engine.snapshot(at(1000), null).refunds.paths;
    expect(paths.return_refund).toMatchObject({ open: 0, completed30d: 1, avgCompletionSec30d: 1000 });
    expect(paths.unshipped.completed30d).toBe(0);
  });

  it('should ignore and count a second completion of the same refund', () => {
    const engine = engineWith([
      ev.requested(at(0), 'r1', 'unshipped'),
      ev.succeeded(at(100), 'r1'),
      ev.refundClosed(at(50), 'r1'),
      ev.succeeded(at(200), 'r1'),
    ]);
    const refunds = engine.snapshot(at(300), null).refunds;
    // The earliest completion (50 s) counts once; the other two are second completions.
    expect(refunds.paths.all).toMatchObject({ completed30d: 1, avgCompletionSec30d: 50 });
    expect(refunds.secondCompletions).toBe(2);
    expect(engine.stats().secondCompletions).toBe(2);
  });

  it('should count quality → no_reason_7d in the experience rate but not the quality rate', () => {
    const events: PeakEvent[] = [];
    for (let i = 0; i < 10; i += 1) events.push(ev.orderPaid(at(i), `o${i}`));
    events.push(ev.requested(at(100), 'r1', 'unshipped', 'quality'));
    events.push(ev.updated(at(200), 'r1', { reason: 'no_reason_7d' }));
    events.push(ev.requested(at(100), 'r2', 'unshipped', 'logistics'));
    events.push(ev.updated(at(200), 'r2', { reason: 'not_as_described' }));
    const rates = engineWith(events).snapshot(at(300), null).refunds.rates30d;
    // 10 orders, 2 refunds; latest reasons: r2 quality → 1/10; first reasons: r1 quality → 1/10.
    expect(rates).toEqual({
      orders: 10,
      refunds: 2,
      refundRate: 0.2,
      disputeRate: 0,
      qualityRefundRate: 0.1,
      experienceRefundRate: 0.1,
    });
  });

  it('should give null rates with zero orders', () => {
    const rates = engineWith([ev.requested(at(0), 'r1', 'unshipped')]).snapshot(at(10), null).refunds
      .rates30d;
    expect(rates).toMatchObject({ orders: 0, refunds: 1, refundRate: null, disputeRate: null });
  });

  it('should count a dispute at its first escalation only, and orders over (T − 30 d, T]', () => {
    const events: PeakEvent[] = [
      ev.orderPaid(at(0), 'o1'),
      ev.orderPaid(at(0) + 10 * DAY, 'o2'),
      ev.requested(at(0), 'r1', 'in_transit'),
      ev.escalated(at(60), 'r1'),
      ev.escalated(at(0) + 20 * DAY, 'r1'),
      ev.requested(at(0) + 5 * DAY, 'r2', 'in_transit'),
      ev.escalated(at(0) + 6 * DAY, 'r2'),
    ];
    const engine = engineWith(events);
    // At 30 d + 60 s: o1 (0 s) and r1 (first escalation 60 s) are out; o2 and r2 in → 1/1.
    const rates = engine.snapshot(at(60) + 30 * DAY, null).refunds.rates30d;
    expect(rates).toMatchObject({ orders: 1, refunds: 1, refundRate: 1, disputeRate: 1 });
    // 1 ms earlier, r1's first escalation (60 s) is still inside: 2 disputes over 2 orders.
    const fresh = engineWith(events).snapshot(at(60) + 30 * DAY - 1, null).refunds.rates30d;
    expect(fresh).toMatchObject({ orders: 1, disputeRate: 2 });
  });

  it('should average first responses over refunds first responded in the window, under the latest path', () => {
    const engine = engineWith([
      ev.requested(at(0), 'r1', 'unshipped'),
      ev.responded(at(600), 'r1'),
      ev.responded(at(60), 'r1'),
      ev.requested(at(0), 'r2', 'unshipped'),
      ev.responded(at(300), 'r2'),
      ev.updated(at(400), 'r2', { path: 'in_transit' }),
    ]);
    const paths = engine.snapshot(at(1000), null).refunds.paths;
    // r1: first response 60 s (unshipped); r2: 300 s, now in_transit; all: (60+300)/2 = 180 s.
    expect(paths.unshipped.firstResponseAvgSec30d).toBe(60);
    expect(paths.in_transit.firstResponseAvgSec30d).toBe(300);
    expect(paths.all.firstResponseAvgSec30d).toBe(180);
  });

  it('should report lifecycle node durations of completed refunds', () => {
    const engine = engineWith([
      ev.requested(at(0), 'r1', 'return_refund'),
      ev.responded(at(100), 'r1'),
      ev.shipped(at(1100), 'r1'),
      ev.received(at(4100), 'r1'),
      ev.succeeded(at(4600), 'r1'),
      ev.requested(at(0), 'r2', 'return_refund'),
      ev.responded(at(300), 'r2'),
      ev.refundClosed(at(400), 'r2'),
    ]);
    const nodes = engine.snapshot(at(5000), null).refunds.paths.return_refund.nodes;
    // to first response: (100 + 300)/2 = 200; waybill 1100 − 100 = 1000; goods 4100 − 1100 = 3000;
    // last node → completion: r1 4600 − 4100 = 500, r2 400 − 300 = 100 → 300.
    expect(nodes).toEqual({
      toFirstResponseAvgSec: 200,
      toReturnShippedAvgSec: 1000,
      toGoodsReceivedAvgSec: 3000,
      toCompletionAvgSec: 300,
    });
  });

  it('should separate shops under the shop filter and add them up without it', () => {
    const engine = engineWith([
      ev.orderPaid(at(0), 'o1', { shop: 's1' }),
      ev.orderPaid(at(0), 'o1', { shop: 's2' }),
      ev.orderPaid(at(0), 'o2', { shop: 's2' }),
      ev.requested(at(0), 'r1', 'unshipped', 'other', { shop: 's1' }),
      ev.requested(at(0), 'r1', 'unshipped', 'other', { shop: 's2' }),
      ev.succeeded(at(10), 'r1', { shop: 's2' }),
    ]);
    const s1 = engine.snapshot(at(20), 's1').refunds;
    const s2 = engine.snapshot(at(20), 's2').refunds;
    const both = engine.snapshot(at(20), null).refunds;
    expect([s1.awaitingResponse, s2.awaitingResponse, both.awaitingResponse]).toEqual([1, 0, 1]);
    expect([s1.rates30d.refundRate, s2.rates30d.refundRate, both.rates30d.refundRate]).toEqual([
      1,
      0.5,
      2 / 3,
    ]);
    expect([s1.paths.all.completed30d, s2.paths.all.completed30d, both.paths.all.completed30d]).toEqual([
      0, 1, 1,
    ]);
    expect(engine.snapshot(at(20), 's2').shop).toBe('s2');
  });

  it('should list refunds awaiting a first response oldest first', () => {
    const engine = engineWith([
      ev.requested(at(10), 'r1', 'unshipped'),
      ev.requested(at(0), 'r2', 'return_refund'),
      ev.requested(at(5), 'r3', 'unshipped'),
      ev.responded(at(6), 'r3'),
    ]);
    const items = engine.unanswered({ kind: 'refund', shop: 's1', asOfMs: at(100) });
    expect(items.map((item) => [item.id, item.waitSec])).toEqual([
      ['r2', 100],
      ['r1', 90],
    ]);
    expect(items[0]).toMatchObject({ kind: 'refund', path: 'return_refund', agentId: null });
  });
});

describe('alerts', () => {
  it('should raise red unanswered alerts with since = oldest item + 1800 s', () => {
    const engine = engineWith([
      ev.requested(at(0), 'r1', 'unshipped'),
      ev.chatStarted(at(100), 'c1', 'presale'),
    ]);
    expect(engine.snapshot(at(1799), null).alerts).toEqual([]);
    const alerts = engine.snapshot(at(2000), null).alerts;
    // Refund requested at 20:00:00 → since 20:30:00; chat waiting from 20:01:40 → since 20:31:40.
    expect(alerts).toEqual([
      {
        metric: 'chat.queues.presale.unansweredOver30m',
        level: 'red',
        value: 1,
        threshold: 0,
        since: '2026-11-11T20:31:40.000+08:00',
      },
      {
        metric: 'refunds.unansweredOver30m',
        level: 'red',
        value: 1,
        threshold: 0,
        since: '2026-11-11T20:30:00.000+08:00',
      },
    ]);
  });

  it('should raise rate and completion alerts above their thresholds, since the minute they rose', () => {
    const events: PeakEvent[] = [];
    for (let i = 0; i < 10; i += 1) events.push(ev.orderPaid(at(i), `o${i}`));
    events.push(ev.requested(at(0), 'r1', 'unshipped'));
    events.push(ev.responded(at(0) + 3 * HOUR, 'r1'));
    events.push(ev.escalated(at(0) + 3 * HOUR, 'r1'));
    events.push(ev.succeeded(at(0) + 3 * DAY, 'r1'));
    const engine = engineWith(events);
    const alerts = engine.snapshot(at(0) + 3 * DAY, null).alerts;
    // refundRate 1/10 > 3%; disputeRate 1/10 > 1%; completion 3 d > 2.6 d; first response 3 h > 2 h.
    expect(alerts.map((alert) => [alert.metric, alert.level, alert.value])).toEqual([
      ['refunds.paths.all.avgCompletionSec30d', 'amber', 3 * 86_400],
      ['refunds.paths.all.firstResponseAvgSec30d', 'red', 3 * 3600],
      ['refunds.rates30d.refundRate', 'amber', 0.1],
      ['refunds.rates30d.disputeRate', 'red', 0.1],
    ]);
    // The completion lands at 11-14 20:00:00.000, a minute boundary: the window at that boundary
    // holds it (raised), the one at 19:59 does not → since = 19:59:00, the newest boundary at
    // which the condition did not hold (alerts.ts, sinceFromHistory).
    expect(alerts[0]?.since).toBe('2026-11-14T19:59:00.000+08:00');
    // Still raised one hour later: same since.
    expect(engine.snapshot(at(3600) + 3 * DAY, null).alerts[0]?.since).toBe('2026-11-14T19:59:00.000+08:00');
    // The refund rate rose on 11-11 within (19:59, 20:00] (at the 20:00 boundary: 1 request /
    // 1 order), three days before T; the look-back is 24 h, so it reports the oldest boundary
    // looked at, 11-13 20:00 ("at least since").
    expect(alerts[2]?.since).toBe('2026-11-13T20:00:00.000+08:00');
  });

  it('should take thresholds from configuration', () => {
    const engine = createEngine({ timeZone: TZ, alertThresholds: { unansweredOver30m: 5 } });
    engine.apply(ev.requested(at(0), 'r1', 'unshipped'));
    expect(engine.snapshot(at(4000), null).alerts).toEqual([]);
  });
});

describe('staffing input and metric values', () => {
  const config: StaffingConfig = {
    targets: {},
    defaultTarget: { targetServiceLevel: 0.8, thresholdSec: 60, maxOccupancy: 0.85 },
    refundHandleSec: 360,
    refundResponseDeadlineSec: 1800,
    refundOccupancy: 0.85,
    reforecastMinArrivals: 30,
  };

  it('should hand the row computer hourly arrivals, handle time, roster and awaiting refunds', () => {
    const inputs: StaffingInput[] = [];
    const row: StaffingRow = {
      queue: 'presale',
      hourStart: 'x',
      forecastArrivals: 0,
      actualArrivals: 0,
      handleSec: null,
      requiredAgents: 0,
      onlineAgents: 0,
      gap: 0,
    };
    const engine = createEngine({
      timeZone: TZ,
      staffing: {
        config,
        compute: (input) => {
          inputs.push(input);
          return [row];
        },
      },
    });
    for (const event of [
      ev.agentStatus(at(0), 'a1', 'online', ['presale'], 4),
      ev.agentStatus(at(0), 'a2', 'busy', ['presale'], 2),
      ev.agentStatus(at(0), 'a3', 'online', ['refund'], 1),
      ev.chatStarted(at(0), 'c1', 'presale'),
      ev.agent(at(60), 'c1'),
      ev.chatClosed(at(360), 'c1'),
      ev.chatStarted(at(3600), 'c2', 'presale'),
      ev.requested(at(100), 'r1', 'unshipped'),
    ]) {
      engine.apply(event);
    }
    const snapshot = engine.snapshot(at(3700), null);
    expect(snapshot.staffing).toEqual([row]);
    const input = inputs[0];
    const presale = input?.queues.find((queue) => queue.queue === 'presale');
    const refund = input?.queues.find((queue) => queue.queue === 'refund');
    // 20:00 and 21:00 local hours each had one arrival; handle 360 − 60 = 300 s; mean max_chats (4+2)/2.
    expect([...(presale?.hourlyArrivals ?? [])]).toEqual([
      [at(0), 1],
      [at(3600), 1],
    ]);
    expect(presale).toMatchObject({ kind: 'chat', handleSec: 300, onlineAgents: 2, concurrency: 3 });
    expect(refund).toMatchObject({
      kind: 'refund',
      handleSec: 360,
      onlineAgents: 1,
      awaitingRequestedMs: [at(100)],
    });
    expect(input?.nowMs).toBe(at(3700));
  });

  it('should read a number from aggregates by dotted path', () => {
    const engine = engineWith([ev.chatStarted(at(0), 'c1', 'aftersale')]);
    const snapshot = engine.snapshot(at(10), null);
    expect(metricValue(snapshot, 'chat.queues.aftersale.waiting')).toBe(1);
    expect(metricValue(snapshot, 'chat.queues.aftersale.firstResponse60m.count')).toBe(0);
    expect(metricValue(snapshot, 'refunds.paths.all.avgCompletionSec30d')).toBeNull();
    expect(metricValue(snapshot, 'chat.queues.nope.waiting')).toBeNull();
    expect(metricValue(snapshot, 'chat.queues')).toBeNull();
  });
});
