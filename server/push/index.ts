/**
 * push: WebSocket fan-out of the aggregates (snapshot, then coalesced merge-patch deltas) and the
 * chart series the board draws. The only stage besides http/ that imports `ws`.
 */
export { startPushHub } from './hub.ts';
export type { PushHub, PushHubOptions, PushHubStats } from './hub.ts';
export { applyMergePatch, diffMergePatch } from './merge-patch.ts';
export { isOriginAllowed } from './origin.ts';
export type { MergePatchDiff } from './merge-patch.ts';
export type { SeriesSample } from './series.ts';
export type {
  BoardData,
  BoardSeries,
  DeltaFrame,
  HeartbeatFrame,
  ResyncRequest,
  SeriesColumns,
  ServerFrame,
  SnapshotFrame,
} from './protocol.ts';
