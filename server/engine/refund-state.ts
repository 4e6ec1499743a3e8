/**
 * One refund's state as an order-insensitive fold. Every field the metrics need is either the
 * earliest (first response, first escalation, first completion…) or the latest (path, reason)
 * of one kind of event after the opening, so applying events in any order gives the same state
 * and a completed refund can be kept as these few fields instead of its event list.
 */
import type { RefundEvent, RefundPath, RefundRequested } from '../events/index.ts';
import { compareOrderKeys, OPENING_RANK, sameMillisecondRank } from './event-order.ts';
import type { WindowItem } from './window-item.ts';

export interface RefundRecord {
  readonly shop: string;
  readonly refundId: string;
  readonly key: string;
  /** The earliest refund.requested (NaN instant while none has applied). */
  openingTsMs: number;
  openingId: string;
  requestedPath: RefundPath;
  /** The first reason (product-experience rate). */
  requestedReason: string;
  /** Events ordered before the opening (or with no opening yet), kept for a late earlier opening. */
  preOpening: RefundEvent[];
  /** Latest refund.updated carrying a path / a reason (−∞ when none). */
  pathTsMs: number;
  pathId: string;
  path: RefundPath | null;
  reasonTsMs: number;
  reasonId: string;
  reason: string | null;
  /** Earliest of each node (+∞ when none). */
  responseTsMs: number;
  responseId: string;
  shippedTsMs: number;
  shippedId: string;
  receivedTsMs: number;
  receivedId: string;
  escalatedTsMs: number;
  escalatedId: string;
  completionTsMs: number;
  completionId: string;
  /** Completions after the opening; all but the first are ignored and counted. */
  completionCount: number;
  /** Completions beyond the first already added to the scope counters. */
  countedSecondCompletions: number;
  /** Business-zone hour its arrival is counted in (NaN when not counted). */
  arrivalHourMs: number;
  /**
   * The path its shop's open-refund counts hold it under (ShopState.openRefundsByPath); null while
   * not open. Kept by the engine, set again from the open refunds on a checkpoint restore.
   */
  countedOpenPath: RefundPath | null;
  requestedItem: WindowItem | null;
  disputeItem: WindowItem | null;
  firstResponseItem: WindowItem | null;
  completionItem: WindowItem | null;
}

export function createRefundRecord(shop: string, refundId: string, key: string): RefundRecord {
  return {
    shop,
    refundId,
    key,
    openingTsMs: Number.NaN,
    openingId: '',
    requestedPath: 'unshipped',
    requestedReason: '',
    preOpening: [],
    pathTsMs: Number.NEGATIVE_INFINITY,
    pathId: '',
    path: null,
    reasonTsMs: Number.NEGATIVE_INFINITY,
    reasonId: '',
    reason: null,
    responseTsMs: Number.POSITIVE_INFINITY,
    responseId: '',
    shippedTsMs: Number.POSITIVE_INFINITY,
    shippedId: '',
    receivedTsMs: Number.POSITIVE_INFINITY,
    receivedId: '',
    escalatedTsMs: Number.POSITIVE_INFINITY,
    escalatedId: '',
    completionTsMs: Number.POSITIVE_INFINITY,
    completionId: '',
    completionCount: 0,
    countedSecondCompletions: 0,
    arrivalHourMs: Number.NaN,
    countedOpenPath: null,
    requestedItem: null,
    disputeItem: null,
    firstResponseItem: null,
    completionItem: null,
  };
}

export function isOpened(record: RefundRecord): boolean {
  return !Number.isNaN(record.openingTsMs);
}

export function isCompleted(record: RefundRecord): boolean {
  return record.completionTsMs !== Number.POSITIVE_INFINITY;
}

/** The path the refund is grouped under now: the latest refund.updated path, else the requested one. */
export function currentPath(record: RefundRecord): RefundPath {
  return record.path ?? record.requestedPath;
}

/** The reason as of now: the latest refund.updated reason, else the requested one. */
export function currentReason(record: RefundRecord): string {
  return record.reason ?? record.requestedReason;
}

/** Same-rank events of one kind: (ts, id) order is the entity order. */
function isEarlier(tsMs: number, id: string, thanTsMs: number, thanId: string): boolean {
  return tsMs < thanTsMs || (tsMs === thanTsMs && id < thanId);
}

function isAfterOpening(record: RefundRecord, event: RefundEvent): boolean {
  return (
    compareOrderKeys(
      event.tsMs,
      sameMillisecondRank(event),
      event.id,
      record.openingTsMs,
      OPENING_RANK,
      record.openingId,
    ) > 0
  );
}

