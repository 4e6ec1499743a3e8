// The store stage: the only folder that imports DuckDB.
export {
  openStore,
  StoreError,
  type Store,
  type StoredEvent,
  type DeadLetter,
  type IngestTotals,
  type BatchToCommit,
} from './store.ts';
