/**
 * The what-if: the day's chats replayed through the queue simulation twice (the roster as it was,
 * then with the plan's changes), beside what actually happened.
 *
 * From the day itself: each chat's slot time (pick-up → close), pick-up → first answer delay, and
 * patience. A chat that abandoned in the queue shows its patience; one that was served only shows
 * that its patience exceeded its wait, so it gets that wait plus an exponential draw with the
 * queue's mean patience (the exponential maximum-likelihood estimate: total waiting time over
 * abandons), memoryless as the usual Erlang A model assumes. A chat that was never served takes
 * the slot time and answer delay of a served chat of the same queue that arrived near it. All
 * draws come from one seeded stream before any run, so both runs see the same customers.
 *
 * Calibration: with the roster unchanged the simulation should give the day's waits. If its mean
 * wait is off by more than 5 %, one factor on all slot times is fitted (bisection) so the mean
 * matches; the hourly error that remains is reported as the calibration error.
 */
import { formatInstant } from '../../../../server/events/index.ts';
import { createRandom, type Random } from '../../generator/random.ts';
import { alignDownMs, createOffsetCache, nextBoundaryMs } from '../step-clock.ts';
import type { AgentChange, ChatLifecycle, ChatLog } from './chat-log.ts';
import { summariseOutcomes, waitingSeries, type ChatFate, type RunOutcomes } from './chat-outcomes.ts';
import {
  simulateQueues,
  type AddedAgents,
  type RemovedAgents,
  type SimulatedChat,
} from './queue-simulation.ts';
import type {
  Calibration,
  QueueHourOutcome,
  WhatIfHour,
  WhatIfPlan,
  WhatIfSummary,
} from './what-if-types.ts';

const HOUR_MS = 3_600_000;
/** Chats from this long before the first row are simulated too, so the queue is not empty at the start. */
const WARM_UP_MS = 2 * HOUR_MS;
/** A served chat's stand-in is drawn among this many served neighbours (by arrival) either side. */
const DONOR_NEIGHBOURS = 10;
/** Hours with fewer answered chats than this are too noisy to judge the calibration by. */
const MIN_ANSWERED_FOR_CALIBRATION = 20;
const MEAN_WAIT_TOLERANCE = 0.05;

export interface WhatIfInput {
  chatLog: ChatLog;
  plan: WhatIfPlan;
  timeZone: string;
  /** First and last row instants (epoch ms). */
  fromMs: number;
  toMs: number;
  stepMs: number;
  /** Service-level threshold, seconds. */
  thresholdSec: number;
}

interface ShopModel {
  shop: string;
  chats: ChatLifecycle[];
  simulated: SimulatedChat[];
  changes: AgentChange[];
}

function groupOf(shop: string, queue: string): string {
  return `${shop}/${queue}`;
}

