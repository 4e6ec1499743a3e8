/**
 * Work due at an instant, kept in per-minute buckets so advancing the clock touches only the
 * minutes it crosses (DESIGN.md: a tick costs O(changes), not a scan of 30 days). Used for
 * window expiry (an item leaves (T − window, T] when T ≥ its instant + window) and for entity
 * maintenance (compaction, pruning).
 */

const MINUTE_MS = 60_000;

/** One minute's entries: parallel arrays (due instant, item), in insertion order. */
interface Bucket<T> {
  due: number[];
  items: T[];
}

export class MinuteSchedule<T> {
  private readonly buckets = new Map<number, Bucket<T>>();
  /**
   * The bucket of the latest `add`: most additions (events arriving in time order) land in the
   * same minute as the previous one, so this skips the map lookup. Cleared whenever a bucket
   * leaves the map, so it never points at a detached bucket.
   */
  private lastMinute = Number.NaN;
  private lastBucket: Bucket<T> | undefined;
  /** Lowest minute that may still hold entries. */
  private cursorMinute = Number.POSITIVE_INFINITY;
  /** Number of scheduled entries. */
  size = 0;

  add(atMs: number, item: T): void {
    const minute = Math.floor(atMs / MINUTE_MS);
    let bucket = minute === this.lastMinute ? this.lastBucket : this.buckets.get(minute);
    if (bucket === undefined) {
      bucket = { due: [], items: [] };
      this.buckets.set(minute, bucket);
    }
    this.lastMinute = minute;
    this.lastBucket = bucket;
    bucket.due.push(atMs);
    bucket.items.push(item);
    this.size += 1;
    if (minute < this.cursorMinute) this.cursorMinute = minute;
  }

  /** Calls `visit` for every entry due at or before `upToMs`, and removes it. */
  drain(upToMs: number, visit: (item: T, atMs: number) => void): void {
    const lastMinute = Math.floor(upToMs / MINUTE_MS);
    let emptyRun = 0;
    while (this.size > 0 && this.cursorMinute <= lastMinute) {
      const minute = this.cursorMinute;
      const bucket = this.buckets.get(minute);
      if (bucket !== undefined) {
        // Take the bucket out before visiting: a visit may schedule new work, even in this minute.
        this.buckets.delete(minute);
        if (this.lastMinute === minute) {
          this.lastMinute = Number.NaN;
          this.lastBucket = undefined;
        }
        const { due, items } = bucket;
        for (let i = 0; i < due.length; i += 1) {
          const atMs = due[i] as number;
          const item = items[i] as T;
          this.size -= 1;
          if (atMs <= upToMs) visit(item, atMs);
          else this.add(atMs, item);
        }
        // Entries left in this minute are either not due yet (only in the last minute) or were
        // added by a visit and are due: look at the minute again in the second case.
        if (this.buckets.has(minute) && (minute < lastMinute || this.hasDue(minute, upToMs))) continue;
        if (minute === lastMinute) break;
      }
      // A visit may have scheduled work in an earlier minute, which moved the cursor back.
      if (this.cursorMinute === minute) {
        this.cursorMinute = minute + 1;
        // A long run of empty minutes (an event dated 1970 moves the cursor back decades) is
        // skipped by jumping to the earliest minute that has entries: walking it would take
        // millions of steps inside one snapshot.
        if (bucket === undefined && ++emptyRun >= 64) {
          emptyRun = 0;
          let earliest = Number.POSITIVE_INFINITY;
          for (const key of this.buckets.keys())
            if (key >= this.cursorMinute && key < earliest) earliest = key;
          this.cursorMinute = earliest;
        }
      }
    }
    if (this.size === 0) this.cursorMinute = Number.POSITIVE_INFINITY;
  }

  /** Every scheduled entry, minute by minute in insertion order within a minute (checkpoints). */
  forEach(visit: (item: T, atMs: number) => void): void {
    const minutes = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const minute of minutes) {
      const bucket = this.buckets.get(minute) as Bucket<T>;
      for (let i = 0; i < bucket.due.length; i += 1) visit(bucket.items[i] as T, bucket.due[i] as number);
    }
  }

  /** The minutes holding entries, ascending (a checkpoint walks them in slices: `forEachIn`). */
  minutes(): number[] {
    return [...this.buckets.keys()].sort((a, b) => a - b);
  }

  /** Every entry of one minute, in insertion order; returns how many. */
  forEachIn(minute: number, visit: (item: T, atMs: number) => void): number {
    const bucket = this.buckets.get(minute);
    if (bucket === undefined) return 0;
    for (let i = 0; i < bucket.due.length; i += 1) visit(bucket.items[i] as T, bucket.due[i] as number);
    return bucket.due.length;
  }

  private hasDue(minute: number, upToMs: number): boolean {
    const bucket = this.buckets.get(minute);
    return bucket !== undefined && bucket.due.some((atMs) => atMs <= upToMs);
  }
}
