/**
 * Engine checkpoints: the whole mutable state (engine-state.ts) as bytes, and back.
 *
 * Why: rebuilding 30 days (millions of events) from DuckDB means parsing and applying every
 * payload again, tens of seconds; restoring a checkpoint and applying the events stored after it
 * takes a few. The image is columnar — typed arrays for the numbers, string arrays, indexes
 * instead of object references — and written with node:v8's serializer, which copies typed
 * arrays as raw bytes: far fewer objects to write and read than the live object graph.
 *
 * Exactness: every field that any later apply, advance or snapshot reads is written, including
 * the identity links that matter (a record and the expiry schedule share one window item, so an
 * item retracted through one is inactive in the other). The restored engine then behaves exactly
 * as the checkpointed one on any later input. Two things are left out because they can have no
 * effect: maintenance entries of records that are no longer the current one for their id (their
 * visit returns at once), and caches.
 *
 * Format: 'PBEC', a version byte, then the serialized image. A different version (or options
 * that the state depends on) raises CheckpointFormatError, and the caller rebuilds from events.
 */
import { DefaultSerializer as Serializer, deserialize } from 'node:v8';
import type { ChatEvent, PeakEvent, RefundEvent, RefundPath } from '../events/index.ts';
import { createChatRecord, namedQueues, type ChatRecord } from './chat-state.ts';
import { DurationMultiset } from './duration-multiset.ts';
import {
  emptyPathCounts,
  type AgentRecord,
  type EngineInternals,
  type ShopState,
  type StateOptions,
} from './engine-state.ts';
import { DueQueue } from './due-queue.ts';
import { MinuteSchedule } from './minute-schedule.ts';
import type { PaneRing } from './pane-ring.ts';
import { createRefundRecord, currentPath, type RefundRecord } from './refund-state.ts';
import { PATH_KEYS, QueueWindow, ScopeWindows } from './scope.ts';
import { windowMsOf, type NodeDurationsMs, type WindowItem, type WindowItemKind } from './window-item.ts';

/** Bump whenever the image below or the meaning of any state field changes. */
export const CHECKPOINT_VERSION = 2;
const MAGIC = [0x50, 0x42, 0x45, 0x43]; // 'PBEC'
const HEADER_BYTES = MAGIC.length + 1;

export class CheckpointFormatError extends Error {
  override name = 'CheckpointFormatError';
}

const ITEM_KINDS: readonly WindowItemKind[] = [
  'chatFirstResponse',
  'chatAbandoned',
  'chatHandle',
  'refundRequested',
  'refundDispute',
  'refundFirstResponse',
  'refundCompletion',
];
const ITEM_KIND_INDEX = new Map(ITEM_KINDS.map((kind, index) => [kind, index]));

// Chat record columns.
const CHAT_OPENED = 1;
const CHAT_OPEN = 2;
const CHAT_WAITING = 4;
const CHAT_ASSIGNED = 8;
const CHAT_NUMBERS = 5; // startMs, waitStartMs, firstAgentMessageMs, closeMs, arrivalHourMs
const CHAT_STRINGS = 6; // openingQueue, queue, queueAtFirstAgentMessage, queueAtClose, arrivalQueue, agentId
const CHAT_ITEMS = 3; // firstResponseItem, abandonedItem, handleItem
// Refund record columns.
const REFUND_IDS = 9; // refundId, openingId, pathId, reasonId, responseId, shippedId, receivedId, escalatedId, completionId
const REFUND_NUMBERS = 11; // openingTsMs … completionTsMs, completionCount, countedSecondCompletions, arrivalHourMs
const REFUND_STRINGS = 4; // requestedPath, requestedReason, path, reason
const REFUND_ITEMS = 4; // requestedItem, disputeItem, firstResponseItem, completionItem

interface PaneImage {
  values: Float64Array | null;
  sums: Float64Array;
}

interface ScopeImage {
  /** Chat queues and their chat counts (ScopeWindows.queueRefs), in map order. */
  queueNames: string[];
  queueRefs: Float64Array;
  queues: {
    name: string;
    firstResponse: Float64Array;
    abandoned: number;
    handleCount: number;
    handleSumMs: number;
    panes: PaneImage;
  }[];
  /** In PATH_KEYS order. */
  paths: {
    completion: Float64Array;
    firstResponseCount: number;
    firstResponseSumMs: number;
    nodeCount: Float64Array;
    nodeSumMs: Float64Array;
  }[];
  orders: number;
  refundsRequested: number;
  disputes: number;
  qualityLatest: number;
  qualityFirst: number;
  secondCompletions: number;
  /** Per queue, (hour start, count) pairs in map order. */
  arrivals: { queue: string; hours: Float64Array }[];
  refundPanes: PaneImage;
}

