/**
 * The boards' queue-depth charts survive a restart: the hub stores each minute's sample in
 * DuckDB, and a restarted server seeds the charts of the last two hours from them. Real NATS,
 * real DuckDB, real WebSocket clients; CLOCK=event, traffic paced by event time.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config/index.ts';
import { decodeEvent } from '../../server/events/index.ts';
import { startPeakboard } from '../../server/peakboard.ts';
import type { BoardSeries, SnapshotFrame } from '../../server/push/index.ts';
import { generateEvents, serializeWireEvent } from '../../scripts/lib/generator/index.ts';
import { replayFile } from '../../scripts/lib/replay.ts';
import { makeTempDir, startTestNats, type TestNats } from '../helpers/nats.ts';
import { waitFor } from '../helpers/publish.ts';
import { connectClient } from '../push/ws-client.ts';

/** The chart as a map: minute (epoch s) → values per label (null = a gap). */
function pointsOf(series: BoardSeries | undefined): Map<number, Record<string, number | null>> {
  if (series === undefined) throw new Error('the snapshot frame has no series');
  const points = new Map<number, Record<string, number | null>>();
  const [xs, ...depths] = series.queueDepth.columns as [number[], ...(number | null)[][]];
  const refunds = series.refundsAwaiting.columns[1] as (number | null)[];
  xs.forEach((x, i) => {
    const values: Record<string, number | null> = { refunds: refunds[i] ?? null };
    series.queueDepth.labels.forEach((label, q) => (values[label] = depths[q]?.[i] ?? null));
    points.set(x, values);
  });
  return points;
}

describe('board charts across a restart (NATS + DuckDB + WebSocket, CLOCK=event)', () => {
  let nats: TestNats;
  const temp = makeTempDir();
  let trafficFile = '';
  let eventCount = 0;

  beforeAll(async () => {
    nats = await startTestNats();
    // 25 minutes of the peak evening (20:00–20:25 in Shanghai) of one shop.
    const fromMs = Date.UTC(2026, 10, 11, 12, 0);
    const toMs = fromMs + 25 * 60_000;
    const lines: string[] = [];
    for (const wire of generateEvents({ seed: 3, days: 1, peakDay: '2026-11-11', shops: 1, scale: 0.2 })) {
      const line = serializeWireEvent(wire);
      const decoded = decodeEvent(line);
      if (decoded.ok && decoded.event.tsMs >= fromMs && decoded.event.tsMs < toMs) lines.push(line);
    }
    eventCount = lines.length;
    trafficFile = `${temp.dir}/evening.ndjson`;
    writeFileSync(trafficFile, lines.join('\n') + '\n');
  });
  afterAll(async () => {
    await nats.dispose();
    temp.remove();
  });

  it('should redraw the minutes it had drawn before a restart, with the same values', async () => {
    const dir = `${temp.dir}/board`;
    const start = () =>
      startPeakboard(
        parseConfig({ NATS_URL: nats.url, DATA_DIR: dir, PORT: '0', CLOCK: 'event', LOG_LEVEL: 'error' }),
        { webRoot: dir },
      );
    const firstSnapshot = async (url: string): Promise<SnapshotFrame> => {
      const client = await connectClient(url.replace(/^http/, 'ws') + '/ws');
      try {
        return (await client.waitFor((frame) => frame.type === 'snapshot')) as SnapshotFrame;
      } finally {
        await client.close();
      }
    };

    let board = await start();
    let before: Map<number, Record<string, number | null>>;
    try {
      // A watching board makes the hub sample every tick; 120× real time is about two ticks per
      // simulated minute at the default 250 ms tick.
      const watching = await connectClient(board.url.replace(/^http/, 'ws') + '/ws');
      expect(eventCount).toBeGreaterThan(1000);
      await replayFile({ input: trafficFile, natsUrl: nats.url, speed: 120 });
      await waitFor(
        async () => (board.ingestStatus().counts.accepted >= eventCount ? true : undefined),
        30_000,
        'ingest',
      );
      await new Promise((resolve) => setTimeout(resolve, 600)); // a tick or two past the last event
      await watching.close();
      before = pointsOf((await firstSnapshot(board.url)).data.series);
    } finally {
      await board.stop();
    }
    const drawn = [...before.values()].filter((values) => values.presale !== null);
    // Most of the 25 minutes were sampled, and the evening has work in the queues.
    expect(drawn.length).toBeGreaterThanOrEqual(15);
    expect(drawn.some((values) => (values.presale ?? 0) + (values.aftersale ?? 0) > 0)).toBe(true);

    board = await start();
    try {
      const after = pointsOf((await firstSnapshot(board.url)).data.series);
      for (const [minute, values] of before) {
        if (values.presale === null) continue; // a gap stays a gap, or is filled by the new sample
        expect(after.get(minute), `minute ${new Date(minute * 1000).toISOString()}`).toEqual(values);
      }
    } finally {
      await board.stop();
    }
  });
});