function median(values: readonly number[], fallback: number): number {
  if (values.length === 0) return fallback;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

/** Turns one shop's recorded chats into simulation input (see the file header). */
function modelChats(chats: readonly ChatLifecycle[], endMs: number, random: Random): SimulatedChat[] {
  const servedByQueue = new Map<string, number[]>();
  const waitSumMs = new Map<string, number>();
  const abandons = new Map<string, number>();
  chats.forEach((chat, index) => {
    const served = !Number.isNaN(chat.pickedUpMs);
    const leftAtMs = served ? chat.pickedUpMs : Number.isNaN(chat.closeMs) ? endMs : chat.closeMs;
    waitSumMs.set(chat.queue, (waitSumMs.get(chat.queue) ?? 0) + Math.max(0, leftAtMs - chat.startMs));
    if (served) {
      const list = servedByQueue.get(chat.queue) ?? [];
      list.push(index);
      servedByQueue.set(chat.queue, list);
    } else if (!Number.isNaN(chat.closeMs)) {
      abandons.set(chat.queue, (abandons.get(chat.queue) ?? 0) + 1);
    }
  });
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
    const abandonCount = abandons.get(chat.queue) ?? 0;
    const meanPatienceMs =
      abandonCount === 0 ? Number.POSITIVE_INFINITY : (waitSumMs.get(chat.queue) ?? 0) / abandonCount;
    const extraPatience = (): number =>
      Number.isFinite(meanPatienceMs) ? random.exponential(meanPatienceMs) : Number.POSITIVE_INFINITY;
    if (!Number.isNaN(chat.pickedUpMs)) {
      return {
        queue: chat.queue,
        arrivalMs: chat.startMs,
        ...servedShape(chat),
        patienceMs: Math.max(0, chat.pickedUpMs - chat.startMs) + extraPatience(),
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
    const abandoned = !Number.isNaN(chat.closeMs);
    return {
      queue: chat.queue,
      arrivalMs: chat.startMs,
      ...donor,
      patienceMs: abandoned
        ? Math.max(0, chat.closeMs - chat.startMs)
        : Math.max(0, endMs - chat.startMs) + extraPatience(),
    };
  });
}

function actualFates(model: ShopModel): ChatFate[] {
  return model.chats.map((chat) => ({
    group: groupOf(model.shop, chat.queue),
    arrivalMs: chat.startMs,
    answeredMs: chat.firstAgentMessageMs,
    abandonedMs: Number.isNaN(chat.firstAgentMessageMs) ? chat.closeMs : Number.NaN,
  }));
}

function simulate(
  models: readonly ShopModel[],
  holdTimeFactor: number,
  plan: WhatIfPlan | undefined,
  defaultMaxChats: (shop: string, queue: string) => number,
): ChatFate[] {
  const fates: ChatFate[] = [];
  for (const model of models) {
    const changes = (plan?.changes ?? []).filter(
      (change) => change.shop === undefined || change.shop === model.shop,
    );
    const added: AddedAgents[] = changes
      .filter((change) => change.addAgents > 0)
      .map((change) => ({
        queue: change.queue,
        fromMs: change.fromMs,
        toMs: change.toMs,
        count: change.addAgents,
        maxChats: change.maxChats ?? defaultMaxChats(model.shop, change.queue),
      }));
    const removed: RemovedAgents[] = changes
      .filter((change) => change.addAgents < 0)
      .map((change) => ({
        queue: change.queue,
        fromMs: change.fromMs,
        toMs: change.toMs,
        count: -change.addAgents,
      }));
    const result = simulateQueues({
      chats: model.simulated,
      agentChanges: model.changes,
      added,
      removed,
      holdTimeFactor,
    });
    model.simulated.forEach((chat, index) => {
      const pickedUpMs = result.pickedUpMs[index] as number;
      const answeredMs = Number.isNaN(pickedUpMs) ? Number.NaN : pickedUpMs + chat.pickupToAnswerMs;
      const abandonedMs = !Number.isNaN(result.abandonedMs[index] as number)
        ? (result.abandonedMs[index] as number)
        : !Number.isNaN(pickedUpMs) && Number.isNaN(answeredMs)
          ? pickedUpMs + chat.holdMs * holdTimeFactor
          : Number.NaN;
      fates.push({
        group: groupOf(model.shop, chat.queue),
        arrivalMs: chat.arrivalMs,
        answeredMs,
        abandonedMs,
      });
    });
  }
  return fates;
}

/** Mean first-answer wait over chats arriving in the window, ms; NaN when none was answered. */
function meanWaitMs(fates: readonly ChatFate[], fromMs: number, toMs: number): number {
  let sum = 0;
  let count = 0;
  for (const fate of fates) {
    if (fate.arrivalMs < fromMs || fate.arrivalMs >= toMs || Number.isNaN(fate.answeredMs)) continue;
    sum += fate.answeredMs - fate.arrivalMs;
    count += 1;
  }
  return count === 0 ? Number.NaN : sum / count;
}

function calibrate(
  actual: RunOutcomes,
  simulated: RunOutcomes,
  holdTimeFactor: number,
  actualMeanMs: number,
  simulatedMeanMs: number,
): Calibration {
  let weighted = 0;
  let weight = 0;
  let worst: number | null = null;
  let hours = 0;
  for (const [key, actualHour] of actual.byHourGroup) {
    const simulatedHour = simulated.byHourGroup.get(key);
    const actualWait = actualHour.outcome.avgWaitSec;
    const simulatedWait = simulatedHour?.outcome.avgWaitSec ?? null;
    const answered = actualHour.arrivals - actualHour.outcome.abandoned;
    if (actualWait === null || simulatedWait === null || !(actualWait > 0)) continue;
    if (answered < MIN_ANSWERED_FOR_CALIBRATION) continue;
    const error = Math.abs(simulatedWait - actualWait) / actualWait;
    weighted += error * answered;
    weight += answered;
    worst = worst === null ? error : Math.max(worst, error);
    hours += 1;
  }
  const round4 = (value: number): number => Math.round(value * 10_000) / 10_000;
  return {
    holdTimeFactor: round4(holdTimeFactor),
    hourlyWaitError: weight === 0 ? null : round4(weighted / weight),
    maxHourlyWaitError: worst === null ? null : round4(worst),
    minAnswered: MIN_ANSWERED_FOR_CALIBRATION,
    hours,
    actualMeanWaitSec: Number.isNaN(actualMeanMs) ? null : Math.round(actualMeanMs / 100) / 10,
    simulatedMeanWaitSec: Number.isNaN(simulatedMeanMs) ? null : Math.round(simulatedMeanMs / 100) / 10,
  };
}

export function runWhatIf(input: WhatIfInput): WhatIfSummary {
  const { fromMs, toMs, timeZone } = input;
  const seed = input.plan.seed ?? 1;
  const random = createRandom(seed, 0x5eed);
  const offsets = createOffsetCache(timeZone);
  const hourOf = (epochMs: number): number => alignDownMs(epochMs, HOUR_MS, offsets);

  const chats = input.chatLog
    .chats()
    .filter((chat) => chat.startMs >= fromMs - WARM_UP_MS && chat.startMs <= toMs && chat.queue !== '');
  const changes = input.chatLog.agentChanges().filter((change) => change.tsMs <= toMs);
  const shops = [...new Set(chats.map((chat) => chat.shop))].sort();
  const models: ShopModel[] = shops.map((shop) => {
    const own = chats.filter((chat) => chat.shop === shop);
    return {
      shop,
      chats: own,
      simulated: modelChats(own, toMs, random),
      changes: changes.filter((change) => change.shop === shop),
    };
  });
  const maxChatsSeen = (shop: string, queue: string): number =>
    median(
      changes
        .filter((change) => change.shop === shop && change.staffed && change.queues.includes(queue))
        .map((change) => change.maxChats),
      1,
    );

  const window = { fromMs, toMs, hourOf, thresholdSec: input.thresholdSec };
  const actualAll = models.flatMap((model) => actualFates(model));
  const actualOutcomes = summariseOutcomes(actualAll, window);
  const actualMeanMs = meanWaitMs(actualAll, fromMs, toMs);

  // Calibration: keep the recorded slot times unless the mean wait is clearly off.
  let factor = 1;
  let baseline = simulate(models, factor, undefined, maxChatsSeen);
  let baselineMeanMs = meanWaitMs(baseline, fromMs, toMs);
  const off = (meanMs: number): number => Math.abs(meanMs - actualMeanMs) / actualMeanMs;
  if (Number.isFinite(actualMeanMs) && actualMeanMs > 0 && off(baselineMeanMs) > MEAN_WAIT_TOLERANCE) {
    let low = Math.log(0.25);
    let high = Math.log(4);
    for (let iteration = 0; iteration < 14; iteration += 1) {
      const middle = (low + high) / 2;
      const trial = simulate(models, Math.exp(middle), undefined, maxChatsSeen);
      if (meanWaitMs(trial, fromMs, toMs) < actualMeanMs) low = middle;
      else high = middle;
    }
    const fitted = Math.exp((low + high) / 2);
    const fittedRun = simulate(models, fitted, undefined, maxChatsSeen);
    const fittedMeanMs = meanWaitMs(fittedRun, fromMs, toMs);
    if (off(fittedMeanMs) < off(baselineMeanMs)) {
      factor = fitted;
      baseline = fittedRun;
      baselineMeanMs = fittedMeanMs;
    }
  }
  const baselineOutcomes = summariseOutcomes(baseline, window);
  const whatIfRun = simulate(models, factor, input.plan, maxChatsSeen);
  const whatIfOutcomes = summariseOutcomes(whatIfRun, window);

  const empty: QueueHourOutcome = {
    avgWaitSec: null,
    serviceLevel: null,
    abandoned: 0,
    minutesUnansweredOver30m: 0,
  };
  const hours: WhatIfHour[] = [...actualOutcomes.byHourGroup.entries()]
    .sort(
      ([, a], [, b]) => a.hourStartMs - b.hourStartMs || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0),
    )
    .map(([key, hour]) => {
      const slash = hour.group.indexOf('/');
      return {
        hourStart: formatInstant(hour.hourStartMs, timeZone),
        shop: hour.group.slice(0, slash),
        queue: hour.group.slice(slash + 1),
        arrivals: hour.arrivals,
        actual: hour.outcome,
        simulated: baselineOutcomes.byHourGroup.get(key)?.outcome ?? empty,
        whatIf: whatIfOutcomes.byHourGroup.get(key)?.outcome ?? empty,
      };
    });

  const instantsMs: number[] = [];
  for (let at = fromMs; at <= toMs; at = nextBoundaryMs(at, input.stepMs, offsets)) instantsMs.push(at);
  const groups = [...new Set(actualAll.map((fate) => fate.group))].sort();
  return {
    seed,
    changes: input.plan.changes.map((change) => ({
      queue: change.queue,
      from: formatInstant(change.fromMs, timeZone),
      to: formatInstant(change.toMs, timeZone),
      addAgents: change.addAgents,
      shop: change.shop ?? null,
      maxChats: change.maxChats ?? null,
    })),
    calibration: calibrate(actualOutcomes, baselineOutcomes, factor, actualMeanMs, baselineMeanMs),
    hours,
    totals: {
      actual: actualOutcomes.totals,
      simulated: baselineOutcomes.totals,
      whatIf: whatIfOutcomes.totals,
    },
    series: {
      asOf: instantsMs.map((at) => formatInstant(at, timeZone)),
      actualWaiting: waitingSeries(actualAll, instantsMs, groups, toMs),
      simulatedWaiting: waitingSeries(baseline, instantsMs, groups, toMs),
      whatIfWaiting: waitingSeries(whatIfRun, instantsMs, groups, toMs),
    },
  };
}