interface CheckpointImage {
  options: StateOptions;
  watermarkMs: number;
  paneHead: number;
  oldestArrivalHourMs: number;
  lateEventsDropped: number;
  orphanEventsDropped: number;
  pending: PeakEvent[];
  /** Low-cardinality strings (queues, agents, paths, reasons, groups), referenced by index. */
  strings: string[];
  shops: string[];
  scopes: ScopeImage[];
  all: ScopeImage;
  agents: { id: string; record: AgentRecord }[][];
  items: {
    kind: Uint8Array;
    shop: Uint16Array;
    tsMs: Float64Array;
    group: Uint32Array;
    valueMs: Float64Array;
    flags: Uint8Array;
    active: Uint8Array;
    /** Index into `nodes` (4 values each), −1 when the item carries none. */
    nodeAt: Int32Array;
    nodes: Float64Array;
  };
  /** Chats that can still change, with every field. Record index i. */
  chats: {
    shop: Uint16Array;
    id: PackedStrings;
    bits: Uint8Array;
    numbers: Float64Array;
    strings: Int32Array;
    items: Int32Array;
    events: ChatEvent[][];
  };
  /**
   * Compacted chats (closed more than the late horizon ago): nothing reads them again but the
   * id-retention rule, which needs the close instant alone. Record index chats.length + i.
   */
  compactedChats: { shop: Uint16Array; id: PackedStrings; closeMs: Float64Array };
  /** Per shop, record indexes in `openChats` order. */
  openChats: Int32Array[];
  refunds: {
    shop: Uint16Array;
    ids: PackedStrings;
    numbers: Float64Array;
    strings: Int32Array;
    items: Int32Array;
    /** Index into `preOpening`, −1 when none are parked. */
    preOpeningAt: Int32Array;
    preOpening: RefundEvent[][];
  };
  openRefunds: Int32Array[];
  /** Item indexes in schedule order; the due instant is the item's ts + its window. */
  itemExpiry: Uint32Array;
  /** Per shop, due instants of its orders as offsets from `baseMs` (the order is irrelevant). */
  orderExpiry: { baseMs: number; offsets: (Uint32Array | Float64Array)[] };
  chatMaintenance: { atMs: Float64Array; record: Uint32Array };
  refundMaintenance: { atMs: Float64Array; record: Uint32Array };
}

/**
 * Many strings as one: their lengths and their concatenation. The serializer then writes one
 * string instead of hundreds of thousands of small ones, and reading slices it.
 */
interface PackedStrings {
  text: string;
  lengths: Uint32Array;
}

function packStrings(list: readonly string[]): PackedStrings {
  const lengths = new Uint32Array(list.length);
  for (let i = 0; i < list.length; i += 1) lengths[i] = (list[i] as string).length;
  return { text: list.join(''), lengths };
}

function unpackStrings(packed: PackedStrings): string[] {
  const out = new Array<string>(packed.lengths.length);
  let at = 0;
  for (let i = 0; i < packed.lengths.length; i += 1) {
    const end = at + (packed.lengths[i] as number);
    out[i] = packed.text.slice(at, end);
    at = end;
  }
  if (at !== packed.text.length) throw new CheckpointFormatError('checkpoint strings do not add up');
  return out;
}

class StringTable {
  private readonly index = new Map<string, number>();
  readonly list: string[] = [];

  of(value: string): number {
    let at = this.index.get(value);
    if (at === undefined) {
      at = this.list.length;
      this.list.push(value);
      this.index.set(value, at);
    }
    return at;
  }

  ofNullable(value: string | null): number {
    return value === null ? -1 : this.of(value);
  }
}

function paneImage(ring: PaneRing): PaneImage {
  return { values: ring.values === null ? null : ring.values.slice(), sums: ring.windowSums.slice() };
}

function restorePanes(ring: PaneRing, image: PaneImage): void {
  ring.values = image.values === null ? null : new Float64Array(image.values);
  ring.windowSums.set(image.sums);
}

function scopeImage(windows: ScopeWindows): ScopeImage {
  return {
    queueNames: [...windows.queueRefs.keys()],
    queueRefs: Float64Array.from(windows.queueRefs.values()),
    queues: [...windows.queues].map(([name, window]) => ({
      name,
      firstResponse: window.firstResponse.toSorted(),
      abandoned: window.abandoned,
      handleCount: window.handleCount,
      handleSumMs: window.handleSumMs,
      panes: paneImage(window.panes),
    })),
    paths: PATH_KEYS.map((key) => {
      const path = windows.paths[key];
      return {
        completion: path.completion.toSorted(),
        firstResponseCount: path.firstResponseCount,
        firstResponseSumMs: path.firstResponseSumMs,
        nodeCount: path.nodeCount.slice(),
        nodeSumMs: path.nodeSumMs.slice(),
      };
    }),
    orders: windows.orders,
    refundsRequested: windows.refundsRequested,
    disputes: windows.disputes,
    qualityLatest: windows.qualityLatest,
    qualityFirst: windows.qualityFirst,
    secondCompletions: windows.secondCompletions,
    arrivals: [...windows.arrivals].map(([queue, hours]) => {
      const pairs = new Float64Array(hours.size * 2);
      let at = 0;
      for (const [hourMs, count] of hours) {
        pairs[at++] = hourMs;
        pairs[at++] = count;
      }
      return { queue, hours: pairs };
    }),
    refundPanes: paneImage(windows.refundPanes),
  };
}

