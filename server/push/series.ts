/**
 * The last two hours of queue depth per shop, one sample a minute, kept by the hub so the browser
 * draws and never aggregates. Samples are keyed by the snapshot's own `asOf`, so a replay running
 * faster than real time still gets one point per business minute.
 */
import type { BoardSeries, SeriesColumns } from './protocol.ts';

interface Sample {
  xSec: number;
  queues: Record<string, number>;
  refundsAwaiting: number;
}

/** One past observation for `seedSeries`: chat `waiting` per queue and refunds awaiting response. */
export interface SeriesSample {
  atSec: number;
  queues: Record<string, number>;
  refundsAwaiting: number;
}

/** Queues the board always shows first, in this order; others follow by name. */
const PINNED_QUEUES = ['presale', 'aftersale'];

export class QueueDepthHistory {
  readonly #stepSec: number;
  readonly #windowSec: number;
  /** Oldest first. At most windowSec / stepSec + 1 entries (121 by default), so shift() is cheap. */
  readonly #samples: Sample[] = [];
  #cached: BoardSeries | undefined;

  constructor(stepSec = 60, windowSec = 7200) {
    this.#stepSec = stepSec;
    this.#windowSec = windowSec;
  }

  /** Whether `atSec` falls in a step that has no sample yet (so a caller can skip building inputs). */
  wants(atSec: number): boolean {
    const last = this.#samples.at(-1);
    return last === undefined || this.#stepStart(atSec) !== last.xSec;
  }

  /**
   * Records the first value seen in each step; later values in the same step are ignored so the
   * series changes once a minute, not every tick. Returns true when the series changed.
   */
  record(atSec: number, queues: Record<string, number>, refundsAwaiting: number): boolean {
    const xSec = this.#stepStart(atSec);
    const last = this.#samples.at(-1);
    if (last !== undefined && xSec === last.xSec) return false;
    // The clock went backwards (a new replay, a time-travel restart): the old history no longer applies.
    if (last !== undefined && xSec < last.xSec) this.#samples.length = 0;
    this.#samples.push({ xSec, queues: { ...queues }, refundsAwaiting });
    while (this.#samples.length > 0 && this.#samples[0]!.xSec <= xSec - this.#windowSec)
      this.#samples.shift();
    this.#cached = undefined;
    return true;
  }

  /** uPlot columns; the same object until the next recorded sample, so diffs can compare by identity. */
  toSeries(): BoardSeries {
    this.#cached ??= this.#build();
    return this.#cached;
  }

  #stepStart(atSec: number): number {
    return Math.floor(atSec / this.#stepSec) * this.#stepSec;
  }

  #build(): BoardSeries {
    const names = new Set<string>(PINNED_QUEUES);
    for (const sample of this.#samples) for (const name of Object.keys(sample.queues)) names.add(name);
    const labels = [...PINNED_QUEUES, ...[...names].filter((n) => !PINNED_QUEUES.includes(n)).sort()];

    const xs: number[] = [];
    const depth: (number | null)[][] = labels.map(() => []);
    const refunds: (number | null)[] = [];
    let previousX: number | undefined;
    for (const sample of this.#samples) {
      // A missing minute (no clients, hub restarted) becomes a null point: uPlot breaks the line there
      // instead of drawing a straight line across the hole.
      if (previousX !== undefined && sample.xSec - previousX > this.#stepSec) {
        xs.push(previousX + this.#stepSec);
        for (const ys of depth) ys.push(null);
        refunds.push(null);
      }
      xs.push(sample.xSec);
      labels.forEach((name, i) => depth[i]!.push(sample.queues[name] ?? null));
      refunds.push(sample.refundsAwaiting);
      previousX = sample.xSec;
    }
    const queueDepth: SeriesColumns = { labels, columns: [xs, ...depth] };
    const refundsAwaiting: SeriesColumns = { labels: ['refunds'], columns: [xs, refunds] };
    return { stepSec: this.#stepSec, queueDepth, refundsAwaiting };
  }
}
