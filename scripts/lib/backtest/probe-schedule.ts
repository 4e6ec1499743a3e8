/**
 * The instants a backtest looks at, in time order: rows (every step boundary), hour starts (the
 * forecast an hour began with, and the previous hour's final arrivals) and probes (one a minute
 * by default, for peak queue depth and minutes unanswered ≥ 30 min). One instant can be all three.
 */
import { alignUpMs, nextBoundaryMs, type OffsetCache } from './step-clock.ts';

const HOUR_MS = 3_600_000;

export interface Instant {
  atMs: number;
  row: boolean;
  hourStart: boolean;
  probe: boolean;
}

export class ProbeSchedule {
  private nextRowMs: number;
  private nextHourMs: number;
  private nextProbeMs: number;
  /** The last row's instant; Infinity until the end of the input (or `--to`) fixes it. */
  lastRowMs = Number.POSITIVE_INFINITY;

  constructor(
    readonly firstRowMs: number,
    private readonly stepMs: number,
    private readonly probeStepMs: number,
    private readonly offsets: OffsetCache,
  ) {
    this.nextRowMs = firstRowMs;
    this.nextHourMs = alignUpMs(firstRowMs, HOUR_MS, offsets);
    this.nextProbeMs = alignUpMs(firstRowMs, probeStepMs, offsets);
  }

  /** The next instant's time, or Infinity when the schedule is done. */
  peekMs(): number {
    const next = Math.min(this.nextRowMs, this.nextHourMs, this.nextProbeMs);
    return next <= this.lastRowMs ? next : Number.POSITIVE_INFINITY;
  }

  take(): Instant {
    const atMs = this.peekMs();
    const instant: Instant = {
      atMs,
      row: this.nextRowMs === atMs,
      hourStart: this.nextHourMs === atMs,
      probe: this.nextProbeMs === atMs,
    };
    if (instant.row) this.nextRowMs = nextBoundaryMs(atMs, this.stepMs, this.offsets);
    if (instant.hourStart) this.nextHourMs = nextBoundaryMs(atMs, HOUR_MS, this.offsets);
    if (instant.probe) this.nextProbeMs = nextBoundaryMs(atMs, this.probeStepMs, this.offsets);
    return instant;
  }
}
