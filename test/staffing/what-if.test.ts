import { describe, expect, it } from 'vitest';
import { whatIf, WhatIfError } from '../../server/staffing/index.ts';
import { arrivalsAt, at, chatQueue, refundQueue, sameWeekdays, staffingInput } from './fixtures.ts';

const TARGETS = { aftersale: { thresholdSec: 19.8, targetServiceLevel: 0.8, maxOccupancy: 0.85 } };
const nowMs = at('2026-11-11T20:20');
const input = staffingInput(
  '2026-11-11T20:20',
  [
    // 200 chats at 180 s in the hour: 10 Erlangs; 4 agents × 2 chats = 8 slots, overloaded.
    chatQueue({
      queue: 'aftersale',
      hourlyArrivals: arrivalsAt(sameWeekdays('20:00', [200, 200, 200, 200])),
      concurrency: 2,
      onlineAgents: 4,
    }),
    chatQueue({
      queue: 'presale',
      hourlyArrivals: arrivalsAt(sameWeekdays('20:00', [36, 36, 36, 36])),
      onlineAgents: 6,
    }),
    refundQueue({
      onlineAgents: 2,
      hourlyArrivals: arrivalsAt(sameWeekdays('20:00', [20, 20, 20, 20])),
      awaitingRequestedMs: [25, 20, 20, 5].map((minutes) => nowMs - minutes * 60_000),
    }),
  ],
  { targets: TARGETS, refundOccupancy: 0.8 },
);

describe('whatIf', () => {
  it('should show an overloaded queue recovering when agents are added', () => {
    const result = whatIf(input, {
      queue: 'aftersale',
      hourStart: '2026-11-11T20:00:00.000+08:00',
      addAgents: 3,
    });
    expect(result.hourStart).toBe('2026-11-11T20:00:00.000+08:00');
    const [aftersale] = result.queues;
    expect(aftersale?.before).toMatchObject({
      agents: 4,
      overloaded: true,
      serviceLevel: null,
      occupancy: 1,
    });
    // 7 agents = 14 slots: the callcentrehelper figures (SL 0.888, occupancy 0.714, ASA 7.84 s),
    // and P(wait > 1800 s) = 0.174 · e^(−4 · 1800 / 180) ≈ 7e-19: nobody waits half an hour.
    expect(aftersale?.after).toMatchObject({
      agents: 7,
      overloaded: false,
      serviceLevel: 0.8879,
      occupancy: 0.7143,
      asaSec: 7.84,
      projectedUnansweredOver30m: 0,
    });
  });

  it('should move agents between queues and report both', () => {
    const result = whatIf(input, {
      from: 'presale',
      to: 'aftersale',
      agents: 2,
      hourStart: at('2026-11-11T20:00'),
    });
    expect(result.queues.map((queue) => [queue.queue, queue.before.agents, queue.after.agents])).toEqual([
      ['presale', 6, 4],
      ['aftersale', 4, 6],
    ]);
    const [presale] = result.queues;
    expect(presale?.after.serviceLevel ?? 1).toBeLessThan(presale?.before.serviceLevel ?? 0);
  });

  it('should accept any instant inside a later hour of the day ahead', () => {
    expect(
      whatIf(input, { queue: 'presale', hourStart: at('2026-11-12T09:45'), addAgents: 1 }).hourStart,
    ).toBe('2026-11-12T09:00:00.000+08:00');
  });

  it("should project the refund desk's first breach now, before and after", () => {
    const [refund] = whatIf(input, { queue: 'refund', hourStart: nowMs, addAgents: 1 }).queues;
    expect(refund?.before.firstBreachInSec).toBe(600);
    expect(refund?.after.firstBreachInSec).toBeNull();
    // The inflow alone: 20 × 360 s = 2 Erlangs. 2 agents cannot keep up; 3 answer > 99 % in 30 min.
    expect(refund?.before).toMatchObject({ overloaded: true, serviceLevel: null });
    expect(refund?.after.serviceLevel).toBeGreaterThan(0.99);
  });

  it('should refuse unknown queues, past hours, fractional or impossible head counts', () => {
    const hourStart = at('2026-11-11T20:00');
    expect(() => whatIf(input, { queue: 'nope', hourStart, addAgents: 1 })).toThrow(WhatIfError);
    expect(() =>
      whatIf(input, { queue: 'presale', hourStart: at('2026-11-11T19:00'), addAgents: 1 }),
    ).toThrow(WhatIfError);
    expect(() =>
      whatIf(input, { queue: 'presale', hourStart: at('2026-11-12T20:00'), addAgents: 1 }),
    ).toThrow(WhatIfError);
    expect(() => whatIf(input, { queue: 'presale', hourStart, addAgents: 1.5 })).toThrow(WhatIfError);
    expect(() => whatIf(input, { queue: 'presale', hourStart, addAgents: -7 })).toThrow(/cannot remove 7/);
    expect(() => whatIf(input, { from: 'presale', to: 'presale', agents: 1, hourStart })).toThrow(
      WhatIfError,
    );
    expect(() => whatIf(input, { queue: 'presale', hourStart: 'yesterday', addAgents: 1 })).toThrow(
      WhatIfError,
    );
  });
});
