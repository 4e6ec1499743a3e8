/**
 * The engine's mutable state, as one record: what `createEngine` keeps in its closure, and what
 * a checkpoint writes and restores (checkpoint.ts). Nothing here is derived at read time.
 */
import type { AgentStatus, PeakEvent, RefundPath } from '../events/index.ts';
import type { ChatRecord } from './chat-state.ts';
import type { DueQueue } from './due-queue.ts';
import type { MinuteSchedule } from './minute-schedule.ts';
import type { RefundRecord } from './refund-state.ts';
import type { ScopeWindows } from './scope.ts';
import type { WindowItem } from './window-item.ts';

export interface AgentRecord {
  tsMs: number;
  id: string;
  status: AgentStatus;
  queues: readonly string[];
  maxChats: number;
}

/** Open refunds per path, all zero. */
export function emptyPathCounts(): Record<RefundPath, number> {
  return { unshipped: 0, in_transit: 0, received_refund_only: 0, return_refund: 0 };
}

/** Per-shop state: its window sums and its entities. */
export interface ShopState {
  readonly windows: ScopeWindows;
  /** Open chats / refunds (a subset of `chats` / `refunds`), scanned by a snapshot. */
  readonly openChats: Map<string, ChatRecord>;
  readonly openRefunds: Map<string, RefundRecord>;
  /**
   * The open refunds still awaiting a first response (a subset of `openRefunds`), so the
   * per-minute probes of a backtest need not scan every open refund. Derived: not written to a
   * checkpoint, rebuilt from `openRefunds` on restore.
   */
  readonly awaitingRefunds: Map<string, RefundRecord>;
  /**
   * `openRefunds` counted by current path, so a snapshot need not visit each open refund (their
   * records are scattered in memory: a scan of thousands was most of a snapshot). Derived like
   * `awaitingRefunds`.
   */
  readonly openRefundsByPath: Record<RefundPath, number>;
  readonly agents: Map<string, AgentRecord>;
  /**
   * Every remembered chat / refund of the shop by id (open or not). Per shop rather than one map
   * keyed by `shop + id`: no key string is built per event.
   */
  readonly chats: Map<string, ChatRecord>;
  readonly refunds: Map<string, RefundRecord>;
  /**
   * Chats closed more than the late horizon ago (not in `chats`), id → close instant: all that
   * later events need of them (late events are dropped, the id is forgotten after retention).
   */
  readonly closedChats: Map<string, number>;
  /** When each closed chat is forgotten (close + retention + late horizon + 1), by id. */
  readonly closedChatExpiry: MinuteSchedule<string>;
}

/** Everything a restored engine needs to continue exactly where the checkpointed one was. */
export interface EngineInternals {
  watermarkMs: number;
  paneHead: number;
  /** Events with ts > watermark, in entity order (compareEvents). */
  pending: PeakEvent[];
  shops: Map<string, ShopState>;
  all: ScopeWindows;
  itemExpiry: MinuteSchedule<WindowItem>;
  /** Per shop scope, the instants its orders leave the 30-day window (its `orders` count). */
  orderExpiry: Map<ScopeWindows, DueQueue>;
  chatMaintenance: MinuteSchedule<ChatRecord>;
  refundMaintenance: MinuteSchedule<RefundRecord>;
  oldestArrivalHourMs: number;
  lateEventsDropped: number;
  orphanEventsDropped: number;
}

/** The options a state depends on: a checkpoint only restores into an engine with the same ones. */
export interface StateOptions {
  timeZone: string;
  lateHorizonMs: number;
  entityRetentionMs: number;
}
