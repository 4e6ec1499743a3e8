import { describe, expect, it } from 'vitest';
import {
  parseWhatIfPlan,
  runBacktest,
  WhatIfPlanError,
  type BacktestOptions,
} from '../../scripts/lib/backtest/index.ts';
import {
  countOvertakes,
  inferAwaySpans,
  queueDiscipline,
} from '../../scripts/lib/backtest/what-if/availability.ts';
import type { AgentChange, ChatLifecycle } from '../../scripts/lib/backtest/what-if/chat-log.ts';
import { patienceBeyond, patienceCurve } from '../../scripts/lib/backtest/what-if/chat-model.ts';
import { simulateQueues, type SimulatedChat } from '../../scripts/lib/backtest/what-if/queue-simulation.ts';
import { dayLines, FIFTEEN_MINUTES_MS, TIME_ZONE } from './fixtures.ts';

// Busy enough for queues to build in the evening, small enough to simulate in well under a second.
const lines = dayLines(0, { shops: 1, scale: 0.12 });
const base: BacktestOptions = {
  timeZone: TIME_ZONE,
  stepMs: FIFTEEN_MINUTES_MS,
  probeStepMs: FIFTEEN_MINUTES_MS,
};

function whatIfOf(plan: unknown) {
  const summary = runBacktest(lines, { ...base, whatIf: parseWhatIfPlan(plan) }).summary.whatIf;
  if (summary === undefined) throw new Error('no what-if in the summary');
  return summary;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

function chat(
  fields: Partial<ChatLifecycle> & { chatId: string; queue: string; startMs: number },
): ChatLifecycle {
  return {
    shop: 's',
    pickedUpMs: Number.NaN,
    agentId: '',
    firstAgentMessageMs: Number.NaN,
    closeMs: Number.NaN,
    ...fields,
  };
}

function served(
  chatId: string,
  queue: string,
  startMs: number,
  pickedUpMs: number,
  closeMs: number,
  agentId: string,
) {
  return chat({ chatId, queue, startMs, pickedUpMs, firstAgentMessageMs: pickedUpMs, closeMs, agentId });
}

function online(agentId: string, tsMs: number, queues: string[]): AgentChange {
  return { shop: 's', agentId, tsMs, id: `${agentId}-${tsMs}`, staffed: true, queues, maxChats: 1 };
}

describe('what-if roster simulation', () => {
  const addFive = {
    changes: [
      { queue: 'presale', from: '2026-11-11T19:00+08:00', to: '2026-11-12T00:00+08:00', addAgents: 5 },
    ],
    seed: 3,
  };

  it('should reproduce the actual hourly average wait within 15 % with the roster unchanged', () => {
    const { calibration, totals } = whatIfOf({ changes: [] });
    expect(calibration.hours).toBeGreaterThan(10);
    expect(calibration.hourlyWaitError).not.toBeNull();
    expect(calibration.hourlyWaitError as number).toBeLessThanOrEqual(0.15);
    // A generated day logs real presence and routes first come, first served: nothing to infer.
    expect(calibration.availability).toBe('logged');
    expect(calibration.queuePriority).toEqual([]);
    expect(calibration.holdTimeFactor).toBe(1);
    expect(calibration.noiseFloor?.hourlyWaitError).not.toBeNull();
    expect(totals.simulated.arrivals).toBe(totals.actual.arrivals);
    // With no change the what-if run is the calibration run.
    expect(totals.whatIf).toEqual(totals.simulated);
  });

  it('should give the same result for the same seed and plan', () => {
    expect(whatIfOf(addFive)).toEqual(whatIfOf(addFive));
  });

  it('should not make waits or abandons worse when agents are added', () => {
    const { totals, hours } = whatIfOf(addFive);
    expect(totals.whatIf.avgWaitSec as number).toBeLessThan(totals.simulated.avgWaitSec as number);
    expect(totals.whatIf.abandoned).toBeLessThanOrEqual(totals.simulated.abandoned);
    for (const hour of hours) {
      if (hour.queue !== 'presale' || hour.simulated.avgWaitSec === null || hour.whatIf.avgWaitSec === null)
        continue;
      expect(hour.whatIf.avgWaitSec).toBeLessThanOrEqual(hour.simulated.avgWaitSec + 1);
    }
  });

  it('should make waits longer when agents are taken off', () => {
    const { totals } = whatIfOf({
      changes: [
        { queue: 'presale', from: '2026-11-11T10:00+08:00', to: '2026-11-11T18:00+08:00', addAgents: -2 },
      ],
    });
    expect(totals.whatIf.avgWaitSec as number).toBeGreaterThan(totals.simulated.avgWaitSec as number);
  });

  it('should refuse a plan it cannot read, saying where', () => {
    expect(() =>
      parseWhatIfPlan({ changes: [{ queue: 'presale', from: 'soon', to: 'later', addAgents: 1 }] }),
    ).toThrow(WhatIfPlanError);
    expect(() =>
      parseWhatIfPlan({
        changes: [
          { queue: 'presale', from: '2026-11-11T20:00+08:00', to: '2026-11-11T21:00+08:00', addAgents: 1.5 },
        ],
      }),
    ).toThrow(/changes\[0\]\.addAgents/);
    expect(() => parseWhatIfPlan({ changes: [], availability: 'always' })).toThrow(/availability/);
    expect(() => parseWhatIfPlan({ changes: [], holdTimeFactor: 0 })).toThrow(/holdTimeFactor/);
    expect(parseWhatIfPlan({ changes: [], availability: 'inferred', holdTimeFactor: 1.1 })).toEqual({
      changes: [],
      availability: 'inferred',
      holdTimeFactor: 1.1,
    });
  });
});

describe('what the what-if infers from the day', () => {
  it('should give a queue priority, with a head start, only when its chats overtook the other far more often', () => {
    // One agent serves both queues; every aftersale chat is picked up while a presale chat one
    // minute older waits.
    const chats: ChatLifecycle[] = [];
    for (let index = 0; index < 30; index += 1) {
      const at = index * 10 * MINUTE;
      chats.push(served(`p${index}`, 'presale', at, at + 4 * MINUTE, at + 6 * MINUTE, 'ann'));
      chats.push(served(`a${index}`, 'aftersale', at + MINUTE, at + 2 * MINUTE, at + 4 * MINUTE, 'ann'));
    }
    chats.sort((a, b) => a.startMs - b.startMs);
    const overtakes = countOvertakes(chats, 400 * MINUTE);
    expect(overtakes.counts).toEqual({ 'aftersale>presale': 30 });
    const discipline = queueDiscipline(overtakes, ['aftersale', 'presale']);
    expect([...discipline.ranks]).toEqual([['aftersale', 1]]);
    // Overtaking chats were a minute younger: twice the median gap.
    expect(discipline.headStartMs).toBe(2 * MINUTE);
    // First come, first served: nobody overtakes, no priority.
    const fifo = chats.map((one) =>
      one.queue === 'aftersale' ? { ...one, pickedUpMs: one.startMs + 5 * MINUTE } : one,
    );
    expect(queueDiscipline(countOvertakes(fifo, 400 * MINUTE), ['aftersale', 'presale'])).toEqual({
      ranks: new Map(),
      headStartMs: Number.POSITIVE_INFINITY,
    });
  });

  it('should serve a higher-ranked queue first only within its head start', () => {
    const chats: SimulatedChat[] = [
      {
        queue: 'presale',
        arrivalMs: 0,
        holdMs: MINUTE,
        pickupToAnswerMs: 0,
        patienceMs: Number.POSITIVE_INFINITY,
      },
      {
        queue: 'presale',
        arrivalMs: SECOND,
        holdMs: MINUTE,
        pickupToAnswerMs: 0,
        patienceMs: Number.POSITIVE_INFINITY,
      },
      {
        queue: 'aftersale',
        arrivalMs: 30 * SECOND,
        holdMs: MINUTE,
        pickupToAnswerMs: 0,
        patienceMs: Number.POSITIVE_INFINITY,
      },
    ];
    const input = {
      chats,
      agentChanges: [online('ann', 0, ['aftersale', 'presale'])],
      added: [],
      removed: [],
      holdTimeFactor: 1,
      queueRank: new Map([['aftersale', 1]]),
    };
    // Strict priority: the aftersale chat goes before the older presale one.
    expect([...simulateQueues(input).pickedUpMs]).toEqual([0, 2 * MINUTE, MINUTE]);
    // A 20-second head start is not enough to pass a chat 29 seconds older.
    expect([...simulateQueues({ ...input, headStartMs: 20 * SECOND }).pickedUpMs]).toEqual([
      0,
      MINUTE,
      2 * MINUTE,
    ]);
  });

  it('should count an idle agent as away from when a caller of their queues waited until their next pick-up', () => {
    const chats = [
      served('c1', 'presale', 0, 0, 2 * MINUTE, 'bob'),
      // Bob is idle from 2 min; nobody waits until 10 min; a caller then waits 5 min for him.
      served('c2', 'presale', 10 * MINUTE, 15 * MINUTE, 17 * MINUTE, 'bob'),
      // Idle again from 17 min, nobody waiting: available, not away.
      served('c3', 'presale', 30 * MINUTE, 30 * MINUTE, 31 * MINUTE, 'bob'),
    ];
    const spans = inferAwaySpans(chats, [online('bob', 0, ['presale'])], 0, 60 * MINUTE);
    expect(spans).toEqual([{ agentId: 'bob', fromMs: 10 * MINUTE, toMs: 15 * MINUTE }]);
    // A tolerance forgives the first seconds of a wait (pick-up latency).
    expect(inferAwaySpans(chats, [online('bob', 0, ['presale'])], 60 * SECOND, 60 * MINUTE)).toEqual([
      { agentId: 'bob', fromMs: 11 * MINUTE, toMs: 15 * MINUTE },
    ]);
  });

  it('should let a team share its availability: an away member idle, another member busy, one chat at a time', () => {
    const chats: SimulatedChat[] = [0, 1, 2].map((index) => ({
      queue: 'presale',
      arrivalMs: index * SECOND,
      holdMs: 10 * MINUTE,
      pickupToAnswerMs: 0,
      patienceMs: Number.POSITIVE_INFINITY,
    }));
    const input = {
      chats,
      agentChanges: [online('ann', 0, ['presale']), online('bob', 0, ['presale'])],
      added: [],
      removed: [],
      holdTimeFactor: 1,
    };
    // Presence as logged: two agents, two chats at once.
    expect([...simulateQueues(input).pickedUpMs]).toEqual([0, SECOND, 10 * MINUTE]);
    // Bob away for the first 15 minutes: the team takes one chat at a time (whoever is free).
    const away = [{ agentId: 'bob', fromMs: 0, toMs: 15 * MINUTE }];
    expect([...simulateQueues({ ...input, away }).pickedUpMs]).toEqual([0, 10 * MINUTE, 15 * MINUTE]);
  });

  it('should draw a served customer’s patience beyond their wait from the day’s curve', () => {
    const curve = patienceCurve([
      { waitMs: 10 * SECOND, abandoned: true },
      { waitMs: 20 * SECOND, abandoned: false },
      { waitMs: 30 * SECOND, abandoned: true },
      { waitMs: 40 * SECOND, abandoned: false },
    ]);
    expect(curve.timesMs).toEqual([10 * SECOND, 30 * SECOND]);
    expect(curve.survival).toEqual([0.75, 0.375]);
    expect(curve.meanMs).toBe(50 * SECOND);
    expect(patienceBeyond(curve, 15 * SECOND, 0.2)).toBe(30 * SECOND);
    // Beyond the day's longest abandon: an exponential tail with the day's mean patience.
    expect(patienceBeyond(curve, 15 * SECOND, 0.9)).toBeCloseTo(30 * SECOND + 50 * SECOND * Math.log(5), 6);
  });
});
