/**
 * One queue's model for an hour: which handle time, target and concurrency apply (with the
 * documented fallbacks), how many agents the forecast needs, and what a given head count would
 * deliver. Shared by the staffing rows and the what-if, so both always agree.
 */
import { erlangAMetrics, erlangAWaitBeyondProbability, requiredServersErlangA } from './erlang-a.ts';
import { erlangCMetrics, erlangCWaitBeyondProbability, requiredServersErlangC } from './erlang.ts';
import { ceilAgents } from './refund-desk.ts';
import type { QueueStaffingInput, StaffingConfig, StaffingQueueTarget } from './types.ts';

/** Seconds of waiting after which a contact counts as "unanswered over 30 minutes" (API.md). */
export const UNANSWERED_AFTER_SEC = 1800;
export const DEFAULT_CHAT_HANDLE_SEC = 300;
export const DEFAULT_CHAT_CONCURRENCY = 1;

/** A queue's settings once fallbacks are resolved. */
export interface QueueModel {
  queue: string;
  kind: 'chat' | 'refund';
  /** Measured mean handle time, seconds; null when unknown. */
  measuredHandleSec: number | null;
  /** Handle time the maths uses: measured, else the configured fallback. */
  handleSec: number;
  /** Contacts an agent serves at once (chat slots per agent); 1 for the refund desk. */
  concurrency: number;
  /** Chat: the queue's target. Refund desk: answer within the response deadline at its occupancy. */
  target: StaffingQueueTarget;
}

function positiveOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) && value > 0 ? value : null;
}

/** Resolves a queue's handle time, concurrency and target from its input and the configuration. */
export function queueModel(queue: QueueStaffingInput, config: StaffingConfig): QueueModel {
  const measuredHandleSec = positiveOrNull(queue.handleSec);
  if (queue.kind === 'refund') {
    return {
      queue: queue.queue,
      kind: 'refund',
      measuredHandleSec,
      handleSec: measuredHandleSec ?? config.refundHandleSec,
      concurrency: 1,
      target: {
        targetServiceLevel: config.defaultTarget.targetServiceLevel,
        thresholdSec: config.refundResponseDeadlineSec,
        maxOccupancy: config.refundOccupancy,
      },
    };
  }
  const concurrency =
    Number.isFinite(queue.concurrency) && queue.concurrency >= 1
      ? queue.concurrency
      : (config.defaultChatConcurrency ?? DEFAULT_CHAT_CONCURRENCY);
  return {
    queue: queue.queue,
    kind: 'chat',
    measuredHandleSec,
    handleSec: measuredHandleSec ?? config.defaultChatHandleSec ?? DEFAULT_CHAT_HANDLE_SEC,
    concurrency,
    target: { ...config.defaultTarget, ...config.targets[queue.queue] },
  };
}

/**
 * Chat slots a head count provides: agents × concurrency, rounded down. The engine's
 * concurrency is a mean of integers, so for the online agents the product is a whole number up
 * to float error (hence the tolerance); for added agents, rounding down is the cautious side.
 */
export function slotsFor(agents: number, concurrency: number): number {
  return Math.max(0, Math.floor(agents * concurrency + 1e-9));
}

/**
 * Agents a chat queue needs for `arrivals` in one hour: Erlang A when a mean patience is
 * configured (the same model as the projection, so a met target and a zero gap agree), Erlang C
 * otherwise; the answer is in slots, and agents = ceil(slots / concurrency).
 */
export function requiredChatAgents(model: QueueModel, arrivals: number): number {
  if (arrivals === 0) return 0;
  const { target, handleSec } = model;
  const slots =
    target.patienceSec !== undefined
      ? requiredServersErlangA(
          { arrivals, intervalSec: 3600, handleSec, patienceSec: target.patienceSec },
          target,
        )
      : requiredServersErlangC({ offeredLoad: (arrivals * handleSec) / 3600, handleSec, ...target });
  return ceilAgents(slots / model.concurrency);
}

