/**
 * Engine checkpoints in DuckDB: the engine's state as bytes (server/engine/checkpoint.ts) with
 * the stream sequence it is consistent with — every stored event with stream_seq ≤ that
 * sequence, and no other, had been applied. Start-up restores the newest one and replays only
 * the events stored after it; time travel starts from the newest one at or before its instant.
 *
 * Writes go through a connection of their own: a checkpoint is tens of MB, and the ingest
 * connection must keep committing batches meanwhile (DuckDB's MVCC keeps the two apart; they
 * touch different tables).
 */
import { blobValue, type DuckDBConnection, type DuckDBInstance } from '@duckdb/node-api';

export const CHECKPOINTS_SCHEMA_SQL = [
  `CREATE SEQUENCE IF NOT EXISTS engine_checkpoint_ids`,
  `CREATE TABLE IF NOT EXISTS engine_checkpoints (
     id BIGINT PRIMARY KEY DEFAULT nextval('engine_checkpoint_ids'),
     stream_seq BIGINT NOT NULL,
     watermark_ms DOUBLE NOT NULL,
     event_count BIGINT NOT NULL,
     created_ms BIGINT NOT NULL,
     format_version INTEGER NOT NULL,
     bytes BLOB NOT NULL
   )`,
];

export interface CheckpointMeta {
  id: number;
  /** Every stored event with stream_seq ≤ this was applied; none after it. */
  streamSeq: number;
  /** The engine's watermark when it was taken (epoch ms; −Infinity before any advance). */
  watermarkMs: number;
  /** Events applied in total, to check against the store on restore. */
  eventCount: number;
  createdMs: number;
  /** The checkpoint format version (the byte after the magic). */
  formatVersion: number;
}

export interface StoredCheckpoint extends CheckpointMeta {
  bytes: Uint8Array;
}

/** Which checkpoints survive a save: the newest few, and older ones spread out for time travel. */
export interface CheckpointRetention {
  /** Newest checkpoints kept (by stream sequence). */
  latest: number;
  /** For each of the newest N hours (of watermark) that has checkpoints: its earliest one. */
  hourly: number;
  /** For each of the newest N days (UTC) that has checkpoints: its earliest one. */
  daily: number;
}

/** Two for recovery (the newest may be cut short by a crash), a few for time travel. */
export const DEFAULT_CHECKPOINT_RETENTION: CheckpointRetention = { latest: 2, hourly: 4, daily: 2 };

/**
 * The ids to keep under `retention`. Per hour / day the earliest checkpoint is kept: time travel
 * to an instant in that hour starts from it, and it stays the earliest as newer ones arrive, so
 * the kept set does not churn.
 */
export function checkpointsToKeep(
  all: readonly CheckpointMeta[],
  retention: CheckpointRetention,
): Set<number> {
  const keep = new Set<number>();
  const newestFirst = [...all].sort((a, b) => b.streamSeq - a.streamSeq || b.id - a.id);
  for (const meta of newestFirst.slice(0, retention.latest)) keep.add(meta.id);
  const spread = (bucketMs: number, buckets: number) => {
    const earliest = new Map<number, CheckpointMeta>();
    for (const meta of newestFirst) {
      if (!Number.isFinite(meta.watermarkMs)) continue;
      const bucket = Math.floor(meta.watermarkMs / bucketMs);
      const seen = earliest.get(bucket);
      if (seen === undefined || meta.watermarkMs < seen.watermarkMs) earliest.set(bucket, meta);
    }
    const newestBuckets = [...earliest.keys()].sort((a, b) => b - a).slice(0, buckets);
    for (const bucket of newestBuckets) keep.add((earliest.get(bucket) as CheckpointMeta).id);
  };
  spread(3_600_000, retention.hourly);
  spread(86_400_000, retention.daily);
  return keep;
}

export interface CheckpointStore {
  saveCheckpoint(
    streamSeq: number,
    bytes: Uint8Array,
    meta?: { watermarkMs?: number; eventCount?: number; retention?: CheckpointRetention },
  ): Promise<void>;
  /** The checkpoint with the highest stream sequence, or undefined. */
  loadLatestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /** The newest checkpoint whose watermark is ≤ `atMs` (for time travel), or undefined. */
  loadCheckpointAtOrBefore(atMs: number): Promise<StoredCheckpoint | undefined>;
  listCheckpoints(): Promise<CheckpointMeta[]>;
  /** Stored events with stream_seq ≤ `streamSeq`: must equal a checkpoint's event count. */
  countEventsThrough(streamSeq: number): Promise<number>;
  close(): void;
}

