/**
 * What the engine hands the staffing maths for one snapshot. Pure data: the staffing module
 * does no I/O and never reads a clock of its own.
 */

export interface StaffingQueueTarget {
  /** Service-level target: share of chats first-answered within `thresholdSec` (default 0.8). */
  targetServiceLevel: number;
  /** Answer-time threshold of the service level, seconds (default 60). */
  thresholdSec: number;
  /** Occupancy cap (default 0.85). */
  maxOccupancy: number;
  /** Mean customer patience, seconds; when set, Erlang A is used for projections. */
  patienceSec?: number;
}

export interface StaffingConfig {
  /** Per chat queue overrides; others use `defaultTarget`. */
  targets: Record<string, Partial<StaffingQueueTarget>>;
  defaultTarget: StaffingQueueTarget;
  /** Chat: time to clear chats already waiting, seconds (default 1800, the 30-minute rule). */
  chatBacklogClearSec?: number;
  /** Refund desk: handle time per refund, seconds (default 360). */
  refundHandleSec: number;
  /** Refund desk: first-response deadline, seconds (default 1800). */
  refundResponseDeadlineSec: number;
  /** Refund desk occupancy (default 0.85). */
  refundOccupancy: number;
  /** Reforecast from today's actual/forecast ratio once today has at least this many arrivals (default 30). */
  reforecastMinArrivals: number;
  /** Optional uplift plan for peak days. */
  uplift?: UpliftPlan;
  /**
   * Chat handle time assumed when a queue's measured `handleSec` is null (no chat closed in 30 d),
   * seconds (default 300). Refund rows fall back to `refundHandleSec` instead.
   */
  defaultChatHandleSec?: number;
  /**
   * Chat concurrency assumed when a queue's `concurrency` is not a number ≥ 1 (no agent online to
   * average over), chats per agent (default 1: assume nothing, which overstates agents needed).
   */
  defaultChatConcurrency?: number;
}

export interface UpliftPlan {
  /** Each entry: a business-zone date (YYYY-MM-DD), hours (0–23, omitted = all), multiplier per queue ("*" = all). */
  days: { date: string; hours?: number[]; multipliers: Record<string, number> }[];
}

export interface QueueStaffingInput {
  /** Chat queue name, or "refund" for the refund desk. */
  queue: string;
  kind: 'chat' | 'refund';
  /**
   * Arrivals per business-zone hour: hour start (epoch ms) → count, covering at least the last
   * 28 days and today up to now (chats started in this queue; refunds requested for "refund").
   */
  hourlyArrivals: ReadonlyMap<number, number>;
  /** Mean handle time over the last 30 days, seconds; null when unknown (chat: first agent message → close). */
  handleSec: number | null;
  /** Agents routable now (online or busy, serving this queue). */
  onlineAgents: number;
  /** Mean max_chats of the routable agents (chat concurrency); 1 for the refund desk. */
  concurrency: number;
  /**
   * Chat queues: chats waiting for an agent reply right now. Erlang C sizes the steady flow of new
   * arrivals; a queue already built up needs extra hands on top to clear it (current hour only).
   */
  waitingNow?: number;
  /** Refund desk only: request instants (epoch ms) of refunds awaiting a first response. */
  awaitingRequestedMs?: readonly number[];
  /**
   * Earliest instant (epoch ms) from which `hourlyArrivals` is complete, e.g. when the store's
   * history or the queue begins. Hours starting earlier count as missing, not as zero arrivals,
   * which is what sends the forecast to its fallbacks. Omitted: the whole 28 days are complete and
   * an hour absent from the map had no arrivals.
   */
  historyStartMs?: number;
}

export interface StaffingInput {
  nowMs: number;
  timeZone: string;
  queues: readonly QueueStaffingInput[];
  config: StaffingConfig;
}
