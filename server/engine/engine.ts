/**
 * The engine: accepted events in, the aggregates of API.md out, incrementally and without I/O.
 *
 * Time model. The engine has a watermark W (the latest instant it was advanced to). Events with
 * ts ≤ W are applied at once, wherever they fall in the past; events with ts > W wait in a
 * pending buffer and are applied, in entity order, when time reaches them. So the state is always
 * a pure function of the set of events with ts ≤ W, whatever order they arrived in, and a fresh
 * engine fed the same events gives the same snapshot at W. The one exception is bounded
 * lateness: state that can no longer change is compacted once W has moved `lateHorizonMs` past
 * it, and an event later than that for compacted state is counted (`lateEventsDropped`) instead.
 *
 * State. Open chats and refunds sit in per-shop maps, scanned by a snapshot. Everything windowed
 * (60 min, 30 days) is a window item added to per-scope sums and removed by a per-minute schedule
 * when it leaves the window, so a snapshot costs O(open entities + queues + percentile buckets).
 */
import {
  DEFAULT_MAX_CHATS,
  QUALITY_REASONS,
  REFUND_QUEUE,
  formatInstant,
  hourStartMs,
  zoneOffsetMinutes,
  type AgentStatus,
  type AgentStatusEvent,
  type ChatEvent,
  type OrderPaid,
  type PeakEvent,
  type RefundEvent,
  type RefundPath,
} from '../events/index.ts';
import type { StaffingConfig, StaffingInput, QueueStaffingInput } from '../staffing/types.ts';
import type {
  Alert,
  Aggregates,
  ChatQueueAggregates,
  PathAggregates,
  RefundAggregates,
  RefundPathKey,
  StaffingRow,
} from './aggregates.ts';
import {
  checkAbove,
  DEFAULT_ALERT_THRESHOLDS,
  sinceFromHistory,
  type AlertCondition,
  type AlertHistory,
  type AlertThresholds,
} from './alerts.ts';
import { createChatRecord, insertChatEvent, namedQueues, replayChat, type ChatRecord } from './chat-state.ts';
import { compareEvents } from './event-order.ts';
import { readCheckpoint, writeCheckpoint, writeCheckpointInSlices } from './checkpoint.ts';
import { emptyPathCounts, type EngineInternals, type ShopState, type StateOptions } from './engine-state.ts';
import { DueQueue } from './due-queue.ts';
import { MinuteSchedule } from './minute-schedule.ts';
import {
  applyRefundEvent,
  createRefundRecord,
  currentPath,
  currentReason,
  isCompleted,
  isOpened,
  nodeDurationsMs,
  type RefundRecord,
} from './refund-state.ts';
import {
  ALERT_LOOKBACK_PANES,
  CHAT_PANE_FIRST_RESPONSE_COUNT,
  CHAT_PANE_FIRST_RESPONSE_SUM_MS,
  PANE_MS,
  PATH_KEYS,
  REFUND_PANE_COMPLETION_COUNT,
  REFUND_PANE_COMPLETION_SUM_MS,
  REFUND_PANE_DISPUTES,
  REFUND_PANE_FIRST_RESPONSE_COUNT,
  REFUND_PANE_FIRST_RESPONSE_SUM_MS,
  REFUND_PANE_ORDERS,
  REFUND_PANE_REQUESTED,
  ScopeWindows,
  type PathWindow,
} from './scope.ts';
import {
  FIRST_REASON_QUALITY,
  itemEquals,
  LATEST_REASON_QUALITY,
  REFUND_WINDOW_MS,
  windowMsOf,
  type NodeDurationsMs,
  type WindowItem,
  type WindowItemKind,
} from './window-item.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** A waiting chat or an unanswered refund counts as "over 30 min" from this wait (inclusive). */
const UNANSWERED_LIMIT_MS = 1_800_000;
/** Chat queues listed in every snapshot (API.md), in this order, before the others sorted by name. */
const DEFAULT_CHAT_QUEUES = ['presale', 'aftersale'] as const;
/** Arrival hours kept for staffing: 28 days of history, today, and slack for the same weekdays. */
const ARRIVALS_RETENTION_MS = 36 * DAY_MS;
/**
 * Key of refund-request arrivals in ScopeWindows.arrivals. A chat queue may be called "refund",
 * so refund requests use a name no chat queue can have (queue names match [a-z0-9_-]).
 */
const REFUND_ARRIVALS_KEY = ' refund';
const STAFFED: ReadonlySet<AgentStatus> = new Set(['online', 'busy']);
const EMPTY_HOURS: ReadonlyMap<number, number> = new Map();

/** The aggregates the engine owns; `seq` and `ingest` are added by the serving layer. */
export type EngineSnapshot = Omit<Aggregates, 'seq' | 'ingest'>;

/** The staffing row computer (server/staffing) and its configuration, injected. */
export interface EngineStaffing {
  compute: (input: StaffingInput) => StaffingRow[];
  config: StaffingConfig;
}

export interface EngineOptions {
  /** IANA business time zone, e.g. `Asia/Shanghai`: instants are written in it, hours cut by it. */
  timeZone: string;
  /** Staffing rows; when absent, `staffing` is `[]`. */
  staffing?: EngineStaffing;
  /** Alert thresholds; missing ones take DEFAULT_ALERT_THRESHOLDS. */
  alertThresholds?: Partial<AlertThresholds>;
  /**
   * How late (behind the watermark) an event may arrive and still be applied exactly to state
   * that is otherwise finished (closed chats, orphan events, expired refunds), ms. Default 1 h.
   */
  lateHorizonMs?: number;
  /**
   * How long after its completion a chat or refund id is remembered (second openings ignored,
   * second completions counted, late reason edits applied), ms. Default 35 days: more than the
   * 30-day window, so every refund requested in the window is still known. An event more than
   * this after the completion starts a new entity with the same id.
   */
  entityRetentionMs?: number;
  /**
   * Bytes from `Engine.checkpoint()`: the engine starts in that state instead of empty. Throws
   * CheckpointFormatError when they come from another checkpoint version or another time zone,
   * late horizon or retention (the caller then rebuilds from events).
   */
  restoreFrom?: Uint8Array;
}

export interface UnansweredQuery {
  kind: 'chat' | 'refund';
  /** Shop id, or null for all shops. */
  shop: string | null;
  /** Maximum number of items (default 50). */
  limit?: number;
  /** The instant, epoch ms; must not be before the engine's watermark. */
  asOfMs: number;
}

/** A waiting chat or a refund awaiting its first response, as a supervisor acts on it. */
export type UnansweredItem =
  | {
      kind: 'chat';
      id: string;
      shop: string;
      queue: string;
      /** T − wait start, seconds. */
      waitSec: number;
      /** Earliest customer activity after the last agent message, RFC 3339 in the business zone. */
      waitingSince: string;
      /** Agent of the latest chat.assigned; null when never assigned. */
      agentId: string | null;
    }
  | {
      kind: 'refund';
      id: string;
      shop: string;
      path: RefundPath;
      /** T − requested, seconds. */
      waitSec: number;
      /** Request instant, RFC 3339 in the business zone. */
      waitingSince: string;
      /** Refunds awaiting a first response have no agent yet: always null. */
      agentId: null;
    };

