/**
 * Erlang B and Erlang C (M/M/N queues), computed through the Erlang B recursion so that every
 * intermediate value stays in [0, 1]: no factorials, no powers, no overflow at thousands of
 * servers. Loads are in Erlangs (arrival rate × mean handle time), durations in seconds.
 *
 * Servers are whatever serves one contact at a time: agents for a voice-like queue, chat slots
 * (agents × concurrency) for chat — see README.md.
 */
import { StaffingInputError, UnstableQueueError, requireAtLeast, requireInRange } from './errors.ts';

/** Searches give up beyond this many servers above the load; reaching it means a target of 1 or a bug. */
const SEARCH_LIMIT_ABOVE_LOAD = 1_000_000;

/**
 * Offered load in Erlangs: arrivals per second × handle time.
 * @param arrivals - contacts arriving in the interval
 * @param intervalSec - interval length, seconds
 * @param handleSec - mean handle time, seconds
 */
export function offeredLoadErlangs(arrivals: number, intervalSec: number, handleSec: number): number {
  requireAtLeast('arrivals', arrivals, 0);
  requireAtLeast('intervalSec', intervalSec, 0, true);
  requireAtLeast('handleSec', handleSec, 0, true);
  return (arrivals / intervalSec) * handleSec;
}

/**
 * Erlang B blocking probability of a loss system with `servers` servers, by the recursion
 * B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)). O(servers), stable for any size.
 */
export function erlangB(servers: number, offeredLoad: number): number {
  if (!Number.isInteger(servers) || servers < 0) {
    throw new StaffingInputError(`servers must be a whole number ≥ 0, got ${servers}`);
  }
  requireAtLeast('offeredLoad', offeredLoad, 0);
  let blocking = 1;
  for (let n = 1; n <= servers; n++) blocking = (offeredLoad * blocking) / (n + offeredLoad * blocking);
  return blocking;
}

/** C = N·B / (N − A(1 − B)), the Erlang C waiting probability from Erlang B. Caller checks N > A. */
function erlangCFromB(servers: number, offeredLoad: number, blocking: number): number {
  return (servers * blocking) / (servers - offeredLoad * (1 - blocking));
}

function requireStable(servers: number, offeredLoad: number): void {
  if (!(servers > offeredLoad)) throw new UnstableQueueError(servers, offeredLoad);
}

/**
 * Erlang C: probability that an arriving contact has to wait (all servers busy).
 * @throws UnstableQueueError when servers ≤ offered load
 */
export function erlangC(servers: number, offeredLoad: number): number {
  const blocking = erlangB(servers, offeredLoad);
  requireStable(servers, offeredLoad);
  return erlangCFromB(servers, offeredLoad, blocking);
}

/**
 * Probability that a contact waits longer than `waitSec`: C · e^(−(N−A)·t/AHT).
 * The complement, at the answer-time threshold, is the service level.
 */
function waitBeyondFromC(
  servers: number,
  offeredLoad: number,
  waitingProbability: number,
  waitSec: number,
  handleSec: number,
): number {
  return waitingProbability * Math.exp((-(servers - offeredLoad) * waitSec) / handleSec);
}

/** Everything Erlang C says about one staffing level. */
export interface ErlangCMetrics {
  /** Probability of waiting at all (Erlang C). */
  waitingProbability: number;
  /** Share of contacts answered within `thresholdSec`. */
  serviceLevel: number;
  /** Mean wait over all contacts (average speed of answer), seconds: C·AHT / (N − A). */
  averageSpeedOfAnswerSec: number;
  /** Share of server time busy: A / N. */
  occupancy: number;
}

/**
 * Waiting probability, service level SL = 1 − C·e^(−(N−A)·t/AHT), ASA and occupancy for
 * `servers` servers.
 * @param offeredLoad - Erlangs
 * @param thresholdSec - answer-time threshold of the service level, seconds
 * @param handleSec - mean handle time, seconds
 * @throws UnstableQueueError when servers ≤ offered load
 */
export function erlangCMetrics(
  servers: number,
  offeredLoad: number,
  thresholdSec: number,
  handleSec: number,
): ErlangCMetrics {
  requireAtLeast('thresholdSec', thresholdSec, 0);
  requireAtLeast('handleSec', handleSec, 0, true);
  const waitingProbability = erlangC(servers, offeredLoad);
  return {
    waitingProbability,
    serviceLevel: Math.max(
      0,
      1 - waitBeyondFromC(servers, offeredLoad, waitingProbability, thresholdSec, handleSec),
    ),
    averageSpeedOfAnswerSec: (waitingProbability * handleSec) / (servers - offeredLoad),
    occupancy: offeredLoad / servers,
  };
}

/**
 * Erlang C service level: share of contacts answered within `thresholdSec`.
 * @throws UnstableQueueError when servers ≤ offered load
 */
export function erlangCServiceLevel(
  servers: number,
  offeredLoad: number,
  thresholdSec: number,
  handleSec: number,
): number {
  return erlangCMetrics(servers, offeredLoad, thresholdSec, handleSec).serviceLevel;
}

/**
 * Probability that a contact waits longer than `waitSec` under Erlang C.
 * @throws UnstableQueueError when servers ≤ offered load
 */
