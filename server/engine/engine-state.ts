/**
 * The engine's mutable state, as one record: what `createEngine` keeps in its closure, and what
 * a checkpoint writes and restores (checkpoint.ts). Nothing here is derived at read time.
 */
import type { AgentStatus, PeakEvent } from '../events/index.ts';
import type { ChatRecord } from './chat-state.ts';
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

/** Per-shop state: its window sums and its entities. */
export interface ShopState {
  readonly windows: ScopeWindows;
  /** Open chats / refunds (a subset of `chats` / `refunds`), scanned by a snapshot. */
  readonly openChats: Map<string, ChatRecord>;
  readonly openRefunds: Map<string, RefundRecord>;
  readonly agents: Map<string, AgentRecord>;
  /**
   * Every remembered chat / refund of the shop by id (open or not). Per shop rather than one map
   * keyed by `shop + id`: no key string is built per event.
   */
  readonly chats: Map<string, ChatRecord>;
  readonly refunds: Map<string, RefundRecord>;
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
  orderExpiry: MinuteSchedule<ScopeWindows>;
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
