/**
 * Ingest counts for the rows, dated by event time. A live server's counts are "so far", which in
 * a file depends on the order lines were written in; a row's counts here are the lines whose
 * `ts` is at or before the row's instant, so a file reordered within the hold window gives the
 * same rows. A line without a readable `ts` (invalid JSON, bad `ts`) is dated by the event clock
 * when it was read. Totals over the whole file are kept apart and are order-free anyway.
 */
import type { RejectReason } from '../../../server/events/index.ts';

interface Counts {
  accepted: number;
  duplicates: number;
  rejected: number;
}

export type Outcome = keyof Counts;

/** Field of an outcome in the per-second counts. */
const FIELD: Readonly<Record<Outcome, number>> = { accepted: 0, duplicates: 1, rejected: 2 };
const FIELDS = 3;
/** Seconds the ring covers at most (3 days): a longer step or hold spills into the map. */
const MAX_RING_SECONDS = 1 << 18;

/**
 * Counts dated after the last settled second, per second (rows fall on whole seconds, so counting
 * per second, rounded up, loses nothing). Called once per line: the seconds just after the
 * settled one are a ring of plain numbers (no object or map entry per second); any other second
 * (before the ring is placed, or further ahead than it reaches) goes to a map.
 */
class PendingCounts {
  private readonly ring: Float64Array;
  private readonly mask: number;
  /** The first second of the ring; NaN until placed. Seconds ≥ base + size are not in it. */
  private base = Number.NaN;
  private readonly spilled = new Map<number, Float64Array>();

  constructor(seconds: number) {
    let size = 1024;
    while (size < seconds && size < MAX_RING_SECONDS) size *= 2;
    this.ring = new Float64Array(size * FIELDS);
    this.mask = size - 1;
  }

  add(second: number, field: number): void {
    if (Number.isNaN(this.base)) this.base = second;
    const offset = second - this.base;
    if (offset >= 0 && offset <= this.mask) {
      const at = (second & this.mask) * FIELDS + field;
      this.ring[at] = (this.ring[at] as number) + 1;
      return;
    }
    let counts = this.spilled.get(second);
    if (counts === undefined) {
      counts = new Float64Array(FIELDS);
      this.spilled.set(second, counts);
    }
    counts[field] = (counts[field] as number) + 1;
  }

  /** Adds the counts of every second ≤ `upTo` to `into` and forgets them; the ring moves past `upTo`. */
  takeUpTo(upTo: number, into: Float64Array): void {
    if (!Number.isNaN(this.base)) {
      const last = Math.min(upTo, this.base + this.mask);
      for (let second = this.base; second <= last; second += 1) {
        const at = (second & this.mask) * FIELDS;
        for (let field = 0; field < FIELDS; field += 1) {
          into[field] = (into[field] as number) + (this.ring[at + field] as number);
          this.ring[at + field] = 0;
        }
      }
      // Seconds of the ring after `upTo` keep their slots (a slot is its second modulo the size).
      if (upTo + 1 > this.base) this.base = upTo + 1;
    }
    // A second may have counts both here and in the ring (spilled before the ring reached it).
    if (this.spilled.size === 0) return;
    for (const [second, counts] of this.spilled) {
      if (second > upTo) continue;
      for (let field = 0; field < FIELDS; field += 1)
        into[field] = (into[field] as number) + (counts[field] as number);
      this.spilled.delete(second);
    }
  }
}

export class IngestTally {
  readonly totals: Counts = { accepted: 0, duplicates: 0, rejected: 0 };
  readonly rejectedByReason: Partial<Record<RejectReason, number>> = {};
  /** Counts dated at or before the last settled instant. */
  private readonly settled: Counts = { accepted: 0, duplicates: 0, rejected: 0 };
  private readonly settledFields = new Float64Array(FIELDS);
  private settledUpToMs = Number.NEGATIVE_INFINITY;
  /** Counts dated after it, by second: released in order as rows are written. */
  private readonly pending: PendingCounts;

  /** `spanMs`: how far past the last settled instant counts usually fall (the row step and the hold). */
  constructor(spanMs = 0) {
    this.pending = new PendingCounts(Math.ceil(spanMs / 1000) + 1);
  }

  count(outcome: Outcome, tsMs: number, reason?: RejectReason): void {
    const second = Math.ceil(tsMs / 1000);
    this.totals[outcome] += 1;
    if (reason !== undefined) this.rejectedByReason[reason] = (this.rejectedByReason[reason] ?? 0) + 1;
    if (second * 1000 <= this.settledUpToMs) {
      this.settled[outcome] += 1;
      return;
    }
    this.pending.add(second, FIELD[outcome]);
  }

  /** The counts dated at or before `instantMs`, a whole second (non-decreasing across calls). */
  settle(instantMs: number): Readonly<Counts> {
    if (instantMs > this.settledUpToMs) {
      const fields = this.settledFields;
      fields.fill(0);
      this.pending.takeUpTo(Math.floor(instantMs / 1000), fields);
      this.settled.accepted += fields[0] as number;
      this.settled.duplicates += fields[1] as number;
      this.settled.rejected += fields[2] as number;
      this.settledUpToMs = instantMs;
    }
    return this.settled;
  }
}
