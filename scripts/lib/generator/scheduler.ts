/**
 * The discrete-event core: one min-heap of things due at an instant, popped in (time, sequence)
 * order. Sequence numbers break ties by scheduling order, which makes the output deterministic
 * and keeps an entity's same-millisecond events in the order they were scheduled.
 */
import type { WireEvent } from './wire-event.ts';

export interface SchedulerEntry {
  tsMs: number;
  sequence: number;
  /** An event to write at `tsMs`, or … */
  event: WireEvent | undefined;
  /** … a simulation step to run at `tsMs` (it may schedule more entries, never earlier). */
  action: (() => void) | undefined;
}

export class Scheduler {
  private readonly heap: SchedulerEntry[] = [];
  private sequence = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Schedules an event to be written at `timeMs`. */
  emitAt(timeMs: number, event: WireEvent): void {
    this.push({ tsMs: timeMs, sequence: this.sequence++, event, action: undefined });
  }

  /** Schedules a simulation step at `timeMs`. */
  runAt(timeMs: number, action: () => void): void {
    this.push({ tsMs: timeMs, sequence: this.sequence++, event: undefined, action });
  }

  /** Time of the earliest entry, or Infinity when nothing is scheduled. */
  peekTimeMs(): number {
    return this.heap[0]?.tsMs ?? Infinity;
  }

  /** Removes and returns the earliest entry. */
  pop(): SchedulerEntry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    // Sift the last entry down from the root.
    let index = 0;
    const length = heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      const leftEntry = heap[left] as SchedulerEntry;
      if (right < length && precedes(heap[right] as SchedulerEntry, leftEntry)) child = right;
      const childEntry = heap[child] as SchedulerEntry;
      if (!precedes(childEntry, last)) break;
      heap[index] = childEntry;
      index = child;
    }
    heap[index] = last;
    return top;
  }

  private push(entry: SchedulerEntry): void {
    const heap = this.heap;
    let index = heap.length;
    heap.push(entry);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentEntry = heap[parent] as SchedulerEntry;
      if (!precedes(entry, parentEntry)) break;
      heap[index] = parentEntry;
      index = parent;
    }
    heap[index] = entry;
  }
}

function precedes(a: SchedulerEntry, b: SchedulerEntry): boolean {
  return a.tsMs < b.tsMs || (a.tsMs === b.tsMs && a.sequence < b.sequence);
}
