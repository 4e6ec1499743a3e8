/**
 * The what-if: the day's chats replayed through the queue simulation twice (the roster as it was,
 * then with the plan's changes), beside what actually happened. Chats, their slot times and
 * patience (Kaplan–Meier, chat-model.ts) come from the day itself; so do the queue discipline
 * (priority and head start) and, when the logged presence overstates it, the agents'
 * availability (availability.ts). Every run is `REPLICATIONS` simulated copies of the chats, each
 * with its own patience draws, averaged; their spread is reported as the noise floor.
 *
 * Calibration: with the roster unchanged the simulation should give the day's waits.
 * 1. Simulate with presence as logged and slot times as recorded.
 * 2. If that answers clearly too fast (mean wait more than 5 % short), presence overstates who
 *    was taking chats: infer availability from the day (agents idle while callers waited were
 *    away) and simulate again.
 * 3. If the mean wait is still off by more than 5 %, fit one factor on all slot times so the
 *    mean matches.
 * The hourly error that remains is the calibration error. A plan may fix the availability and
 * the factor instead.
 *
 * Day check: each day of the range is also calibrated on its own (in-sample), and simulated with
 * the factor and queue discipline fitted on the other days of the range and of the log's last
 * four weeks before it (out-of-sample: nothing fitted on the day it is measured on). Needs two
 * days with chats; the day's own roster (and availability inferred from it) is used either way.
 */
import { formatInstant } from '../../../../server/events/index.ts';
import { createRandom } from '../../generator/random.ts';
import { alignDownMs, createOffsetCache, nextBoundaryMs, type OffsetCache } from '../step-clock.ts';
import {
  countOvertakes,
  inferAwaySpans,
  mergeOvertakes,
  queueDiscipline,
  type QueueDiscipline,
  type QueueOvertakes,
} from './availability.ts';
import type { AgentChange, ChatLifecycle, ChatLog } from './chat-log.ts';
import { modelChats, type PatienceModel } from './chat-model.ts';
import {
  summariseOutcomes,
  waitingSeries,
  type ChatFate,
  type OutcomeWindow,
  type RunOutcomes,
} from './chat-outcomes.ts';
import {
  simulateQueues,
  type AddedAgents,
  type AwaySpan,
  type RemovedAgents,
  type SimulatedChat,
} from './queue-simulation.ts';
import type {
  Availability,
  Calibration,
  CalibrationErrors,
  DayCalibration,
  QueueHourOutcome,
  WhatIfHour,
  WhatIfPlan,
  WhatIfSummary,
} from './what-if-types.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Chats from this long before the first row are simulated too, so the queue is not empty at the start. */
const WARM_UP_MS = 2 * HOUR_MS;
/** Hours with fewer answered chats than this are too noisy to judge the calibration by. */
const MIN_ANSWERED_FOR_CALIBRATION = 20;
const MEAN_WAIT_TOLERANCE = 0.05;
/** The slot-time factor is fitted until the mean wait is this close. */
const FIT_TOLERANCE = 0.01;
const FIT_ITERATIONS = 12;
const MIN_FACTOR = 0.25;
/** The day check also calibrates up to this many days of the log before the range. */
const HISTORY_DAYS = 28;
const MAX_FACTOR = 4;
/** Callers waiting this long of an idle agent's time mean the agent was away (availability.ts). */
const AWAY_TOLERANCE_MS = 0;
const PATIENCE_MODEL: PatienceModel = 'kaplan-meier';
/** Simulated copies per run: their mean is compared with the day, their spread is the noise floor. */
export const REPLICATIONS = 4;

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
  /** One copy of the chats per replication, each with its own draws. */
  replicas: SimulatedChat[][];
  changes: AgentChange[];
  /** Inferred away spans (computed when first needed). */
  away: AwaySpan[] | undefined;
}

interface SimulationSettings {
  holdTimeFactor: number;
  availability: Availability;
  discipline: QueueDiscipline;
}

/** One range (the run's, or one day of it) ready to simulate. */
interface Prepared {
  fromMs: number;
  toMs: number;
  models: ShopModel[];
  window: OutcomeWindow;
  actualAll: ChatFate[];
  actualOutcomes: RunOutcomes;
  actualMeanMs: number;
  overtakes: QueueOvertakes;
  queues: string[];
  maxChatsSeen: (shop: string, queue: string) => number;
}

