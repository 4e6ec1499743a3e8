/**
 * Engine checkpoints in DuckDB: the engine's state as bytes (server/engine/checkpoint.ts) with
 * the stream sequence it is consistent with — every stored event with stream_seq ≤ that
 * sequence, and no other, had been applied. Start-up restores the newest one and replays only
 * the events stored after it; time travel starts from the newest one at or before its instant.
 *
 * Writes go through a connection of their own: a checkpoint is tens of MB, and the ingest
 * connection must keep committing batches meanwhile (DuckDB's MVCC keeps the two apart; they
 * touch different tables).
 *
 * Each checkpoint's bytes live in a table of their own (`engine_checkpoint_<id>`), dropped with
 * it; `engine_checkpoint_index` lists them. DuckDB 1.5 never gives back the space of a deleted
 * BLOB row while its row group lives (measured: keeping the newest 3 of 6 MB BLOBs in one table
 * grew the file by 12 MB a save, 458 MB after 40 saves), whereas a dropped table's blocks are
 * reused (flat at 19–38 MB). With a save every 5 minutes that was the file's main growth.
 */
import { blobValue, type DuckDBConnection, type DuckDBInstance } from '@duckdb/node-api';

export const CHECKPOINTS_SCHEMA_SQL = [
  `CREATE SEQUENCE IF NOT EXISTS engine_checkpoint_ids`,
  `CREATE TABLE IF NOT EXISTS engine_checkpoint_index (
     id BIGINT PRIMARY KEY,
     stream_seq BIGINT NOT NULL,
     watermark_ms DOUBLE NOT NULL,
     event_count BIGINT NOT NULL,
     created_ms BIGINT NOT NULL,
     format_version INTEGER NOT NULL
   )`,
];

/** The table holding one checkpoint's bytes (ids are whole numbers from the sequence). */
function bytesTable(id: number): string {
  return `engine_checkpoint_${Math.trunc(id)}`;
}

/** The layout before per-checkpoint tables: rows with their BYTES in one table. */
const LEGACY_TABLE = 'engine_checkpoints';

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
  /**
   * Events ever stored with stream_seq ≤ `streamSeq`: those still there plus those retention
   * removed (every checkpoint kept is at or after all of them, see retention.ts). Must equal a
   * checkpoint's event count.
   */
  countEventsThrough(streamSeq: number): Promise<number>;
  /**
   * Retention: drops the checkpoints a replay could no longer start from — stream sequence below
   * `removingThroughSeq` (events after them are about to be removed) — and those with a watermark
   * before `horizonMs`, except the newest `DEFAULT_CHECKPOINT_RETENTION.latest`. Returns how many.
   */
  dropCheckpointsForRetention(horizonMs: number, removingThroughSeq: number): Promise<number>;
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

/**
 * Moves checkpoints of the legacy single table into per-checkpoint tables and drops the legacy
 * table, which gives back the space its deleted BLOBs still held. One transaction.
 */
