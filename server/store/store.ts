/**
 * The DuckDB store: one file, one connection, one writer. Batches are appended with the
 * Appender inside one transaction that also moves `ingest_state`, so a batch is either
 * wholly there (and its stream sequence recorded) or not at all.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { openCheckpointStore, type CheckpointStore } from './checkpoints.ts';
import {
  createRetention,
  type RetentionSweepRequest,
  type RetentionSweepResult,
  type RetentionTotals,
} from './retention.ts';
import { REJECTION_COUNTS_SQL, REJECTION_COUNTS_TABLE, SCHEMA_SQL } from './schema.ts';

/** An accepted event as stored: its identity, time and the raw JSON text it arrived as. */
export interface StoredEvent {
  id: string;
  type: string;
  shop: string;
  tsMs: number;
  payload: string;
  streamSeq: number | null;
}

export interface DeadLetter {
  receivedMs: number;
  streamSeq: number | null;
  subject: string | null;
  reason: string;
  detail: string;
  eventId: string | null;
  /** Raw bytes as received, truncated to 64 KiB. */
  raw: Uint8Array;
}

export interface IngestTotals {
  lastStreamSeq: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
}

export interface BatchToCommit {
  accepted: readonly StoredEvent[];
  deadLetters: readonly DeadLetter[];
  duplicates: number;
  /** The highest stream sequence in the batch (0 when the batch did not come from NATS). */
  lastStreamSeq: number;
}

export class StoreError extends Error {
  override name = 'StoreError';
}

const MAX_RAW_BYTES = 64 * 1024;

/**
 * The batch's rejections by reason as an upsert into the counters (empty when none), ending in
 * `; ` to sit before COMMIT. Reasons are the admission's own codes; quotes are doubled anyway.
 */
function rejectionCountsSql(deadLetters: readonly DeadLetter[]): string {
  if (deadLetters.length === 0) return '';
  const byReason = new Map<string, number>();
  for (const d of deadLetters) byReason.set(d.reason, (byReason.get(d.reason) ?? 0) + 1);
  const values = [...byReason].map(([reason, n]) => `('${reason.replaceAll("'", "''")}', ${n})`).join(', ');
  return (
    `INSERT INTO ingest_rejections VALUES ${values} ` +
    'ON CONFLICT (reason) DO UPDATE SET rejected = rejected + excluded.rejected; '
  );
}
/** One minute of a board channel's queue-depth chart (push/series.ts), as stored. */
export interface StoredSeriesSample {
  /** null: the all-shops channel. */
  shop: string | null;
  atMs: number;
  /** Chat `waiting` per queue. */
  queues: Record<string, number>;
  refundsAwaiting: number;
}

/** Engine checkpoints (checkpoints.ts): save / load latest / load for an instant, and the count check. */
export interface Store extends Omit<CheckpointStore, 'close'> {
  readonly path: string;
  /** Ingest totals: counters kept with each batch, unchanged by retention. */
  readTotals(): Promise<IngestTotals>;
  /** Rows in the events table: the accepted counter minus the events retention removed. */
  countEvents(): Promise<number>;
  /** Largest accepted event ts (epoch ms), to restore an event clock; undefined when empty. */
  maxEventTsMs(): Promise<number | undefined>;
  /** Every stored event id, in chunks, to rebuild the dedupe set. */
  forEachEventId(onChunk: (ids: string[]) => void): Promise<void>;
  /**
   * Streams stored events with ts ≤ `toMs` (all when undefined), ordered by ts then id, in
   * chunks of raw JSON payloads; with `afterStreamSeq`, only those stored after that stream
   * sequence (the tail after a checkpoint).
   */
  forEachEventPayload(
    options: { toMs?: number; shop?: string; afterStreamSeq?: number },
    onChunk: (payloads: string[]) => void,
  ): Promise<void>;
  commitBatch(batch: BatchToCommit): Promise<void>;
  recentDeadLetters(
    limit: number,
  ): Promise<
    { receivedMs: number; subject: string | null; reason: string; detail: string; eventId: string | null }[]
  >;
  /** Writes a tiny row and rolls it back: proves the file is writable now. */
  probeWritable(): Promise<boolean>;
  /**
   * Keeps one chart sample of a board channel, replacing that channel's samples from before
   * `keepFromMs` (the table stays a few hours long) and any at or after the sample's own instant
   * (left by a replay whose event clock was later than this one's).
   */
  saveSeriesSample(sample: StoredSeriesSample, keepFromMs: number): Promise<void>;
  /** The chart samples in [fromMs, toMs], by channel, oldest first. */
  loadSeriesSamples(fromMs: number, toMs: number): Promise<StoredSeriesSample[]>;
  /**
   * Removes events before the horizon (only those a saved engine checkpoint has absorbed), dead
   * letters before theirs and old checkpoints, in short steps between commits (retention.ts).
   */
  sweepRetention(request: RetentionSweepRequest): Promise<RetentionSweepResult>;
  /** What retention removed since the store was created. */
  readRetentionTotals(): Promise<RetentionTotals>;
  /** Size of the DuckDB file and its WAL, bytes (0 for an in-memory store). */
  fileBytes(): number;
  close(): void;
}

