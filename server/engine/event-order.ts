/**
 * The total order of events inside one entity (EVENTS.md, "Precise rules"): by instant, then by
 * a same-millisecond rank, then by event id. Every fold and replay in the engine uses this one
 * order, so the state never depends on arrival order.
 */
import type { PeakEvent } from '../events/index.ts';

/** Same-millisecond rank of the opening events (`chat.started`, `refund.requested`). */
export const OPENING_RANK = 0;
/** Rank of `chat.transferred` and `refund.updated`. */
export const EDIT_RANK = 1;
/** Rank of every event without a rank of its own (assignments, responses, status, orders…). */
export const OTHER_RANK = 2;
/** Rank of customer messages: an agent message at the same millisecond answers them. */
export const CUSTOMER_MESSAGE_RANK = 3;
/** Rank of agent messages. */
export const AGENT_MESSAGE_RANK = 4;
/** Rank of completions (`chat.closed`, `refund.succeeded`, `refund.closed`): they come last. */
export const COMPLETION_RANK = 5;

/** The same-millisecond rank of an event (lower applies first). */
export function sameMillisecondRank(event: PeakEvent): number {
  switch (event.type) {
    case 'chat.started':
    case 'refund.requested':
      return OPENING_RANK;
    case 'chat.transferred':
    case 'refund.updated':
      return EDIT_RANK;
    case 'chat.message':
      return event.from === 'customer' ? CUSTOMER_MESSAGE_RANK : AGENT_MESSAGE_RANK;
    case 'chat.closed':
    case 'refund.succeeded':
    case 'refund.closed':
      return COMPLETION_RANK;
    default:
      return OTHER_RANK;
  }
}

/** Compares two order keys (instant in epoch ms, rank, event id); negative when `a` comes first. */
export function compareOrderKeys(
  aTsMs: number,
  aRank: number,
  aId: string,
  bTsMs: number,
  bRank: number,
  bId: string,
): number {
  // −1 / 1 rather than the difference: a difference of instants is a double, boxed on every
  // return from a call that is not inlined (sorting and inserting pending events did millions).
  // Unordered instants (NaN) still give NaN, as the difference did.
  if (aTsMs !== bTsMs) return aTsMs < bTsMs ? -1 : aTsMs > bTsMs ? 1 : Number.NaN;
  if (aRank !== bRank) return aRank - bRank;
  return aId < bId ? -1 : aId > bId ? 1 : 0;
}

/** Compares two events in the entity order; negative when `a` applies first. */
export function compareEvents(a: PeakEvent, b: PeakEvent): number {
  // Instants first, here: passing them on to a call boxes both (events keep tsMs as a double).
  const aTsMs = a.tsMs;
  const bTsMs = b.tsMs;
  if (aTsMs !== bTsMs) return aTsMs < bTsMs ? -1 : aTsMs > bTsMs ? 1 : Number.NaN;
  return compareOrderKeys(aTsMs, sameMillisecondRank(a), a.id, bTsMs, sameMillisecondRank(b), b.id);
}
