/**
 * Erlang A (M/M/N+M): Erlang C plus customers who give up after an exponentially distributed
 * patience. Chat customers do close the window, so with a known mean patience this is the more
 * honest projection; unlike Erlang C it is defined for any number of agents ≥ 1, overloaded too.
 *
 * The figures are exact functions of the stationary birth–death chain and of the tagged-customer
 * chain, the formulation of pyworkforce's `ErlangA` (rodrigo-arenas/pyworkforce,
 * pyworkforce/queuing/abandonment.py), which the shared vectors come from:
 * - states n < N: weights of the Erlang loss system, whose mass relative to state N is known from
 *   the stable Erlang B recursion (so no factorials);
 * - states N + k: p(N+k) = p(N) · Π_{i=1..k} λ / (Nμ + iθ), truncated where negligible;
 * - service level: a delayed customer with j ahead moves up at rate Nμ + jθ and abandons at rate θ;
 *   P(answered within t) is solved by uniformization of that absorbing chain.
 * All times are seconds; rates are per second.
 */
import { StaffingInputError, requireAtLeast, requireInRange } from './errors.ts';
import { erlangB } from './erlang.ts';

/** A queue with abandonment over one interval. */
export interface ErlangAParameters {
  /** Contacts arriving in the interval. Must be > 0. */
  arrivals: number;
  /** Interval length, seconds. */
  intervalSec: number;
  /** Mean handle time, seconds. */
  handleSec: number;
  /** Mean patience before a waiting customer abandons, seconds. */
  patienceSec: number;
}

/** Erlang A figures for one staffing level. Probabilities are over all arriving contacts. */
export interface ErlangAMetrics {
  /** Probability that an arrival finds every server busy and waits. */
  waitingProbability: number;
  /** Probability that an arrival abandons before being answered. */
  abandonmentProbability: number;
  /** Share of server time busy: answered load / N. */
  occupancy: number;
  /** Mean queue length (contacts waiting). */
  averageQueueLength: number;
  /** Mean time in queue over all arrivals (answered or not), seconds: Lq / λ (Little's law). */
  averageSpeedOfAnswerSec: number;
  /** Share of arrivals answered within `thresholdSec`. */
  serviceLevel: number;
}

/** Stationary weights, unnormalised: `head` = mass of n < N, `tail[k]` = mass of n = N + k. */
interface StationaryWeights {
  head: number;
  tail: number[];
  total: number;
}

// Truncation and overflow guards of the chain (the same constants as the reference).
const TAIL_RELATIVE_CUTOFF = 1e-15;
const TAIL_MAX_STATES = 100_000;
const RESCALE_ABOVE = 1e200;
/** Uniformization runs in pieces of at most this many expected jumps so that e^(−Λt) never underflows. */
const JUMPS_PER_PIECE = 32;
/** Below this transient mass the remaining pieces cannot change a result at 1e-15. */
const NEGLIGIBLE_MASS = 1e-17;

function stationaryWeights(
  servers: number,
  arrivalRate: number,
  serviceRate: number,
  abandonRate: number,
): StationaryWeights {
  // Relative to the loss system normalised to 1 over n ≤ N: mass at N is B, below N is 1 − B.
  const blocking = erlangB(servers, arrivalRate / serviceRate);
  let head = 1 - blocking;
  const tail = [blocking];
  let total = 1;
  let term = blocking;
  for (let k = 1; k <= TAIL_MAX_STATES; k++) {
    term = (term * arrivalRate) / (servers * serviceRate + k * abandonRate);
    tail.push(term);
    total += term;
    if (term < TAIL_RELATIVE_CUTOFF * total) break;
    if (term > RESCALE_ABOVE) {
      // Heavy overload: the tail grows before it decays; rescale everything to stay finite.
      for (let i = 0; i < tail.length; i++) tail[i] = (tail[i] ?? 0) / RESCALE_ABOVE;
      head /= RESCALE_ABOVE;
      total /= RESCALE_ABOVE;
      term /= RESCALE_ABOVE;
    }
  }
  return { head, tail, total };
}

