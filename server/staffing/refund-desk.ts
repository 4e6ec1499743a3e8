/**
 * The refund desk is deferred work against deadlines, not a queue of people waiting on a line:
 * each refund awaiting a first response is due `responseDeadlineSec` after it was requested
 * (30 min, DOMAIN.md) and costs one handle time. Staffing is the smallest head count that clears
 * every deadline, plus the steady workload of new requests.
 */
import { requireAtLeast, requireInRange } from './errors.ts';

/** The desk as of now. Times are epoch ms, durations seconds. */
export interface RefundDeskState {
  nowMs: number;
  /** Request instants of refunds awaiting a first response. */
  awaitingRequestedMs: readonly number[];
  /** Forecast requests in the hour being staffed. */
  forecastArrivals: number;
  /** Work per refund, seconds (default 360). */
  handleSec: number;
  /** First-response deadline after the request, seconds (default 1800). */
  responseDeadlineSec: number;
  /** Share of staffed time spent on refunds, in (0, 1] (default 0.85). */
  occupancy: number;
  /** Refund agents routable now. */
  onlineAgents: number;
}

/** What the desk needs now. */
export interface RefundDeskRequirement {
  /** ceil(backlogAgents + inflowAgents). */
  requiredAgents: number;
  /** Agents (fractional) needed to answer every awaiting refund by its deadline. */
  backlogAgents: number;
  /** Agents (fractional) the hour's forecast requests keep busy: arrivals × handle / (3600 × occupancy). */
  inflowAgents: number;
  /** Seconds until the first awaiting refund misses its deadline at current staffing; 0 if one already has; null if none will. */
  firstBreachInSec: number | null;
}

/** Ceiling that does not turn 3.0000000000000004 agents into 4. */
export function ceilAgents(agents: number): number {
  return Math.max(0, Math.ceil(agents - 1e-9));
}

function validate(state: RefundDeskState): void {
  requireAtLeast('forecastArrivals', state.forecastArrivals, 0);
  requireAtLeast('handleSec', state.handleSec, 0, true);
  requireAtLeast('responseDeadlineSec', state.responseDeadlineSec, 0);
  requireInRange('occupancy', state.occupancy, 0, 1, true);
  requireAtLeast('onlineAgents', state.onlineAgents, 0);
}

/**
 * Agents needed to clear the backlog by its deadlines:
 * max over horizons T of (work due by T) / (occupancy × (T − now)).
 *
 * A refund cannot be answered sooner than one handle time from now, so its horizon is
 * max(deadline, now + handle): a refund already overdue (or about to be) asks for one agent
 * (÷ occupancy) to start on it at once rather than for an infinite head count.
 */
export function backlogAgents(state: RefundDeskState): number {
  const handleMs = state.handleSec * 1000;
  const deadlineMs = state.responseDeadlineSec * 1000;
  const earliestFinishMs = state.nowMs + handleMs;
  const horizonsMs = Float64Array.from(state.awaitingRequestedMs, (requestedMs) =>
    Math.max(requestedMs + deadlineMs, earliestFinishMs),
  ).sort();
  let agents = 0;
  for (let index = 0; index < horizonsMs.length; index++) {
    const horizonMs = horizonsMs[index] ?? 0;
    // Only the last refund sharing a horizon sees all the work due by it.
    if (index + 1 < horizonsMs.length && horizonsMs[index + 1] === horizonMs) continue;
    const workDueSec = (index + 1) * state.handleSec;
    agents = Math.max(agents, workDueSec / (state.occupancy * ((horizonMs - state.nowMs) / 1000)));
  }
  return agents;
}

/**
 * Seconds until the first deadline breach with `onlineAgents` working the backlog earliest
 * deadline first, each answering occupancy / handle refunds per second (a fluid model: the k-th
 * refund is answered at now + k × handle / (agents × occupancy)). New requests are not counted:
 * they are due after every refund already waiting, so under earliest-deadline-first they never
 * delay one; an inflow beyond capacity shows up in the row's gap instead.
 */
export function firstBreachInSec(state: RefundDeskState): number | null {
  if (state.awaitingRequestedMs.length === 0) return null;
  const deadlineMs = state.responseDeadlineSec * 1000;
  const deadlinesMs = Float64Array.from(
    state.awaitingRequestedMs,
    (requestedMs) => requestedMs + deadlineMs,
  ).sort();
  const answersPerSec = (state.onlineAgents * state.occupancy) / state.handleSec;
  for (let index = 0; index < deadlinesMs.length; index++) {
    const dueMs = deadlinesMs[index] ?? 0;
    const answeredMs = answersPerSec > 0 ? state.nowMs + ((index + 1) / answersPerSec) * 1000 : Infinity;
    if (answeredMs > dueMs) return Math.max(0, Math.floor((dueMs - state.nowMs) / 1000));
  }
  return null;
}

/**
 * Refund desk requirement for the current hour (DESIGN.md, Staffing): the backlog term plus the
 * forecast inflow, rounded up, and the first breach at current staffing.
 */
export function refundDeskRequirement(state: RefundDeskState): RefundDeskRequirement {
  validate(state);
  const backlog = backlogAgents(state);
  const inflow = (state.forecastArrivals * state.handleSec) / (3600 * state.occupancy);
  return {
    requiredAgents: ceilAgents(backlog + inflow),
    backlogAgents: backlog,
    inflowAgents: inflow,
    firstBreachInSec: firstBreachInSec(state),
  };
}
