/**
 * Admission of one message, in the order EVENTS.md fixes: validate → future rule → deduplicate
 * by id among accepted events. Pure apart from the state it is handed (clock, seen ids), so the
 * live ingest and the backtest admit exactly the same events.
 */
import type { Clock } from './clock.ts';
import { decodeEvent, type RejectReason } from './decode-event.ts';
import type { PeakEvent } from './types.ts';

/** Ids of accepted events. Only accepted ids are added: a rejected line does not reserve its id. */
export interface SeenIds {
  has(id: string): boolean;
  add(id: string): void;
  /** Forgets an id (undo of a batch whose commit failed). */
  delete(id: string): boolean;
  /** `has` then `add` in one lookup, where the set offers it: true when the id was new. */
  addIfAbsent?(id: string): boolean;
}

export type AdmitResult =
  | { outcome: 'accepted'; event: PeakEvent }
  | { outcome: 'duplicate'; event: PeakEvent }
  | { outcome: 'rejected'; reason: RejectReason; detail: string; id?: string };

export interface AdmissionOptions {
  clock: Clock;
  /** An event more than this many seconds ahead of the clock is rejected; exactly this many is accepted. */
  maxFutureSec: number;
  seen: SeenIds;
}

export interface Admission {
  admit(raw: Uint8Array | string, subject?: string): AdmitResult;
}

export function createAdmission({ clock, maxFutureSec, seen }: AdmissionOptions): Admission {
  const maxFutureMs = maxFutureSec * 1000;
  return {
    admit(raw, subject) {
      const decoded = decodeEvent(raw, subject);
      if (!decoded.ok) {
        const { reason, detail, id } = decoded;
        return id === undefined
          ? { outcome: 'rejected', reason, detail }
          : { outcome: 'rejected', reason, detail, id };
      }
      const event = decoded.event;
      // The first accepted event sets an unset event clock, so it can never be "in the future".
      if (!clock.unset && event.tsMs - clock.nowMs() > maxFutureMs) {
        return {
          outcome: 'rejected',
          reason: 'future_ts',
          detail: `ts is ${((event.tsMs - clock.nowMs()) / 1000).toFixed(3)} s ahead of the clock (max ${maxFutureSec} s)`,
          id: event.id,
        };
      }
      if (seen.addIfAbsent !== undefined) {
        if (!seen.addIfAbsent(event.id)) return { outcome: 'duplicate', event };
      } else {
        if (seen.has(event.id)) return { outcome: 'duplicate', event };
        seen.add(event.id);
      }
      clock.observe(event.tsMs);
      return { outcome: 'accepted', event };
    },
  };
}