/** What one head count delivers for an hour's arrivals. Null = the model gives no figure. */
export interface QueueProjection {
  agents: number;
  /** Share answered within the queue's threshold (refund desk: within the response deadline). */
  serviceLevel: number | null;
  /** Mean wait over all arrivals, seconds. */
  asaSec: number | null;
  occupancy: number | null;
  /** Expected arrivals in the hour that wait more than 1800 s: arrivals × P(wait > 1800 s). */
  projectedUnansweredOver30m: number | null;
  /**
   * True when the slots do not exceed the offered load: Erlang C has no steady state, and under
   * Erlang A only abandonment keeps the queue finite.
   */
  overloaded: boolean;
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

/**
 * Projects `agents` on `arrivals` in one hour.
 * - No arrivals: nothing waits; the service level is undefined (null).
 * - Erlang A (patience configured): defined for any head count; with nobody, nobody is answered
 *   and a customer still waits at 30 min with probability e^(−1800 / patience).
 * - Erlang C: defined only when slots exceed the offered load; otherwise `overloaded`, with
 *   occupancy 1 and the other figures null (the queue grows for as long as the hour lasts).
 * Rounded: probabilities and occupancy to 4 decimals, seconds and counts to 2.
 */
export function projectQueue(model: QueueModel, arrivals: number, agents: number): QueueProjection {
  const slots = slotsFor(agents, model.concurrency);
  const { handleSec, target } = model;
  const offeredLoad = (arrivals * handleSec) / 3600;
  if (arrivals === 0) {
    return {
      agents,
      serviceLevel: null,
      asaSec: 0,
      occupancy: slots > 0 ? 0 : null,
      projectedUnansweredOver30m: 0,
      overloaded: false,
    };
  }
  if (target.patienceSec !== undefined) {
    const parameters = { arrivals, intervalSec: 3600, handleSec, patienceSec: target.patienceSec };
    if (slots === 0) {
      return {
        agents,
        serviceLevel: 0,
        asaSec: round(target.patienceSec, 2),
        occupancy: null,
        projectedUnansweredOver30m: round(arrivals * Math.exp(-UNANSWERED_AFTER_SEC / target.patienceSec), 2),
        overloaded: true,
      };
    }
    const metrics = erlangAMetrics(slots, parameters, target.thresholdSec);
    const waitBeyond = erlangAWaitBeyondProbability(slots, parameters, UNANSWERED_AFTER_SEC);
    return {
      agents,
      serviceLevel: round(metrics.serviceLevel, 4),
      asaSec: round(metrics.averageSpeedOfAnswerSec, 2),
      occupancy: round(metrics.occupancy, 4),
      projectedUnansweredOver30m: round(arrivals * waitBeyond, 2),
      overloaded: slots <= offeredLoad,
    };
  }
  if (slots <= offeredLoad) {
    return {
      agents,
      serviceLevel: null,
      asaSec: null,
      occupancy: slots > 0 ? 1 : null,
      projectedUnansweredOver30m: null,
      overloaded: true,
    };
  }
  const metrics = erlangCMetrics(slots, offeredLoad, target.thresholdSec, handleSec);
  const waitBeyond = erlangCWaitBeyondProbability(slots, offeredLoad, UNANSWERED_AFTER_SEC, handleSec);
  return {
    agents,
    serviceLevel: round(metrics.serviceLevel, 4),
    asaSec: round(metrics.averageSpeedOfAnswerSec, 2),
    occupancy: round(metrics.occupancy, 4),
    projectedUnansweredOver30m: round(arrivals * waitBeyond, 2),
    overloaded: false,
  };
}

/**
 * Service level `agents` would deliver on `arrivals` in one hour — the cheap part of
 * `projectQueue`, for the per-tick rows. Null when not computable (see `projectQueue`).
 */
export function projectedServiceLevel(model: QueueModel, arrivals: number, agents: number): number | null {
  const slots = slotsFor(agents, model.concurrency);
  const { handleSec, target } = model;
  if (arrivals === 0) return null;
  if (target.patienceSec !== undefined) {
    if (slots === 0) return 0;
    const parameters = { arrivals, intervalSec: 3600, handleSec, patienceSec: target.patienceSec };
    return round(erlangAMetrics(slots, parameters, target.thresholdSec).serviceLevel, 4);
  }
  const offeredLoad = (arrivals * handleSec) / 3600;
  if (slots <= offeredLoad) return null;
  return round(erlangCMetrics(slots, offeredLoad, target.thresholdSec, handleSec).serviceLevel, 4);
}
