/**
 * Rolling-window sums for one scope: one shop, or all shops together. Every window item is
 * added to its shop's scope and to the all-shops scope, so a snapshot of either reads its sums
 * directly instead of merging per-shop state.
 */
import { REFUND_PATHS, type RefundPath } from '../events/index.ts';
import type { RefundPathKey } from './aggregates.ts';
import { DurationMultiset } from './duration-multiset.ts';
import { FIRST_REASON_QUALITY, LATEST_REASON_QUALITY, type WindowItem } from './window-item.ts';

/** Per chat queue: the 60-minute and 30-day sums. */
export class QueueWindow {
  /** First-response durations of chats first answered in (T − 60 min, T]. */
  readonly firstResponse = new DurationMultiset();
  abandoned = 0;
  /** Chats closed in (T − 30 d, T] after an agent message: count and Σ(close − first agent message). */
  handleCount = 0;
  handleSumMs = 0;
}

export const NODE_COUNT = 4;

/** Per refund path (and 'all'): the 30-day sums. */
export class PathWindow {
  /** Completion durations (completion − requested) of refunds completed in the window. */
  readonly completion = new DurationMultiset();
  firstResponseCount = 0;
  firstResponseSumMs = 0;
  /** Lifecycle node pairs, in RefundLifecycleNodes order: count and Σ duration (ms). */
  readonly nodeCount = new Float64Array(NODE_COUNT);
  readonly nodeSumMs = new Float64Array(NODE_COUNT);
}

export const PATH_KEYS: readonly RefundPathKey[] = [...REFUND_PATHS, 'all'];

export class ScopeWindows {
  /** Chat queues named by any applied chat event of this scope. */
  readonly queueNames = new Set<string>();
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
