/**
 * DuckDB tables. `events` keeps every accepted event's raw JSON of the retained days (the truth
 * the engine is rebuilt from); `ingest_state` records, in the same transaction as each batch, the
 * last stream sequence applied, which is what makes redelivery after a crash change nothing, and
 * the ingest totals (counters, never row counts: retention removes rows, the totals stay).
 * `retention_state` records what retention removed (retention.ts).
 */
export const SCHEMA_SQL = [
  `CREATE TABLE IF NOT EXISTS events (
     id VARCHAR NOT NULL,
     type VARCHAR NOT NULL,
     shop VARCHAR NOT NULL,
     ts_ms BIGINT NOT NULL,
     payload VARCHAR NOT NULL,
     stream_seq BIGINT
   )`,
  `CREATE TABLE IF NOT EXISTS dead_letters (
     received_ms BIGINT NOT NULL,
     stream_seq BIGINT,
     subject VARCHAR,
     reason VARCHAR NOT NULL,
     detail VARCHAR NOT NULL,
     event_id VARCHAR,
     raw BLOB NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS ingest_state (
     singleton INTEGER PRIMARY KEY,
     last_stream_seq BIGINT NOT NULL,
     accepted BIGINT NOT NULL,
     duplicates BIGINT NOT NULL,
     rejected BIGINT NOT NULL
   )`,
  `INSERT INTO ingest_state SELECT 1, 0, 0, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM ingest_state)`,
  // What retention removed (retention.ts); events_with_seq_removed keeps checkpoints matching.
  `CREATE TABLE IF NOT EXISTS retention_state (
     singleton INTEGER PRIMARY KEY,
     sweeps BIGINT NOT NULL,
     events_removed BIGINT NOT NULL,
     events_with_seq_removed BIGINT NOT NULL,
     dead_letters_removed BIGINT NOT NULL
   )`,
  `INSERT INTO retention_state SELECT 1, 0, 0, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM retention_state)`,
  // The boards' queue-depth charts, one row per channel ('' = all shops) and minute, so a
  // restarted server redraws the last two hours instead of starting them empty.
  `CREATE TABLE IF NOT EXISTS series_samples (
     shop VARCHAR NOT NULL,
     at_ms BIGINT NOT NULL,
     queues VARCHAR NOT NULL,
     refunds_awaiting BIGINT NOT NULL
   )`,
];

/**
 * Rejections by reason, kept as counters next to `ingest_state` (the dead letters themselves are
 * removed by retention). Created in one transaction with its seed from the dead letters of a
 * store that predates it.
 */
export const REJECTION_COUNTS_TABLE = 'ingest_rejections';
export const REJECTION_COUNTS_SQL = [
  `CREATE TABLE ingest_rejections (reason VARCHAR PRIMARY KEY, rejected BIGINT NOT NULL)`,
  `INSERT INTO ingest_rejections SELECT reason, count(*) FROM dead_letters GROUP BY reason`,
];
