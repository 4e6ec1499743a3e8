import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config/index.ts';
import type { EngineSnapshot } from '../../server/engine/index.ts';
import { startPeakboard } from '../../server/peakboard.ts';
import { runBacktest, type BacktestRow } from '../../scripts/lib/backtest/index.ts';
import { replayFile } from '../../scripts/lib/replay.ts';
import { makeTempDir, startTestNats, type TestNats } from '../helpers/nats.ts';
import { waitFor } from '../helpers/publish.ts';
import { dayLines, FIFTEEN_MINUTES_MS, TIME_ZONE } from './fixtures.ts';

interface Served extends EngineSnapshot {
  ingest: {
    accepted: number;
    duplicates: number;
    rejected: number;
    pending: number;
    rejectedByReason: Record<string, number>;
  };
}

/** Alert `since` of these metrics is derived from the data; of the others, it is when first observed. */
const DERIVED_SINCE = /unansweredOver30m$/;

/** The engine's part of a row, with observed alert starts left out (a fresh engine observes once). */
function figures(row: Pick<BacktestRow, 'asOf' | 'shop' | 'chat' | 'refunds' | 'staffing' | 'alerts'>) {
  return {
    asOf: row.asOf,
    shop: row.shop,
    chat: row.chat,
    refunds: row.refunds,
    staffing: row.staffing,
    alerts: row.alerts.map((alert) =>
      DERIVED_SINCE.test(alert.metric) ? alert : { ...alert, since: 'observed' },
    ),
  };
}

describe('backtest against a real server', () => {
  let nats: TestNats;
  const temp = makeTempDir('peakboard-backtest-server-');
  beforeAll(async () => {
    nats = await startTestNats();
  });
  afterAll(async () => {
    await nats.dispose();
    temp.remove();
  });

  it('should produce rows equal to GET /api/snapshot?at= of a server that ingested the same file', async () => {
    const lines = dayLines(0.02);
    const input = join(temp.dir, 'day.ndjson');
    writeFileSync(input, lines.join('\n') + '\n');
    const report = runBacktest(lines, { timeZone: TIME_ZONE, stepMs: FIFTEEN_MINUTES_MS });

    const board = await startPeakboard(
      parseConfig({
        NATS_URL: nats.url,
        DATA_DIR: join(temp.dir, 'server'),
        PORT: '0',
        CLOCK: 'event',
        LOG_LEVEL: 'error',
      }),
      { webRoot: temp.dir },
    );
    try {
      const replay = await replayFile({ input, natsUrl: nats.url, speed: 'max' });
      const snapshot = async (asOf?: string, shop?: string): Promise<Served> => {
        const query = new URLSearchParams();
        if (asOf !== undefined) query.set('at', asOf);
        if (shop !== undefined) query.set('shop', shop);
        const response = await fetch(`${board.url}/api/snapshot?${query}`);
        expect(response.status).toBe(200);
        return (await response.json()) as Served;
      };
      const live = await waitFor(
        async () => {
          const served = await snapshot();
          const seen = served.ingest.accepted + served.ingest.duplicates + served.ingest.rejected;
          return seen >= replay.stored && served.ingest.pending === 0 ? served : undefined;
        },
        60_000,
        'server catch-up',
      );

      // Bad lines: the same verdicts, reason by reason. Re-sends JetStream dropped inside its
      // duplicate window never reached the server; the backtest sees them as duplicates.
      const totals = report.summary.totals;
      expect(live.ingest.accepted).toBe(totals.accepted);
      expect(live.ingest.rejected).toBe(totals.rejected);
      expect(live.ingest.rejectedByReason).toEqual(totals.rejectedByReason);
      expect(live.ingest.duplicates + replay.droppedByStream).toBe(totals.duplicates);

      const chosen = ['T00:15', 'T12:00', 'T20:45', 'T22:30', 'T23:45']
        .map((time) => report.rows.find((row) => row.asOf.includes(time)))
        .concat(report.rows[report.rows.length - 1]);
      for (const row of chosen) {
        expect(row).toBeDefined();
        const served = await snapshot((row as BacktestRow).asOf);
        expect(figures(served)).toEqual(figures(row as BacktestRow));
      }
      // One shop: the server's `?shop=` time travel and `--shop` agree too.
      const shopReport = runBacktest(lines, {
        timeZone: TIME_ZONE,
        stepMs: FIFTEEN_MINUTES_MS,
        shop: 'shop2',
      });
      const evening = shopReport.rows.find((row) => row.asOf.includes('T21:15')) as BacktestRow;
      expect(figures(await snapshot(evening.asOf, 'shop2'))).toEqual(figures(evening));
      expect(Object.values(evening.chat.queues).some((queue) => queue.waiting > 0)).toBe(true);
    } finally {
      await board.stop();
    }
  }, 60_000);
});
