/**
 * A multiset of durations (ms) with exact nearest-rank percentiles and cheap insert/remove.
 *
 * Values are grouped in log-scale buckets (ratio 1.01); each bucket keeps its exact values
 * sorted. A percentile walks the bucket counts (a few thousand buckets at most for 0 ms … 1 year)
 * and then indexes into one bucket, so the answer is exact while an insert or a removal only
 * moves the values of one small bucket. Sums are kept in integer milliseconds, which stay exact
 * in a double far beyond 30 days of completions, so the result is independent of insert order.
 */

const LOG_RATIO = Math.log(1.01);

function bucketOf(valueMs: number): number {
  // Math.log is monotone, so v1 < v2 never puts v1 in a later bucket than v2.
  return valueMs < 1 ? 0 : 1 + Math.floor(Math.log(valueMs) / LOG_RATIO);
}

/** Index of the first element of the sorted `values` that is not less than `value`. */
function lowerBound(values: readonly number[], value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((values[middle] as number) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

interface CachedPercentile {
  numerator: number;
  denominator: number;
  version: number;
  value: number | null;
}

export class DurationMultiset {
  private readonly buckets = new Map<number, number[]>();
  /** Indices of the non-empty buckets, ascending. */
  private readonly bucketIndices: number[] = [];
  /** Number of values. */
  count = 0;
  /** Sum of the values, ms. */
  sumMs = 0;
  /**
   * Last percentile answers, valid while `version` is unchanged: a live tick asks for the same
   * p50/p90 of a 30-day set many times between two completions, and walking a few thousand
   * buckets each time is most of a snapshot's cost.
   */
  private version = 0;
  private readonly cached: CachedPercentile[] = [];

  add(valueMs: number): void {
    const index = bucketOf(valueMs);
    let values = this.buckets.get(index);
    if (values === undefined) {
      values = [];
      this.buckets.set(index, values);
      this.bucketIndices.splice(lowerBound(this.bucketIndices, index), 0, index);
    }
    // Appends when it is the largest (durations mostly come in no order, but splice allocates
    // the array of removed elements even when it removes none).
    const position = lowerBound(values, valueMs);
    if (position === values.length) values.push(valueMs);
    else values.splice(position, 0, valueMs);
    this.version += 1;
    this.count += 1;
    this.sumMs += valueMs;
  }

  /** Removes one occurrence of `valueMs`; returns false (and changes nothing) when absent. */
  remove(valueMs: number): boolean {
    const index = bucketOf(valueMs);
    const values = this.buckets.get(index);
    if (values === undefined) return false;
    const position = lowerBound(values, valueMs);
    if (values[position] !== valueMs) return false;
    // values.splice(position, 1) without the array of removed elements splice allocates.
    for (let i = position + 1; i < values.length; i += 1) values[i - 1] = values[i] as number;
    values.pop();
    this.version += 1;
    if (values.length === 0) {
      this.buckets.delete(index);
      this.bucketIndices.splice(lowerBound(this.bucketIndices, index), 1);
    }
    this.count -= 1;
    this.sumMs -= valueMs;
    return true;
  }

  /** Every value, ascending (checkpoints). */
  toSorted(): Float64Array {
    const out = new Float64Array(this.count);
    let at = 0;
    for (const index of this.bucketIndices) {
      for (const value of this.buckets.get(index) as number[]) out[at++] = value;
    }
    return out;
  }

  /** A multiset holding `sorted` (ascending, as `toSorted` gives): the same buckets, in O(n). */
  static fromSorted(sorted: Float64Array): DurationMultiset {
    const set = new DurationMultiset();
    let values: number[] | undefined;
    let current = Number.NaN;
    for (const value of sorted) {
      const index = bucketOf(value);
      if (index !== current || values === undefined) {
        values = [];
        set.buckets.set(index, values);
        set.bucketIndices.push(index);
        current = index;
      }
      values.push(value);
      set.count += 1;
      set.sumMs += value;
    }
    return set;
  }

  /**
   * The nearest-rank percentile, ms: the smallest value v with at least ⌈p·n⌉ values ≤ v
   * (`numerator / denominator` = p, in integers so ⌈p·n⌉ has no rounding error). Null when empty.
   */
  percentile(numerator: number, denominator: number): number | null {
    if (this.count === 0) return null;
    // Index loops here and in `walk`: called a few times per snapshot, these stay unoptimised
    // long enough that a for-of allocated an iterator result per bucket.
    for (let i = 0; i < this.cached.length; i += 1) {
      const entry = this.cached[i] as CachedPercentile;
      if (entry.numerator === numerator && entry.denominator === denominator) {
        if (entry.version !== this.version) {
          entry.value = this.walk(numerator, denominator);
          entry.version = this.version;
        }
        return entry.value;
      }
    }
    const value = this.walk(numerator, denominator);
    this.cached.push({ numerator, denominator, version: this.version, value });
    return value;
  }

  private walk(numerator: number, denominator: number): number | null {
    const rank = Math.max(1, Math.floor((numerator * this.count + denominator - 1) / denominator));
    let before = 0;
    const indices = this.bucketIndices;
    for (let i = 0; i < indices.length; i += 1) {
      const values = this.buckets.get(indices[i] as number) as number[];
      if (before + values.length >= rank) return values[rank - before - 1] as number;
      before += values.length;
    }
    return null;
  }
}
