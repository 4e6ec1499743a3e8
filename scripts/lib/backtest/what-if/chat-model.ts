/**
 * The day's chats as simulation input: each chat's slot time (pick-up → close), pick-up → first
 * answer delay, and patience.
 *
 * Patience. A chat that abandoned in the queue shows its patience. One that was served only shows
 * that its patience exceeded its wait (a censored observation), so it draws its patience beyond
 * that wait from the queue's patience distribution of the day:
 * - `exponential`: memoryless, the Erlang A model; the mean is the maximum-likelihood estimate,
 *   total waiting time over abandons; the draw is the wait plus an exponential.
 * - `kaplan-meier`: the non-parametric maximum-likelihood estimate of the same censored data;
 *   the draw comes from the curve conditioned on having waited that long. Beyond the longest
 *   abandon of the day the curve says nothing; an exponential tail with the day's mean takes over.
 * A chat still waiting at the end draws the same way beyond its wait so far.
 *
 * A chat that was never served takes the slot time and answer delay of a served chat of the same
 * queue that arrived near it. Draws come from the given seeded stream, in chat order.
 */
import type { Random } from '../../generator/random.ts';
import type { ChatLifecycle } from './chat-log.ts';
import type { SimulatedChat } from './queue-simulation.ts';

/** A served chat's stand-in is drawn among this many served neighbours (by arrival) either side. */
const DONOR_NEIGHBOURS = 10;

export type PatienceModel = 'exponential' | 'kaplan-meier';

interface PatienceObservation {
  waitMs: number;
  abandoned: boolean;
}

/** Kaplan–Meier survival of patience: distinct abandon times, ascending, and survival after each. */
export interface PatienceCurve {
  timesMs: number[];
  survival: number[];
  /** Exponential maximum-likelihood mean: total waiting time over abandons (Infinity: none). */
  meanMs: number;
}

export function patienceCurve(observations: readonly PatienceObservation[]): PatienceCurve {
  const sorted = [...observations].sort(
    (a, b) => a.waitMs - b.waitMs || Number(b.abandoned) - Number(a.abandoned),
  );
  const timesMs: number[] = [];
  const survival: number[] = [];
  let atRisk = sorted.length;
  let current = 1;
  let totalWaitMs = 0;
  let abandons = 0;
  let index = 0;
  while (index < sorted.length) {
    const timeMs = (sorted[index] as PatienceObservation).waitMs;
    let events = 0;
    let leaving = 0;
    for (; index < sorted.length && (sorted[index] as PatienceObservation).waitMs === timeMs; index += 1) {
      if ((sorted[index] as PatienceObservation).abandoned) events += 1;
      leaving += 1;
      totalWaitMs += timeMs;
    }
    if (events > 0) {
      current *= 1 - events / atRisk;
      timesMs.push(timeMs);
      survival.push(current);
      abandons += events;
    }
    atRisk -= leaving;
  }
  return { timesMs, survival, meanMs: abandons === 0 ? Number.POSITIVE_INFINITY : totalWaitMs / abandons };
}

/**
 * Patience of a customer known to have waited `waitedMs` without leaving (`uniform` in [0, 1)):
 * from the curve beyond that wait; past the day's longest abandon, an exponential tail with the
 * day's mean (nobody waits for ever: the simulation may keep someone waiting longer than anyone
 * did that day).
 */
export function patienceBeyond(curve: PatienceCurve, waitedMs: number, uniform: number): number {
  let low = 0;
  let high = curve.timesMs.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((curve.timesMs[middle] as number) <= waitedMs) low = middle + 1;
    else high = middle;
  }
  const survived = low === 0 ? 1 : (curve.survival[low - 1] as number);
  const target = survived * (1 - uniform);
  for (let index = low; index < curve.timesMs.length; index += 1) {
    if ((curve.survival[index] as number) <= target) return curve.timesMs[index] as number;
  }
  if (!Number.isFinite(curve.meanMs) || target <= 0) return Number.POSITIVE_INFINITY;
  const lastMs = Math.max(waitedMs, curve.timesMs[curve.timesMs.length - 1] ?? 0);
  const tailFrom = curve.survival[curve.survival.length - 1] ?? 1;
  return lastMs + curve.meanMs * Math.log(Math.min(survived, tailFrom) / target);
}