/** `Engine.probe`: a snapshot's queue-depth and unanswered figures, nothing else. */
export interface EngineProbe {
  /** Chat queues in the snapshot's order (the keys of `chat.queues`). */
  readonly chatQueues: readonly string[];
  /** Per chat queue, in that order: the snapshot's `waiting` and `unansweredOver30m`. */
  readonly chatWaiting: Float64Array;
  readonly chatUnansweredOver30m: Float64Array;
  /** The snapshot's `refunds.awaitingResponse` and `refunds.unansweredOver30m`. */
  readonly refundsAwaitingResponse: number;
  readonly refundsUnansweredOver30m: number;
}

/** The open chats of a scope, per chat queue (index of the queue in the snapshot's order). */
interface ChatScan {
  readonly queueIndex: ReadonlyMap<string, number>;
  readonly waiting: Float64Array;
  readonly unassigned: Float64Array;
  readonly over30m: Float64Array;
  readonly oldestWaitStartMs: Float64Array;
}

/** The refunds of a scope awaiting their first response. */
interface AwaitingScan {
  awaiting: number;
  over30m: number;
  oldestRequestedMs: number;
}

/** Counters about the engine itself (not part of the aggregates contract). */
export interface EngineStats {
  /** The watermark, epoch ms (−Infinity before the first advance). */
  watermarkMs: number;
  /** Events with ts > watermark waiting to be applied. */
  pendingEvents: number;
  chatRecords: number;
  openChats: number;
  refundRecords: number;
  openRefunds: number;
  /** Second completions of refunds, all shops (also in each snapshot's refunds.secondCompletions). */
  secondCompletions: number;
  /** Events that arrived later than the late horizon for compacted state and could not be applied. */
  lateEventsDropped: number;
  /** Events of never-opened entities (or before their opening) dropped after the late horizon. */
  orphanEventsDropped: number;
  /** Window items and maintenance entries scheduled. */
  scheduledEntries: number;
}

export interface Engine {
  /** Applies one accepted (validated, unique) event, in any order. */
  apply(event: PeakEvent): void;
  /** Moves the watermark to `nowMs` (epoch ms): applies due events and expires windows. No-op backwards. */
  advanceTo(nowMs: number): void;
  /**
   * The aggregates as of `asOfMs` (epoch ms) over events with ts ≤ asOfMs, for one shop or all
   * (null). Advances the watermark; throws a RangeError when `asOfMs` is before it (time travel
   * to the past uses a fresh engine fed the stored events).
   */
  snapshot(asOfMs: number, shop: string | null): EngineSnapshot;
  /**
   * The few figures a backtest samples every minute (queue depths, unanswered ≥ 30 min), read by
   * the same scans as `snapshot`, so they equal its values; without percentiles, alerts and
   * staffing. Advances the watermark like snapshot.
   */
  probe(asOfMs: number, shop: string | null): EngineProbe;
  /** Oldest waiting chats or unanswered refunds first. Advances the watermark like snapshot. */
  unanswered(query: UnansweredQuery): UnansweredItem[];
  /**
   * The whole state as bytes (checkpoint.ts), for `createEngine({ restoreFrom })`. Synchronous:
   * taken between two applies it is the state after exactly the events applied so far.
   */
  checkpoint(): Uint8Array;
  /**
   * The same bytes as `checkpoint()`, written in slices with the event loop free between them
   * (a few ms each), so a live server does not stall for the whole write. The bytes are the
   * state at the call. Callers should not apply, advance or query until it resolves: any such
   * call (or another checkpoint) first writes the remaining slices synchronously, so the state
   * never changes under the write. `stats()` and `watermarkMs` are free to read meanwhile.
   */
  checkpointAsync(): Promise<Uint8Array>;
  /** True while a `checkpointAsync` is writing. */
  readonly checkpointing: boolean;
  /** The watermark, epoch ms (−Infinity before the first advance). */
  readonly watermarkMs: number;
  stats(): EngineStats;
}

function averageSec(sumMs: number, count: number): number | null {
  return count === 0 ? null : sumMs / count / 1000;
}