async function migrateLegacyTable(connection: DuckDBConnection): Promise<void> {
  const exists = (
    await connection.runAndReadAll(
      `SELECT count(*)::DOUBLE FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = '${LEGACY_TABLE}'`,
    )
  ).getRows()[0];
  if (Number(exists?.[0] ?? 0) === 0) return;
  await connection.run('BEGIN TRANSACTION');
  try {
    const ids = (await connection.runAndReadAll(`SELECT id::DOUBLE FROM ${LEGACY_TABLE}`)).getRows();
    for (const [id] of ids) {
      await connection.run(
        `CREATE TABLE ${bytesTable(Number(id))} AS SELECT bytes FROM ${LEGACY_TABLE} WHERE id = ${Number(id)}`,
      );
    }
    await connection.run(
      `INSERT INTO engine_checkpoint_index SELECT id, stream_seq, watermark_ms, event_count, created_ms, format_version FROM ${LEGACY_TABLE}`,
    );
    await connection.run(`DROP TABLE ${LEGACY_TABLE}; COMMIT`);
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Creates the tables (when missing) and a connection of its own on `instance`. */
export async function openCheckpointStore(instance: DuckDBInstance): Promise<CheckpointStore> {
  const connection: DuckDBConnection = await instance.connect();
  for (const sql of CHECKPOINTS_SCHEMA_SQL) await connection.run(sql);
  await migrateLegacyTable(connection);
  let queue: Promise<unknown> = Promise.resolve();
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  }
  let closed = false;

  async function list(): Promise<CheckpointMeta[]> {
    const rows = (
      await connection.runAndReadAll(
        `SELECT ${META_COLUMNS} FROM engine_checkpoint_index ORDER BY stream_seq, id`,
      )
    ).getRows();
    return rows.map(metaOf);
  }

  async function loadWhere(where: string, values: number[]): Promise<StoredCheckpoint | undefined> {
    const rows = (
      await connection.runAndReadAll(
        `SELECT ${META_COLUMNS} FROM engine_checkpoint_index ${where} ORDER BY stream_seq DESC, id DESC LIMIT 1`,
        values,
      )
    ).getRows();
    const row = rows[0];
    if (row === undefined) return undefined;
    const meta = metaOf(row);
    const bytes = (await connection.runAndReadAll(`SELECT bytes FROM ${bytesTable(meta.id)}`)).getRows()[0];
    return { ...meta, bytes: bytesOf(bytes?.[0]) };
  }

  /** Removes checkpoints (index rows and their tables), inside the caller's transaction. */
  async function drop(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await connection.run(
      `DELETE FROM engine_checkpoint_index WHERE id IN (${ids.map(Math.trunc).join(', ')})`,
    );
    for (const id of ids) await connection.run(`DROP TABLE IF EXISTS ${bytesTable(id)}`);
  }

  return {
    saveCheckpoint(streamSeq, bytes, meta = {}) {
      return serial(async () => {
        if (closed) throw new Error('checkpoint store is closed');
        await connection.run('BEGIN TRANSACTION');
        try {
          const next = (
            await connection.runAndReadAll(`SELECT nextval('engine_checkpoint_ids')::DOUBLE`)
          ).getRows()[0];
          const id = Number(next?.[0]);
          await connection.run(`CREATE TABLE ${bytesTable(id)} (bytes BLOB NOT NULL)`);
          await connection.run(`INSERT INTO ${bytesTable(id)} VALUES ($1)`, [blobValue(bytes)]);
          await connection.run(
            `INSERT INTO engine_checkpoint_index (id, stream_seq, watermark_ms, event_count, created_ms, format_version)
             VALUES ($1, $2, $3, $4, $5, $6)`,
            [
              id,
              streamSeq,
              // DuckDB DOUBLE holds ±Infinity; −Infinity means "never advanced".
              meta.watermarkMs ?? Number.NEGATIVE_INFINITY,
              meta.eventCount ?? 0,
              Date.now(),
              bytes[4] ?? 0,
            ],
          );
          const all = await list();
          const keep = checkpointsToKeep(all, meta.retention ?? DEFAULT_CHECKPOINT_RETENTION);
          await drop(all.filter((c) => !keep.has(c.id)).map((c) => c.id));
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
          await connection.runAndReadAll(
            `SELECT (SELECT count(*) FROM events WHERE stream_seq <= $1)::DOUBLE
                  + (SELECT events_with_seq_removed FROM retention_state)::DOUBLE`,
            [streamSeq],
          )
        ).getRows()[0];
        return Number(row?.[0] ?? 0);
      });
    },
    dropCheckpointsForRetention(horizonMs, removingThroughSeq) {
      return serial(async () => {
        if (closed) throw new Error('checkpoint store is closed');
        const newestFirst = (await list()).reverse();
        const doomed = newestFirst
          .filter(
            (meta, index) =>
              meta.streamSeq < removingThroughSeq ||
              (index >= DEFAULT_CHECKPOINT_RETENTION.latest && meta.watermarkMs < horizonMs),
          )
          .map((meta) => meta.id);
        if (doomed.length === 0) return 0;
        await connection.run('BEGIN TRANSACTION');
        try {
          await drop(doomed);
          await connection.run('COMMIT');
        } catch (error) {
          await connection.run('ROLLBACK').catch(() => undefined);
          throw error;
        }
        return doomed.length;
      });
    },
    close() {
      if (closed) return;
      closed = true;
      connection.closeSync();
    },
  };
}
