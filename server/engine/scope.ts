/**
 * Rolling-window sums for one scope: one shop, or all shops together. Every window item is
 * added to its shop's scope and to the all-shops scope, so a snapshot of either reads its sums
 * directly instead of merging per-shop state.
 */
import { REFUND_PATHS, type RefundPath } from '../events/index.ts';
import type { RefundPathKey } from './aggregates.ts';
import { DurationMultiset } from './duration-multiset.ts';
import { PaneRing } from './pane-ring.ts';
import {
  CHAT_WINDOW_MS,
  FIRST_REASON_QUALITY,
  LATEST_REASON_QUALITY,
  REFUND_WINDOW_MS,
  type WindowItem,
} from './window-item.ts';

/** Pane width: alert histories are sampled at minute boundaries. */
export const PANE_MS = 60_000;
/** How far back an alert's `since` is looked for, in panes (24 h). */
export const ALERT_LOOKBACK_PANES = 1440;
export const CHAT_WINDOW_PANES = CHAT_WINDOW_MS / PANE_MS;
export const REFUND_WINDOW_PANES = REFUND_WINDOW_MS / PANE_MS;
/**
 * Panes kept (PaneRing): every pane a window read at any boundary of the look-back touches,
 * (head − look-back − window, head], plus the pane after the head and a spare.
 */
export const CHAT_PANE_SLOTS = CHAT_WINDOW_PANES + ALERT_LOOKBACK_PANES + 2;
export const REFUND_PANE_SLOTS = REFUND_WINDOW_PANES + ALERT_LOOKBACK_PANES + 2;

/** Fields of a chat queue's panes. */
export const CHAT_PANE_FIRST_RESPONSE_COUNT = 0;
export const CHAT_PANE_FIRST_RESPONSE_SUM_MS = 1;
const CHAT_PANE_FIELDS = 2;
/** Fields of a scope's refund panes (the all-paths figures the 30-day alerts read). */
export const REFUND_PANE_ORDERS = 0;
export const REFUND_PANE_REQUESTED = 1;
export const REFUND_PANE_DISPUTES = 2;
export const REFUND_PANE_COMPLETION_COUNT = 3;
export const REFUND_PANE_COMPLETION_SUM_MS = 4;
export const REFUND_PANE_FIRST_RESPONSE_COUNT = 5;
export const REFUND_PANE_FIRST_RESPONSE_SUM_MS = 6;
const REFUND_PANE_FIELDS = 7;

/**
 * The pane an instant counts in: the first minute boundary at or after it. An item is inside
 * the window (B − W, B] of a boundary B exactly when its pane is in (B − W, B] (W is whole
 * minutes), so a window at any boundary is the sum of whole panes.
 */
export function paneOf(tsMs: number): number {
  return Math.ceil(tsMs / PANE_MS);
}

/** Per chat queue: the 60-minute and 30-day sums. */
export class QueueWindow {
  /** First-response durations of chats first answered in (T − 60 min, T]. */
  // Not readonly: a checkpoint restore puts a rebuilt multiset here.
  firstResponse = new DurationMultiset();
  abandoned = 0;
  /** Chats closed in (T − 30 d, T] after an agent message: count and Σ(close − first agent message). */
  handleCount = 0;
  handleSumMs = 0;
  /** Per-minute first responses (count, Σ ms) for the alert `since` (not windowed, see PaneRing). */
  readonly panes = new PaneRing(CHAT_PANE_SLOTS, CHAT_PANE_FIELDS, CHAT_WINDOW_PANES);
}

export const NODE_COUNT = 4;

/** Per refund path (and 'all'): the 30-day sums. */
export class PathWindow {
  /** Completion durations (completion − requested) of refunds completed in the window. */
  // Not readonly: a checkpoint restore puts a rebuilt multiset here.
  completion = new DurationMultiset();
  firstResponseCount = 0;
  firstResponseSumMs = 0;
  /** Lifecycle node pairs, in RefundLifecycleNodes order: count and Σ duration (ms). */
  readonly nodeCount = new Float64Array(NODE_COUNT);
  readonly nodeSumMs = new Float64Array(NODE_COUNT);
}

export const PATH_KEYS: readonly RefundPathKey[] = [...REFUND_PATHS, 'all'];

export class ScopeWindows {
  /**
   * Chat queues of this scope, with how many chats were in each (ChatRecord.queuesNamed). A queue
   * is listed while its count is above zero; compacted and forgotten chats keep theirs, since no
   * later event can change them.
   */
  readonly queueRefs = new Map<string, number>();
  readonly queues = new Map<string, QueueWindow>();
  readonly paths: Record<RefundPathKey, PathWindow> = {
    unshipped: new PathWindow(),
    in_transit: new PathWindow(),
    received_refund_only: new PathWindow(),
    return_refund: new PathWindow(),
    all: new PathWindow(),
  };
  /** 30-day counts for the rates. */
  orders = 0;
  refundsRequested = 0;
  disputes = 0;
  qualityLatest = 0;
  qualityFirst = 0;
  /** Completions of already completed refunds (never windowed). */
  secondCompletions = 0;
  /** Arrivals per queue ('refund' for refund requests) per business-zone hour start (epoch ms). */
  readonly arrivals = new Map<string, Map<number, number>>();
  /** Per-minute 30-day figures for the alert `since` (orders, requests, disputes, completions…). */
  readonly refundPanes = new PaneRing(REFUND_PANE_SLOTS, REFUND_PANE_FIELDS, REFUND_WINDOW_PANES);

  /** The listed chat queues (count above zero), in first-named order. */
  *queueNames(): Generator<string> {
    for (const [name, refs] of this.queueRefs) if (refs > 0) yield name;
  }

