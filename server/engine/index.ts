// The engine stage: accepted events in, the aggregates of API.md out. Pure: no I/O, no clock.
export {
  createEngine,
  type Engine,
  type EngineOptions,
  type EngineProbe,
  type EngineSnapshot,
  type EngineStaffing,
  type EngineStats,
  type UnansweredItem,
  type UnansweredQuery,
} from './engine.ts';
export { DEFAULT_ALERT_THRESHOLDS, type AlertThresholds } from './alerts.ts';
export { CHECKPOINT_VERSION, CheckpointFormatError, checkpointVersion } from './checkpoint.ts';
export { metricValue } from './metric-value.ts';
export { compareEvents, sameMillisecondRank } from './event-order.ts';
export type * from './aggregates.ts';
