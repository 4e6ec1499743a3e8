/**
 * Per-minute panes in a ring, with the window sum at the head kept up to date.
 *
 * The ring follows a head, the newest minute boundary at or before the engine's watermark (a
 * pane number, see `paneOf`), and keeps panes [head − slots + 3, head + 2]: the head's pane, the
 * one after it (instants in (head, watermark]), a spare at the top, and everything below that
 * fits. Slot `pane % slots` holds pane `pane`; as the head rises the slots it frees are zeroed,
 * so a slot is either a pane's exact sum or zero. `windowSums` is Σ panes (head − window, head]
 * per field, so reading the window at the head costs nothing and older boundaries are one step
 * each. Values are sums of whole milliseconds and counts, exact in a double, so they do not
 * depend on the order of additions and removals.
 *
 * The head is the engine's and is passed in: a ring created later (a new queue) is all zeros,
 * which is right for any head.
 */
export class PaneRing {
  /**
   * slots × fields values, allocated on the first addition: a 30-day ring is 2.5 MB, and scopes
   * that never get an item (or short-lived engines in tests) should not pay for it.
   */
  values: Float64Array | null = null;
  readonly windowSums: Float64Array;
  /** Bumped on every change, so answers computed from the panes can be reused until then. */
  version = 0;
  /** Answers derived from the panes (alerts.ts, sinceFromHistory), valid for one version. */
  readonly derived = new Map<string, { version: number; value: number }>();

  constructor(
    readonly slots: number,
    readonly fields: number,
    readonly windowPanes: number,
  ) {
    this.windowSums = new Float64Array(fields);
  }

  /** The lowest pane kept when the head is `headPane`. */
  floorOf(headPane: number): number {
    return headPane - this.slots + 3;
  }

  /** Adds `delta` to one field of `pane`; a pane outside the kept range is not kept. */
  add(pane: number, field: number, delta: number, headPane: number): void {
    const floor = this.floorOf(headPane);
    if (pane < floor || pane >= floor + this.slots) return;
    this.values ??= new Float64Array(this.slots * this.fields);
    this.version += 1;
    const index = (pane % this.slots) * this.fields + field;
    this.values[index] = (this.values[index] ?? 0) + delta;
    if (pane <= headPane && pane > headPane - this.windowPanes) {
      this.windowSums[field] = (this.windowSums[field] ?? 0) + delta;
    }
  }

  /** One field of `pane` (the caller keeps `pane` inside the kept range). */
  get(pane: number, field: number): number {
    return this.values === null ? 0 : (this.values[(pane % this.slots) * this.fields + field] ?? 0);
  }

  /** Moves the head from `fromHead` up to `toHead`: zeroes the panes that fall off, moves the window. */
  moveHead(fromHead: number, toHead: number): void {
    const values = this.values;
    if (values === null || !(toHead > fromHead)) return;
    this.version += 1;
    const fields = this.fields;
    if (toHead - fromHead > Math.min(this.windowPanes, 1024)) {
      // A long jump: clear what fell off, then sum the new window afresh.
      if (toHead - fromHead >= this.slots) values.fill(0);
      else this.clear(this.floorOf(fromHead), this.floorOf(toHead));
      this.windowSums.fill(0);
      for (let pane = toHead - this.windowPanes + 1; pane <= toHead; pane += 1) {
        const start = (pane % this.slots) * fields;
        for (let field = 0; field < fields; field += 1) {
          this.windowSums[field] = (this.windowSums[field] ?? 0) + (values[start + field] ?? 0);
        }
      }
      return;
    }
    // A short step: panes (from, to] enter the window, (from − W, to − W] leave it. Both are
    // above the new floor (the look-back is longer than any short step), so they are intact.
    // The slots that fall off are zeroed first: panes from + 3 … to share them with the old
    // floor's panes and must enter the window empty, not with those panes' sums.
    this.clear(this.floorOf(fromHead), this.floorOf(toHead));
    for (let pane = fromHead + 1; pane <= toHead; pane += 1) {
      const entering = (pane % this.slots) * fields;
      const leaving = ((pane - this.windowPanes) % this.slots) * fields;
      for (let field = 0; field < fields; field += 1) {
        this.windowSums[field] =
          (this.windowSums[field] ?? 0) + (values[entering + field] ?? 0) - (values[leaving + field] ?? 0);
      }
    }
  }

  private clear(fromPane: number, toPane: number): void {
    const values = this.values;
    if (values === null) return;
    for (let pane = fromPane; pane < toPane; pane += 1) {
      const start = (pane % this.slots) * this.fields;
      values.fill(0, start, start + this.fields);
    }
  }
}