function restoreScope(image: ScopeImage): ScopeWindows {
  const windows = new ScopeWindows();
  image.queueNames.forEach((name, i) => windows.queueRefs.set(name, image.queueRefs[i] ?? 0));
  for (const queue of image.queues) {
    const window = new QueueWindow();
    window.firstResponse = DurationMultiset.fromSorted(queue.firstResponse);
    window.abandoned = queue.abandoned;
    window.handleCount = queue.handleCount;
    window.handleSumMs = queue.handleSumMs;
    restorePanes(window.panes, queue.panes);
    windows.queues.set(queue.name, window);
  }
  PATH_KEYS.forEach((key, index) => {
    const path = image.paths[index];
    if (path === undefined) throw new CheckpointFormatError('checkpoint lacks a refund path');
    const window = windows.paths[key];
    window.completion = DurationMultiset.fromSorted(path.completion);
    window.firstResponseCount = path.firstResponseCount;
    window.firstResponseSumMs = path.firstResponseSumMs;
    window.nodeCount.set(path.nodeCount);
    window.nodeSumMs.set(path.nodeSumMs);
  });
  windows.orders = image.orders;
  windows.refundsRequested = image.refundsRequested;
  windows.disputes = image.disputes;
  windows.qualityLatest = image.qualityLatest;
  windows.qualityFirst = image.qualityFirst;
  windows.secondCompletions = image.secondCompletions;
  for (const { queue, hours } of image.arrivals) {
    const map = new Map<number, number>();
    for (let i = 0; i < hours.length; i += 2) map.set(hours[i] as number, hours[i + 1] as number);
    windows.arrivals.set(queue, map);
  }
  restorePanes(windows.refundPanes, image.refundPanes);
  return windows;
}