/** Opens (creating when missing) the DuckDB file at `path`. Fails clearly when it is locked or unwritable. */
export interface StoreOptions {
  /** DuckDB memory_limit, e.g. '512MB' (default). */
  memoryLimit?: string;
}

export async function openStore(path: string, options: StoreOptions = {}): Promise<Store> {
  let instance: DuckDBInstance;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    instance = await DuckDBInstance.create(path);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new StoreError(`cannot open DuckDB file ${path}: ${why}`);
  }
  const connection: DuckDBConnection = await instance.connect();
  // DuckDB's default (80% of RAM) lets its buffer cache grow with the file over a long night;
  // a bound keeps the process's memory flat. Spills go to a temp directory next to the file.
  await connection.run(`SET memory_limit = '${options.memoryLimit ?? '512MB'}'`);
  for (const sql of SCHEMA_SQL) await connection.run(sql);
  const rejectionCounts = (
    await connection.runAndReadAll(
      `SELECT count(*)::DOUBLE FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = '${REJECTION_COUNTS_TABLE}'`,
    )
  ).getRows()[0];
  if (Number(rejectionCounts?.[0] ?? 0) === 0) {
    await connection.run(`BEGIN TRANSACTION; ${REJECTION_COUNTS_SQL.join('; ')}; COMMIT`);
  }
  const checkpoints: CheckpointStore = await openCheckpointStore(instance);
  let closed = false;
  let eventsAppender: DuckDBAppender | undefined;
  let deadLettersAppender: DuckDBAppender | undefined;
  // One connection, so every operation runs in turn: a read or probe must never land inside
  // another caller's open transaction.
  let queue: Promise<unknown> = Promise.resolve();
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  }

  async function readTotals(): Promise<IngestTotals> {
    const state = (
      await connection.runAndReadAll(
        'SELECT last_stream_seq::DOUBLE AS s, accepted::DOUBLE AS a, duplicates::DOUBLE AS d, rejected::DOUBLE AS r FROM ingest_state',
      )
    ).getRows()[0];
    const reasons = (
      await connection.runAndReadAll('SELECT reason, rejected::DOUBLE FROM ingest_rejections ORDER BY reason')
    ).getRows();
    const rejectedByReason: Record<string, number> = {};
    for (const [reason, count] of reasons) rejectedByReason[String(reason)] = Number(count);
    return {
      lastStreamSeq: Number(state?.[0] ?? 0),
      accepted: Number(state?.[1] ?? 0),
      duplicates: Number(state?.[2] ?? 0),
      rejected: Number(state?.[3] ?? 0),
      rejectedByReason,
    };
  }

  const retention = createRetention({
    connection,
    serial,
    dropCheckpointsForRetention: (horizonMs, throughSeq) =>
      checkpoints.dropCheckpointsForRetention(horizonMs, throughSeq),
  });

  /**
   * Long reads (rebuilds, time travel) get a connection of their own: DuckDB's MVCC lets them
   * see committed batches only, and ingest keeps committing meanwhile.
   */
  async function streamRows(
    sql: string,
    values: (string | number)[],
    onRows: (rows: unknown[][]) => void,
  ): Promise<void> {
    const reader = await instance.connect();
    try {
      const result = await reader.stream(sql, values);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) break;
        onRows(chunk.getRows() as unknown[][]);
      }
    } finally {
      reader.closeSync();
    }
  }

  return {
    path,
    readTotals: () => serial(readTotals),
    countEvents() {
      return serial(async () => {
        const row = (await connection.runAndReadAll('SELECT count(*)::DOUBLE FROM events')).getRows()[0];
        return Number(row?.[0] ?? 0);
      });
    },
    maxEventTsMs() {
      return serial(async () => {
        const row = (await connection.runAndReadAll('SELECT max(ts_ms)::DOUBLE FROM events')).getRows()[0];
        const value = row?.[0];
        return value === null || value === undefined ? undefined : Number(value);
      });
    },
    async forEachEventId(onChunk) {
      await streamRows('SELECT id FROM events', [], (rows) => onChunk(rows.map((r) => String(r[0]))));
    },
    async forEachEventPayload({ toMs, shop, afterStreamSeq }, onChunk) {
      const where: string[] = [];
      const values: (string | number)[] = [];
      if (afterStreamSeq !== undefined) {
        values.push(afterStreamSeq);
        where.push(`stream_seq > $${values.length}`);
      }
      if (toMs !== undefined) {
        values.push(toMs);
        where.push(`ts_ms <= $${values.length}`);
      }
      if (shop !== undefined) {
        values.push(shop);
        where.push(`shop = $${values.length}`);
      }
      const sql = `SELECT payload FROM events ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ts_ms, id`;
      await streamRows(sql, values, (rows) => onChunk(rows.map((r) => String(r[0]))));
    },
    commitBatch(batch) {
      return serial(async () => {
        if (closed) throw new StoreError('store is closed');
        // Two awaits per batch, not five: under load every await waits for a busy event loop,
        // and that wait, not DuckDB, was most of the commit time. Appenders are reused across
        // batches; each flush lands in the open transaction.
        await connection.run('BEGIN TRANSACTION');
        try {
          if (batch.accepted.length > 0) {
            eventsAppender ??= await connection.createAppender('events');
            const appender = eventsAppender;
            for (const e of batch.accepted) {
              appender.appendVarchar(e.id);
              appender.appendVarchar(e.type);
              appender.appendVarchar(e.shop);
              appender.appendBigInt(BigInt(e.tsMs));
              appender.appendVarchar(e.payload);
              if (e.streamSeq === null) appender.appendNull();
              else appender.appendBigInt(BigInt(e.streamSeq));
              appender.endRow();
            }
            eventsAppender.flushSync();
          }
          if (batch.deadLetters.length > 0) {
            deadLettersAppender ??= await connection.createAppender('dead_letters');
            const appender = deadLettersAppender;
            for (const d of batch.deadLetters) {
              appender.appendBigInt(BigInt(d.receivedMs));
              if (d.streamSeq === null) appender.appendNull();
              else appender.appendBigInt(BigInt(d.streamSeq));
              if (d.subject === null) appender.appendNull();
              else appender.appendVarchar(d.subject);
              appender.appendVarchar(d.reason);
              appender.appendVarchar(d.detail);
              if (d.eventId === null) appender.appendNull();
              else appender.appendVarchar(d.eventId);
              appender.appendBlob(
                d.raw.byteLength > MAX_RAW_BYTES ? d.raw.subarray(0, MAX_RAW_BYTES) : d.raw,
              );
              appender.endRow();
            }
            appender.flushSync();
          }
          // Whole numbers we computed ourselves, so inlining them is safe; one round trip with COMMIT.
          const seq = Math.trunc(batch.lastStreamSeq);
          await connection.run(
            `UPDATE ingest_state SET last_stream_seq = greatest(last_stream_seq, ${seq}), ` +
              `accepted = accepted + ${batch.accepted.length}, duplicates = duplicates + ${Math.trunc(batch.duplicates)}, ` +
              `rejected = rejected + ${batch.deadLetters.length}; ${rejectionCountsSql(batch.deadLetters)}COMMIT`,
          );
        } catch (error) {
          await connection.run('ROLLBACK').catch(() => undefined);
          // An appender whose flush failed holds rows of the failed batch: drop it.
          for (const appender of [eventsAppender, deadLettersAppender]) {
            try {
              appender?.clear();
              appender?.closeSync();
            } catch {
              // already unusable
            }
          }
          eventsAppender = undefined;
          deadLettersAppender = undefined;
          throw error;
        }
      });
    },
    recentDeadLetters(limit) {
      return serial(async () => {
        const rows = (
          await connection.runAndReadAll(
            'SELECT received_ms::DOUBLE, subject, reason, detail, event_id FROM dead_letters ORDER BY received_ms DESC LIMIT $1',
            [limit],
          )
        ).getRows();
        return rows.map((r) => ({
          receivedMs: Number(r[0]),
          subject: r[1] === null ? null : String(r[1]),
          reason: String(r[2]),
          detail: String(r[3]),
          eventId: r[4] === null ? null : String(r[4]),
        }));
      });
    },
    probeWritable() {
      return serial(async () => {
        try {
          await connection.run('BEGIN TRANSACTION');
          await connection.run('UPDATE ingest_state SET accepted = accepted');
          await connection.run('ROLLBACK');
          return true;
        } catch {
          await connection.run('ROLLBACK').catch(() => undefined);
          return false;
        }
      });
    },
    saveSeriesSample(sample, keepFromMs) {
      const shop = sample.shop ?? '';
      return serial(async () => {
        await connection.run('DELETE FROM series_samples WHERE shop = $1 AND (at_ms < $2 OR at_ms >= $3)', [
          shop,
          keepFromMs,
          sample.atMs,
        ]);
        await connection.run('INSERT INTO series_samples VALUES ($1, $2, $3, $4)', [
          shop,
          sample.atMs,
          JSON.stringify(sample.queues),
          sample.refundsAwaiting,
        ]);
      });
    },
    loadSeriesSamples(fromMs, toMs) {
      return serial(async () => {
        const rows = (
          await connection.runAndReadAll(
            'SELECT shop, at_ms::DOUBLE, queues, refunds_awaiting::DOUBLE FROM series_samples WHERE at_ms BETWEEN $1 AND $2 ORDER BY shop, at_ms',
            [fromMs, toMs],
          )
        ).getRows();
        return rows.map((r) => ({
          shop: r[0] === '' ? null : String(r[0]),
          atMs: Number(r[1]),
          queues: JSON.parse(String(r[2])) as Record<string, number>,
          refundsAwaiting: Number(r[3]),
        }));
      });
    },
    saveCheckpoint: (streamSeq, bytes, meta) => checkpoints.saveCheckpoint(streamSeq, bytes, meta),
    loadLatestCheckpoint: () => checkpoints.loadLatestCheckpoint(),
    loadCheckpointAtOrBefore: (atMs) => checkpoints.loadCheckpointAtOrBefore(atMs),
    listCheckpoints: () => checkpoints.listCheckpoints(),
    countEventsThrough: (streamSeq) => checkpoints.countEventsThrough(streamSeq),
    dropCheckpointsForRetention: (horizonMs, throughSeq) =>
      checkpoints.dropCheckpointsForRetention(horizonMs, throughSeq),
    sweepRetention(request) {
      if (closed) return Promise.reject(new StoreError('store is closed'));
      return retention.sweep(request);
    },
    readRetentionTotals: () => retention.readTotals(),
    fileBytes() {
      if (path === ':memory:') return 0;
      let bytes = 0;
      for (const file of [path, `${path}.wal`]) {
        try {
          bytes += statSync(file).size;
        } catch {
          // no WAL right after a checkpoint
        }
      }
      return bytes;
    },
    close() {
      if (closed) return;
      closed = true;
      for (const appender of [eventsAppender, deadLettersAppender]) {
        try {
          appender?.closeSync();
        } catch {
          // nothing buffered outside a transaction: every batch flushed before its commit
        }
      }
      checkpoints.close();
      connection.closeSync();
      instance.closeSync();
    },
  };
}