interface Calibrated {
  settings: SimulationSettings;
  baseline: ChatFate[];
  baselineMeanMs: number;
  outcomes: RunOutcomes;
}

function groupOf(shop: string, queue: string): string {
  return `${shop}/${queue}`;
}

function median(values: readonly number[], fallback: number): number {
  if (values.length === 0) return fallback;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function actualFates(model: ShopModel): ChatFate[] {
  return model.chats.map((chat) => ({
    group: groupOf(model.shop, chat.queue),
    arrivalMs: chat.startMs,
    answeredMs: chat.firstAgentMessageMs,
    abandonedMs: Number.isNaN(chat.firstAgentMessageMs) ? chat.closeMs : Number.NaN,
  }));
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

function prepare(
  allChats: readonly ChatLifecycle[],
  allChanges: readonly AgentChange[],
  fromMs: number,
  toMs: number,
  seed: number,
  thresholdSec: number,
  hourOf: (epochMs: number) => number,
): Prepared {
  const chats = allChats.filter(
    (chat) => chat.startMs >= fromMs - WARM_UP_MS && chat.startMs <= toMs && chat.queue !== '',
  );
  const changes = allChanges.filter((change) => change.tsMs <= toMs);
  const streams = Array.from({ length: REPLICATIONS }, (_, replica) => createRandom(seed, 0x5eed + replica));
  const shops = [...new Set(chats.map((chat) => chat.shop))].sort();
  const models: ShopModel[] = shops.map((shop) => {
    const own = chats.filter((chat) => chat.shop === shop);
    return {
      shop,
      chats: own,
      replicas: streams.map((random) => modelChats(own, toMs, random, PATIENCE_MODEL)),
      changes: changes.filter((change) => change.shop === shop),
      away: undefined,
    };
  });
  const window: OutcomeWindow = { fromMs, toMs, hourOf, thresholdSec };
  const actualAll = models.flatMap((model) => actualFates(model));
  return {
    fromMs,
    toMs,
    models,
    window,
    actualAll,
    actualOutcomes: summariseOutcomes(actualAll, window),
    actualMeanMs: meanWaitMs(actualAll, fromMs, toMs),
    overtakes: countOvertakes(chats, toMs),
    queues: [...new Set(chats.map((chat) => chat.queue))].sort(),
    maxChatsSeen: (shop, queue) =>
      median(
        changes
          .filter((change) => change.shop === shop && change.staffed && change.queues.includes(queue))
          .map((change) => change.maxChats),
        1,
      ),
  };
}

function simulate(prepared: Prepared, settings: SimulationSettings, plan?: WhatIfPlan): ChatFate[] {
  const holdTimeFactor = settings.holdTimeFactor;
  const fates: ChatFate[] = [];
  for (const model of prepared.models) {
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
        maxChats: change.maxChats ?? prepared.maxChatsSeen(model.shop, change.queue),
      }));
    const removed: RemovedAgents[] = changes
      .filter((change) => change.addAgents < 0)
      .map((change) => ({
        queue: change.queue,
        fromMs: change.fromMs,
        toMs: change.toMs,
        count: -change.addAgents,
      }));
    let away: AwaySpan[] | undefined;
    if (settings.availability === 'inferred') {
      model.away ??= inferAwaySpans(model.chats, model.changes, AWAY_TOLERANCE_MS, prepared.toMs);
      away = model.away;
    }
    model.replicas.forEach((chats, replica) => {
      const result = simulateQueues({
        chats,
        agentChanges: model.changes,
        added,
        removed,
        holdTimeFactor,
        ...(away === undefined ? {} : { away }),
        queueRank: settings.discipline.ranks,
        headStartMs: settings.discipline.headStartMs,
      });
      chats.forEach((chat, index) => {
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
          replica,
        });
      });
    });
  }
  return fates;
}