export function erlangCWaitBeyondProbability(
  servers: number,
  offeredLoad: number,
  waitSec: number,
  handleSec: number,
): number {
  requireAtLeast('waitSec', waitSec, 0);
  requireAtLeast('handleSec', handleSec, 0, true);
  return waitBeyondFromC(servers, offeredLoad, erlangC(servers, offeredLoad), waitSec, handleSec);
}

/** What a service-level target asks of a queue. */
export interface ServiceLevelTarget {
  /** Offered load, Erlangs. */
  offeredLoad: number;
  /** Mean handle time, seconds. */
  handleSec: number;
  /** Answer-time threshold of the service level, seconds. */
  thresholdSec: number;
  /** Share of contacts to answer within the threshold, in [0, 1). */
  targetServiceLevel: number;
  /** Occupancy cap in (0, 1]; 1 = no cap. */
  maxOccupancy: number;
}

/**
 * Occupancy A/N ≤ cap, with a relative tolerance: 8.5 / 0.85 is 10.000000000000002 in floating
 * point, and 10 servers must count as meeting an 85 % cap on 8.5 Erlangs.
 */
function meetsOccupancyCap(servers: number, offeredLoad: number, maxOccupancy: number): boolean {
  return offeredLoad <= maxOccupancy * servers * (1 + 1e-12);
}

/**
 * Smallest number of servers N > A whose Erlang C service level meets the target and whose
 * occupancy A/N stays within the cap. 0 when the load is 0. One pass of the Erlang B recursion,
 * O(N), no allocation.
 */
export function requiredServersErlangC(target: ServiceLevelTarget): number {
  const { offeredLoad, handleSec, thresholdSec, targetServiceLevel, maxOccupancy } = target;
  requireAtLeast('offeredLoad', offeredLoad, 0);
  requireAtLeast('handleSec', handleSec, 0, true);
  requireAtLeast('thresholdSec', thresholdSec, 0);
  requireInRange('targetServiceLevel', targetServiceLevel, 0, 1);
  requireInRange('maxOccupancy', maxOccupancy, 0, 1, true);
  if (offeredLoad === 0) return 0;
  let blocking = 1;
  const limit = offeredLoad + SEARCH_LIMIT_ABOVE_LOAD;
  for (let n = 1; n <= limit; n++) {
    blocking = (offeredLoad * blocking) / (n + offeredLoad * blocking);
    if (n <= offeredLoad || !meetsOccupancyCap(n, offeredLoad, maxOccupancy)) continue;
    const waiting = erlangCFromB(n, offeredLoad, blocking);
    if (1 - waitBeyondFromC(n, offeredLoad, waiting, thresholdSec, handleSec) >= targetServiceLevel) return n;
  }
  throw new StaffingInputError(`no staffing up to ${Math.ceil(limit)} servers meets the target`);
}

/**
 * Smallest number of servers N > A whose Erlang C waiting probability is at most
 * `maxWaitingProbability` (e.g. "at most half of the contacts wait at all"). 0 when the load is 0.
 */
export function requiredServersForWaitingProbability(
  offeredLoad: number,
  maxWaitingProbability: number,
): number {
  requireAtLeast('offeredLoad', offeredLoad, 0);
  requireInRange('maxWaitingProbability', maxWaitingProbability, 0, 1);
  if (offeredLoad === 0) return 0;
  let blocking = 1;
  const limit = offeredLoad + SEARCH_LIMIT_ABOVE_LOAD;
  for (let n = 1; n <= limit; n++) {
    blocking = (offeredLoad * blocking) / (n + offeredLoad * blocking);
    if (n > offeredLoad && erlangCFromB(n, offeredLoad, blocking) <= maxWaitingProbability) return n;
  }
  throw new StaffingInputError(`no staffing up to ${Math.ceil(limit)} servers meets the target`);
}

/** Smallest number of servers whose Erlang B blocking probability is at most `maxBlocking`. */
export function requiredServersErlangB(offeredLoad: number, maxBlocking: number): number {
  requireAtLeast('offeredLoad', offeredLoad, 0);
  requireInRange('maxBlocking', maxBlocking, 0, 1, true);
  let blocking = 1;
  const limit = offeredLoad + SEARCH_LIMIT_ABOVE_LOAD;
  for (let n = 0; n <= limit; n++) {
    if (n > 0) blocking = (offeredLoad * blocking) / (n + offeredLoad * blocking);
    if (blocking <= maxBlocking) return n;
  }
  throw new StaffingInputError(`no staffing up to ${Math.ceil(limit)} servers meets the target`);
}

/**
 * Positions to schedule so that `rawAgents` are productive after shrinkage (breaks, training,
 * absence): ceil(raw / (1 − shrinkage)).
 * @param shrinkage - share of paid time not available for contacts, in [0, 1)
 */
export function positionsWithShrinkage(rawAgents: number, shrinkage: number): number {
  requireAtLeast('rawAgents', rawAgents, 0);
  if (!(shrinkage >= 0 && shrinkage < 1)) {
    throw new StaffingInputError(`shrinkage must be in [0, 1), got ${shrinkage}`);
  }
  // The tolerance keeps 14 / 0.7 = 20.000000000000004 at 20 positions.
  return Math.ceil(rawAgents / (1 - shrinkage) - 1e-9);
}
