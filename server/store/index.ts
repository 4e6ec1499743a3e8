// The store stage: the only folder that imports DuckDB.
export {
  openStore,
  StoreError,
  type Store,
  type StoredEvent,
  type DeadLetter,
  type IngestTotals,
  type BatchToCommit,
  type StoredSeriesSample,
} from './store.ts';
export {
  checkpointsToKeep,
  DEFAULT_CHECKPOINT_RETENTION,
  type CheckpointMeta,
  type CheckpointRetention,
  type StoredCheckpoint,
} from './checkpoints.ts';
export { type RetentionSweepRequest, type RetentionSweepResult, type RetentionTotals } from './retention.ts';
export {
  businessDayStartMs,
  businessDaysBefore,
  nextDayStartMs,
  nextHorizonChangeMs,
  retentionHorizonMs,
} from './retention-horizon.ts';