/** Steps 1–3 of the file header; `fixed` pins the availability and the factor instead of fitting. */
function calibrate(
  prepared: Prepared,
  discipline: QueueDiscipline,
  fixed: { availability?: Availability | undefined; holdTimeFactor?: number | undefined },
): Calibrated {
  const { fromMs, toMs, actualMeanMs } = prepared;
  const meanOf = (fates: readonly ChatFate[]): number => meanWaitMs(fates, fromMs, toMs);
  let settings: SimulationSettings = {
    holdTimeFactor: fixed.holdTimeFactor ?? 1,
    availability: fixed.availability ?? 'logged',
    discipline,
  };
  let baseline = simulate(prepared, settings);
  let baselineMeanMs = meanOf(baseline);
  const canFit = Number.isFinite(actualMeanMs) && actualMeanMs > 0;
  const off = (meanMs: number): number => Math.abs(meanMs - actualMeanMs) / actualMeanMs;
  const keepIfBetter = (trial: SimulationSettings, trialRun: ChatFate[], trialMeanMs: number): void => {
    if (off(trialMeanMs) < off(baselineMeanMs)) {
      settings = trial;
      baseline = trialRun;
      baselineMeanMs = trialMeanMs;
    }
  };
  if (
    canFit &&
    fixed.availability === undefined &&
    baselineMeanMs < actualMeanMs * (1 - MEAN_WAIT_TOLERANCE)
  ) {
    const trial = { ...settings, availability: 'inferred' as const };
    const trialRun = simulate(prepared, trial);
    keepIfBetter(trial, trialRun, meanOf(trialRun));
  }
  if (canFit && fixed.holdTimeFactor === undefined && off(baselineMeanMs) > MEAN_WAIT_TOLERANCE) {
    // The mean wait grows with the factor: bracket the day's mean in log(factor), then regula
    // falsi (Illinois) on log(simulated mean / actual mean).
    const gap = (meanMs: number): number => Math.log(meanMs / actualMeanMs);
    const start = Math.log(settings.holdTimeFactor);
    let best: { settings: SimulationSettings; run: ChatFate[]; meanMs: number } | undefined;
    const evaluate = (x: number): number => {
      const trial = { ...settings, holdTimeFactor: Math.exp(x) };
      const run = simulate(prepared, trial);
      const meanMs = meanOf(run);
      if (best === undefined || off(meanMs) < off(best.meanMs)) best = { settings: trial, run, meanMs };
      return Number.isFinite(meanMs) && meanMs > 0 ? gap(meanMs) : Number.NEGATIVE_INFINITY;
    };
    let low = start;
    let gLow = gap(baselineMeanMs);
    let high = start;
    let gHigh = gLow;
    const step = Math.log(1.25);
    let iterations = 0;
    // Expand from the current factor until the sign changes (or a bound is reached).
    while (gLow > 0 && low > Math.log(MIN_FACTOR) && iterations < FIT_ITERATIONS) {
      high = low;
      gHigh = gLow;
      low = Math.max(Math.log(MIN_FACTOR), low - step);
      gLow = evaluate(low);
      iterations += 1;
    }
    while (gHigh < 0 && high < Math.log(MAX_FACTOR) && iterations < FIT_ITERATIONS) {
      low = high;
      gLow = gHigh;
      high = Math.min(Math.log(MAX_FACTOR), high + step);
      gHigh = evaluate(high);
      iterations += 1;
    }
    let side = 0;
    while (
      gLow <= 0 &&
      gHigh >= 0 &&
      iterations < FIT_ITERATIONS &&
      best !== undefined &&
      off(best.meanMs) > FIT_TOLERANCE
    ) {
      const x =
        Number.isFinite(gLow) && gHigh - gLow > 0
          ? low - (gLow * (high - low)) / (gHigh - gLow)
          : (low + high) / 2;
      const gx = evaluate(x);
      iterations += 1;
      if (gx < 0) {
        low = x;
        gLow = gx;
        if (side === -1) gHigh /= 2;
        side = -1;
      } else {
        high = x;
        gHigh = gx;
        if (side === 1) gLow /= 2;
        side = 1;
      }
    }
    const found = best as { settings: SimulationSettings; run: ChatFate[]; meanMs: number } | undefined;
    if (found !== undefined) keepIfBetter(found.settings, found.run, found.meanMs);
  }
  return {
    settings,
    baseline,
    baselineMeanMs,
    outcomes: summariseOutcomes(baseline, prepared.window, REPLICATIONS),
  };
}

