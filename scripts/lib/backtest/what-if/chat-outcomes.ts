/**
 * Outcomes of chats per arrival hour, for the actual day and for simulated runs alike, so the
 * comparison is like for like: mean first-response wait, service level, abandons, minutes with a
 * chat unanswered ≥ 30 min, and queue depth (arrived, not yet answered or gone) at instants.
 */
import type { QueueHourOutcome, RunTotals } from './what-if-types.ts';

const MINUTE_MS = 60_000;
const UNANSWERED_LIMIT_MS = 30 * MINUTE_MS;

/** One chat's fate in one run; NaN where it did not happen. */
export interface ChatFate {
  group: string;
  arrivalMs: number;
  /** First agent message. */
  answeredMs: number;
  /** Left without an agent message (abandoned). */
  abandonedMs: number;
  /** Which simulated copy of the chats (0 for the actual day and a single run). */
  replica?: number;
}

export interface OutcomeWindow {
  fromMs: number;
  toMs: number;
  /** Hour start (epoch ms) of an instant, in the business zone. */
  hourOf: (epochMs: number) => number;
  thresholdSec: number;
}

interface HourCounts {
  arrivals: number;
  answered: number;
  waitSumMs: number;
  withinThreshold: number;
  abandoned: number;
  minutes: number;
}

export interface RunOutcomes {
  /** `hourStartMs|group` → outcome. */
  byHourGroup: Map<
    string,
    { hourStartMs: number; group: string; arrivals: number; answered: number; outcome: QueueHourOutcome }
  >;
  totals: RunTotals;
}

