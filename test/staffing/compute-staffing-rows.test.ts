import { describe, expect, it } from 'vitest';
import { computeStaffingRows, erlangAMetrics, requiredServersErlangA } from '../../server/staffing/index.ts';
import { arrivalsAt, at, chatQueue, refundQueue, sameWeekdays, staffingInput } from './fixtures.ts';

// The callcentrehelper vector as an hour: 200 chats in the hour × 180 s = 10 Erlangs; with
// 80 % answered within 19.8 s and an 85 % cap, Erlang C needs 14 servers (chat slots).
const TARGETS = { aftersale: { thresholdSec: 19.8, targetServiceLevel: 0.8, maxOccupancy: 0.85 } };
const BUSY_HOUR = arrivalsAt({ ...sameWeekdays('20:00', [200, 200, 200, 200]), '2026-11-11T20:00': 12 });

describe('computeStaffingRows', () => {
  it('should give every queue the current hour and the next three, in input order', () => {
    const rows = computeStaffingRows(
      staffingInput('2026-11-11T22:10', [
        chatQueue({ queue: 'presale' }),
        chatQueue({ queue: 'aftersale' }),
        refundQueue(),
      ]),
    );
    expect(rows.map((row) => `${row.queue} ${row.hourStart}`)).toEqual(
      ['presale', 'aftersale', 'refund'].flatMap((queue) => [
        `${queue} 2026-11-11T22:00:00.000+08:00`,
        `${queue} 2026-11-11T23:00:00.000+08:00`,
        `${queue} 2026-11-12T00:00:00.000+08:00`,
        `${queue} 2026-11-12T01:00:00.000+08:00`,
      ]),
    );
  });

  it('should turn Erlang C chat slots into agents by dividing by the chat concurrency, rounding up', () => {
    // 14 slots: at 2 chats per agent 7 agents, at 3 chats ceil(14 / 3) = 5.
    for (const [concurrency, agents] of [
      [1, 14],
      [2, 7],
      [3, 5],
    ] as const) {
      const [row] = computeStaffingRows(
        staffingInput(
          '2026-11-11T20:20',
          [chatQueue({ queue: 'aftersale', hourlyArrivals: BUSY_HOUR, concurrency })],
          {
            targets: TARGETS,
          },
        ),
      );
      expect(row?.forecastArrivals).toBe(200);
      expect(row?.requiredAgents).toBe(agents);
    }
  });

  it('should report the gap, the agents to add and the service level of the agents online', () => {
    const input = (onlineAgents: number) =>
      staffingInput(
        '2026-11-11T20:20',
        [chatQueue({ queue: 'aftersale', hourlyArrivals: BUSY_HOUR, concurrency: 2, onlineAgents })],
        { targets: TARGETS },
      );
    // 4 agents = 8 slots ≤ 10 Erlangs: Erlang C has no steady state → null; 3 short.
    const [short] = computeStaffingRows(input(4));
    expect(short).toMatchObject({
      actualArrivals: 12,
      onlineAgents: 4,
      requiredAgents: 7,
      gap: 3,
      agentsToMove: 3,
    });
    expect(short?.projectedServiceLevel).toBeNull();
    // 7 agents = 14 slots: the vector's 0.888.
    const [staffed] = computeStaffingRows(input(7));
    expect(staffed).toMatchObject({ gap: 0, agentsToMove: 0, projectedServiceLevel: 0.8879 });
    // 9 agents: 2 more than needed — a negative gap, nothing to add.
    const [over] = computeStaffingRows(input(9));
    expect(over).toMatchObject({ gap: -2, agentsToMove: 0 });
  });

  it('should only count arrivals in the current hour, later hours having none yet', () => {
    const rows = computeStaffingRows(
      staffingInput('2026-11-11T20:20', [chatQueue({ queue: 'aftersale', hourlyArrivals: BUSY_HOUR })]),
    );
    expect(rows.map((row) => row.actualArrivals)).toEqual([12, 0, 0, 0]);
  });

  it('should fall back to the configured chat handle time when none was measured, and say so', () => {
    const [row] = computeStaffingRows(
      staffingInput(
        '2026-11-11T20:20',
        [chatQueue({ queue: 'aftersale', hourlyArrivals: BUSY_HOUR, handleSec: null })],
        {
          defaultChatHandleSec: 90,
          targets: TARGETS,
        },
      ),
    );
    // 200 × 90 s / 3600 = 5 Erlangs instead of 10: fewer agents than the 14 above.
    expect(row?.handleSec).toBeNull();
    expect(row?.handleSecUsed).toBe(90);
    expect(row?.requiredAgents).toBeLessThan(14);
  });

  it('should never apply shrinkage to the agents online', () => {
    const [row] = computeStaffingRows(
      staffingInput(
        '2026-11-11T20:20',
        [chatQueue({ queue: 'aftersale', hourlyArrivals: BUSY_HOUR, onlineAgents: 13 })],
        {
          targets: TARGETS,
        },
      ),
    );
    expect(row?.onlineAgents).toBe(13);
    expect(row?.gap).toBe(1);
  });

  it('should use Erlang A for both the requirement and the projection when a patience is configured', () => {
    const target = { ...TARGETS.aftersale, patienceSec: 300 };
    const [row] = computeStaffingRows(
      staffingInput(
        '2026-11-11T20:20',
        [chatQueue({ queue: 'aftersale', hourlyArrivals: BUSY_HOUR, onlineAgents: 14 })],
        {
          targets: { aftersale: target },
        },
      ),
    );
    const parameters = { arrivals: 200, intervalSec: 3600, handleSec: 180, patienceSec: 300 };
    expect(row?.requiredAgents).toBe(requiredServersErlangA(parameters, target));
    // The shared Erlang A vector: 14 agents on 10 Erlangs with 300 s patience answer 91.68 % within 20 s.
    expect(row?.projectedServiceLevel).toBeCloseTo(erlangAMetrics(14, parameters, 19.8).serviceLevel, 4);
  });

  it('should staff the refund desk for its backlog now and its inflow in every hour', () => {
    // Forecast 20 requests an hour, 360 s each, occupancy 0.8: inflow 2.5 agents.
    // Backlog (see refund-desk.test.ts): due in 300, 600, 600, 1500 s → 2.25 agents.
    // Current hour ceil(4.75) = 5; later hours ceil(2.5) = 3. With 2 online, the third refund
    // misses its deadline in 600 s — reported on every refund row, as of now.
    const nowMs = at('2026-11-11T20:20');
    const rows = computeStaffingRows(
      staffingInput(
        '2026-11-11T20:20',
        [
          refundQueue({
            onlineAgents: 2,
            hourlyArrivals: arrivalsAt(
              Object.assign(
                {},
                ...['20:00', '21:00', '22:00', '23:00'].map((time) => sameWeekdays(time, [20, 20, 20, 20])),
              ),
            ),
            awaitingRequestedMs: [25, 20, 20, 5].map((minutes) => nowMs - minutes * 60_000),
          }),
        ],
        { refundOccupancy: 0.8 },
      ),
    );
    expect(rows.map((row) => row.requiredAgents)).toEqual([5, 3, 3, 3]);
    expect(rows.map((row) => row.gap)).toEqual([3, 1, 1, 1]);
    expect(rows.map((row) => row.firstBreachInSec)).toEqual([600, 600, 600, 600]);
    expect(rows[0]).toMatchObject({ handleSec: null, handleSecUsed: 360, forecastArrivals: 20 });
  });

  it('should give the same rows for the same input (pure, byte-stable)', () => {
    const input = staffingInput('2026-11-11T20:20', [
      chatQueue({ queue: 'aftersale', hourlyArrivals: BUSY_HOUR }),
      refundQueue(),
    ]);
    expect(JSON.stringify(computeStaffingRows(input))).toBe(JSON.stringify(computeStaffingRows(input)));
  });
});

describe('chat backlog in the current hour', () => {
  it('should add the agents needed to clear chats already waiting within 30 minutes', async () => {
    const { computeStaffingRows, DEFAULT_STAFFING_CONFIG } = await import('../../server/staffing/index.ts');
    const nowMs = Date.UTC(2026, 10, 11, 12, 10); // 20:10 in Shanghai
    const base = {
      queue: 'aftersale',
      kind: 'chat' as const,
      hourlyArrivals: new Map<number, number>(),
      handleSec: 600,
      onlineAgents: 10,
      concurrency: 3,
    };
    const rows = (waitingNow: number) =>
      computeStaffingRows({
        nowMs,
        timeZone: 'Asia/Shanghai',
        config: DEFAULT_STAFFING_CONFIG,
        queues: [{ ...base, waitingNow }],
      });
    const calm = rows(0);
    const queued = rows(120);
    // 120 waiting × 600 s / (0.85 × 1800 s) = 47.06 slots → 47.06 / 3 → 16 agents more, now only.
    expect((queued[0]?.requiredAgents ?? 0) - (calm[0]?.requiredAgents ?? 0)).toBe(16);
    expect(queued[1]?.requiredAgents).toBe(calm[1]?.requiredAgents);
  });
});