type Cells = RunOutcomes['byHourGroup'];

/**
 * |simulated − actual| / actual hourly mean wait over (hour, queue) cells with at least
 * `MIN_ANSWERED_FOR_CALIBRATION` answered chats, averaged weighted by answered chats; and the
 * same errors weighted by the cell's actual waiting time (answered × mean wait).
 */
function hourlyError(
  actual: Cells,
  simulated: Cells,
): {
  hourlyWaitError: number | null;
  waitWeightedError: number | null;
  maxHourlyWaitError: number | null;
  hours: number;
} {
  let weighted = 0;
  let weight = 0;
  let absoluteWait = 0;
  let actualWait = 0;
  let worst: number | null = null;
  let hours = 0;
  for (const [key, actualHour] of actual) {
    const actualMean = actualHour.outcome.avgWaitSec;
    const simulatedMean = simulated.get(key)?.outcome.avgWaitSec ?? null;
    const answered = actualHour.arrivals - actualHour.outcome.abandoned;
    if (actualMean === null || simulatedMean === null || !(actualMean > 0)) continue;
    if (answered < MIN_ANSWERED_FOR_CALIBRATION) continue;
    const error = Math.abs(simulatedMean - actualMean) / actualMean;
    weighted += error * answered;
    weight += answered;
    absoluteWait += Math.abs(simulatedMean - actualMean) * answered;
    actualWait += actualMean * answered;
    worst = worst === null ? error : Math.max(worst, error);
    hours += 1;
  }
  return {
    hourlyWaitError: weight === 0 ? null : round4(weighted / weight),
    waitWeightedError: actualWait === 0 ? null : round4(absoluteWait / actualWait),
    maxHourlyWaitError: worst === null ? null : round4(worst),
    hours,
  };
}

/** Cells of several days pooled by local hour of day (and group): the mean day's hourly waits. */
function byHourOfDay(cells: Cells, offsets: OffsetCache): Cells {
  const sums = new Map<
    string,
    { hour: number; group: string; arrivals: number; answered: number; waitSum: number; abandoned: number }
  >();
  for (const cell of cells.values()) {
    const hour = Math.floor((cell.hourStartMs + offsets.offsetMs(cell.hourStartMs)) / HOUR_MS) % 24;
    const key = `${hour}|${cell.group}`;
    const sum = sums.get(key) ?? {
      hour,
      group: cell.group,
      arrivals: 0,
      answered: 0,
      waitSum: 0,
      abandoned: 0,
    };
    sum.arrivals += cell.arrivals;
    sum.abandoned += cell.outcome.abandoned;
    if (cell.outcome.avgWaitSec !== null) {
      sum.answered += cell.answered;
      sum.waitSum += cell.outcome.avgWaitSec * cell.answered;
    }
    sums.set(key, sum);
  }
  const pooled: Cells = new Map();
  for (const [key, sum] of sums) {
    pooled.set(key, {
      hourStartMs: sum.hour * HOUR_MS,
      group: sum.group,
      arrivals: sum.arrivals,
      answered: sum.answered,
      outcome: {
        avgWaitSec: sum.answered === 0 ? null : sum.waitSum / sum.answered,
        serviceLevel: null,
        abandoned: sum.abandoned,
        minutesUnansweredOver30m: 0,
      },
    });
  }
  return pooled;
}

function errorsOf(actual: Cells, simulated: Cells, offsets: OffsetCache): CalibrationErrors {
  const { hourlyWaitError, waitWeightedError, hours } = hourlyError(actual, simulated);
  return {
    hourlyWaitError,
    waitWeightedError,
    hourOfDayWaitError: hourlyError(byHourOfDay(actual, offsets), byHourOfDay(simulated, offsets))
      .hourlyWaitError,
    hours,
  };
}

