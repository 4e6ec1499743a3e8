/**
 * A realistic aggregates object (two chat queues, four refund paths, 16 staffing rows, a few alerts)
 * for the push tests, the e2e harness and the push benchmark. About 4 KB serialised.
 */
import type { Aggregates, PathAggregates, StaffingRow } from '../../server/engine/aggregates.ts';

export type SampleAggregates = Omit<Aggregates, 'seq'>;

const HOUR_MS = 3_600_000;
const BUSINESS_OFFSET_MS = 8 * HOUR_MS;

/** RFC 3339 in Asia/Shanghai with milliseconds, as the engine writes `asOf`. */
export function shanghaiIso(epochMs: number): string {
  return new Date(epochMs + BUSINESS_OFFSET_MS).toISOString().replace('Z', '+08:00');
}

function path(open: number, avgDays: number | null): PathAggregates {
  const avg = avgDays === null ? null : Math.round(avgDays * 86_400);
  return {
    open,
    completed30d: open * 12,
    avgCompletionSec30d: avg,
    p50CompletionSec30d: avg === null ? null : Math.round(avg * 0.8),
    p90CompletionSec30d: avg === null ? null : Math.round(avg * 1.9),
    firstResponseAvgSec30d: 840,
  };
}

function staffingRows(nowMs: number): StaffingRow[] {
  const hourStartMs = Math.floor((nowMs + BUSINESS_OFFSET_MS) / HOUR_MS) * HOUR_MS - BUSINESS_OFFSET_MS;
  const rows: StaffingRow[] = [];
  const plan: Record<string, number[]> = {
    presale: [2, 4, 1, -1],
    aftersale: [-1, 0, 3, 2],
    refund: [0, 1, 0, -2],
  };
  for (const [queue, gaps] of Object.entries(plan)) {
    gaps.forEach((gap, hour) => {
      const requiredAgents = 12 + hour * 2;
      rows.push({
        queue,
        hourStart: shanghaiIso(hourStartMs + hour * HOUR_MS),
        forecastArrivals: 180 + hour * 25,
        actualArrivals: hour === 0 ? 97 : 0,
        handleSec: 420,
        requiredAgents,
        onlineAgents: requiredAgents - gap,
        gap,
        projectedServiceLevel: gap > 0 ? 0.62 : 0.86,
        agentsToMove: gap > 0 ? gap : 0,
      });
    });
  }
  return rows;
}

export function sampleAggregates(nowMs = Date.now(), shop: string | null = null): SampleAggregates {
  return {
    asOf: shanghaiIso(nowMs),
    shop,
    chat: {
      queues: {
        presale: {
          waiting: 14,
          unassigned: 3,
          oldestWaitSec: 312,
          unansweredOver30m: 0,
          agentsOnline: 18,
          firstResponse60m: { count: 412, avgSec: 38, p90Sec: 95 },
          abandoned60m: 6,
        },
        aftersale: {
          waiting: 9,
          unassigned: 1,
          oldestWaitSec: 1260,
          unansweredOver30m: 0,
          agentsOnline: 9,
          firstResponse60m: { count: 188, avgSec: 71, p90Sec: 240 },
          abandoned60m: 2,
        },
      },
    },
    refunds: {
      awaitingResponse: 23,
      unansweredOver30m: 0,
      oldestUnansweredSec: 1140,
      paths: {
        unshipped: path(41, 0.4),
        in_transit: path(28, 1.8),
        received_refund_only: path(12, 2.2),
        return_refund: path(57, 3.4),
        all: path(138, 2.1),
      },
      rates30d: {
        orders: 48_210,
        refunds: 1_904,
        refundRate: 0.0395,
        disputeRate: 0.0021,
        qualityRefundRate: 0.0112,
        experienceRefundRate: 0.0127,
      },
    },
    staffing: staffingRows(nowMs),
    alerts: [
      {
        metric: 'refunds.paths.return_refund.avgCompletionSec30d',
        level: 'amber',
        value: 293_760,
        threshold: 224_640,
        since: shanghaiIso(nowMs - 40 * 60_000),
      },
    ],
    ingest: { accepted: 1_203_344, duplicates: 12, rejected: 3, lagSec: 0.4 },
  };
}

/** The tick-to-tick churn of a busy peak: depths move, counters grow, the clock advances. */
export function churn(base: SampleAggregates, tick: number, nowMs: number): SampleAggregates {
  const next = structuredClone(base);
  next.asOf = shanghaiIso(nowMs);
  const presale = next.chat.queues['presale'];
  const aftersale = next.chat.queues['aftersale'];
  if (presale !== undefined) {
    presale.waiting = 10 + (tick % 9);
    presale.oldestWaitSec = 200 + (tick % 120);
    presale.firstResponse60m.count += tick;
  }
  if (aftersale !== undefined) aftersale.waiting = 6 + (tick % 5);
  next.refunds.awaitingResponse = 20 + (tick % 7);
  next.ingest.accepted += tick * 1_250;
  next.ingest.lagSec = 0.2 + (tick % 3) / 10;
  return next;
}

/** Two hours of a building evening peak, one sample a minute, ending at `nowMs`. */
export function sampleHistory(
  nowMs: number,
): { atSec: number; queues: Record<string, number>; refundsAwaiting: number }[] {
  const samples = [];
  for (let minute = 119; minute >= 1; minute--) {
    const t = 120 - minute;
    const wave = Math.sin(t / 9) * 3;
    samples.push({
      atSec: Math.floor(nowMs / 1000) - minute * 60,
      queues: {
        presale: Math.max(0, Math.round(4 + t / 12 + wave + ((t * 7) % 5))),
        aftersale: Math.max(0, Math.round(3 + t / 20 + Math.cos(t / 7) * 2 + ((t * 3) % 3))),
      },
      refundsAwaiting: Math.max(0, Math.round(8 + t / 9 + Math.sin(t / 13) * 4)),
    });
  }
  return samples;
}
