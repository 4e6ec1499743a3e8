/**
 * The aggregates contract (API.md v1): what /api/snapshot, the WebSocket and every backtest row
 * carry. Durations are seconds; instants are RFC 3339 strings in the business time zone.
 * Averages and percentiles over an empty set are null; a rate with zero orders is null.
 */
import type { RefundPath } from '../events/types.ts';

export interface FirstResponseStats {
  count: number;
  avgSec: number | null;
  p90Sec: number | null;
}

export interface ChatQueueAggregates {
  /** Queue depth: open chats waiting for an agent reply. */
  waiting: number;
  /** Open chats never assigned to an agent. */
  unassigned: number;
  /** Longest current wait among waiting chats (0 if none). */
  oldestWaitSec: number;
  /** Waiting chats with wait >= 1800 s. */
  unansweredOver30m: number;
  /** Agents online or busy whose latest status lists this queue. */
  agentsOnline: number;
  /** Chats first answered in (T − 60 min, T]. */
  firstResponse60m: FirstResponseStats;
  /** Chats closed in (T − 60 min, T] with no agent message. */
  abandoned60m: number;
}

/**
 * Project addition: mean durations between refund lifecycle nodes, seconds, over the refunds
 * completed in the 30-day window (grouped like `completed30d`). A node reached after the
 * completion does not count; a pair whose later node precedes the earlier one is left out.
 * Null when no refund in the window has both nodes.
 */
export interface RefundLifecycleNodes {
  /** Request → first response. */
  toFirstResponseAvgSec: number | null;
  /** First response → return waybill submitted. */
  toReturnShippedAvgSec: number | null;
  /** Return waybill → goods received. */
  toGoodsReceivedAvgSec: number | null;
  /** Last node reached (request, first response, waybill, goods received) → completion. */
  toCompletionAvgSec: number | null;
}

export interface PathAggregates {
  open: number;
  completed30d: number;
  avgCompletionSec30d: number | null;
  p50CompletionSec30d: number | null;
  p90CompletionSec30d: number | null;
  firstResponseAvgSec30d: number | null;
  /** Project addition: lifecycle node durations of the refunds completed in the window. */
  nodes?: RefundLifecycleNodes;
  /** Extra fields (project additions) allowed, e.g. lifecycle node durations. */
  [extra: string]: unknown;
}

export type RefundPathKey = RefundPath | 'all';

export interface RefundRates30d {
  orders: number;
  refunds: number;
  refundRate: number | null;
  disputeRate: number | null;
  qualityRefundRate: number | null;
  experienceRefundRate: number | null;
}

export interface RefundAggregates {
  /** Open refunds with no response yet (the refund desk's queue depth). */
  awaitingResponse: number;
  /** ... of those, requested >= 1800 s ago. */
  unansweredOver30m: number;
  oldestUnansweredSec: number;
  paths: Record<RefundPathKey, PathAggregates>;
  rates30d: RefundRates30d;
  /**
   * Project addition: completions of refunds that had already completed, ignored by every other
   * metric and counted here (EVENTS.md, Bad input). Over all events with ts ≤ T in scope.
   */
  secondCompletions?: number;
}

export interface StaffingRow {
  /** A chat queue name, or "refund" for the refund desk. */
  queue: string;
  /** Start of the business-zone hour, RFC 3339. */
  hourStart: string;
  forecastArrivals: number;
  actualArrivals: number;
  handleSec: number | null;
  requiredAgents: number;
  onlineAgents: number;
  /** requiredAgents − onlineAgents; positive = short of staff. */
  gap: number;
  [extra: string]: unknown;
}

export type AlertLevel = 'amber' | 'red';

export interface Alert {
  metric: string;
  level: AlertLevel;
  value: number;
  threshold: number;
  /** When the condition started, RFC 3339. */
  since: string;
  [extra: string]: unknown;
}

export interface IngestCounts {
  accepted: number;
  duplicates: number;
  rejected: number;
  lagSec: number;
  [extra: string]: unknown;
}

export interface Aggregates {
  asOf: string;
  seq: number;
  shop: string | null;
  chat: { queues: Record<string, ChatQueueAggregates> };
  refunds: RefundAggregates;
  staffing: StaffingRow[];
  alerts: Alert[];
  ingest: IngestCounts;
}
