/**
 * The one clock interface (EVENTS.md, Time). Live: the wall clock. Replay and backtest: event
 * time, the largest `ts` among accepted events (ticks included, all shops together).
 */
export interface Clock {
  /** Current instant, epoch ms. */
  nowMs(): number;
  /** Called with each accepted event's ts; only the event clock moves on it. */
  observe(tsMs: number): void;
  /**
   * Puts an event clock back to an earlier reading (a batch whose commit failed must not have
   * moved time); no-op for the wall clock.
   */
  restore(epochMs: number): void;
  /** True until the first accepted event sets an event clock (always false for the wall clock). */
  readonly unset: boolean;
  readonly mode: 'wall' | 'event';
}

export function createWallClock(now: () => number = Date.now): Clock {
  return {
    mode: 'wall',
    unset: false,
    nowMs: now,
    observe() {},
    restore() {},
  };
}

/** Event-time clock. `startMs` restores it after a restart (the largest stored ts). */
export function createEventClock(startMs?: number): Clock {
  let current = startMs ?? Number.NEGATIVE_INFINITY;
  return {
    mode: 'event',
    get unset() {
      return current === Number.NEGATIVE_INFINITY;
    },
    nowMs: () => current,
    observe(tsMs: number) {
      if (tsMs > current) current = tsMs;
    },
    restore(epochMs: number) {
      current = epochMs;
    },
  };
}
