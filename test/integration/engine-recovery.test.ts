/**
 * Start-up recovery from engine checkpoints, against a real DuckDB file (and, for the server,
 * a real nats-server). The store is filled the way ingest fills it — batches with increasing
 * stream sequences, each applied to a live engine after its commit — and a checkpoint is taken
 * between two batches. Restoring it and replaying the tail must give exactly what a full replay
 * of every stored event gives, at several instants; unusable checkpoints (another format
 * version, a store that does not match) must fall back to the full replay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config/index.ts';
import { createEngine, type Engine, type EngineSnapshot } from '../../server/engine/index.ts';
import { decodeEvent, formatInstant, type PeakEvent } from '../../server/events/index.ts';
import { startPeakboard } from '../../server/peakboard.ts';
import { computeStaffingRows, DEFAULT_STAFFING_CONFIG } from '../../server/staffing/index.ts';
import { openStore, type Store, type StoredEvent } from '../../server/store/index.ts';
import { recoverEngine, snapshotsFromStore } from '../../server/time-travel.ts';
import { generateEvents, serializeWireEvent } from '../../scripts/lib/generator/index.ts';
import { makeTempDir, startTestNats, type TestNats } from '../helpers/nats.ts';

const TZ = 'Asia/Shanghai';
const options = { seed: 5, days: 3, peakDay: '2026-11-11', shops: 2, scale: 0.05 } as const;
const BATCH = 500;

function newEngine(restoreFrom?: Uint8Array): Engine {
  return createEngine({
    timeZone: TZ,
    staffing: { compute: computeStaffingRows, config: DEFAULT_STAFFING_CONFIG },
    ...(restoreFrom !== undefined ? { restoreFrom } : {}),
  });
}

interface Line {
  event: PeakEvent;
  payload: string;
}

/** Commits `lines` in batches with stream sequences from `firstSeq`, applying each batch after its commit. */
async function ingestInto(
  store: Store,
  lines: readonly Line[],
  firstSeq: number,
  live: Engine,
): Promise<number> {
  let seq = firstSeq;
  for (let start = 0; start < lines.length; start += BATCH) {
    const batch = lines.slice(start, start + BATCH);
    const accepted: StoredEvent[] = batch.map(({ event, payload }) => ({
      id: event.id,
      type: event.type,
      shop: event.shop,
      tsMs: event.tsMs,
      payload,
      streamSeq: seq++,
    }));
    await store.commitBatch({ accepted, deadLetters: [], duplicates: 0, lastStreamSeq: seq - 1 });
    for (const { event } of batch) live.apply(event);
    // The live clock follows the events (CLOCK=event), as the server's ticks would.
    live.advanceTo(batch[batch.length - 1]?.event.tsMs ?? Number.NEGATIVE_INFINITY);
  }
  return seq;
}

function fullReplay(events: readonly PeakEvent[]): Engine {
  const engine = newEngine();
  for (const event of events) engine.apply(event);
  return engine;
}

function figures(s: EngineSnapshot) {
  return {
    asOf: s.asOf,
    shop: s.shop,
    chat: s.chat,
    refunds: s.refunds,
    staffing: s.staffing,
    alerts: s.alerts,
  };
}

