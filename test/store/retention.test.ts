/**
 * Retention in the store: which days go (business-day boundaries), and a sweep against a real
 * DuckDB file — whole days removed, only events a checkpoint has absorbed, checkpoints still
 * matching the store, ingest totals untouched, dead letters and old checkpoints dropped.
 */
import { statSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { formatInstant } from '../../server/events/index.ts';
import {
  businessDaysBefore,
  nextDayStartMs,
  nextHorizonChangeMs,
  openStore,
  retentionHorizonMs,
  type DeadLetter,
  type Store,
  type StoredEvent,
} from '../../server/store/index.ts';
import { makeTempDir } from '../helpers/nats.ts';

const TZ = 'Asia/Shanghai';
const DAY_MS = 86_400_000;
/** 2026-10-01T00:00+08:00, a business-day start. */
const DAY0 = Date.UTC(2026, 8, 30, 16);

describe('retention horizon (business days)', () => {
  it('should keep the day containing now − RETENTION_DAYS and remove the days before it', () => {
    const now = Date.UTC(2026, 10, 23, 5, 19); // 13:19 in Shanghai
    const horizon = retentionHorizonMs(now, 35, TZ);
    expect(formatInstant(horizon, TZ)).toBe('2026-10-19T00:00:00.000+08:00');
    // The day before the horizon ended 35 days and 13 h 19 min ago: at least 35 days.
    expect(now - horizon).toBeGreaterThan(35 * DAY_MS);
    expect(now - (horizon - 1)).toBeGreaterThanOrEqual(35 * DAY_MS);
  });

  it('should remove a day exactly when its end is RETENTION_DAYS old', () => {
    const dayEnd = Date.UTC(2026, 9, 19, 16); // 2026-10-20T00:00+08:00
    expect(retentionHorizonMs(dayEnd + 31 * DAY_MS - 1, 31, TZ)).toBe(dayEnd - DAY_MS);
    expect(retentionHorizonMs(dayEnd + 31 * DAY_MS, 31, TZ)).toBe(dayEnd);
    expect(nextHorizonChangeMs(dayEnd + 31 * DAY_MS - 1, 31, TZ)).toBe(dayEnd + 31 * DAY_MS);
    expect(nextHorizonChangeMs(dayEnd + 31 * DAY_MS, 31, TZ)).toBe(dayEnd + 32 * DAY_MS);
  });

  it('should step whole local days across a DST change', () => {
    const zone = 'Europe/Berlin';
    const oct24 = Date.UTC(2026, 9, 23, 22); // 2026-10-24T00:00+02:00; clocks go back on the 25th
    const oct25 = nextDayStartMs(oct24, zone);
    const oct26 = nextDayStartMs(oct25, zone);
    expect(formatInstant(oct25, zone)).toBe('2026-10-25T00:00:00.000+02:00');
    expect(formatInstant(oct26, zone)).toBe('2026-10-26T00:00:00.000+01:00');
    expect(oct26 - oct25).toBe(25 * 3_600_000);
    expect(businessDaysBefore(oct24 + 5 * 3_600_000, oct26, zone)).toBe(2);
  });

  it('should count the business days a sweep removed', () => {
    expect(businessDaysBefore(DAY0 + 3_600_000, DAY0 + 3 * DAY_MS, TZ)).toBe(3);
    expect(businessDaysBefore(DAY0 + 3 * DAY_MS, DAY0 + 3 * DAY_MS, TZ)).toBe(0);
  });
});

/** `perDay` events on each day of [firstDay, lastDay], ts spread over the day, sequences from `firstSeq`. */
function eventsOfDays(firstDay: number, lastDay: number, perDay: number, firstSeq: number): StoredEvent[] {
  const events: StoredEvent[] = [];
  let seq = firstSeq;
  for (let day = firstDay; day <= lastDay; day++) {
    for (let i = 0; i < perDay; i++) {
      const tsMs = DAY0 + day * DAY_MS + Math.floor((i * DAY_MS) / perDay);
      const id = `d${day}-${i}`;
      const payload = JSON.stringify({
        id,
        type: 'order.paid',
        ts: new Date(tsMs).toISOString(),
        shop: 'shop1',
      });
      events.push({ id, type: 'order.paid', shop: 'shop1', tsMs, payload, streamSeq: seq++ });
    }
  }
  return events;
}

function deadLetter(receivedMs: number, reason: string, streamSeq: number): DeadLetter {
  return {
    receivedMs,
    streamSeq,
    subject: 'ops.order.shop1',
    reason,
    detail: 'test',
    eventId: null,
    raw: new TextEncoder().encode('{bad'),
  };
}

async function commitAll(store: Store, events: readonly StoredEvent[], deadLetters: DeadLetter[] = []) {
  for (let start = 0; start < events.length; start += 5000) {
    const batch = events.slice(start, start + 5000);
    await store.commitBatch({
      accepted: batch,
      deadLetters: start === 0 ? deadLetters : [],
      duplicates: 1,
      lastStreamSeq: batch[batch.length - 1]?.streamSeq ?? 0,
    });
  }
}

async function tsOfStoredEvents(store: Store): Promise<number[]> {
  const ts: number[] = [];
  await store.forEachEventPayload({}, (payloads) => {
    for (const p of payloads) ts.push(Date.parse((JSON.parse(p) as { ts: string }).ts));
  });
  return ts;
}

describe('retention sweep (real DuckDB)', () => {
  const temp = makeTempDir('peakboard-retention-');
  afterAll(() => temp.remove());

  it('should remove whole days a checkpoint absorbed, keep checkpoints matching, and leave the totals alone', async () => {
    const path = `${temp.dir}/sweep.duckdb`;
    let store = await openStore(path);
    try {
      // Days 0–9, 300 events each; day 2 is a peak of 45 000 (several steps). Dead letters on days 0–5.
      const events = [
        ...eventsOfDays(0, 1, 300, 1),
        ...eventsOfDays(2, 2, 45_000, 601),
        ...eventsOfDays(3, 9, 300, 45_601),
      ];
      const deadLetters = [0, 1, 2, 3, 4, 5].map((day) =>
        deadLetter(DAY0 + day * DAY_MS + 1000, day % 2 === 0 ? 'invalid_json' : "bad'quote", 0),
      );
      await commitAll(store, events, deadLetters);
      const seqOf = (day: number) =>
        Math.max(...events.filter((e) => e.tsMs < DAY0 + (day + 1) * DAY_MS).map((e) => e.streamSeq ?? 0));
      // Checkpoints as the engine would take them: after day 1 (watermark day 1), day 6, day 9.
      const checkpointAfter = async (day: number) => {
        const seq = seqOf(day);
        await store.saveCheckpoint(seq, new Uint8Array([1, 2, 3, 4, 1]), {
          watermarkMs: DAY0 + day * DAY_MS + 3_600_000,
          eventCount: events.filter((e) => (e.streamSeq ?? 0) <= seq).length,
        });
        return { seq, eventCount: events.filter((e) => (e.streamSeq ?? 0) <= seq).length };
      };
      const early = await checkpointAfter(1);
      const middle = await checkpointAfter(6);
      const latest = await checkpointAfter(9);
      const totalsBefore = await store.readTotals();
      expect(totalsBefore.rejectedByReason).toEqual({ "bad'quote": 3, invalid_json: 3 });

      const forgotten: string[] = [];
      const horizon = DAY0 + 4 * DAY_MS;
      const result = await store.sweepRetention({
        eventsBeforeMs: horizon,
        deadLettersBeforeMs: DAY0 + 3 * DAY_MS,
        onEventsRemoved: (ids) => forgotten.push(...ids),
      });

      const removed = events.filter((e) => e.tsMs < horizon);
      expect(result.eventsRemoved).toBe(removed.length);
      expect(new Set(forgotten)).toEqual(new Set(removed.map((e) => e.id)));
      expect(result.oldestRemovedTsMs).toBe(DAY0);
      expect(businessDaysBefore(result.oldestRemovedTsMs ?? horizon, horizon, TZ)).toBe(4);
      expect(result.eventsAwaitingCheckpoint).toBe(0);
      expect(result.deadLettersRemoved).toBe(3);
      // The day-1 checkpoint: events after it are removed, a replay from it would miss them.
      expect(result.checkpointsRemoved).toBe(1);
      expect(result.steps).toBeGreaterThan(4);
      expect(result.fileCheckpointed).toBe(true);

      const kept = await tsOfStoredEvents(store);
      expect(kept.length).toBe(events.length - removed.length);
      expect(Math.min(...kept)).toBe(horizon);
      expect(await store.countEvents()).toBe(kept.length);
      // The checkpoints kept still match the store: their events count the removed ones too.
      expect(await store.countEventsThrough(middle.seq)).toBe(middle.eventCount);
      expect(await store.countEventsThrough(latest.seq)).toBe(latest.eventCount);
      expect((await store.listCheckpoints()).map((c) => c.streamSeq)).toEqual([middle.seq, latest.seq]);
      expect(early.seq).toBeLessThan(seqOf(3));
      expect((await store.recentDeadLetters(100)).map((d) => d.receivedMs).sort()).toEqual(
        [3, 4, 5].map((day) => DAY0 + day * DAY_MS + 1000),
      );
      expect(await store.readTotals()).toEqual(totalsBefore);
      expect(await store.readRetentionTotals()).toEqual({
        sweeps: 1,
        eventsRemoved: removed.length,
        deadLettersRemoved: 3,
      });

      // A late event of day 1 arrives after the newest checkpoint: kept until a checkpoint absorbs it.
      const late: StoredEvent = { ...eventsOfDays(1, 1, 1, latest.seq + 1)[0]!, id: 'late-1' };
      await commitAll(store, [late]);
      const again = await store.sweepRetention({ eventsBeforeMs: horizon, deadLettersBeforeMs: DAY0 });
      expect(again.eventsRemoved).toBe(0);
      expect(again.eventsAwaitingCheckpoint).toBe(1);
      await store.saveCheckpoint(late.streamSeq ?? 0, new Uint8Array([1, 2, 3, 4, 1]), {
        watermarkMs: DAY0 + 9 * DAY_MS + 7_200_000,
        eventCount: latest.eventCount + 1,
      });
      const third = await store.sweepRetention({ eventsBeforeMs: horizon, deadLettersBeforeMs: DAY0 });
      expect(third.eventsRemoved).toBe(1);
      // Both older checkpoints precede the late event now removed: only the newest one is left.
      expect(third.checkpointsRemoved).toBe(2);
      expect((await store.listCheckpoints()).map((c) => c.streamSeq)).toEqual([late.streamSeq]);
      expect(await store.countEventsThrough(late.streamSeq ?? 0)).toBe(latest.eventCount + 1);

      // Totals and rejection counts survive a restart.
      const totals = await store.readTotals();
      store.close();
      store = await openStore(path);
      expect(await store.readTotals()).toEqual(totals);
      expect(totals.accepted).toBe(events.length + 1);
      expect(totals.rejectedByReason).toEqual({ "bad'quote": 3, invalid_json: 3 });
    } finally {
      store.close();
    }
  });

  it('should jump over empty years (events dated 1970) instead of walking them a day at a time', async () => {
    const store = await openStore(`${temp.dir}/sparse.duckdb`);
    try {
      const epoch = (id: string, tsMs: number, streamSeq: number): StoredEvent => ({
        id,
        type: 'order.paid',
        shop: 'shop1',
        tsMs,
        payload: JSON.stringify({ id, type: 'order.paid', ts: new Date(tsMs).toISOString(), shop: 'shop1' }),
        streamSeq,
      });
      const events = [
        epoch('e0', 0, 1),
        epoch('e1', 1000, 2),
        epoch('e2', 400 * DAY_MS, 3),
        ...eventsOfDays(0, 3, 100, 4),
      ];
      await commitAll(store, events);
      await store.saveCheckpoint(events.length, new Uint8Array([1, 2, 3, 4, 1]), {
        watermarkMs: DAY0 + 4 * DAY_MS,
        eventCount: events.length,
      });
      const result = await store.sweepRetention({
        eventsBeforeMs: DAY0 + 2 * DAY_MS,
        deadLettersBeforeMs: DAY0,
      });
      expect(result.eventsRemoved).toBe(203);
      expect(result.steps).toBeLessThan(20);
    } finally {
      store.close();
    }
  });

  it('should seed the rejection counters from the dead letters of a store that predates them', async () => {
    const path = `${temp.dir}/old.duckdb`;
    const store = await openStore(path);
    await store.commitBatch({
      accepted: [],
      deadLetters: [
        deadLetter(DAY0, 'bad_ts', 1),
        deadLetter(DAY0, 'bad_ts', 2),
        deadLetter(DAY0, 'oversize', 3),
      ],
      duplicates: 0,
      lastStreamSeq: 3,
    });
    store.close();
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    await connection.run('DROP TABLE ingest_rejections');
    connection.closeSync();
    instance.closeSync();
    const reopened = await openStore(path);
    try {
      expect((await reopened.readTotals()).rejectedByReason).toEqual({ bad_ts: 2, oversize: 1 });
    } finally {
      reopened.close();
    }
  });

  it('should keep the file from growing while days roll through a fixed window', async () => {
    const path = `${temp.dir}/rolling.duckdb`;
    const store = await openStore(path);
    try {
      const window = 4;
      const perDay = 3000;
      let seq = 1;
      const feedDay = async (day: number) => {
        const events = eventsOfDays(day, day, perDay, seq);
        seq += events.length;
        await commitAll(store, events);
        await store.saveCheckpoint(seq - 1, new Uint8Array([1, 2, 3, 4, 1]), {
          watermarkMs: DAY0 + (day + 1) * DAY_MS,
          eventCount: seq - 1,
        });
        await store.sweepRetention({
          eventsBeforeMs: DAY0 + (day + 1 - window) * DAY_MS,
          deadLettersBeforeMs: DAY0,
        });
      };
      for (let day = 0; day < 2 * window; day++) await feedDay(day);
      const afterTwoWindows = store.fileBytes();
      for (let day = 2 * window; day < 5 * window; day++) await feedDay(day);
      const afterFiveWindows = store.fileBytes();
      expect(await store.countEvents()).toBe(window * perDay);
      // Three more windows of data went through; the file holds one window and reuses its blocks.
      expect(afterFiveWindows).toBeLessThanOrEqual(afterTwoWindows * 1.25);
    } finally {
      store.close();
    }
  });

  it('should keep the file flat while engine checkpoints are saved and rotated', async () => {
    const path = `${temp.dir}/checkpoints.duckdb`;
    const store = await openStore(path);
    try {
      // 2 MB of incompressible bytes, like a serialized engine.
      const bytes = new Uint8Array(2_000_000);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.imul(i, 2654435761) >>> 24) & 0xff;
      const save = (n: number) =>
        store.saveCheckpoint(n, bytes, { watermarkMs: DAY0 + n * 60_000, eventCount: 0 });
      for (let n = 1; n <= 10; n++) await save(n);
      // The database file itself; the WAL comes and goes with DuckDB's automatic checkpoints.
      const afterTen = statSync(path).size;
      let largest = afterTen;
      for (let n = 11; n <= 40; n++) {
        await save(n);
        largest = Math.max(largest, statSync(path).size);
      }
      // Rotation keeps a handful; their space is reused: measured 8–14 MB throughout, where one
      // table of BLOB rows grew by a checkpoint per save (over 80 MB here).
      expect((await store.listCheckpoints()).length).toBeLessThanOrEqual(8);
      expect(largest).toBeLessThanOrEqual(Math.max(afterTen, 10_000_000) * 2);
      const latest = await store.loadLatestCheckpoint();
      expect(latest?.streamSeq).toBe(40);
      expect(Buffer.from(latest?.bytes ?? []).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      store.close();
    }
  });

  it('should move checkpoints of the single-table layout into their own tables', async () => {
    const path = `${temp.dir}/legacy.duckdb`;
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    await connection.run(`CREATE SEQUENCE engine_checkpoint_ids START 5`);
    await connection.run(`CREATE TABLE engine_checkpoints (
      id BIGINT PRIMARY KEY DEFAULT nextval('engine_checkpoint_ids'), stream_seq BIGINT NOT NULL,
      watermark_ms DOUBLE NOT NULL, event_count BIGINT NOT NULL, created_ms BIGINT NOT NULL,
      format_version INTEGER NOT NULL, bytes BLOB NOT NULL)`);
    await connection.run(
      `INSERT INTO engine_checkpoints (stream_seq, watermark_ms, event_count, created_ms, format_version, bytes)
       VALUES (10, 1000, 0, 1, 1, '\\x50\\x42\\x45\\x43\\x01'::BLOB), (20, 2000, 0, 2, 1, '\\x50\\x42\\x45\\x43\\x01\\x07'::BLOB)`,
    );
    connection.closeSync();
    instance.closeSync();
    const store = await openStore(path);
    try {
      expect((await store.listCheckpoints()).map((c) => [c.id, c.streamSeq, c.watermarkMs])).toEqual([
        [5, 10, 1000],
        [6, 20, 2000],
      ]);
      expect(Array.from((await store.loadLatestCheckpoint())?.bytes ?? [])).toEqual([
        0x50, 0x42, 0x45, 0x43, 1, 7,
      ]);
      await store.saveCheckpoint(30, new Uint8Array([0x50, 0x42, 0x45, 0x43, 1]), { watermarkMs: 3000 });
      expect((await store.listCheckpoints()).map((c) => c.id)).toContain(7);
    } finally {
      store.close();
    }
  });
});