/** How far one simulated copy is from the mean of the others, by the same measures (averaged over copies). */
function noiseFloorOf(prepared: Prepared, baseline: readonly ChatFate[]): Calibration['noiseFloor'] {
  if (REPLICATIONS < 2) return null;
  const errors = Array.from({ length: REPLICATIONS }, (_, replica) => {
    const one = summariseOutcomes(
      baseline.filter((fate) => fate.replica === replica),
      prepared.window,
    );
    const rest = summariseOutcomes(
      baseline.filter((fate) => fate.replica !== replica),
      prepared.window,
      REPLICATIONS - 1,
    );
    return hourlyError(one.byHourGroup, rest.byHourGroup);
  });
  const meanOf = (values: (number | null)[]): number | null => {
    const present = values.filter((value): value is number => value !== null);
    return present.length === 0 ? null : round4(present.reduce((a, b) => a + b, 0) / present.length);
  };
  return {
    hourlyWaitError: meanOf(errors.map((error) => error.hourlyWaitError)),
    waitWeightedError: meanOf(errors.map((error) => error.waitWeightedError)),
  };
}

/**
 * The day check (see the file header): the days of the range, and up to `HISTORY_DAYS` days of
 * the log before it, each calibrated on its own; then each day of the range simulated with the
 * median factor and the summed queue overtakes of all the other days.
 */
function dayCheck(
  chats: readonly ChatLifecycle[],
  changes: readonly AgentChange[],
  input: WhatIfInput,
  seed: number,
  hourOf: (epochMs: number) => number,
  offsets: OffsetCache,
  availability: Availability,
  fixedFactor: number | undefined,
): Calibration['days'] {
  const firstMs = chats[0]?.startMs;
  if (firstMs === undefined) return null;
  const days: {
    date: string;
    inRange: boolean;
    prepared: Prepared;
    calibrated: Calibrated;
    hours: number;
  }[] = [];
  for (
    let dayMs = alignDownMs(Math.max(firstMs, input.fromMs - HISTORY_DAYS * DAY_MS), DAY_MS, offsets);
    dayMs < input.toMs;
    dayMs = nextBoundaryMs(dayMs, DAY_MS, offsets)
  ) {
    const endMs = nextBoundaryMs(dayMs, DAY_MS, offsets);
    const inRange = endMs > input.fromMs;
    const fromMs = inRange ? Math.max(input.fromMs, dayMs) : dayMs;
    const toMs = inRange ? Math.min(input.toMs, endMs) : endMs;
    const prepared = prepare(chats, changes, fromMs, toMs, seed, input.thresholdSec, hourOf);
    const calibrated = calibrate(prepared, queueDiscipline(prepared.overtakes, prepared.queues), {
      holdTimeFactor: fixedFactor,
    });
    const hours = hourlyError(prepared.actualOutcomes.byHourGroup, calibrated.outcomes.byHourGroup).hours;
    if (hours === 0) continue;
    days.push({
      date: formatInstant(dayMs, input.timeZone).slice(0, 10),
      inRange,
      prepared,
      calibrated,
      hours,
    });
  }
  if (days.length < 2 || !days.some((day) => day.inRange)) return null;

  const actual: Cells = new Map();
  const inSample: Cells = new Map();
  const outOfSample: Cells = new Map();
  const perDay: DayCalibration[] = [];
  days.forEach((day, index) => {
    if (!day.inRange) return;
    const others = days.filter((_, other) => other !== index);
    const factor =
      fixedFactor ??
      median(
        others.map((other) => other.calibrated.settings.holdTimeFactor),
        1,
      );
    const overtakes = mergeOvertakes(others.map((other) => other.prepared.overtakes));
    const carried = calibrate(day.prepared, queueDiscipline(overtakes, day.prepared.queues), {
      availability,
      holdTimeFactor: factor,
    });
    const dayActual = day.prepared.actualOutcomes.byHourGroup;
    for (const [key, cell] of dayActual) actual.set(key, cell);
    for (const [key, cell] of day.calibrated.outcomes.byHourGroup) inSample.set(key, cell);
    for (const [key, cell] of carried.outcomes.byHourGroup) outOfSample.set(key, cell);
    perDay.push({
      date: day.date,
      hours: day.hours,
      availability: day.calibrated.settings.availability,
      holdTimeFactor: round4(day.calibrated.settings.holdTimeFactor),
      hourlyWaitError: hourlyError(dayActual, day.calibrated.outcomes.byHourGroup).hourlyWaitError,
      outOfSampleHoldTimeFactor: round4(factor),
      outOfSampleHourlyWaitError: hourlyError(dayActual, carried.outcomes.byHourGroup).hourlyWaitError,
    });
  });
  return {
    historyDays: days.filter((day) => !day.inRange).length,
    inSample: errorsOf(actual, inSample, offsets),
    outOfSample: errorsOf(actual, outOfSample, offsets),
    perDay,
  };
}

