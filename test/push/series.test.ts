import { describe, expect, it } from 'vitest';
import { QueueDepthHistory } from '../../server/push/series.ts';

const T0 = 1_731_297_600; // 2024-11-11T04:00:00Z, a minute boundary

describe('queue depth history', () => {
  it('should keep the first value of each minute in uPlot column shape', () => {
    const history = new QueueDepthHistory();
    expect(history.record(T0 + 5, { presale: 3, aftersale: 1 }, 7)).toBe(true);
    expect(history.record(T0 + 30, { presale: 9, aftersale: 9 }, 9)).toBe(false);
    expect(history.record(T0 + 61, { presale: 4, aftersale: 2, vip: 1 }, 8)).toBe(true);
    const series = history.toSeries();
    expect(series.stepSec).toBe(60);
    expect(series.queueDepth).toEqual({
      labels: ['presale', 'aftersale', 'vip'],
      columns: [
        [T0, T0 + 60],
        [3, 4],
        [1, 2],
        [null, 1],
      ],
    });
    expect(series.refundsAwaiting.columns).toEqual([
      [T0, T0 + 60],
      [7, 8],
    ]);
  });

  it('should return the same series object until a new minute is recorded', () => {
    const history = new QueueDepthHistory();
    history.record(T0, { presale: 1 }, 0);
    const first = history.toSeries();
    history.record(T0 + 59, { presale: 2 }, 0);
    expect(history.toSeries()).toBe(first);
    history.record(T0 + 60, { presale: 2 }, 0);
    expect(history.toSeries()).not.toBe(first);
  });

  it('should keep exactly two hours and break the line over a missing minute', () => {
    const history = new QueueDepthHistory();
    for (let minute = 0; minute < 200; minute++) history.record(T0 + minute * 60, { presale: minute }, 0);
    const xs = history.toSeries().queueDepth.columns[0]!;
    expect(xs).toHaveLength(120);
    expect(xs[0]).toBe(T0 + 80 * 60);

    const gappy = new QueueDepthHistory();
    gappy.record(T0, { presale: 1 }, 1);
    gappy.record(T0 + 300, { presale: 2 }, 2);
    expect(gappy.toSeries().queueDepth.columns[1]).toEqual([1, null, 2]);
  });

  it('should start over when the clock goes backwards', () => {
    const history = new QueueDepthHistory();
    history.record(T0 + 600, { presale: 1 }, 1);
    history.record(T0, { presale: 2 }, 2);
    expect(history.toSeries().queueDepth.columns[0]).toEqual([T0]);
  });
});