/** Writes the state. Synchronous, so the state is the one at a single instant (a commit boundary). */
export function writeCheckpoint(state: EngineInternals, options: StateOptions): Uint8Array {
  const steps = writeCheckpointInSlices(state, options);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/** Records (or schedule entries) written between two yields of `writeCheckpointInSlices`. */
const SLICE_RECORDS = 4_096;

/**
 * `writeCheckpoint` in slices: yields every few thousand records, returns the bytes. The caller
 * must not change the state between the first `next()` and the last (engine.ts guarantees it:
 * any other call first runs the remaining slices), so the bytes are those of one instant.
 */
export function* writeCheckpointInSlices(
  state: EngineInternals,
  options: StateOptions,
): Generator<undefined, Uint8Array, void> {
  let work = 0;
  /** True once SLICE_RECORDS records were written since the last yield: the loops yield then. */
  const tick = (records = 1): boolean => {
    work += records;
    if (work < SLICE_RECORDS) return false;
    work = 0;
    return true;
  };
  const strings = new StringTable();
  const shopNames = [...state.shops.keys()];
  const shopIndex = new Map(shopNames.map((name, index) => [name, index]));
  const shopOf = (shop: string): number => {
    const at = shopIndex.get(shop);
    if (at === undefined) throw new Error(`checkpoint: unknown shop ${shop}`);
    return at;
  };
  const shopStates = [...state.shops.values()];

  // Items: every one a record or the expiry schedule references, each once.
  const itemIndex = new Map<WindowItem, number>();
  const itemList: WindowItem[] = [];
  const indexOfItem = (item: WindowItem | null): number => {
    if (item === null) return -1;
    let at = itemIndex.get(item);
    if (at === undefined) {
      at = itemList.length;
      itemList.push(item);
      itemIndex.set(item, at);
    }
    return at;
  };

  // Chats: the ones that can still change in full, compacted ones by their close alone.
  const liveChats: ChatRecord[] = [];
  const compactedShop: number[] = [];
  const compactedIds: string[] = [];
  const compactedCloseMs: number[] = [];
  for (const shopState of shopStates) {
    for (const chat of shopState.chats.values()) {
      liveChats.push(chat);
      if (tick()) yield;
    }
  }
  for (let shopAt = 0; shopAt < shopStates.length; shopAt += 1) {
    for (const [id, closeMs] of (shopStates[shopAt] as ShopState).closedChats) {
      compactedShop.push(shopAt);
      compactedIds.push(id);
      compactedCloseMs.push(closeMs);
      if (tick()) yield;
    }
  }
  const chatIndex = new Map<ChatRecord, number>();
  liveChats.forEach((chat, i) => chatIndex.set(chat, i));
  const chatCount = liveChats.length;
  const chats: CheckpointImage['chats'] = {
    shop: new Uint16Array(chatCount),
    id: packStrings(liveChats.map((chat) => chat.chatId)),
    bits: new Uint8Array(chatCount),
    numbers: new Float64Array(chatCount * CHAT_NUMBERS),
    strings: new Int32Array(chatCount * CHAT_STRINGS),
    items: new Int32Array(chatCount * CHAT_ITEMS),
    events: [],
  };
  for (let i = 0; i < chatCount; i += 1) {
    if (tick()) yield;
    const chat = liveChats[i] as ChatRecord;
    chats.shop[i] = shopOf(chat.shop);
    chats.bits[i] =
      (chat.opened ? CHAT_OPENED : 0) |
      (chat.open ? CHAT_OPEN : 0) |
      (chat.waiting ? CHAT_WAITING : 0) |
      (chat.assigned ? CHAT_ASSIGNED : 0);
    const n = i * CHAT_NUMBERS;
    chats.numbers[n] = chat.startMs;
    chats.numbers[n + 1] = chat.waitStartMs;
    chats.numbers[n + 2] = chat.firstAgentMessageMs;
    chats.numbers[n + 3] = chat.closeMs;
    chats.numbers[n + 4] = chat.arrivalHourMs;
    const t = i * CHAT_STRINGS;
    chats.strings[t] = strings.of(chat.openingQueue);
    chats.strings[t + 1] = strings.of(chat.queue);
    chats.strings[t + 2] = strings.of(chat.queueAtFirstAgentMessage);
    chats.strings[t + 3] = strings.of(chat.queueAtClose);
    chats.strings[t + 4] = strings.of(chat.arrivalQueue);
    chats.strings[t + 5] = strings.ofNullable(chat.agentId);
    const it = i * CHAT_ITEMS;
    chats.items[it] = indexOfItem(chat.firstResponseItem);
    chats.items[it + 1] = indexOfItem(chat.abandonedItem);
    chats.items[it + 2] = indexOfItem(chat.handleItem);
    chats.events.push(chat.events ?? []);
  }
  const compactedChats: CheckpointImage['compactedChats'] = {
    shop: Uint16Array.from(compactedShop),
    id: packStrings(compactedIds),
    closeMs: Float64Array.from(compactedCloseMs),
  };
  yield;

  // Refunds.
  const refundRecords: RefundRecord[] = [];
  const refundIndex = new Map<RefundRecord, number>();
  for (const shopState of shopStates) {
    for (const refund of shopState.refunds.values()) {
      refundIndex.set(refund, refundRecords.length);
      refundRecords.push(refund);
      if (tick()) yield;
    }
  }
  const refundCount = refundRecords.length;
  const refundIds = new Array<string>(refundCount * REFUND_IDS);
  const refunds: CheckpointImage['refunds'] = {
    shop: new Uint16Array(refundCount),
    ids: { text: '', lengths: new Uint32Array(0) },
    numbers: new Float64Array(refundCount * REFUND_NUMBERS),
    strings: new Int32Array(refundCount * REFUND_STRINGS),
    items: new Int32Array(refundCount * REFUND_ITEMS),
    preOpeningAt: new Int32Array(refundCount),
    preOpening: [],
  };
  for (let i = 0; i < refundCount; i += 1) {
    if (tick()) yield;
    const refund = refundRecords[i] as RefundRecord;
    refunds.shop[i] = shopOf(refund.shop);
    const d = i * REFUND_IDS;
    refundIds[d] = refund.refundId;
    refundIds[d + 1] = refund.openingId;
    refundIds[d + 2] = refund.pathId;
    refundIds[d + 3] = refund.reasonId;
    refundIds[d + 4] = refund.responseId;
    refundIds[d + 5] = refund.shippedId;
    refundIds[d + 6] = refund.receivedId;
    refundIds[d + 7] = refund.escalatedId;
    refundIds[d + 8] = refund.completionId;
    const n = i * REFUND_NUMBERS;
    const numbers = refunds.numbers;
    numbers[n] = refund.openingTsMs;
    numbers[n + 1] = refund.pathTsMs;
    numbers[n + 2] = refund.reasonTsMs;
    numbers[n + 3] = refund.responseTsMs;
    numbers[n + 4] = refund.shippedTsMs;
    numbers[n + 5] = refund.receivedTsMs;
    numbers[n + 6] = refund.escalatedTsMs;
    numbers[n + 7] = refund.completionTsMs;
    numbers[n + 8] = refund.completionCount;
    numbers[n + 9] = refund.countedSecondCompletions;
    numbers[n + 10] = refund.arrivalHourMs;
    const t = i * REFUND_STRINGS;
    refunds.strings[t] = strings.of(refund.requestedPath);
    refunds.strings[t + 1] = strings.of(refund.requestedReason);
    refunds.strings[t + 2] = strings.ofNullable(refund.path);
    refunds.strings[t + 3] = strings.ofNullable(refund.reason);
    const it = i * REFUND_ITEMS;
    refunds.items[it] = indexOfItem(refund.requestedItem);
    refunds.items[it + 1] = indexOfItem(refund.disputeItem);
    refunds.items[it + 2] = indexOfItem(refund.firstResponseItem);
    refunds.items[it + 3] = indexOfItem(refund.completionItem);
    if (refund.preOpening.length === 0) refunds.preOpeningAt[i] = -1;
    else {
      refunds.preOpeningAt[i] = refunds.preOpening.length;
      refunds.preOpening.push(refund.preOpening);
    }
  }
  refunds.ids = packStrings(refundIds);

  // Schedules (items first: they may add items no record references any more).
  // An item appears once in the schedule; most (those of compacted chats) no record references,
  // so they are listed without going through the identity map (less work, less garbage).
  const expiring = new Uint32Array(state.itemExpiry.size);
  let expiringAt = 0;
  for (const minute of state.itemExpiry.minutes()) {
    const entries = state.itemExpiry.forEachIn(minute, (item) => {
      let at = itemIndex.get(item);
      if (at === undefined) {
        at = itemList.length;
        itemList.push(item);
      }
      expiring[expiringAt++] = at;
    });
    if (tick(entries)) yield;
  }
  const windowsShop = new Map(shopStates.map((shopState, index) => [shopState.windows, index]));
  let orderBaseMs = Number.POSITIVE_INFINITY;
  let orderTopMs = Number.NEGATIVE_INFINITY;
  const orderDue: Float64Array[] = shopStates.map(() => new Float64Array(0));
  for (const [windows, queue] of state.orderExpiry) {
    const at = windowsShop.get(windows);
    if (at === undefined) throw new Error('checkpoint: an order expiry of an unknown scope');
    const due = queue.toArray(); // ascending
    orderDue[at] = due;
    if (due.length === 0) continue;
    if ((due[0] as number) < orderBaseMs) orderBaseMs = due[0] as number;
    if ((due[due.length - 1] as number) > orderTopMs) orderTopMs = due[due.length - 1] as number;
  }
  yield;
  // Due instants span at most 30 days past the watermark: offsets fit 32 bits (else keep doubles).
  const narrow = orderTopMs - orderBaseMs < 2 ** 32;
  const orderExpiry: CheckpointImage['orderExpiry'] = {
    baseMs: Number.isFinite(orderBaseMs) ? orderBaseMs : 0,
    offsets: [],
  };
  for (const due of orderDue) {
    const offsets = narrow ? new Uint32Array(due.length) : new Float64Array(due.length);
    for (let i = 0; i < due.length; i += 1) offsets[i] = (due[i] as number) - orderBaseMs;
    orderExpiry.offsets.push(offsets);
    yield;
  }
  function* maintenance<T>(
    schedule: MinuteSchedule<T>,
    indexOf: Map<T, number>,
  ): Generator<undefined, { atMs: Float64Array; record: Uint32Array }, void> {
    const atMs: number[] = [];
    const records: number[] = [];
    for (const minute of schedule.minutes()) {
      const entries = schedule.forEachIn(minute, (record, dueMs) => {
        // Only current records: an entry of a replaced or forgotten record is a no-op.
        const at = indexOf.get(record);
        if (at === undefined) return;
        atMs.push(dueMs);
        records.push(at);
      });
      if (tick(entries)) yield;
    }
    return { atMs: Float64Array.from(atMs), record: Uint32Array.from(records) };
  }
  const chatMaintenance = yield* maintenance(state.chatMaintenance, chatIndex);
  const refundMaintenance = yield* maintenance(state.refundMaintenance, refundIndex);

  const itemCount = itemList.length;
  const items: CheckpointImage['items'] = {
    kind: new Uint8Array(itemCount),
    shop: new Uint16Array(itemCount),
    tsMs: new Float64Array(itemCount),
    group: new Uint32Array(itemCount),
    valueMs: new Float64Array(itemCount),
    flags: new Uint8Array(itemCount),
    active: new Uint8Array(itemCount),
    nodeAt: new Int32Array(itemCount),
    nodes: new Float64Array(0),
  };
  const nodes: number[] = [];
  for (let i = 0; i < itemCount; i += 1) {
    if (tick()) yield;
    const item = itemList[i] as WindowItem;
    items.kind[i] = ITEM_KIND_INDEX.get(item.kind) ?? 0;
    items.shop[i] = shopOf(item.shop);
    items.tsMs[i] = item.tsMs;
    items.group[i] = strings.of(item.group);
    items.valueMs[i] = item.valueMs;
    items.flags[i] = item.flags;
    items.active[i] = item.active ? 1 : 0;
    if (item.nodes === null) items.nodeAt[i] = -1;
    else {
      items.nodeAt[i] = nodes.length / 4;
      const n = item.nodes;
      nodes.push(n.toFirstResponseMs, n.toReturnShippedMs, n.toGoodsReceivedMs, n.toCompletionMs);
    }
  }
  items.nodes = Float64Array.from(nodes);

  const image: CheckpointImage = {
    options,
    watermarkMs: state.watermarkMs,
    paneHead: state.paneHead,
    oldestArrivalHourMs: state.oldestArrivalHourMs,
    lateEventsDropped: state.lateEventsDropped,
    orphanEventsDropped: state.orphanEventsDropped,
    pending: state.pending,
    strings: strings.list,
    shops: shopNames,
    scopes: shopStates.map((shopState) => scopeImage(shopState.windows)),
    all: scopeImage(state.all),
    agents: shopStates.map((shopState) => [...shopState.agents].map(([id, record]) => ({ id, record }))),
    items,
    chats,
    compactedChats,
    openChats: shopStates.map((shopState) =>
      Int32Array.from([...shopState.openChats.values()].map((chat) => chatIndex.get(chat) ?? -1)),
    ),
    refunds,
    openRefunds: shopStates.map((shopState) =>
      Int32Array.from([...shopState.openRefunds.values()].map((refund) => refundIndex.get(refund) ?? -1)),
    ),
    itemExpiry: expiring.subarray(0, expiringAt),
    orderExpiry,
    chatMaintenance,
    refundMaintenance,
  };
  yield;
  // node:v8's serialize() with our header in front, written straight into one buffer (no copy
  // of tens of MiB): the bytes after the header are exactly serialize(image).
  const serializer = new Serializer();
  serializer.writeRawBytes(Uint8Array.from([...MAGIC, CHECKPOINT_VERSION]));
  serializer.writeHeader();
  serializer.writeValue(image);
  const bytes = serializer.releaseBuffer();
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The format version of checkpoint bytes, or undefined when they are not a checkpoint at all. */
export function checkpointVersion(bytes: Uint8Array): number | undefined {
  if (bytes.byteLength < HEADER_BYTES) return undefined;
  for (let i = 0; i < MAGIC.length; i += 1) if (bytes[i] !== MAGIC[i]) return undefined;
  return bytes[MAGIC.length];
}

/** Reads a state written by `writeCheckpoint`; throws CheckpointFormatError when it cannot be used. */
export function readCheckpoint(bytes: Uint8Array, options: StateOptions): EngineInternals {
  const version = checkpointVersion(bytes);
  if (version === undefined) throw new CheckpointFormatError('not an engine checkpoint');
  if (version !== CHECKPOINT_VERSION) {
    throw new CheckpointFormatError(`checkpoint version ${version}, this engine reads ${CHECKPOINT_VERSION}`);
  }
  let image: CheckpointImage;
  try {
    image = deserialize(bytes.subarray(HEADER_BYTES)) as CheckpointImage;
  } catch (error) {
    throw new CheckpointFormatError(`unreadable checkpoint: ${String(error)}`);
  }
  const saved = image.options;
  if (
    saved.timeZone !== options.timeZone ||
    saved.lateHorizonMs !== options.lateHorizonMs ||
    saved.entityRetentionMs !== options.entityRetentionMs
  ) {
    throw new CheckpointFormatError(
      `checkpoint taken with other engine options (${JSON.stringify(saved)} vs ${JSON.stringify(options)})`,
    );
  }
  const text = (at: number): string => {
    const value = image.strings[at];
    if (value === undefined) throw new CheckpointFormatError(`checkpoint string ${at} missing`);
    return value;
  };
  const textOrNull = (at: number): string | null => (at < 0 ? null : text(at));
  const shopName = (at: number): string => {
    const value = image.shops[at];
    if (value === undefined) throw new CheckpointFormatError(`checkpoint shop ${at} missing`);
    return value;
  };

  const shops = new Map<string, ShopState>();
  const shopStates: ShopState[] = image.shops.map((name, index) => {
    const scope = image.scopes[index];
    if (scope === undefined) throw new CheckpointFormatError(`checkpoint lacks the scope of ${name}`);
    const shopState: ShopState = {
      windows: restoreScope(scope),
      openChats: new Map(),
      openRefunds: new Map(),
      awaitingRefunds: new Map(),
      openRefundsByPath: emptyPathCounts(),
      agents: new Map((image.agents[index] ?? []).map(({ id, record }) => [id, record])),
      chats: new Map(),
      refunds: new Map(),
      closedChats: new Map(),
      closedChatExpiry: new MinuteSchedule<string>(),
    };
    shops.set(name, shopState);
    return shopState;
  });
  const stateOf = (at: number): ShopState => {
    const shopState = shopStates[at];
    if (shopState === undefined) throw new CheckpointFormatError(`checkpoint shop ${at} missing`);
    return shopState;
  };

  const { items } = image;
  const itemList: WindowItem[] = new Array<WindowItem>(items.kind.length);
  for (let i = 0; i < items.kind.length; i += 1) {
    const nodeAt = items.nodeAt[i] ?? -1;
    const nodes: NodeDurationsMs | null =
      nodeAt < 0
        ? null
        : {
            toFirstResponseMs: items.nodes[nodeAt * 4] ?? Number.NaN,
            toReturnShippedMs: items.nodes[nodeAt * 4 + 1] ?? Number.NaN,
            toGoodsReceivedMs: items.nodes[nodeAt * 4 + 2] ?? Number.NaN,
            toCompletionMs: items.nodes[nodeAt * 4 + 3] ?? Number.NaN,
          };
    // Same property order as the engine's literal, so restored items share its hidden class.
    itemList[i] = {
      kind: ITEM_KINDS[items.kind[i] ?? 0] as WindowItemKind,
      shop: shopName(items.shop[i] ?? 0),
      tsMs: items.tsMs[i] ?? 0,
      group: text(items.group[i] ?? 0),
      valueMs: items.valueMs[i] ?? 0,
      flags: items.flags[i] ?? 0,
      nodes,
      active: items.active[i] === 1,
    };
  }
  const itemAt = (at: number): WindowItem | null => (at < 0 ? null : (itemList[at] ?? null));

  const { chats, compactedChats } = image;
  const chatIds = unpackStrings(chats.id);
  const compactedIds = unpackStrings(compactedChats.id);
  const chatRecords: ChatRecord[] = new Array<ChatRecord>(chatIds.length);
  for (let i = 0; i < chatIds.length; i += 1) {
    const shop = shopName(chats.shop[i] ?? 0);
    const chatId = chatIds[i] as string;
    const chat = createChatRecord(shop, chatId, chatId);
    const bits = chats.bits[i] ?? 0;
    const n = i * CHAT_NUMBERS;
    const s = i * CHAT_STRINGS;
    const it = i * CHAT_ITEMS;
    chat.events = chats.events[i] ?? [];
    chat.opened = (bits & CHAT_OPENED) !== 0;
    chat.startMs = chats.numbers[n] ?? Number.NaN;
    chat.openingQueue = text(chats.strings[s] ?? 0);
    chat.queue = text(chats.strings[s + 1] ?? 0);
    chat.open = (bits & CHAT_OPEN) !== 0;
    chat.waiting = (bits & CHAT_WAITING) !== 0;
    chat.waitStartMs = chats.numbers[n + 1] ?? Number.NaN;
    chat.assigned = (bits & CHAT_ASSIGNED) !== 0;
    chat.agentId = textOrNull(chats.strings[s + 5] ?? -1);
    chat.firstAgentMessageMs = chats.numbers[n + 2] ?? Number.NaN;
    chat.queueAtFirstAgentMessage = text(chats.strings[s + 2] ?? 0);
    chat.closeMs = chats.numbers[n + 3] ?? Number.NaN;
    chat.queueAtClose = text(chats.strings[s + 3] ?? 0);
    chat.arrivalHourMs = chats.numbers[n + 4] ?? Number.NaN;
    chat.arrivalQueue = text(chats.strings[s + 4] ?? 0);
    chat.queuesNamed = namedQueues(chat.events);
    chat.firstResponseItem = itemAt(chats.items[it] ?? -1);
    chat.abandonedItem = itemAt(chats.items[it + 1] ?? -1);
    chat.handleItem = itemAt(chats.items[it + 2] ?? -1);
    chatRecords[i] = chat;
    stateOf(chats.shop[i] ?? 0).chats.set(chat.key, chat);
  }
  for (let i = 0; i < compactedIds.length; i += 1) {
    // What a compacted chat still answers to (engine.ts applyChatEvent): when it closed, and
    // when its id is forgotten.
    const chatId = compactedIds[i] as string;
    const closeMs = compactedChats.closeMs[i] ?? Number.NaN;
    const shopState = stateOf(compactedChats.shop[i] ?? 0);
    shopState.closedChats.set(chatId, closeMs);
    shopState.closedChatExpiry.add(closeMs + options.entityRetentionMs + options.lateHorizonMs + 1, chatId);
  }

  const { refunds } = image;
  const refundIds = unpackStrings(refunds.ids);
  const refundRecords: RefundRecord[] = new Array<RefundRecord>(refunds.shop.length);
  const refundNumbers = refunds.numbers;
  for (let i = 0; i < refunds.shop.length; i += 1) {
    const shop = shopName(refunds.shop[i] ?? 0);
    const d = i * REFUND_IDS;
    const n = i * REFUND_NUMBERS;
    const s = i * REFUND_STRINGS;
    const it = i * REFUND_ITEMS;
    const refundId = refundIds[d] ?? '';
    const refund = createRefundRecord(shop, refundId, refundId);
    refund.openingTsMs = refundNumbers[n] ?? Number.NaN;
    refund.openingId = refundIds[d + 1] ?? '';
    refund.requestedPath = text(refunds.strings[s] ?? 0) as RefundPath;
    refund.requestedReason = text(refunds.strings[s + 1] ?? 0);
    const preOpeningAt = refunds.preOpeningAt[i] ?? -1;
    refund.preOpening = preOpeningAt < 0 ? [] : (refunds.preOpening[preOpeningAt] ?? []);
    refund.pathTsMs = refundNumbers[n + 1] ?? Number.NaN;
    refund.pathId = refundIds[d + 2] ?? '';
    refund.path = textOrNull(refunds.strings[s + 2] ?? -1) as RefundPath | null;
    refund.reasonTsMs = refundNumbers[n + 2] ?? Number.NaN;
    refund.reasonId = refundIds[d + 3] ?? '';
    refund.reason = textOrNull(refunds.strings[s + 3] ?? -1);
    refund.responseTsMs = refundNumbers[n + 3] ?? Number.NaN;
    refund.responseId = refundIds[d + 4] ?? '';
    refund.shippedTsMs = refundNumbers[n + 4] ?? Number.NaN;
    refund.shippedId = refundIds[d + 5] ?? '';
    refund.receivedTsMs = refundNumbers[n + 5] ?? Number.NaN;
    refund.receivedId = refundIds[d + 6] ?? '';
    refund.escalatedTsMs = refundNumbers[n + 6] ?? Number.NaN;
    refund.escalatedId = refundIds[d + 7] ?? '';
    refund.completionTsMs = refundNumbers[n + 7] ?? Number.NaN;
    refund.completionId = refundIds[d + 8] ?? '';
    refund.completionCount = refundNumbers[n + 8] ?? 0;
    refund.countedSecondCompletions = refundNumbers[n + 9] ?? 0;
    refund.arrivalHourMs = refundNumbers[n + 10] ?? Number.NaN;
    refund.requestedItem = itemAt(refunds.items[it] ?? -1);
    refund.disputeItem = itemAt(refunds.items[it + 1] ?? -1);
    refund.firstResponseItem = itemAt(refunds.items[it + 2] ?? -1);
    refund.completionItem = itemAt(refunds.items[it + 3] ?? -1);
    refundRecords[i] = refund;
    stateOf(refunds.shop[i] ?? 0).refunds.set(refund.key, refund);
  }

  image.openChats.forEach((indexes, shopAt) => {
    const open = stateOf(shopAt).openChats;
    for (const at of indexes) {
      const chat = chatRecords[at];
      if (chat === undefined) throw new CheckpointFormatError('checkpoint open chat missing');
      open.set(chat.key, chat);
    }
  });
  image.openRefunds.forEach((indexes, shopAt) => {
    const shopState = stateOf(shopAt);
    const open = shopState.openRefunds;
    for (const at of indexes) {
      const refund = refundRecords[at];
      if (refund === undefined) throw new CheckpointFormatError('checkpoint open refund missing');
      open.set(refund.key, refund);
      if (refund.responseTsMs === Number.POSITIVE_INFINITY) shopState.awaitingRefunds.set(refund.key, refund);
      const path = currentPath(refund);
      refund.countedOpenPath = path;
      shopState.openRefundsByPath[path] += 1;
    }
  });

  const itemExpiry = new MinuteSchedule<WindowItem>();
  for (const at of image.itemExpiry) {
    const item = itemList[at];
    if (item === undefined) throw new CheckpointFormatError('checkpoint expiry item missing');
    itemExpiry.add(item.tsMs + windowMsOf(item.kind), item);
  }
  const orderExpiry = new Map<ScopeWindows, DueQueue>();
  image.orderExpiry.offsets.forEach((offsets, shopAt) => {
    if (offsets.length === 0) return;
    const queue = new DueQueue();
    for (const offset of offsets) queue.add(image.orderExpiry.baseMs + offset);
    orderExpiry.set(stateOf(shopAt).windows, queue);
  });
  const chatMaintenance = new MinuteSchedule<ChatRecord>();
  image.chatMaintenance.record.forEach((at, i) => {
    // Entries of compacted chats (index ≥ chatIds.length) are closedChatExpiry's now.
    if (at >= chatIds.length) return;
    const chat = chatRecords[at];
    if (chat === undefined) throw new CheckpointFormatError('checkpoint maintained chat missing');
    chatMaintenance.add(image.chatMaintenance.atMs[i] as number, chat);
  });
  const refundMaintenance = new MinuteSchedule<RefundRecord>();
  image.refundMaintenance.record.forEach((at, i) => {
    const refund = refundRecords[at];
    if (refund === undefined) throw new CheckpointFormatError('checkpoint maintained refund missing');
    refundMaintenance.add(image.refundMaintenance.atMs[i] as number, refund);
  });

  return {
    watermarkMs: image.watermarkMs,
    paneHead: image.paneHead,
    pending: image.pending,
    shops,
    all: restoreScope(image.all),
    itemExpiry,
    orderExpiry,
    chatMaintenance,
    refundMaintenance,
    oldestArrivalHourMs: image.oldestArrivalHourMs,
    lateEventsDropped: image.lateEventsDropped,
    orphanEventsDropped: image.orphanEventsDropped,
  };
}
