/**
 * Due instants in ascending order, as one growable Float64Array used as a deque: 8 bytes an
 * entry and no object per entry. Used for order expiry (one instant per order.paid in the 30-day
 * window, over a million at a peak): the orders of a scope are plain counts, so the instant is
 * all an entry needs. Instants mostly arrive in ascending order (events come in time order), so
 * `add` appends; a late one is inserted in place.
 */
export class DueQueue {
  private buffer = new Float64Array(256);
  private head = 0;
  private tail = 0;

  get size(): number {
    return this.tail - this.head;
  }

  add(dueMs: number): void {
    if (this.tail === this.buffer.length) this.makeRoom();
    const buffer = this.buffer;
    let at = this.tail;
    if (at > this.head && (buffer[at - 1] as number) > dueMs) {
      // The first entry after dueMs (equal instants keep their arrival order; it does not matter).
      let low = this.head;
      let high = at - 1;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((buffer[middle] as number) > dueMs) high = middle;
        else low = middle + 1;
      }
      buffer.copyWithin(low + 1, low, at);
      at = low;
    }
    buffer[at] = dueMs;
    this.tail += 1;
  }

  /** Removes the entries due at or before `upToMs`; returns how many. */
  drain(upToMs: number): number {
    const buffer = this.buffer;
    const start = this.head;
    let head = start;
    while (head < this.tail && (buffer[head] as number) <= upToMs) head += 1;
    if (head === this.tail) {
      this.head = 0;
      this.tail = 0;
    } else this.head = head;
    return head - start;
  }

  /** The entries, ascending (a copy). */
  toArray(): Float64Array {
    return this.buffer.slice(this.head, this.tail);
  }

  private makeRoom(): void {
    const size = this.size;
    if (this.head > 0 && size * 2 <= this.buffer.length) {
      this.buffer.copyWithin(0, this.head, this.tail);
    } else {
      const grown = new Float64Array(Math.max(256, this.buffer.length * 2));
      grown.set(this.buffer.subarray(this.head, this.tail));
      this.buffer = grown;
    }
    this.head = 0;
    this.tail = size;
  }
}