function toSec(valueMs: number | null): number | null {
  return valueMs === null ? null : valueMs / 1000;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function rate(count: number, orders: number): number | null {
  return orders === 0 ? null : count / orders;
}

/** Creates an engine. Pure: time only comes in through `advanceTo` / `snapshot` / `unanswered`. */
export function createEngine(options: EngineOptions): Engine {
  const timeZone = options.timeZone;
  const lateHorizonMs = options.lateHorizonMs ?? HOUR_MS;
  const entityRetentionMs = options.entityRetentionMs ?? 35 * DAY_MS;
  const thresholds: AlertThresholds = { ...DEFAULT_ALERT_THRESHOLDS, ...options.alertThresholds };
  const staffing = options.staffing;

  const stateOptions: StateOptions = { timeZone, lateHorizonMs, entityRetentionMs };
  // A restored engine starts from the checkpointed state; a new one from nothing.
  const restored: EngineInternals | undefined =
    options.restoreFrom === undefined ? undefined : readCheckpoint(options.restoreFrom, stateOptions);

  let watermarkMs = restored?.watermarkMs ?? Number.NEGATIVE_INFINITY;
  /**
   * Events not applied yet, pending[pendingHead … pendingEnd), in entity order (see `apply`). The
   * array is a buffer that only grows: slots outside the range are undefined, so advancing and
   * compacting allocate nothing (regrowing an array after each advance was a third of the
   * engine's garbage).
   */
  const pending: (PeakEvent | undefined)[] = [...(restored?.pending ?? [])];
  let pendingHead = 0;
  let pendingEnd = pending.length;

  const shops = restored?.shops ?? new Map<string, ShopState>();
  const all = restored?.all ?? new ScopeWindows();
  /** What a snapshot of a shop with no events reads (never written). */
  const emptyWindows = new ScopeWindows();
  const itemExpiry = restored?.itemExpiry ?? new MinuteSchedule<WindowItem>();
  const orderExpiry = restored?.orderExpiry ?? new Map<ScopeWindows, DueQueue>();
  const chatMaintenance = restored?.chatMaintenance ?? new MinuteSchedule<ChatRecord>();
  const refundMaintenance = restored?.refundMaintenance ?? new MinuteSchedule<RefundRecord>();
  /** The panes' head (PaneRing): the newest minute boundary at or before the watermark, as a pane. */
  let paneHead = restored?.paneHead ?? Number.NEGATIVE_INFINITY;
  let oldestArrivalHourMs = restored?.oldestArrivalHourMs ?? Number.NEGATIVE_INFINITY;
  let lateEventsDropped = restored?.lateEventsDropped ?? 0;
  let orphanEventsDropped = restored?.orphanEventsDropped ?? 0;

  // hourStartMs and formatInstant ask Intl for the zone offset, far too slow per event, and the
  // instants asked about jump between hours (a refund's request may be days old). So the zone
  // offset is cached per UTC hour: when the offset at both ends of that hour agrees, no
  // transition falls inside it and the hour start (or the text) is plain arithmetic with that
  // offset, the same formulas as theirs; an hour holding a transition goes to them every time.
  const utcHourOffsetMs = new Map<number, number>();
  /** The zone's offset at `tsMs` in ms, or NaN when its UTC hour holds an offset transition. */
  function offsetMsOf(tsMs: number): number {
    const utcHour = Math.floor(tsMs / HOUR_MS);
    let offsetMs = utcHourOffsetMs.get(utcHour);
    if (offsetMs === undefined) {
      const atStart = zoneOffsetMinutes(utcHour * HOUR_MS, timeZone);
      const atEnd = zoneOffsetMinutes(utcHour * HOUR_MS + HOUR_MS - 1, timeZone);
      offsetMs = atStart === atEnd ? atStart * 60_000 : Number.NaN;
      // Bounded: a year of hours is ~9k entries; a pathological spread just starts over.
      if (utcHourOffsetMs.size >= 100_000) utcHourOffsetMs.clear();
      utcHourOffsetMs.set(utcHour, offsetMs);
    }
    return offsetMs;
  }

  let cachedHourStartMs = Number.NaN;
  function hourOf(tsMs: number): number {
    if (tsMs >= cachedHourStartMs && tsMs < cachedHourStartMs + HOUR_MS) return cachedHourStartMs;
    const offsetMs = offsetMsOf(tsMs);
    if (Number.isNaN(offsetMs)) return hourStartMs(tsMs, timeZone);
    cachedHourStartMs = Math.floor((tsMs + offsetMs) / HOUR_MS) * HOUR_MS - offsetMs;
    return cachedHourStartMs;
  }

  /**
   * formatInstant(epochMs, timeZone) with the offset from the cache above: a snapshot writes a
   * handful of instants, and each formatInstant asks Intl for the offset (tens of µs). Same
   * text as formatInstant (its code, with the offset it would compute); hours with a
   * transition go to formatInstant itself.
   */
  function formatAt(epochMs: number): string {
    const offsetMs = offsetMsOf(epochMs);
    if (Number.isNaN(offsetMs)) return formatInstant(epochMs, timeZone);
    const offsetMin = offsetMs / 60_000;
    const local = new Date(epochMs + offsetMs);
    const abs = Math.abs(offsetMin);
    return (
      `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
      `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
      `.${pad(local.getUTCMilliseconds(), 3)}${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
    );
  }

  function shopState(shop: string): ShopState {
    let state = shops.get(shop);
    if (state === undefined) {
      state = {
        windows: new ScopeWindows(),
        openChats: new Map(),
        openRefunds: new Map(),
        awaitingRefunds: new Map(),
        openRefundsByPath: emptyPathCounts(),
        agents: new Map(),
        chats: new Map(),
        refunds: new Map(),
        closedChats: new Map(),
        closedChatExpiry: new MinuteSchedule<string>(),
      };
      shops.set(shop, state);
    }
    return state;
  }

  // ---- window items -------------------------------------------------------------------------

  /** Takes an item out of the window sums: it expired, or its entity replaces it. */
  function retractItem(item: WindowItem): void {
    if (!item.active) return;
    item.active = false;
    shopState(item.shop).windows.applyItem(item, -1);
    all.applyItem(item, -1);
  }

  /** An entity replaces (or drops) its item: out of the sums and out of the history panes too. */
  function replaceItem(item: WindowItem): void {
    retractItem(item);
    shopState(item.shop).windows.paneItem(item, -1, paneHead);
    all.paneItem(item, -1, paneHead);
  }

  /**
   * Makes the entity's item for one window carry these values: keeps `current` when it already
   * does, otherwise retracts it and adds a new one. An item already outside the window at the
   * watermark is created inactive (a late event far in the past changes no sum).
   */
  function syncItem(
    current: WindowItem | null,
    wanted: boolean,
    kind: WindowItemKind,
    shop: string,
    tsMs: number,
    group: string,
    valueMs: number,
    flags: number,
    nodes: NodeDurationsMs | null,
  ): WindowItem | null {
    if (current !== null) {
      if (wanted && itemEquals(current, tsMs, group, valueMs, flags, nodes)) return current;
      replaceItem(current);
    }
    if (!wanted) return null;
    const item: WindowItem = { kind, shop, tsMs, group, valueMs, flags, nodes, active: false };
    const windows = shopState(shop).windows;
    // The panes take every current item, even one already out of the window (they are history).
    windows.paneItem(item, 1, paneHead);
    all.paneItem(item, 1, paneHead);
    const expiresAtMs = tsMs + windowMsOf(kind);
    if (expiresAtMs > watermarkMs) {
      item.active = true;
      windows.applyItem(item, 1);
      all.applyItem(item, 1);
      itemExpiry.add(expiresAtMs, item);
    }
    return item;
  }

  function moveArrival(
    windows: ScopeWindows,
    queue: string,
    fromHourMs: number,
    fromQueue: string,
    toHourMs: number,
  ): void {
    if (!Number.isNaN(fromHourMs)) {
      windows.addArrival(fromQueue, fromHourMs, -1, oldestArrivalHourMs);
      all.addArrival(fromQueue, fromHourMs, -1, oldestArrivalHourMs);
    }
    if (!Number.isNaN(toHourMs)) {
      windows.addArrival(queue, toHourMs, 1, oldestArrivalHourMs);
      all.addArrival(queue, toHourMs, 1, oldestArrivalHourMs);
    }
  }

  // ---- chats --------------------------------------------------------------------------------

  function refreshChat(state: ShopState, chat: ChatRecord, events: readonly ChatEvent[]): void {
    const previousCloseMs = chat.closeMs;
    replayChat(chat, events);
    if (chat.open) state.openChats.set(chat.key, chat);
    else state.openChats.delete(chat.key);

    const arrivalHourMs = chat.opened ? hourOf(chat.startMs) : Number.NaN;
    const arrivalQueue = chat.opened ? chat.openingQueue : '';
    if (!Object.is(arrivalHourMs, chat.arrivalHourMs) || arrivalQueue !== chat.arrivalQueue) {
      moveArrival(state.windows, arrivalQueue, chat.arrivalHourMs, chat.arrivalQueue, arrivalHourMs);
      chat.arrivalHourMs = arrivalHourMs;
      chat.arrivalQueue = arrivalQueue;
    }

    const answered = chat.opened && !Number.isNaN(chat.firstAgentMessageMs);
    const closed = chat.opened && !Number.isNaN(chat.closeMs);
    chat.firstResponseItem = syncItem(
      chat.firstResponseItem,
      answered,
      'chatFirstResponse',
      chat.shop,
      chat.firstAgentMessageMs,
      chat.queueAtFirstAgentMessage,
      chat.firstAgentMessageMs - chat.startMs,
      0,
      null,
    );
    chat.abandonedItem = syncItem(
      chat.abandonedItem,
      closed && !answered,
      'chatAbandoned',
      chat.shop,
      chat.closeMs,
      chat.queueAtClose,
      0,
      0,
      null,
    );
    // Handle time (staffing): first agent message → close, over chats closed in the 30-day window.
    chat.handleItem = syncItem(
      chat.handleItem,
      closed && answered,
      'chatHandle',
      chat.shop,
      chat.closeMs,
      chat.queueAtClose,
      chat.closeMs - chat.firstAgentMessageMs,
      0,
      null,
    );
    if (closed && !Object.is(previousCloseMs, chat.closeMs)) {
      chatMaintenance.add(chat.closeMs + lateHorizonMs + 1, chat);
    }
  }

  /** Moves the chat's queue counts from the queues it was in to those it is in now. */
  function syncNamedQueues(state: ShopState, chat: ChatRecord, events: readonly ChatEvent[]): void {
    const before = chat.queuesNamed;
    const after = namedQueues(events);
    if (before.length === after.length && before.every((queue, i) => after[i] === queue)) return;
    for (const queue of before) {
      if (after.includes(queue)) continue;
      state.windows.nameQueue(queue, -1);
      all.nameQueue(queue, -1);
    }
    for (const queue of after) {
      if (before.includes(queue)) continue;
      state.windows.nameQueue(queue, 1);
      all.nameQueue(queue, 1);
    }
    chat.queuesNamed = after;
  }

  function applyChatEvent(event: ChatEvent): void {
    const state = shopState(event.shop);
    const chats = state.chats;
    const key = event.chatId;
    let chat = chats.get(key);
    if (chat === undefined) {
      const closeMs = state.closedChats.get(key);
      if (closeMs !== undefined) {
        // Compacted: closed more than the late horizon ago, events gone (see maintainChat).
        if (event.tsMs > closeMs + entityRetentionMs) state.closedChats.delete(key);
        else {
          if (event.tsMs <= closeMs) lateEventsDropped += 1;
          return;
        }
      }
    }
    // Long after its close an id is forgotten; the same rule on the event's ts keeps a live
    // engine (which already dropped the record) and a fresh one (which has not) in agreement.
    if (chat !== undefined && event.tsMs > chat.closeMs + entityRetentionMs) {
      chats.delete(key);
      chat = undefined;
    }
    if (chat === undefined) {
      chat = createChatRecord(event.shop, event.chatId, key);
      chats.set(key, chat);
    }
    const events = chat.events;
    if (events === null) {
      if (event.tsMs <= chat.closeMs) lateEventsDropped += 1;
      return;
    }
    insertChatEvent(events, event);
    refreshChat(state, chat, events);
    // Only openings, transfers and closes change the queues a chat was in (namedQueues).
    if (event.type === 'chat.started' || event.type === 'chat.transferred' || event.type === 'chat.closed') {
      syncNamedQueues(state, chat, events);
    }
    if (!chat.opened) chatMaintenance.add(event.tsMs + lateHorizonMs + 1, chat);
  }

  function maintainChat(chat: ChatRecord): void {
    const chats = shopState(chat.shop).chats;
    if (chats.get(chat.key) !== chat) return;
    const events = chat.events;
    if (!chat.opened) {
      // Only an opening more than the late horizon late could still give these events an effect.
      if (events === null) return;
      const kept = events.filter((event) => event.tsMs + lateHorizonMs >= watermarkMs);
      orphanEventsDropped += events.length - kept.length;
      if (kept.length === 0) chats.delete(chat.key);
      else chat.events = kept;
      return;
    }
    if (Number.isNaN(chat.closeMs)) return;
    if (events !== null && chat.closeMs + lateHorizonMs < watermarkMs) {
      // A compacted chat never replays again (its items live on in the expiry schedule): only
      // its close instant is kept, until the id is forgotten.
      const state = shopState(chat.shop);
      chats.delete(chat.key);
      if (chat.closeMs + entityRetentionMs + lateHorizonMs < watermarkMs) return;
      state.closedChats.set(chat.key, chat.closeMs);
      state.closedChatExpiry.add(chat.closeMs + entityRetentionMs + lateHorizonMs + 1, chat.key);
      return;
    }
    if (events === null && chat.closeMs + entityRetentionMs + lateHorizonMs < watermarkMs) {
      chats.delete(chat.key);
    }
  }

  /** Forgets a compacted chat once its retention is over (its entry in closedChatExpiry). */
  function forgetClosedChat(state: ShopState, key: string, atMs: number): void {
    const closeMs = state.closedChats.get(key);
    // Only the entry of this close: the id may have been reused (and compacted) since.
    if (closeMs !== undefined && closeMs + entityRetentionMs + lateHorizonMs + 1 === atMs) {
      state.closedChats.delete(key);
    }
  }

  // ---- refunds ------------------------------------------------------------------------------

  function refreshRefund(state: ShopState, refund: RefundRecord): void {
    const opened = isOpened(refund);
    const completed = opened && isCompleted(refund);
    if (opened && !completed) state.openRefunds.set(refund.key, refund);
    else state.openRefunds.delete(refund.key);
    if (opened && !completed && refund.responseTsMs === Number.POSITIVE_INFINITY) {
      state.awaitingRefunds.set(refund.key, refund);
    } else {
      state.awaitingRefunds.delete(refund.key);
    }
    const openPath = opened && !completed ? currentPath(refund) : null;
    if (openPath !== refund.countedOpenPath) {
      if (refund.countedOpenPath !== null) state.openRefundsByPath[refund.countedOpenPath] -= 1;
      if (openPath !== null) state.openRefundsByPath[openPath] += 1;
      refund.countedOpenPath = openPath;
    }

    const arrivalHourMs = opened ? hourOf(refund.openingTsMs) : Number.NaN;
    if (!Object.is(arrivalHourMs, refund.arrivalHourMs)) {
      moveArrival(
        state.windows,
        REFUND_ARRIVALS_KEY,
        refund.arrivalHourMs,
        REFUND_ARRIVALS_KEY,
        arrivalHourMs,
      );
      refund.arrivalHourMs = arrivalHourMs;
    }

    const path = currentPath(refund);
    const flags =
      (QUALITY_REASONS.has(currentReason(refund)) ? LATEST_REASON_QUALITY : 0) |
      (QUALITY_REASONS.has(refund.requestedReason) ? FIRST_REASON_QUALITY : 0);
    refund.requestedItem = syncItem(
      refund.requestedItem,
      opened,
      'refundRequested',
      refund.shop,
      refund.openingTsMs,
      '',
      0,
      flags,
      null,
    );
    refund.disputeItem = syncItem(
      refund.disputeItem,
      opened && refund.escalatedTsMs !== Number.POSITIVE_INFINITY,
      'refundDispute',
      refund.shop,
      refund.escalatedTsMs,
      '',
      0,
      0,
      null,
    );
    refund.firstResponseItem = syncItem(
      refund.firstResponseItem,
      opened && refund.responseTsMs !== Number.POSITIVE_INFINITY,
      'refundFirstResponse',
      refund.shop,
      refund.responseTsMs,
      path,
      refund.responseTsMs - refund.openingTsMs,
      0,
      null,
    );
    const previousCompletionMs = refund.completionItem?.tsMs ?? Number.NaN;
    refund.completionItem = syncItem(
      refund.completionItem,
      completed,
      'refundCompletion',
      refund.shop,
      refund.completionTsMs,
      path,
      refund.completionTsMs - refund.openingTsMs,
      0,
      completed ? nodeDurationsMs(refund) : null,
    );
    if (completed && previousCompletionMs !== refund.completionTsMs) {
      refundMaintenance.add(refund.completionTsMs + entityRetentionMs + lateHorizonMs + 1, refund);
    }

    const secondCompletions = opened ? Math.max(0, refund.completionCount - 1) : 0;
    const delta = secondCompletions - refund.countedSecondCompletions;
    if (delta !== 0) {
      state.windows.secondCompletions += delta;
      all.secondCompletions += delta;
      refund.countedSecondCompletions = secondCompletions;
    }
  }

  function applyRefundEventToState(event: RefundEvent): void {
    const state = shopState(event.shop);
    const refunds = state.refunds;
    const key = event.refundId;
    let refund = refunds.get(key);
    if (refund !== undefined && event.tsMs > refund.completionTsMs + entityRetentionMs) {
      refunds.delete(key);
      refund = undefined;
    }
    if (refund === undefined) {
      refund = createRefundRecord(event.shop, event.refundId, key);
      refunds.set(key, refund);
    }
    const parkedBefore = refund.preOpening.length;
    applyRefundEvent(refund, event);
    if (refund.preOpening.length > parkedBefore)
      refundMaintenance.add(event.tsMs + lateHorizonMs + 1, refund);
    refreshRefund(state, refund);
  }

  function maintainRefund(refund: RefundRecord): void {
    const refunds = shopState(refund.shop).refunds;
    if (refunds.get(refund.key) !== refund) return;
    if (refund.preOpening.length > 0) {
      const kept = refund.preOpening.filter((event) => event.tsMs + lateHorizonMs >= watermarkMs);
      orphanEventsDropped += refund.preOpening.length - kept.length;
      refund.preOpening = kept;
    }
    if (!isOpened(refund) && refund.preOpening.length === 0) refunds.delete(refund.key);
    else if (isCompleted(refund) && refund.completionTsMs + entityRetentionMs + lateHorizonMs < watermarkMs) {
      refunds.delete(refund.key);
    }
  }

  // ---- agents and orders --------------------------------------------------------------------

  function applyAgentStatus(event: AgentStatusEvent): void {
    const agents = shopState(event.shop).agents;
    const current = agents.get(event.agentId);
    // All agent.status events share one rank: the latest (ts, id) is the status as of T.
    if (
      current !== undefined &&
      (current.tsMs > event.tsMs || (current.tsMs === event.tsMs && current.id > event.id))
    ) {
      return;
    }
    agents.set(event.agentId, {
      tsMs: event.tsMs,
      id: event.id,
      status: event.status,
      queues: event.queues,
      maxChats: event.maxChats,
    });
  }

  function applyOrder(event: OrderPaid): void {
    const windows = shopState(event.shop).windows;
    windows.paneOrder(event.tsMs, paneHead);
    all.paneOrder(event.tsMs, paneHead);
    const expiresAtMs = event.tsMs + REFUND_WINDOW_MS;
    if (expiresAtMs <= watermarkMs) return;
    windows.orders += 1;
    all.orders += 1;
    let queue = orderExpiry.get(windows);
    if (queue === undefined) {
      queue = new DueQueue();
      orderExpiry.set(windows, queue);
    }
    queue.add(expiresAtMs);
  }

  function applyNow(event: PeakEvent): void {
    switch (event.type) {
      case 'chat.started':
      case 'chat.message':
      case 'chat.assigned':
      case 'chat.transferred':
      case 'chat.closed':
        applyChatEvent(event);
        return;
      case 'agent.status':
        applyAgentStatus(event);
        return;
      case 'order.paid':
        applyOrder(event);
        return;
      case 'clock.tick':
        return;
      default:
        applyRefundEventToState(event);
    }
  }

  // ---- time ---------------------------------------------------------------------------------

  function advanceTo(nowMs: number): void {
    if (slicing !== undefined) finishSlices();
    if (!(nowMs > watermarkMs)) return;
    // The panes move first: events applied below have ts ≤ nowMs, so their panes are in range,
    // and panes that fall off now would be dropped at the end of this advance anyway.
    const head = Math.floor(nowMs / PANE_MS);
    if (head > paneHead) {
      all.movePaneHead(paneHead, head);
      for (const state of shops.values()) state.windows.movePaneHead(paneHead, head);
      paneHead = head;
    }
    while (pendingHead < pendingEnd) {
      const event = pending[pendingHead] as PeakEvent;
      if (event.tsMs > nowMs) break;
      pending[pendingHead] = undefined;
      pendingHead += 1;
      applyNow(event);
    }
    if (pendingHead === pendingEnd) {
      pendingHead = 0;
      pendingEnd = 0;
    } else if (pendingHead * 2 > pendingEnd && pendingHead > 1024) {
      // Most of the buffer is behind the head: move the rest to the front.
      const count = pendingEnd - pendingHead;
      for (let i = 0; i < count; i += 1) {
        pending[i] = pending[pendingHead + i];
        pending[pendingHead + i] = undefined;
      }
      pendingHead = 0;
      pendingEnd = count;
    }
    watermarkMs = nowMs;
    itemExpiry.drain(nowMs, retractItem);
    for (const [windows, queue] of orderExpiry) {
      const expired = queue.drain(nowMs);
      windows.orders -= expired;
      all.orders -= expired;
    }
    chatMaintenance.drain(nowMs, maintainChat);
    for (const state of shops.values()) {
      if (state.closedChatExpiry.size > 0) {
        state.closedChatExpiry.drain(nowMs, (key, atMs) => forgetClosedChat(state, key, atMs));
      }
    }
    refundMaintenance.drain(nowMs, maintainRefund);
    // Hour starts are whole multiples of an hour in UTC for every whole-hour zone; the cut-off is
    // a function of the watermark alone, so live and fresh engines keep the same hours.
    const oldestHourMs = Math.floor((nowMs - ARRIVALS_RETENTION_MS) / HOUR_MS) * HOUR_MS;
    if (oldestHourMs > oldestArrivalHourMs) {
      oldestArrivalHourMs = oldestHourMs;
      all.pruneArrivals(oldestHourMs);
      for (const state of shops.values()) state.windows.pruneArrivals(oldestHourMs);
    }
  }

  function apply(event: PeakEvent): void {
    if (slicing !== undefined) finishSlices();
    if (event.tsMs <= watermarkMs) {
      applyNow(event);
      return;
    }
    // Kept in entity order as events come: most append, a late one goes in near the end. Sorting
    // the whole buffer at each advance instead cost a copy and ~1,000 comparisons a minute.
    const last = pendingEnd - 1;
    if (last < pendingHead || compareEvents(pending[last] as PeakEvent, event) <= 0) {
      pending[pendingEnd] = event;
      pendingEnd += 1;
      return;
    }
    // The first pending event after it (equal ones keep their arrival order, as a stable sort).
    let low = pendingHead;
    let high = last;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareEvents(pending[middle] as PeakEvent, event) > 0) high = middle;
      else low = middle + 1;
    }
    for (let i = pendingEnd; i > low; i -= 1) pending[i] = pending[i - 1];
    pending[low] = event;
    pendingEnd += 1;
  }

  function advanceForQuery(asOfMs: number): void {
    if (!Number.isFinite(asOfMs)) throw new RangeError(`asOfMs must be a finite epoch ms, got ${asOfMs}`);
    if (asOfMs < watermarkMs) {
      throw new RangeError(
        `asOfMs ${asOfMs} is before the engine's watermark ${watermarkMs}; use a fresh engine for an earlier instant`,
      );
    }
    advanceTo(asOfMs);
  }

  function statesOf(shop: string | null): ShopState[] {
    if (shop === null) return [...shops.values()];
    const state = shops.get(shop);
    return state === undefined ? [] : [state];
  }

  // ---- snapshot -----------------------------------------------------------------------------

  function chatQueueOrder(windows: ScopeWindows): string[] {
    const others = [...windows.queueNames()]
      .filter((queue) => queue !== 'presale' && queue !== 'aftersale')
      .sort();
    return [...DEFAULT_CHAT_QUEUES, ...others];
  }

  function pathAggregates(window: PathWindow, open: number): PathAggregates {
    const completion = window.completion;
    return {
      open,
      completed30d: completion.count,
      avgCompletionSec30d: averageSec(completion.sumMs, completion.count),
      p50CompletionSec30d: toSec(completion.percentile(1, 2)),
      p90CompletionSec30d: toSec(completion.percentile(9, 10)),
      firstResponseAvgSec30d: averageSec(window.firstResponseSumMs, window.firstResponseCount),
      nodes: {
        toFirstResponseAvgSec: averageSec(window.nodeSumMs[0] ?? 0, window.nodeCount[0] ?? 0),
        toReturnShippedAvgSec: averageSec(window.nodeSumMs[1] ?? 0, window.nodeCount[1] ?? 0),
        toGoodsReceivedAvgSec: averageSec(window.nodeSumMs[2] ?? 0, window.nodeCount[2] ?? 0),
        toCompletionAvgSec: averageSec(window.nodeSumMs[3] ?? 0, window.nodeCount[3] ?? 0),
      },
    };
  }

  function resolveSince(condition: AlertCondition): string {
    const sinceMs =
      condition.history === null
        ? condition.derivedSinceMs
        : sinceFromHistory(condition.history, condition.threshold, paneHead, PANE_MS, ALERT_LOOKBACK_PANES);
    return formatAt(sinceMs);
  }

  /** Waiting, unassigned, waiting ≥ 30 min and the oldest wait start of each listed chat queue. */
  function scanOpenChats(
    states: readonly ShopState[],
    queueNames: readonly string[],
    asOfMs: number,
  ): ChatScan {
    const queueIndex = new Map<string, number>();
    queueNames.forEach((queue, index) => queueIndex.set(queue, index));
    const queueCount = queueNames.length;
    const waiting = new Float64Array(queueCount);
    const unassigned = new Float64Array(queueCount);
    const over30m = new Float64Array(queueCount);
    const oldestWaitStartMs = new Float64Array(queueCount).fill(Number.POSITIVE_INFINITY);
    for (const state of states) {
      for (const chat of state.openChats.values()) {
        const index = queueIndex.get(chat.queue);
        if (index === undefined) continue;
        if (!chat.assigned) unassigned[index] = (unassigned[index] ?? 0) + 1;
        if (!chat.waiting) continue;
        waiting[index] = (waiting[index] ?? 0) + 1;
        if (asOfMs - chat.waitStartMs >= UNANSWERED_LIMIT_MS) over30m[index] = (over30m[index] ?? 0) + 1;
        if (chat.waitStartMs < (oldestWaitStartMs[index] ?? 0)) oldestWaitStartMs[index] = chat.waitStartMs;
      }
    }
    return { queueIndex, waiting, unassigned, over30m, oldestWaitStartMs };
  }

  /**
   * Refunds awaiting a first response: count, waiting ≥ 30 min, oldest request; their request
   * instants into `requestedMs` when given.
   */
  function scanAwaitingRefunds(
    states: readonly ShopState[],
    asOfMs: number,
    requestedMs: number[] | null,
  ): AwaitingScan {
    let awaiting = 0;
    let over30m = 0;
    let oldestRequestedMs = Number.POSITIVE_INFINITY;
    for (const state of states) {
      for (const refund of state.awaitingRefunds.values()) {
        awaiting += 1;
        requestedMs?.push(refund.openingTsMs);
        if (asOfMs - refund.openingTsMs >= UNANSWERED_LIMIT_MS) over30m += 1;
        if (refund.openingTsMs < oldestRequestedMs) oldestRequestedMs = refund.openingTsMs;
      }
    }
    return { awaiting, over30m, oldestRequestedMs };
  }

  function probe(asOfMs: number, shop: string | null): EngineProbe {
    if (slicing !== undefined) finishSlices();
    advanceForQuery(asOfMs);
    const states = statesOf(shop);
    const windows = shop === null ? all : (shops.get(shop)?.windows ?? emptyWindows);
    const chatQueues = chatQueueOrder(windows);
    const chats = scanOpenChats(states, chatQueues, asOfMs);
    const refunds = scanAwaitingRefunds(states, asOfMs, null);
    return {
      chatQueues,
      chatWaiting: chats.waiting,
      chatUnansweredOver30m: chats.over30m,
      refundsAwaitingResponse: refunds.awaiting,
      refundsUnansweredOver30m: refunds.over30m,
    };
  }

  function snapshot(asOfMs: number, shop: string | null): EngineSnapshot {
    if (slicing !== undefined) finishSlices();
    advanceForQuery(asOfMs);
    const states = statesOf(shop);
    const windows = shop === null ? all : (shops.get(shop)?.windows ?? emptyWindows);

    // Chat queues: open chats scanned once, window sums read.
    const queueNames = chatQueueOrder(windows);
    const { queueIndex, waiting, unassigned, over30m, oldestWaitStartMs } = scanOpenChats(
      states,
      queueNames,
      asOfMs,
    );
    const queueCount = queueNames.length;
    const agentsOnline = new Float64Array(queueCount);
    const maxChatsSum = new Float64Array(queueCount);
    let refundDeskAgents = 0;
    for (const state of states) {
      for (const agent of state.agents.values()) {
        if (!STAFFED.has(agent.status)) continue;
        const queues = agent.queues;
        for (let i = 0; i < queues.length; i += 1) {
          const queue = queues[i] as string;
          // A queue listed twice in one status still counts the agent once.
          if (queues.indexOf(queue) !== i) continue;
          if (queue === REFUND_QUEUE) refundDeskAgents += 1;
          const index = queueIndex.get(queue);
          if (index === undefined) continue;
          agentsOnline[index] = (agentsOnline[index] ?? 0) + 1;
          maxChatsSum[index] = (maxChatsSum[index] ?? 0) + agent.maxChats;
        }
      }
    }
    const chatQueues: Record<string, ChatQueueAggregates> = {};
    queueNames.forEach((queue, index) => {
      const window = windows.queues.get(queue);
      const firstResponse = window?.firstResponse;
      const oldestStartMs = oldestWaitStartMs[index] ?? Number.POSITIVE_INFINITY;
      chatQueues[queue] = {
        waiting: waiting[index] ?? 0,
        unassigned: unassigned[index] ?? 0,
        oldestWaitSec: oldestStartMs === Number.POSITIVE_INFINITY ? 0 : (asOfMs - oldestStartMs) / 1000,
        unansweredOver30m: over30m[index] ?? 0,
        agentsOnline: agentsOnline[index] ?? 0,
        firstResponse60m: {
          count: firstResponse?.count ?? 0,
          avgSec: firstResponse === undefined ? null : averageSec(firstResponse.sumMs, firstResponse.count),
          p90Sec: firstResponse === undefined ? null : toSec(firstResponse.percentile(9, 10)),
        },
        abandoned60m: window?.abandoned ?? 0,
      };
    });

    // Refunds: open ones by path from the shops' counts, those awaiting a response scanned.
    let unshipped = 0;
    let inTransit = 0;
    let receivedRefundOnly = 0;
    let returnRefund = 0;
    for (const state of states) {
      const open = state.openRefundsByPath;
      unshipped += open.unshipped;
      inTransit += open.in_transit;
      receivedRefundOnly += open.received_refund_only;
      returnRefund += open.return_refund;
    }
    const awaitingRequestedMs: number[] = [];
    const {
      awaiting: awaitingResponse,
      over30m: refundsOver30m,
      oldestRequestedMs,
    } = scanAwaitingRefunds(states, asOfMs, awaitingRequestedMs);
    const paths = {} as Record<RefundPathKey, PathAggregates>;
    const openByPath: Record<RefundPathKey, number> = {
      unshipped,
      in_transit: inTransit,
      received_refund_only: receivedRefundOnly,
      return_refund: returnRefund,
      all: unshipped + inTransit + receivedRefundOnly + returnRefund,
    };
    for (const key of PATH_KEYS) paths[key] = pathAggregates(windows.paths[key], openByPath[key]);
    const orders = windows.orders;
    const refundAggregates: RefundAggregates = {
      awaitingResponse,
      unansweredOver30m: refundsOver30m,
      oldestUnansweredSec:
        oldestRequestedMs === Number.POSITIVE_INFINITY ? 0 : (asOfMs - oldestRequestedMs) / 1000,
      paths,
      rates30d: {
        orders,
        refunds: windows.refundsRequested,
        refundRate: rate(windows.refundsRequested, orders),
        disputeRate: rate(windows.disputes, orders),
        qualityRefundRate: rate(windows.qualityLatest, orders),
        experienceRefundRate: rate(windows.qualityFirst, orders),
      },
      secondCompletions: windows.secondCompletions,
    };

    // Staffing: the injected row computer gets this scope's arrivals, handle times and roster.
    let staffingRows: StaffingRow[] = [];
    if (staffing !== undefined) {
      const queues: QueueStaffingInput[] = queueNames.map((queue, index) => {
        const window = windows.queues.get(queue);
        const online = agentsOnline[index] ?? 0;
        return {
          queue,
          kind: 'chat',
          hourlyArrivals: windows.arrivals.get(queue) ?? EMPTY_HOURS,
          handleSec: window === undefined ? null : averageSec(window.handleSumMs, window.handleCount),
          onlineAgents: online,
          waitingNow: (chatQueues[queue] as ChatQueueAggregates).waiting,
          // With nobody online the concurrency of a future roster is unknown: assume the default.
          concurrency: online === 0 ? DEFAULT_MAX_CHATS : (maxChatsSum[index] ?? 0) / online,
        };
      });
      queues.push({
        queue: REFUND_QUEUE,
        kind: 'refund',
        hourlyArrivals: windows.arrivals.get(REFUND_ARRIVALS_KEY) ?? EMPTY_HOURS,
        handleSec: staffing.config.refundHandleSec,
        onlineAgents: refundDeskAgents,
        concurrency: 1,
        awaitingRequestedMs: awaitingRequestedMs.sort((a, b) => a - b),
      });
      staffingRows = staffing.compute({ nowMs: asOfMs, timeZone, queues, config: staffing.config });
    }

    // Alerts, in a fixed order: chat queues (listing order), then refunds.
    // Unanswered alerts start when the oldest waiting item crossed 30 min (derived from state);
    // the windowed ones when their history says so (sinceFromHistory).
    const conditions: AlertCondition[] = [];
    queueNames.forEach((queue, index) => {
      const aggregates = chatQueues[queue] as ChatQueueAggregates;
      checkAbove(
        conditions,
        `chat.queues.${queue}.unansweredOver30m`,
        'red',
        aggregates.unansweredOver30m,
        thresholds.unansweredOver30m,
        (oldestWaitStartMs[index] ?? 0) + UNANSWERED_LIMIT_MS,
        null,
      );
      const window = windows.queues.get(queue);
      checkAbove(
        conditions,
        `chat.queues.${queue}.firstResponse60m.avgSec`,
        'red',
        aggregates.firstResponse60m.avgSec,
        thresholds.chatFirstResponseAvgSec,
        Number.NaN,
        window === undefined
          ? null
          : {
              panes: window.panes,
              numeratorField: CHAT_PANE_FIRST_RESPONSE_SUM_MS,
              denominatorField: CHAT_PANE_FIRST_RESPONSE_COUNT,
              form: 'averageSec',
            },
      );
    });
    checkAbove(
      conditions,
      'refunds.unansweredOver30m',
      'red',
      refundsOver30m,
      thresholds.unansweredOver30m,
      oldestRequestedMs + UNANSWERED_LIMIT_MS,
      null,
    );
    const refundHistory = (
      numeratorField: number,
      denominatorField: number,
      form: AlertHistory['form'],
    ): AlertHistory => ({
      panes: windows.refundPanes,
      numeratorField,
      denominatorField,
      form,
    });
    checkAbove(
      conditions,
      'refunds.paths.all.avgCompletionSec30d',
      'amber',
      paths.all.avgCompletionSec30d,
      thresholds.refundCompletionAvgSec,
      Number.NaN,
      refundHistory(REFUND_PANE_COMPLETION_SUM_MS, REFUND_PANE_COMPLETION_COUNT, 'averageSec'),
    );
    checkAbove(
      conditions,
      'refunds.paths.all.firstResponseAvgSec30d',
      'red',
      paths.all.firstResponseAvgSec30d,
      thresholds.refundFirstResponseAvgSec,
      Number.NaN,
      refundHistory(REFUND_PANE_FIRST_RESPONSE_SUM_MS, REFUND_PANE_FIRST_RESPONSE_COUNT, 'averageSec'),
    );
    checkAbove(
      conditions,
      'refunds.rates30d.refundRate',
      'amber',
      refundAggregates.rates30d.refundRate,
      thresholds.refundRate,
      Number.NaN,
      refundHistory(REFUND_PANE_REQUESTED, REFUND_PANE_ORDERS, 'ratio'),
    );
    checkAbove(
      conditions,
      'refunds.rates30d.disputeRate',
      'red',
      refundAggregates.rates30d.disputeRate,
      thresholds.disputeRate,
      Number.NaN,
      refundHistory(REFUND_PANE_DISPUTES, REFUND_PANE_ORDERS, 'ratio'),
    );
    const alerts: Alert[] = conditions.map((condition) => ({
      metric: condition.metric,
      level: condition.level,
      value: condition.value,
      threshold: condition.threshold,
      since: resolveSince(condition),
    }));

    return {
      asOf: formatAt(asOfMs),
      shop,
      chat: { queues: chatQueues },
      refunds: refundAggregates,
      staffing: staffingRows,
      alerts,
    };
  }

  function unanswered(query: UnansweredQuery): UnansweredItem[] {
    if (slicing !== undefined) finishSlices();
    advanceForQuery(query.asOfMs);
    const asOfMs = query.asOfMs;
    const limit = query.limit ?? 50;
    const states = statesOf(query.shop);
    const byAge = (
      a: { sinceMs: number; shop: string; id: string },
      b: { sinceMs: number; shop: string; id: string },
    ) =>
      a.sinceMs - b.sinceMs ||
      (a.shop < b.shop ? -1 : a.shop > b.shop ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    if (query.kind === 'chat') {
      const found: { sinceMs: number; shop: string; id: string; chat: ChatRecord }[] = [];
      for (const state of states) {
        for (const chat of state.openChats.values()) {
          if (chat.waiting) found.push({ sinceMs: chat.waitStartMs, shop: chat.shop, id: chat.chatId, chat });
        }
      }
      return found
        .sort(byAge)
        .slice(0, limit)
        .map(({ sinceMs, chat }) => ({
          kind: 'chat',
          id: chat.chatId,
          shop: chat.shop,
          queue: chat.queue,
          waitSec: (asOfMs - sinceMs) / 1000,
          waitingSince: formatAt(sinceMs),
          agentId: chat.agentId,
        }));
    }
    const found: { sinceMs: number; shop: string; id: string; refund: RefundRecord }[] = [];
    for (const state of states) {
      for (const refund of state.awaitingRefunds.values()) {
        found.push({ sinceMs: refund.openingTsMs, shop: refund.shop, id: refund.refundId, refund });
      }
    }
    return found
      .sort(byAge)
      .slice(0, limit)
      .map(({ sinceMs, refund }) => ({
        kind: 'refund',
        id: refund.refundId,
        shop: refund.shop,
        path: currentPath(refund),
        waitSec: (asOfMs - sinceMs) / 1000,
        waitingSince: formatAt(sinceMs),
        agentId: null,
      }));
  }

  /** The checkpoint being written by `checkpointAsync`, and its bytes once done. */
  let slicing: { steps: Generator<undefined, Uint8Array, void>; bytes?: Uint8Array } | undefined;

  /** Writes the remaining slices now: the state is about to change (or be read). */
  function finishSlices(): void {
    const current = slicing;
    if (current === undefined) return;
    slicing = undefined;
    for (;;) {
      const step = current.steps.next();
      if (step.done === true) {
        current.bytes = step.value;
        return;
      }
    }
  }

  function internals(): EngineInternals {
    return {
      watermarkMs,
      paneHead,
      pending: pending.slice(pendingHead, pendingEnd) as PeakEvent[],
      shops,
      all,
      itemExpiry,
      orderExpiry,
      chatMaintenance,
      refundMaintenance,
      oldestArrivalHourMs,
      lateEventsDropped,
      orphanEventsDropped,
    };
  }

  async function checkpointAsync(): Promise<Uint8Array> {
    finishSlices();
    const current: NonNullable<typeof slicing> = {
      steps: writeCheckpointInSlices(internals(), stateOptions),
    };
    slicing = current;
    for (;;) {
      if (slicing !== current) break; // finished synchronously by another call
      const step = current.steps.next();
      if (step.done === true) {
        slicing = undefined;
        current.bytes = step.value;
        break;
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return current.bytes as Uint8Array;
  }

  function checkpoint(): Uint8Array {
    finishSlices();
    return writeCheckpoint(internals(), stateOptions);
  }

  function stats(): EngineStats {
    let openChats = 0;
    let openRefunds = 0;
    let chatRecords = 0;
    let refundRecords = 0;
    for (const state of shops.values()) {
      openChats += state.openChats.size;
      openRefunds += state.openRefunds.size;
      chatRecords += state.chats.size + state.closedChats.size;
      refundRecords += state.refunds.size;
    }
    return {
      watermarkMs,
      pendingEvents: pendingEnd - pendingHead,
      chatRecords,
      openChats,
      refundRecords,
      openRefunds,
      secondCompletions: all.secondCompletions,
      lateEventsDropped,
      orphanEventsDropped,
      scheduledEntries:
        itemExpiry.size +
        [...orderExpiry.values()].reduce((sum, queue) => sum + queue.size, 0) +
        chatMaintenance.size +
        refundMaintenance.size +
        [...shops.values()].reduce((sum, state) => sum + state.closedChatExpiry.size, 0),
    };
  }

  return {
    apply,
    advanceTo,
    snapshot,
    probe,
    unanswered,
    checkpoint,
    checkpointAsync,
    get checkpointing() {
      return slicing !== undefined;
    },
    get watermarkMs() {
      return watermarkMs;
    },
    stats,
  };
}
