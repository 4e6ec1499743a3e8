/**
 * Work due at an instant, kept in per-minute buckets so advancing the clock touches only the
 * minutes it crosses (DESIGN.md: a tick costs O(changes), not a scan of 30 days). Used for
 * window expiry (an item leaves (T − window, T] when T ≥ its instant + window) and for entity
 * maintenance (compaction, pruning).
 */

const MINUTE_MS = 60_000;

export class MinuteSchedule<T> {
  private readonly dueMs = new Map<number, number[]>();
  private readonly items = new Map<number, T[]>();
  /** Lowest minute that may still hold entries. */
  private cursorMinute = Number.POSITIVE_INFINITY;
  /** Number of scheduled entries. */
  size = 0;

  add(atMs: number, item: T): void {
    const minute = Math.floor(atMs / MINUTE_MS);
    let due = this.dueMs.get(minute);
    let items = this.items.get(minute);
    if (due === undefined || items === undefined) {
      due = [];
      items = [];
      this.dueMs.set(minute, due);
      this.items.set(minute, items);
    }
    due.push(atMs);
    items.push(item);
    this.size += 1;
    if (minute < this.cursorMinute) this.cursorMinute = minute;
  }

  /** Calls `visit` for every entry due at or before `upToMs`, and removes it. */
  drain(upToMs: number, visit: (item: T, atMs: number) => void): void {
    const lastMinute = Math.floor(upToMs / MINUTE_MS);
    while (this.size > 0 && this.cursorMinute <= lastMinute) {
      const minute = this.cursorMinute;
      const due = this.dueMs.get(minute);
      const items = this.items.get(minute);
      if (due !== undefined && items !== undefined) {
        // Take the bucket out before visiting: a visit may schedule new work, even in this minute.
        this.dueMs.delete(minute);
        this.items.delete(minute);
        for (let i = 0; i < due.length; i += 1) {
          const atMs = due[i] as number;
          const item = items[i] as T;
          if (atMs <= upToMs) {
            this.size -= 1;
            visit(item, atMs);
          } else {
            this.size -= 1;
            this.add(atMs, item);
          }
        }
        // Entries left in this minute are either not due yet (only in the last minute) or were
        // added by a visit and are due: look at the minute again in the second case.
        if (this.dueMs.has(minute) && (minute < lastMinute || this.hasDue(minute, upToMs))) continue;
        if (minute === lastMinute) break;
      }
      // A visit may have scheduled work in an earlier minute, which moved the cursor back.
      if (this.cursorMinute === minute) this.cursorMinute = minute + 1;
    }
    if (this.size === 0) this.cursorMinute = Number.POSITIVE_INFINITY;
  }

  private hasDue(minute: number, upToMs: number): boolean {
    const due = this.dueMs.get(minute);
    return due !== undefined && due.some((atMs) => atMs <= upToMs);
  }
}