/** When a chat stops waiting for its first answer (answered, abandoned, or still waiting at the end). */
function waitEndMs(fate: ChatFate, endMs: number): number {
  if (!Number.isNaN(fate.answeredMs)) return fate.answeredMs;
  if (!Number.isNaN(fate.abandonedMs)) return fate.abandonedMs;
  return endMs;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * Outcomes per arrival hour and group. `replications` > 1: the fates are that many simulated
 * copies of the same chats; waits and service levels pool them, counts are per copy (means).
 */
export function summariseOutcomes(
  fates: readonly ChatFate[],
  window: OutcomeWindow,
  replications = 1,
): RunOutcomes {
  const counts = new Map<string, { hourStartMs: number; group: string; counts: HourCounts }>();
  const minuteCount = Math.max(0, Math.ceil((window.toMs - window.fromMs) / MINUTE_MS));
  // Per group, +1/−1 at the minute a chat crosses 30 min unanswered and at the minute it stops.
  const over30mDelta = new Map<string, Int32Array>();
  const total: HourCounts = {
    arrivals: 0,
    answered: 0,
    waitSumMs: 0,
    withinThreshold: 0,
    abandoned: 0,
    minutes: 0,
  };
  const thresholdMs = window.thresholdSec * 1000;

  const entry = (hourStartMs: number, group: string): HourCounts => {
    const key = `${hourStartMs}|${group}`;
    let found = counts.get(key);
    if (found === undefined) {
      found = {
        hourStartMs,
        group,
        counts: { arrivals: 0, answered: 0, waitSumMs: 0, withinThreshold: 0, abandoned: 0, minutes: 0 },
      };
      counts.set(key, found);
    }
    return found.counts;
  };

  for (const fate of fates) {
    const endMs = waitEndMs(fate, window.toMs);
    const longFromMs = fate.arrivalMs + UNANSWERED_LIMIT_MS;
    if (endMs > longFromMs && minuteCount > 0) {
      // Probe minutes m with longFrom ≤ m < end, as the engine's probes count "wait ≥ 30 min".
      const first = Math.max(0, Math.ceil((longFromMs - window.fromMs) / MINUTE_MS));
      const last = Math.min(minuteCount, Math.ceil((endMs - window.fromMs) / MINUTE_MS));
      if (first < last) {
        const key = `${fate.replica ?? 0}\u0000${fate.group}`;
        let delta = over30mDelta.get(key);
        if (delta === undefined) {
          delta = new Int32Array(minuteCount + 1);
          over30mDelta.set(key, delta);
        }
        delta[first] = (delta[first] ?? 0) + 1;
        delta[last] = (delta[last] ?? 0) - 1;
      }
    }
    if (fate.arrivalMs < window.fromMs || fate.arrivalMs >= window.toMs) continue;
    const hour = entry(window.hourOf(fate.arrivalMs), fate.group);
    for (const target of [hour, total]) {
      target.arrivals += 1;
      if (!Number.isNaN(fate.answeredMs)) {
        const waitMs = fate.answeredMs - fate.arrivalMs;
        target.answered += 1;
        target.waitSumMs += waitMs;
        if (waitMs <= thresholdMs) target.withinThreshold += 1;
      } else if (!Number.isNaN(fate.abandonedMs)) {
        target.abandoned += 1;
      }
    }
  }

  // Per replica: minutes in which any group had a chat over the limit.
  const anyGroup = new Map<string, Uint8Array>();
  for (const [key, delta] of over30mDelta) {
    const split = key.indexOf('\u0000');
    const replica = key.slice(0, split);
    const group = key.slice(split + 1);
    let flags = anyGroup.get(replica);
    if (flags === undefined) {
      flags = new Uint8Array(minuteCount);
      anyGroup.set(replica, flags);
    }
    let running = 0;
    for (let minute = 0; minute < minuteCount; minute += 1) {
      running += delta[minute] ?? 0;
      if (running <= 0) continue;
      flags[minute] = 1;
      entry(window.hourOf(window.fromMs + minute * MINUTE_MS), group).minutes += 1;
    }
  }
  for (const flags of anyGroup.values()) for (const flag of flags) total.minutes += flag;

  const perCopy = (value: number): number => (replications === 1 ? value : round(value / replications, 1));
  const outcomeOf = (c: HourCounts): QueueHourOutcome => ({
    avgWaitSec: c.answered === 0 ? null : round(c.waitSumMs / c.answered / 1000, 1),
    serviceLevel:
      c.answered + c.abandoned === 0 ? null : round(c.withinThreshold / (c.answered + c.abandoned), 4),
    abandoned: perCopy(c.abandoned),
    minutesUnansweredOver30m: perCopy(c.minutes),
  });
  const byHourGroup: RunOutcomes['byHourGroup'] = new Map();
  for (const [key, { hourStartMs, group, counts: c }] of counts) {
    byHourGroup.set(key, {
      hourStartMs,
      group,
      arrivals: perCopy(c.arrivals),
      answered: perCopy(c.answered),
      outcome: outcomeOf(c),
    });
  }
  const totalOutcome = outcomeOf(total);
  return {
    byHourGroup,
    totals: {
      arrivals: perCopy(total.arrivals),
      answered: perCopy(total.answered),
      abandoned: perCopy(total.abandoned),
      avgWaitSec: totalOutcome.avgWaitSec,
      serviceLevel: totalOutcome.serviceLevel,
      minutesUnansweredOver30m: perCopy(total.minutes),
    },
  };
}

/** Chats waiting for a first answer at each instant, per group (uPlot columns). */
export function waitingSeries(
  fates: readonly ChatFate[],
  instantsMs: readonly number[],
  groups: readonly string[],
  endMs: number,
  replications = 1,
): Record<string, number[]> {
  const result: Record<string, number[]> = {};
  for (const group of groups) {
    const mine = fates.filter((fate) => fate.group === group);
    const starts = Float64Array.from(mine, (fate) => fate.arrivalMs).sort();
    const ends = Float64Array.from(mine, (fate) => waitEndMs(fate, endMs)).sort();
    let startIndex = 0;
    let endIndex = 0;
    result[group] = instantsMs.map((instantMs) => {
      while (startIndex < starts.length && (starts[startIndex] as number) <= instantMs) startIndex += 1;
      while (endIndex < ends.length && (ends[endIndex] as number) <= instantMs) endIndex += 1;
      const waiting = startIndex - endIndex;
      return replications === 1 ? waiting : round(waiting / replications, 1);
    });
  }
  return result;
}