export function runWhatIf(input: WhatIfInput): WhatIfSummary {
  const { fromMs, toMs, timeZone, plan } = input;
  const seed = plan.seed ?? 1;
  const offsets = createOffsetCache(timeZone);
  const hourOf = (epochMs: number): number => alignDownMs(epochMs, HOUR_MS, offsets);

  const allChats = input.chatLog.chats();
  const allChanges = input.chatLog.agentChanges();
  const prepared = prepare(allChats, allChanges, fromMs, toMs, seed, input.thresholdSec, hourOf);
  const discipline = queueDiscipline(prepared.overtakes, prepared.queues);
  const queueRank = discipline.ranks;
  const calibrated = calibrate(prepared, discipline, {
    availability: plan.availability,
    holdTimeFactor: plan.holdTimeFactor,
  });
  const { settings, baseline, baselineMeanMs } = calibrated;
  const baselineOutcomes = calibrated.outcomes;
  const whatIfRun = plan.changes.length === 0 ? baseline : simulate(prepared, settings, plan);
  const whatIfOutcomes =
    whatIfRun === baseline ? baselineOutcomes : summariseOutcomes(whatIfRun, prepared.window, REPLICATIONS);
  const { actualAll, actualOutcomes, actualMeanMs } = prepared;

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
  const toSec = (ms: number): number | null => (Number.isNaN(ms) ? null : Math.round(ms / 100) / 10);
  const range = hourlyError(actualOutcomes.byHourGroup, baselineOutcomes.byHourGroup);
  const calibration: Calibration = {
    holdTimeFactor: round4(settings.holdTimeFactor),
    availability: settings.availability,
    queuePriority: [...queueRank.keys()].sort(
      (a, b) => (queueRank.get(b) ?? 0) - (queueRank.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0),
    ),
    headStartSec: Number.isFinite(discipline.headStartMs) ? Math.round(discipline.headStartMs / 1000) : null,
    overtakes: prepared.overtakes.counts,
    replications: REPLICATIONS,
    hourlyWaitError: range.hourlyWaitError,
    waitWeightedError: range.waitWeightedError,
    hourOfDayWaitError: errorsOf(actualOutcomes.byHourGroup, baselineOutcomes.byHourGroup, offsets)
      .hourOfDayWaitError,
    maxHourlyWaitError: range.maxHourlyWaitError,
    minAnswered: MIN_ANSWERED_FOR_CALIBRATION,
    hours: range.hours,
    actualMeanWaitSec: toSec(actualMeanMs),
    simulatedMeanWaitSec: toSec(baselineMeanMs),
    noiseFloor: noiseFloorOf(prepared, baseline),
    days:
      plan.dayCheck === false
        ? null
        : dayCheck(
            allChats,
            allChanges,
            input,
            seed,
            hourOf,
            offsets,
            settings.availability,
            plan.holdTimeFactor,
          ),
  };
  return {
    seed,
    changes: plan.changes.map((change) => ({
      queue: change.queue,
      from: formatInstant(change.fromMs, timeZone),
      to: formatInstant(change.toMs, timeZone),
      addAgents: change.addAgents,
      shop: change.shop ?? null,
      maxChats: change.maxChats ?? null,
    })),
    calibration,
    hours,
    totals: {
      actual: actualOutcomes.totals,
      simulated: baselineOutcomes.totals,
      whatIf: whatIfOutcomes.totals,
    },
    series: {
      asOf: instantsMs.map((at) => formatInstant(at, timeZone)),
      actualWaiting: waitingSeries(actualAll, instantsMs, groups, toMs),
      simulatedWaiting: waitingSeries(baseline, instantsMs, groups, toMs, REPLICATIONS),
      whatIfWaiting: waitingSeries(whatIfRun, instantsMs, groups, toMs, REPLICATIONS),
    },
  };
}