interface DelayedOutcome {
  /** Probability (over all arrivals) of waiting, then being answered within t. */
  answeredWithin: number;
  /** Probability (over all arrivals) of still waiting at t (neither answered nor abandoned). */
  stillWaiting: number;
}

/**
 * Follows every delayed arrival at once: the start vector is the arrival-seen queue position
 * (PASTA), and the chain is linear, so one pass gives the mixture the reference computes start
 * state by start state.
 */
function delayedOutcome(
  weights: StationaryWeights,
  servers: number,
  serviceRate: number,
  abandonRate: number,
  waitSec: number,
): DelayedOutcome {
  const { tail, total } = weights;
  const positions = tail.length;
  let distribution = new Float64Array(positions);
  let stillWaiting = 0;
  for (let j = 0; j < positions; j++) {
    distribution[j] = (tail[j] ?? 0) / total;
    stillWaiting += distribution[j] ?? 0;
  }
  if (waitSec === 0) return { answeredWithin: 0, stillWaiting };

  const serveRate = servers * serviceRate;
  const uniformRate = serveRate + (positions - 1) * abandonRate + abandonRate;
  const expectedJumps = uniformRate * waitSec;
  const pieces = Math.max(1, Math.ceil(expectedJumps / JUMPS_PER_PIECE));
  const jumpsPerPiece = expectedJumps / pieces;
  // Poisson mass beyond mean + 10 sd + 50 is far below 1e-15.
  const maxSteps = Math.floor(jumpsPerPiece + 10 * Math.sqrt(jumpsPerPiece) + 50);
  let current = new Float64Array(positions);
  let next = new Float64Array(positions);
  let accumulated = new Float64Array(positions);
  let answered = 0;

  for (let piece = 0; piece < pieces && stillWaiting > NEGLIGIBLE_MASS; piece++) {
    current.set(distribution);
    let currentAnswered = answered;
    let poisson = Math.exp(-jumpsPerPiece);
    for (let j = 0; j < positions; j++) accumulated[j] = poisson * (current[j] ?? 0);
    let accumulatedAnswered = poisson * currentAnswered;
    for (let step = 1; step <= maxSteps; step++) {
      next.fill(0);
      for (let j = 0; j < positions; j++) {
        const mass = current[j] ?? 0;
        if (mass === 0) continue;
        const advanceRate = serveRate + j * abandonRate;
        const stay = (mass * (uniformRate - advanceRate - abandonRate)) / uniformRate;
        const advance = (mass * advanceRate) / uniformRate;
        next[j] = (next[j] ?? 0) + stay;
        if (j === 0) currentAnswered += advance;
        else next[j - 1] = (next[j - 1] ?? 0) + advance;
      }
      [current, next] = [next, current];
      poisson *= jumpsPerPiece / step;
      for (let j = 0; j < positions; j++)
        accumulated[j] = (accumulated[j] ?? 0) + poisson * (current[j] ?? 0);
      accumulatedAnswered += poisson * currentAnswered;
    }
    [distribution, accumulated] = [accumulated, distribution];
    answered = accumulatedAnswered;
    stillWaiting = 0;
    for (let j = 0; j < positions; j++) stillWaiting += distribution[j] ?? 0;
  }
  return { answeredWithin: answered, stillWaiting };
}

interface Rates {
  arrivalRate: number;
  serviceRate: number;
  abandonRate: number;
}

function ratesOf(servers: number, parameters: ErlangAParameters): Rates {
  if (!Number.isInteger(servers) || servers < 1) {
    throw new StaffingInputError(`Erlang A needs a whole number of servers ≥ 1, got ${servers}`);
  }
  requireAtLeast('arrivals', parameters.arrivals, 0, true);
  requireAtLeast('intervalSec', parameters.intervalSec, 0, true);
  requireAtLeast('handleSec', parameters.handleSec, 0, true);
  requireAtLeast('patienceSec', parameters.patienceSec, 0, true);
  return {
    arrivalRate: parameters.arrivals / parameters.intervalSec,
    serviceRate: 1 / parameters.handleSec,
    abandonRate: 1 / parameters.patienceSec,
  };
}