/**
 * Applies one event to the fold. Events ordered before the opening are parked in `preOpening`;
 * an earlier refund.requested becomes the opening and folds the parked events now after it (the
 * old opening then counts as a second opening and is ignored).
 */
export function applyRefundEvent(record: RefundRecord, event: RefundEvent): void {
  if (event.type === 'refund.requested') {
    if (isOpened(record) && isAfterOpening(record, event)) return;
    setOpening(record, event);
    return;
  }
  if (!isOpened(record) || !isAfterOpening(record, event)) {
    record.preOpening.push(event);
    return;
  }
  foldEvent(record, event);
}

function setOpening(record: RefundRecord, opening: RefundRequested): void {
  record.openingTsMs = opening.tsMs;
  record.openingId = opening.id;
  record.requestedPath = opening.path;
  record.requestedReason = opening.reason;
  const parked = record.preOpening;
  record.preOpening = [];
  for (const event of parked) {
    if (isAfterOpening(record, event)) foldEvent(record, event);
    else record.preOpening.push(event);
  }
}

function foldEvent(record: RefundRecord, event: RefundEvent): void {
  switch (event.type) {
    case 'refund.requested':
      return;
    case 'refund.updated':
      if (event.path !== undefined && isEarlier(record.pathTsMs, record.pathId, event.tsMs, event.id)) {
        record.pathTsMs = event.tsMs;
        record.pathId = event.id;
        record.path = event.path;
      }
      if (event.reason !== undefined && isEarlier(record.reasonTsMs, record.reasonId, event.tsMs, event.id)) {
        record.reasonTsMs = event.tsMs;
        record.reasonId = event.id;
        record.reason = event.reason;
      }
      return;
    case 'refund.responded':
      if (isEarlier(event.tsMs, event.id, record.responseTsMs, record.responseId)) {
        record.responseTsMs = event.tsMs;
        record.responseId = event.id;
      }
      return;
    case 'refund.return_shipped':
      if (isEarlier(event.tsMs, event.id, record.shippedTsMs, record.shippedId)) {
        record.shippedTsMs = event.tsMs;
        record.shippedId = event.id;
      }
      return;
    case 'refund.goods_received':
      if (isEarlier(event.tsMs, event.id, record.receivedTsMs, record.receivedId)) {
        record.receivedTsMs = event.tsMs;
        record.receivedId = event.id;
      }
      return;
    case 'refund.escalated':
      if (isEarlier(event.tsMs, event.id, record.escalatedTsMs, record.escalatedId)) {
        record.escalatedTsMs = event.tsMs;
        record.escalatedId = event.id;
      }
      return;
    case 'refund.succeeded':
    case 'refund.closed':
      record.completionCount += 1;
      if (isEarlier(event.tsMs, event.id, record.completionTsMs, record.completionId)) {
        record.completionTsMs = event.tsMs;
        record.completionId = event.id;
      }
      return;
  }
}

/**
 * Lifecycle node durations of a completed refund, ms (NaN for a missing pair). Nodes reached
 * after the completion are left out; so is a pair whose later node comes before the earlier one.
 */
export function nodeDurationsMs(record: RefundRecord): {
  toFirstResponseMs: number;
  toReturnShippedMs: number;
  toGoodsReceivedMs: number;
  toCompletionMs: number;
} {
  const completionMs = record.completionTsMs;
  const requestedMs = record.openingTsMs;
  const responseMs = record.responseTsMs <= completionMs ? record.responseTsMs : Number.NaN;
  const shippedMs = record.shippedTsMs <= completionMs ? record.shippedTsMs : Number.NaN;
  const receivedMs = record.receivedTsMs <= completionMs ? record.receivedTsMs : Number.NaN;
  const pair = (fromMs: number, toMs: number): number =>
    Number.isNaN(fromMs) || Number.isNaN(toMs) || toMs < fromMs ? Number.NaN : toMs - fromMs;
  let lastNodeMs = requestedMs;
  for (const nodeMs of [responseMs, shippedMs, receivedMs]) if (nodeMs > lastNodeMs) lastNodeMs = nodeMs;
  return {
    toFirstResponseMs: pair(requestedMs, responseMs),
    toReturnShippedMs: pair(responseMs, shippedMs),
    toGoodsReceivedMs: pair(shippedMs, receivedMs),
    toCompletionMs: completionMs - lastNodeMs,
  };
}
