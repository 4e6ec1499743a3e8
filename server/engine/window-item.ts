/**
 * One entity's contribution to a rolling window (60 min or 30 days), e.g. "this chat was first
 * answered at t after 42 s, in queue aftersale". Entities keep their items and replace them when
 * a late event changes what they contributed, so the window sums always equal a recount over the
 * events with ts ≤ T.
 */

export const CHAT_WINDOW_MS = 60 * 60_000;
export const REFUND_WINDOW_MS = 30 * 86_400_000;

export type WindowItemKind =
  | 'chatFirstResponse'
  | 'chatAbandoned'
  | 'chatHandle'
  | 'refundRequested'
  | 'refundDispute'
  | 'refundFirstResponse'
  | 'refundCompletion';

/** Lifecycle node durations of one completed refund, ms; NaN when the pair is absent. */
export interface NodeDurationsMs {
  readonly toFirstResponseMs: number;
  readonly toReturnShippedMs: number;
  readonly toGoodsReceivedMs: number;
  readonly toCompletionMs: number;
}

/** `refundRequested` flag: the reason as of T is a quality reason. */
export const LATEST_REASON_QUALITY = 1;
/** `refundRequested` flag: the first (requested) reason is a quality reason. */
export const FIRST_REASON_QUALITY = 2;

export interface WindowItem {
  readonly kind: WindowItemKind;
  readonly shop: string;
  /** The instant the item counts at (epoch ms); it is in the window while T − window < tsMs ≤ T. */
  readonly tsMs: number;
  /** Chat queue or refund path the item is grouped under ('' when not grouped). */
  readonly group: string;
  /** The duration carried, ms (0 for plain counts). */
  readonly valueMs: number;
  readonly flags: number;
  readonly nodes: NodeDurationsMs | null;
  /** True while the item is counted in the window sums (false once expired or replaced). */
  active: boolean;
}

export function windowMsOf(kind: WindowItemKind): number {
  return kind === 'chatFirstResponse' || kind === 'chatAbandoned' ? CHAT_WINDOW_MS : REFUND_WINDOW_MS;
}

function sameNodes(a: NodeDurationsMs | null, b: NodeDurationsMs | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    Object.is(a.toFirstResponseMs, b.toFirstResponseMs) &&
    Object.is(a.toReturnShippedMs, b.toReturnShippedMs) &&
    Object.is(a.toGoodsReceivedMs, b.toGoodsReceivedMs) &&
    Object.is(a.toCompletionMs, b.toCompletionMs)
  );
}

/** True when `item` already carries exactly these values (so nothing needs replacing). */
export function itemEquals(
  item: WindowItem,
  tsMs: number,
  group: string,
  valueMs: number,
  flags: number,
  nodes: NodeDurationsMs | null,
): boolean {
  return (
    item.tsMs === tsMs &&
    item.group === group &&
    item.valueMs === valueMs &&
    item.flags === flags &&
    sameNodes(item.nodes, nodes)
  );
}
