/**
 * The WebSocket wire protocol (API.md "WebSocket /ws?shop="), shared by the hub and the browser.
 * Pure types and functions: no I/O, so the web bundle can import it.
 */
import type { Aggregates } from '../engine/aggregates.ts';

/** One chart's data in uPlot's columnar shape: `columns[0]` = xs (epoch seconds), then one ys per label. */
export interface SeriesColumns {
  labels: string[];
  columns: (number | null)[][];
}

/** History the hub keeps per shop channel so the browser never aggregates (1-minute samples, 2 h). */
export interface BoardSeries {
  stepSec: number;
  /** `waiting` per chat queue; labels are queue names. */
  queueDepth: SeriesColumns;
  /** `refunds.awaitingResponse`; one label, "refunds". */
  refundsAwaiting: SeriesColumns;
}

/** What `data` holds in a snapshot frame: the aggregates (less `seq`, which rides on the frame) plus series. */
export type BoardData = Omit<Aggregates, 'seq'> & { series?: BoardSeries };

export interface SnapshotFrame {
  type: 'snapshot';
  seq: number;
  data: BoardData;
}

/** `data` is a merge patch against the previous frame's state (see server/push/README.md). */
export interface DeltaFrame {
  type: 'delta';
  seq: number;
  data: JsonObject;
}

/** Sent when no other frame went out for `heartbeatMs`, so a client can tell "no change" from "dead". */
export interface HeartbeatFrame {
  type: 'heartbeat';
  seq: number;
}

export type ServerFrame = SnapshotFrame | DeltaFrame | HeartbeatFrame;

export interface ResyncRequest {
  type: 'resync';
}

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}