/** Turns one shop's recorded chats (in arrival order) into simulation input (see the file header). */
export function modelChats(
  chats: readonly ChatLifecycle[],
  endMs: number,
  random: Random,
  patienceModel: PatienceModel,
): SimulatedChat[] {
  const observations = new Map<string, PatienceObservation[]>();
  const servedByQueue = new Map<string, number[]>();
  chats.forEach((chat, index) => {
    const served = !Number.isNaN(chat.pickedUpMs);
    const leftAtMs = served ? chat.pickedUpMs : Number.isNaN(chat.closeMs) ? endMs : chat.closeMs;
    const list = observations.get(chat.queue) ?? [];
    list.push({
      waitMs: Math.max(0, leftAtMs - chat.startMs),
      abandoned: !served && !Number.isNaN(chat.closeMs),
    });
    observations.set(chat.queue, list);
    if (served) {
      const indexes = servedByQueue.get(chat.queue) ?? [];
      indexes.push(index);
      servedByQueue.set(chat.queue, indexes);
    }
  });
  const curves = new Map([...observations].map(([queue, list]) => [queue, patienceCurve(list)]));
  const patienceAfter = (queue: string, waitedMs: number): number => {
    const curve = curves.get(queue) as PatienceCurve;
    if (patienceModel === 'kaplan-meier') return patienceBeyond(curve, waitedMs, random.next());
    return Number.isFinite(curve.meanMs)
      ? waitedMs + random.exponential(curve.meanMs)
      : Number.POSITIVE_INFINITY;
  };
  const servedShape = (chat: ChatLifecycle): { holdMs: number; pickupToAnswerMs: number } => ({
    holdMs: Math.max(
      0,
      (Number.isNaN(chat.closeMs) ? Math.max(endMs, chat.pickedUpMs) : chat.closeMs) - chat.pickedUpMs,
    ),
    pickupToAnswerMs: Number.isNaN(chat.firstAgentMessageMs)
      ? Number.NaN
      : Math.max(0, chat.firstAgentMessageMs - chat.pickedUpMs),
  });

  return chats.map((chat) => {
    if (!Number.isNaN(chat.pickedUpMs)) {
      return {
        queue: chat.queue,
        arrivalMs: chat.startMs,
        ...servedShape(chat),
        patienceMs: patienceAfter(chat.queue, Math.max(0, chat.pickedUpMs - chat.startMs)),
      };
    }
    const served = servedByQueue.get(chat.queue) ?? [];
    let donor: { holdMs: number; pickupToAnswerMs: number } = { holdMs: 0, pickupToAnswerMs: Number.NaN };
    if (served.length > 0) {
      // The served chats of the queue are in arrival order: find this chat's place among them.
      let low = 0;
      let high = served.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if ((chats[served[middle] as number] as ChatLifecycle).startMs < chat.startMs) low = middle + 1;
        else high = middle;
      }
      const pick = Math.min(
        served.length - 1,
        Math.max(0, low + random.integer(-DONOR_NEIGHBOURS, DONOR_NEIGHBOURS - 1)),
      );
      donor = servedShape(chats[served[pick] as number] as ChatLifecycle);
    }
    return {
      queue: chat.queue,
      arrivalMs: chat.startMs,
      ...donor,
      patienceMs: Number.isNaN(chat.closeMs)
        ? patienceAfter(chat.queue, Math.max(0, endMs - chat.startMs))
        : Math.max(0, chat.closeMs - chat.startMs),
    };
  });
}
