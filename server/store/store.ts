/**
 * The DuckDB store: one file, one connection, one writer. Batches are appended with the
 * Appender inside one transaction that also moves `ingest_state`, so a batch is either
 * wholly there (and its stream sequence recorded) or not at all.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  BIGINT,
  DuckDBDataChunk,
  DuckDBInstance,
  VARCHAR,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBValue,
} from '@duckdb/node-api';
import { SCHEMA_SQL } from './schema.ts';

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
/** DuckDB's vector size: a DataChunk holds at most this many rows. */
const CHUNK_ROWS = 2048;
const EVENT_COLUMN_TYPES = [VARCHAR, VARCHAR, VARCHAR, BIGINT, VARCHAR, BIGINT];

/**
 * Appends events column-wise in 2,048-row DataChunks: about 3× the rows/s of one append call
 * per value (DESIGN.md measurements), and the column arrays are reused between chunks.
 */
function appendEventChunks(appender: DuckDBAppender, events: readonly StoredEvent[]): void {
  const columns: DuckDBValue[][] = [[], [], [], [], [], []];
  for (let start = 0; start < events.length; start += CHUNK_ROWS) {
    const end = Math.min(events.length, start + CHUNK_ROWS);
    for (const column of columns) column.length = 0;
    for (let i = start; i < end; i++) {
      const e = events[i] as StoredEvent;
      columns[0]?.push(e.id);
      columns[1]?.push(e.type);
      columns[2]?.push(e.shop);
      columns[3]?.push(BigInt(e.tsMs));
      columns[4]?.push(e.payload);
      columns[5]?.push(e.streamSeq === null ? null : BigInt(e.streamSeq));
    }
    const chunk = DuckDBDataChunk.create(EVENT_COLUMN_TYPES, end - start);
    chunk.setColumns(columns);
    appender.appendDataChunk(chunk);
  }
}

export interface Store {
  readonly path: string;
  readTotals(): Promise<IngestTotals>;
  /** Rows in the events table (for checks: must equal the accepted counter). */
  countEvents(): Promise<number>;
  /** Largest accepted event ts (epoch ms), to restore an event clock; undefined when empty. */
  maxEventTsMs(): Promise<number | undefined>;
  /** Every stored event id, in chunks, to rebuild the dedupe set. */
  forEachEventId(onChunk: (ids: string[]) => void): Promise<void>;
  /**
   * Streams stored events with ts ≤ `toMs` (all when undefined), ordered by ts then id, in
   * chunks of raw JSON payloads.
   */
  forEachEventPayload(
    options: { toMs?: number; shop?: string },
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
  close(): void;
}

/** Opens (creating when missing) the DuckDB file at `path`. Fails clearly when it is locked or unwritable. */
export async function openStore(path: string): Promise<Store> {
  let instance: DuckDBInstance;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    instance = await DuckDBInstance.create(path);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new StoreError(`cannot open DuckDB file ${path}: ${why}`);
  }
  const connection: DuckDBConnection = await instance.connect();
  for (const sql of SCHEMA_SQL) await connection.run(sql);
  let closed = false;
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
      await connection.runAndReadAll(
        'SELECT reason, count(*)::DOUBLE FROM dead_letters GROUP BY reason ORDER BY reason',
      )
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
    async forEachEventPayload({ toMs, shop }, onChunk) {
      const where: string[] = [];
      const values: (string | number)[] = [];
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
        await connection.run('BEGIN TRANSACTION');
        try {
          if (batch.accepted.length > 0) {
            const appender = await connection.createAppender('events');
            appendEventChunks(appender, batch.accepted);
            appender.closeSync();
          }
          if (batch.deadLetters.length > 0) {
            const appender = await connection.createAppender('dead_letters');
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
            appender.closeSync();
          }
          await connection.run(
            `UPDATE ingest_state SET
               last_stream_seq = greatest(last_stream_seq, $1),
               accepted = accepted + $2, duplicates = duplicates + $3, rejected = rejected + $4`,
            [batch.lastStreamSeq, batch.accepted.length, batch.duplicates, batch.deadLetters.length],
          );
          await connection.run('COMMIT');
        } catch (error) {
          await connection.run('ROLLBACK').catch(() => undefined);
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
    close() {
      if (closed) return;
      closed = true;
      connection.closeSync();
      instance.closeSync();
    },
  };
}
