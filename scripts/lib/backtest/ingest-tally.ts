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

export class IngestTally {
  readonly totals: Counts = { accepted: 0, duplicates: 0, rejected: 0 };
  readonly rejectedByReason: Partial<Record<RejectReason, number>> = {};
  /** Counts dated at or before the last settled instant. */
  private readonly settled: Counts = { accepted: 0, duplicates: 0, rejected: 0 };
  private settledUpToMs = Number.NEGATIVE_INFINITY;
  /** Counts dated after it, by epoch ms: released in order as rows are written. */
  private readonly pending = new Map<number, Counts>();
  private pendingSorted: number[] | undefined = [];

  count(outcome: Outcome, tsMs: number, reason?: RejectReason): void {
    // Rows fall on whole seconds, so counting per second (rounded up) loses nothing and keeps the
    // pending map to one key per second of the hold window.
    const datedMs = Math.ceil(tsMs / 1000) * 1000;
    this.totals[outcome] += 1;
    if (reason !== undefined) this.rejectedByReason[reason] = (this.rejectedByReason[reason] ?? 0) + 1;
    if (datedMs <= this.settledUpToMs) {
      this.settled[outcome] += 1;
      return;
    }
    let counts = this.pending.get(datedMs);
    if (counts === undefined) {
      counts = { accepted: 0, duplicates: 0, rejected: 0 };
      this.pending.set(datedMs, counts);
      this.pendingSorted = undefined;
    }
    counts[outcome] += 1;
  }

  /** The counts dated at or before `instantMs`, a whole second (non-decreasing across calls). */
  settle(instantMs: number): Readonly<Counts> {
    if (instantMs > this.settledUpToMs) {
      // Keys are the seconds of the hold window and a step: about 1,200 with the defaults.
      const sorted = (this.pendingSorted ??= [...this.pending.keys()].sort((a, b) => a - b));
      let index = 0;
      while (index < sorted.length && (sorted[index] as number) <= instantMs) {
        const key = sorted[index] as number;
        const counts = this.pending.get(key) as Counts;
        this.settled.accepted += counts.accepted;
        this.settled.duplicates += counts.duplicates;
        this.settled.rejected += counts.rejected;
        this.pending.delete(key);
        index += 1;
      }
      this.pendingSorted = sorted.slice(index);
      this.settledUpToMs = instantMs;
    }
    return this.settled;
  }
}
