/**
 * Scale-out by shop (docs/OPERATIONS.md): two Peakboard instances on one stream, each owning a
 * subset of shops (SHOPS, its own CONSUMER and DATA_DIR), together account for every event
 * exactly once, and each one's figures equal a single instance's figures for its shops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { parseConfig } from '../../server/config/index.ts';
import { startPeakboard, type RunningPeakboard } from '../../server/peakboard.ts';
import { generateLines } from '../../scripts/lib/generator/index.ts';
import { replayFile } from '../../scripts/lib/replay.ts';
import { makeTempDir, startTestNats, type TestNats } from '../helpers/nats.ts';
import { waitFor } from '../helpers/publish.ts';

interface Served {
  chat: unknown;
  refunds: unknown;
  staffing: unknown;
  ingest: { accepted: number; duplicates: number; rejected: number; pending: number };
}

async function snapshot(board: RunningPeakboard, shop?: string): Promise<Served> {
  return (await (await fetch(`${board.url}/api/snapshot${shop ? `?shop=${shop}` : ''}`)).json()) as Served;
}

describe('two instances partitioned by shop on one stream', () => {
  let nats: TestNats;
  const temp = makeTempDir();
  let stored = 0;
  beforeAll(async () => {
    nats = await startTestNats();
    const file = `${temp.dir}/four-shops.ndjson`;
    const lines = [...generateLines({ seed: 5, days: 1, peakDay: '2026-11-11', shops: 4, scale: 0.02 })];
    writeFileSync(file, lines.join('\n') + '\n');
    stored = (await replayFile({ input: file, natsUrl: nats.url, speed: 'max' })).stored;
  });
  afterAll(async () => {
    await nats.dispose();
    temp.remove();
  });

  const start = (name: string, shops?: string) =>
    startPeakboard(
      parseConfig({
        NATS_URL: nats.url,
        DATA_DIR: `${temp.dir}/${name}`,
        PORT: '0',
        CLOCK: 'event',
        CONSUMER: name,
        LOG_LEVEL: 'error',
        ...(shops !== undefined ? { SHOPS: shops } : {}),
      }),
      { webRoot: temp.dir },
    );

  it('should account for every event exactly once across the instances', async () => {
    const west = await start('west', 'shop1,shop2');
    const east = await start('east', 'shop3,shop4');
    const whole = await start('whole');
    try {
      const settled = async (board: RunningPeakboard) =>
        waitFor(async () => {
          const s = await snapshot(board);
          return s.ingest.pending === 0 && board.ingestStatus().lastStreamSeq >= stored ? s : undefined;
        }, 60_000, 'caught up');
      const [w, e, all] = [await settled(west), await settled(east), await settled(whole)];
      expect(w.ingest.accepted).toBeGreaterThan(0);
      expect(e.ingest.accepted).toBeGreaterThan(0);
      expect(w.ingest.accepted + e.ingest.accepted).toBe(all.ingest.accepted);
      expect(w.ingest.duplicates + e.ingest.duplicates).toBe(all.ingest.duplicates);
      // Each partition's figures for its own shop equal the single instance's.
      for (const [board, shop] of [
        [west, 'shop2'],
        [east, 'shop3'],
      ] as const) {
        const part = await snapshot(board, shop);
        const single = await snapshot(whole, shop);
        expect({ chat: part.chat, refunds: part.refunds, staffing: part.staffing }).toEqual({
          chat: single.chat,
          refunds: single.refunds,
          staffing: single.staffing,
        });
      }
    } finally {
      await west.stop();
      await east.stop();
      await whole.stop();
    }
  });
});
