/**
 * DuckDB tables. `events` keeps every accepted event's raw JSON (the truth the engine is
 * rebuilt from); `ingest_state` records, in the same transaction as each batch, the last
 * stream sequence applied, which is what makes redelivery after a crash change nothing.
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
];