/**
 * Erlang A metrics for `servers` servers.
 * @param thresholdSec - answer-time threshold of the service level, seconds
 * @throws StaffingInputError when servers < 1 or arrivals ≤ 0
 */
export function erlangAMetrics(
  servers: number,
  parameters: ErlangAParameters,
  thresholdSec: number,
): ErlangAMetrics {
  const { arrivalRate, serviceRate, abandonRate } = ratesOf(servers, parameters);
  requireAtLeast('thresholdSec', thresholdSec, 0);
  const weights = stationaryWeights(servers, arrivalRate, serviceRate, abandonRate);
  let waiting = 0;
  let queueLength = 0;
  weights.tail.forEach((weight, k) => {
    waiting += weight;
    queueLength += k * weight;
  });
  const waitingProbability = waiting / weights.total;
  const averageQueueLength = queueLength / weights.total;
  const abandonmentProbability = (abandonRate * averageQueueLength) / arrivalRate;
  const answeredImmediately = weights.head / weights.total;
  const { answeredWithin } = delayedOutcome(weights, servers, serviceRate, abandonRate, thresholdSec);
  return {
    waitingProbability,
    abandonmentProbability,
    occupancy: (arrivalRate * (1 - abandonmentProbability)) / (servers * serviceRate),
    averageQueueLength,
    averageSpeedOfAnswerSec: averageQueueLength / arrivalRate,
    serviceLevel: Math.min(1, answeredImmediately + answeredWithin),
  };
}

/**
 * Probability that an arrival is still waiting after `waitSec` (not answered, not abandoned):
 * the Erlang A counterpart of "unanswered over 30 minutes".
 */
export function erlangAWaitBeyondProbability(
  servers: number,
  parameters: ErlangAParameters,
  waitSec: number,
): number {
  const { arrivalRate, serviceRate, abandonRate } = ratesOf(servers, parameters);
  requireAtLeast('waitSec', waitSec, 0);
  const weights = stationaryWeights(servers, arrivalRate, serviceRate, abandonRate);
  return delayedOutcome(weights, servers, serviceRate, abandonRate, waitSec).stillWaiting;
}

/** Targets of an Erlang A staffing search. */
export interface ErlangATarget {
  thresholdSec: number;
  /** Share of arrivals to answer within the threshold, in [0, 1]. */
  targetServiceLevel: number;
  /** Occupancy cap in (0, 1]. */
  maxOccupancy: number;
}

/**
 * Smallest number of servers whose Erlang A service level meets the target and whose occupancy
 * stays within the cap; 0 when nothing arrives. Answered work cannot exceed N/A of the offered
 * work, so SL ≤ N/A and the search starts at ⌊target · A⌋ rather than 1.
 */
export function requiredServersErlangA(parameters: ErlangAParameters, target: ErlangATarget): number {
  requireInRange('targetServiceLevel', target.targetServiceLevel, 0, 1);
  requireInRange('maxOccupancy', target.maxOccupancy, 0, 1, true);
  if (parameters.arrivals === 0) return 0;
  const offeredLoad = (parameters.arrivals / parameters.intervalSec) * parameters.handleSec;
  const limit = offeredLoad + 1_000_000;
  for (let n = Math.max(1, Math.floor(target.targetServiceLevel * offeredLoad)); n <= limit; n++) {
    const metrics = erlangAMetrics(n, parameters, target.thresholdSec);
    if (
      metrics.serviceLevel >= target.targetServiceLevel &&
      metrics.occupancy <= target.maxOccupancy * (1 + 1e-12)
    ) {
      return n;
    }
  }
  throw new StaffingInputError(`no staffing up to ${Math.ceil(limit)} servers meets the target`);
}