const META_COLUMNS =
  'id::DOUBLE, stream_seq::DOUBLE, watermark_ms, event_count::DOUBLE, created_ms::DOUBLE, format_version';

function metaOf(row: readonly unknown[]): CheckpointMeta {
  return {
    id: Number(row[0]),
    streamSeq: Number(row[1]),
    watermarkMs: Number(row[2]),
    eventCount: Number(row[3]),
    createdMs: Number(row[4]),
    formatVersion: Number(row[5]),
  };
}

function bytesOf(value: unknown): Uint8Array {
  if (value !== null && typeof value === 'object' && 'bytes' in value && value.bytes instanceof Uint8Array) {
    return value.bytes;
  }
  throw new Error('checkpoint bytes are not a BLOB');
}

/** Creates the table (when missing) and a connection of its own on `instance`. */
export async function openCheckpointStore(instance: DuckDBInstance): Promise<CheckpointStore> {
  const connection: DuckDBConnection = await instance.connect();
  for (const sql of CHECKPOINTS_SCHEMA_SQL) await connection.run(sql);
  let queue: Promise<unknown> = Promise.resolve();
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  }
  let closed = false;

  async function list(): Promise<CheckpointMeta[]> {
    const rows = (
      await connection.runAndReadAll(`SELECT ${META_COLUMNS} FROM engine_checkpoints ORDER BY stream_seq, id`)
    ).getRows();
    return rows.map(metaOf);
  }

  async function loadWhere(where: string, values: number[]): Promise<StoredCheckpoint | undefined> {
    const rows = (
      await connection.runAndReadAll(
        `SELECT ${META_COLUMNS}, bytes FROM engine_checkpoints ${where} ORDER BY stream_seq DESC, id DESC LIMIT 1`,
        values,
      )
    ).getRows();
    const row = rows[0];
    return row === undefined ? undefined : { ...metaOf(row), bytes: bytesOf(row[6]) };
  }

  return {
    saveCheckpoint(streamSeq, bytes, meta = {}) {
      return serial(async () => {
        if (closed) throw new Error('checkpoint store is closed');
        await connection.run('BEGIN TRANSACTION');
        try {
          await connection.run(
            `INSERT INTO engine_checkpoints (stream_seq, watermark_ms, event_count, created_ms, format_version, bytes)
             VALUES ($1, $2, $3, $4, $5, $6)`,
            [
              streamSeq,
              // DuckDB DOUBLE holds ±Infinity; −Infinity means "never advanced".
              meta.watermarkMs ?? Number.NEGATIVE_INFINITY,
              meta.eventCount ?? 0,
              Date.now(),
              bytes[4] ?? 0,
              blobValue(bytes),
            ],
          );
          const keep = checkpointsToKeep(await list(), meta.retention ?? DEFAULT_CHECKPOINT_RETENTION);
          const ids = [...keep];
          if (ids.length > 0) {
            await connection.run(`DELETE FROM engine_checkpoints WHERE id NOT IN (${ids.join(', ')})`);
          }
          await connection.run('COMMIT');
        } catch (error) {
          await connection.run('ROLLBACK').catch(() => undefined);
          throw error;
        }
      });
    },
    loadLatestCheckpoint() {
      return serial(() => loadWhere('', []));
    },
    loadCheckpointAtOrBefore(atMs) {
      return serial(() => loadWhere('WHERE watermark_ms <= $1', [atMs]));
    },
    listCheckpoints() {
      return serial(list);
    },
    countEventsThrough(streamSeq) {
      return serial(async () => {
        const row = (
          await connection.runAndReadAll('SELECT count(*)::DOUBLE FROM events WHERE stream_seq <= $1', [
            streamSeq,
          ])
        ).getRows()[0];
        return Number(row?.[0] ?? 0);
      });
    },
    close() {
      if (closed) return;
      closed = true;
      connection.closeSync();
    },
  };
}