  nameQueue(name: string, delta: 1 | -1): void {
    this.queueRefs.set(name, (this.queueRefs.get(name) ?? 0) + delta);
  }

  queue(name: string): QueueWindow {
    let window = this.queues.get(name);
    if (window === undefined) {
      window = new QueueWindow();
      this.queues.set(name, window);
    }
    return window;
  }

  /** Adds (sign +1) or removes (sign −1) one window item. */
  applyItem(item: WindowItem, sign: 1 | -1): void {
    switch (item.kind) {
      case 'chatFirstResponse': {
        const window = this.queue(item.group);
        if (sign > 0) window.firstResponse.add(item.valueMs);
        else window.firstResponse.remove(item.valueMs);
        return;
      }
      case 'chatAbandoned':
        this.queue(item.group).abandoned += sign;
        return;
      case 'chatHandle': {
        const window = this.queue(item.group);
        window.handleCount += sign;
        window.handleSumMs += sign * item.valueMs;
        return;
      }
      case 'refundRequested':
        this.refundsRequested += sign;
        if ((item.flags & LATEST_REASON_QUALITY) !== 0) this.qualityLatest += sign;
        if ((item.flags & FIRST_REASON_QUALITY) !== 0) this.qualityFirst += sign;
        return;
      case 'refundDispute':
        this.disputes += sign;
        return;
      case 'refundFirstResponse':
      case 'refundCompletion':
        // Each refund item counts under its path and under 'all'.
        applyPathItem(this.paths[item.group as RefundPath], item, sign);
        applyPathItem(this.paths.all, item, sign);
        return;
    }
  }

  /**
   * Adds (sign +1) or removes (sign −1) one item in the per-minute panes. Unlike `applyItem`
   * this ignores expiry: panes keep the history of every current item (an item leaves its pane
   * only when the entity replaces it), so a window can be re-read at past boundaries.
   */
  paneItem(item: WindowItem, sign: 1 | -1, headPane: number): void {
    const pane = paneOf(item.tsMs);
    switch (item.kind) {
      case 'chatFirstResponse': {
        const panes = this.queue(item.group).panes;
        panes.add(pane, CHAT_PANE_FIRST_RESPONSE_COUNT, sign, headPane);
        panes.add(pane, CHAT_PANE_FIRST_RESPONSE_SUM_MS, sign * item.valueMs, headPane);
        return;
      }
      case 'refundRequested':
        this.refundPanes.add(pane, REFUND_PANE_REQUESTED, sign, headPane);
        return;
      case 'refundDispute':
        this.refundPanes.add(pane, REFUND_PANE_DISPUTES, sign, headPane);
        return;
      case 'refundCompletion':
        this.refundPanes.add(pane, REFUND_PANE_COMPLETION_COUNT, sign, headPane);
        this.refundPanes.add(pane, REFUND_PANE_COMPLETION_SUM_MS, sign * item.valueMs, headPane);
        return;
      case 'refundFirstResponse':
        this.refundPanes.add(pane, REFUND_PANE_FIRST_RESPONSE_COUNT, sign, headPane);
        this.refundPanes.add(pane, REFUND_PANE_FIRST_RESPONSE_SUM_MS, sign * item.valueMs, headPane);
        return;
      default:
        return;
    }
  }

  /** Moves the panes' head (see PaneRing): panes that leave the kept range are forgotten. */
  movePaneHead(fromHead: number, toHead: number): void {
    this.refundPanes.moveHead(fromHead, toHead);
    for (const window of this.queues.values()) window.panes.moveHead(fromHead, toHead);
  }

  /** Adds one order.paid at `tsMs` to the panes (orders are never replaced or removed). */
  paneOrder(tsMs: number, headPane: number): void {
    this.refundPanes.add(paneOf(tsMs), REFUND_PANE_ORDERS, 1, headPane);
  }

  /** Adds `delta` arrivals to `queue` at `hourStartMs`; hours before `oldestHourMs` are not kept. */
  addArrival(queue: string, hourStartMs: number, delta: number, oldestHourMs: number): void {
    if (hourStartMs < oldestHourMs) return;
    let hours = this.arrivals.get(queue);
    if (hours === undefined) {
      hours = new Map();
      this.arrivals.set(queue, hours);
    }
    const next = (hours.get(hourStartMs) ?? 0) + delta;
    if (next <= 0) hours.delete(hourStartMs);
    else hours.set(hourStartMs, next);
  }

  /** Drops arrival hours that start before `oldestHourMs`. */
  pruneArrivals(oldestHourMs: number): void {
    for (const hours of this.arrivals.values()) {
      for (const hourStartMs of hours.keys()) if (hourStartMs < oldestHourMs) hours.delete(hourStartMs);
    }
  }
}

function applyPathItem(window: PathWindow, item: WindowItem, sign: 1 | -1): void {
  if (item.kind === 'refundFirstResponse') {
    window.firstResponseCount += sign;
    window.firstResponseSumMs += sign * item.valueMs;
    return;
  }
  if (sign > 0) window.completion.add(item.valueMs);
  else window.completion.remove(item.valueMs);
  const nodes = item.nodes;
  if (nodes === null) return;
  addNode(window, 0, nodes.toFirstResponseMs, sign);
  addNode(window, 1, nodes.toReturnShippedMs, sign);
  addNode(window, 2, nodes.toGoodsReceivedMs, sign);
  addNode(window, 3, nodes.toCompletionMs, sign);
}

function addNode(window: PathWindow, index: number, durationMs: number, sign: 1 | -1): void {
  if (Number.isNaN(durationMs)) return;
  window.nodeCount[index] = (window.nodeCount[index] ?? 0) + sign;
  window.nodeSumMs[index] = (window.nodeSumMs[index] ?? 0) + sign * durationMs;
}