describe('engine recovery from checkpoints (real DuckDB)', () => {
  const temp = makeTempDir();
  const lines: Line[] = [];
  let half = 0;
  let lastMs = 0;

  beforeAll(() => {
    for (const wire of generateEvents(options)) {
      const payload = serializeWireEvent(wire);
      const decoded = decodeEvent(payload);
      if (!decoded.ok) throw new Error(`generator wrote an invalid event: ${decoded.detail}`);
      lines.push({ event: decoded.event, payload });
    }
    half = Math.floor(lines.length * 0.7);
    lastMs = lines.reduce((m, l) => Math.max(m, l.event.tsMs), 0);
  });
  afterAll(() => temp.remove());

  it('should restore checkpoint + tail to exactly the full replay, at several instants', async () => {
    const path = `${temp.dir}/a.duckdb`;
    let store = await openStore(path);
    const live = newEngine();
    let seq = await ingestInto(store, lines.slice(0, half), 1, live);
    // A checkpoint at a commit boundary: after every event with stream_seq ≤ seq − 1.
    await store.saveCheckpoint(seq - 1, live.checkpoint(), {
      watermarkMs: live.watermarkMs,
      eventCount: half,
    });
    seq = await ingestInto(store, lines.slice(half), seq, live);
    store.close();

    store = await openStore(path);
    try {
      const recovery = await recoverEngine(store, newEngine);
      expect(recovery.checkpoint?.streamSeq).toBe(half);
      expect(recovery.fallbackReason).toBeUndefined();
      expect(recovery.replayedEvents).toBe(lines.length - half);
      expect(recovery.totalEvents).toBe(lines.length);
      const reference = fullReplay(lines.map((l) => l.event));
      for (const at of [lastMs, lastMs + 60_000, lastMs + 45 * 60_000]) {
        for (const shop of [null, 'shop1', 'shop2']) {
          const restored = recovery.engine.snapshot(at, shop);
          expect(restored).toEqual(reference.snapshot(at, shop));
          expect(restored).toEqual(live.snapshot(at, shop));
        }
        expect(recovery.engine.unanswered({ kind: 'chat', shop: null, asOfMs: at, limit: 500 })).toEqual(
          reference.unanswered({ kind: 'chat', shop: null, asOfMs: at, limit: 500 }),
        );
      }
    } finally {
      store.close();
    }
  });

  it('should fall back to a full replay for another format version or a store that does not match', async () => {
    const path = `${temp.dir}/b.duckdb`;
    const store = await openStore(path);
    try {
      const live = newEngine();
      await ingestInto(store, lines, 1, live);
      const reference = fullReplay(lines.map((l) => l.event));

      // A checkpoint that claims more events than the store holds through its sequence.
      await store.saveCheckpoint(half, live.checkpoint(), {
        watermarkMs: live.watermarkMs,
        eventCount: half + 1,
      });
      let recovery = await recoverEngine(store, newEngine);
      expect(recovery.checkpoint).toBeUndefined();
      expect(recovery.fallbackReason).toMatch(/store has/);
      expect(recovery.engine.snapshot(lastMs, null)).toEqual(reference.snapshot(lastMs, null));

      // A checkpoint from another format version (the byte after the magic).
      const bytes = live.checkpoint();
      bytes[4] = (bytes[4] ?? 0) + 1;
      await store.saveCheckpoint(lines.length, bytes, {
        watermarkMs: live.watermarkMs,
        eventCount: lines.length,
      });
      recovery = await recoverEngine(store, newEngine);
      expect(recovery.checkpoint).toBeUndefined();
      expect(recovery.fallbackReason).toMatch(/version/);
      expect(recovery.replayedEvents).toBe(lines.length);
      expect(recovery.engine.snapshot(lastMs, null)).toEqual(reference.snapshot(lastMs, null));
      // Only the newest two checkpoints plus the spread ones are kept.
      expect((await store.listCheckpoints()).length).toBeLessThanOrEqual(2 + 4 + 2);
    } finally {
      store.close();
    }
  });

  it('should answer time travel from a checkpoint exactly as from a full replay', async () => {
    const path = `${temp.dir}/c.duckdb`;
    const store = await openStore(path);
    try {
      const live = newEngine();
      let seq = await ingestInto(store, lines.slice(0, half), 1, live);
      const checkpointWatermark = live.watermarkMs;
      await store.saveCheckpoint(seq - 1, live.checkpoint(), {
        watermarkMs: checkpointWatermark,
        eventCount: half,
      });
      seq = await ingestInto(store, lines.slice(half), seq, live);
      const instants = [checkpointWatermark, checkpointWatermark + 7 * 60_000 + 13, lastMs];
      for (const shop of [null, 'shop2']) {
        const fromCheckpoint: EngineSnapshot[] = [];
        const fromEvents: EngineSnapshot[] = [];
        await snapshotsFromStore(store, newEngine, instants, shop, (_at, s) => fromCheckpoint.push(s), {
          fromCheckpoint: true,
        });
        await snapshotsFromStore(store, newEngine, instants, shop, (_at, s) => fromEvents.push(s));
        expect(fromCheckpoint).toEqual(fromEvents);
        expect(fromCheckpoint).toHaveLength(3);
      }
      // Before the checkpoint's watermark there is no usable checkpoint: a full replay answers.
      const early: EngineSnapshot[] = [];
      await snapshotsFromStore(
        store,
        newEngine,
        [checkpointWatermark - 3_600_000],
        null,
        (_at, s) => early.push(s),
        {
          fromCheckpoint: true,
        },
      );
      expect(early[0]).toEqual(
        fullReplay(lines.map((l) => l.event)).snapshot(checkpointWatermark - 3_600_000, null),
      );
    } finally {
      store.close();
    }
  });

  describe('through the server (CLOCK=event)', () => {
    let nats: TestNats;
    beforeAll(async () => {
      nats = await startTestNats();
    });
    afterAll(async () => {
      await nats.dispose();
    });

    it('should start from the stored checkpoint and serve the figures of a full replay', async () => {
      const dir = `${temp.dir}/server`;
      const config = parseConfig({
        NATS_URL: nats.url,
        DATA_DIR: dir,
        PORT: '0',
        CLOCK: 'event',
        LOG_LEVEL: 'error',
      });
      const store = await openStore(config.databasePath);
      const live = newEngine();
      let seq = await ingestInto(store, lines.slice(0, half), 1, live);
      await store.saveCheckpoint(seq - 1, live.checkpoint(), {
        watermarkMs: live.watermarkMs,
        eventCount: half,
      });
      seq = await ingestInto(store, lines.slice(half), seq, live);
      store.close();

      const board = await startPeakboard(config, { webRoot: dir });
      try {
        const response = await fetch(`${board.url}/api/snapshot`);
        const served = (await response.json()) as EngineSnapshot;
        expect(served.asOf).toBe(formatInstant(lastMs, TZ));
        expect(figures(served)).toEqual(
          figures(fullReplay(lines.map((l) => l.event)).snapshot(lastMs, null)),
        );
        const travelled = (await (
          await fetch(`${board.url}/api/snapshot?at=${encodeURIComponent(served.asOf)}&shop=shop1`)
        ).json()) as EngineSnapshot;
        expect(figures(travelled)).toEqual(
          figures(fullReplay(lines.map((l) => l.event)).snapshot(lastMs, 'shop1')),
        );
      } finally {
        await board.stop();
      }
    });
  });
});
