/**
 * "As of T" from stored events: an engine fed the stored events with ts ≤ T, in ts order,
 * snapshotted at each requested instant. The same engine code as the live path, so a
 * time-travel snapshot equals the live one taken at the same instant; backtests do the same
 * from a file.
 *
 * Checkpoints (server/engine/checkpoint.ts, server/store/checkpoints.ts) shorten both this and
 * start-up: restore the engine as it was after every event with stream_seq ≤ S, then apply only
 * the events stored after S. A restored engine is the live engine as it was, so late events
 * are treated exactly as the live engine treated them.
 */
import { CheckpointFormatError, type Engine, type EngineSnapshot } from './engine/index.ts';
import { decodeEvent, type PeakEvent } from './events/index.ts';
import type { Store, StoredCheckpoint } from './store/index.ts';

/** Makes an engine; with `restoreFrom`, one restored from checkpoint bytes (createEngine's option). */
export type EngineFactory = (restoreFrom?: Uint8Array) => Engine;

/** Feeds stored events (ts ≤ toMs, optionally one shop, optionally after a stream sequence) to `apply`, in ts order. */
export async function replayStoredEvents(
  store: Store,
  options: { toMs?: number; shop?: string; afterStreamSeq?: number },
  apply: (event: PeakEvent) => void,
): Promise<number> {
  let count = 0;
  await store.forEachEventPayload(options, (payloads) => {
    for (const payload of payloads) {
      // Stored events were validated on the way in; decoding again only rebuilds the object.
      const decoded = decodeEvent(payload);
      if (decoded.ok) {
        apply(decoded.event);
        count += 1;
      }
    }
  });
  return count;
}

/** Why a stored checkpoint was not used (for the log), or the engine restored from it. */
export type CheckpointRestore =
  { ok: true; engine: Engine; checkpoint: Omit<StoredCheckpoint, 'bytes'> } | { ok: false; reason: string };

/**
 * Restores an engine from `checkpoint`, after checking it still matches the store (as many
 * events with stream_seq ≤ S as it had applied). Any mismatch or an unreadable / other-version
 * checkpoint is reported, not thrown: the caller replays from the events instead.
 */
export async function restoreFromCheckpoint(
  store: Store,
  createEngine: EngineFactory,
  checkpoint: StoredCheckpoint | undefined,
): Promise<CheckpointRestore> {
  if (checkpoint === undefined) return { ok: false, reason: 'no checkpoint stored' };
  const { bytes, ...meta } = checkpoint;
  const stored = await store.countEventsThrough(meta.streamSeq);
  if (stored !== meta.eventCount) {
    return {
      ok: false,
      reason: `checkpoint at stream sequence ${meta.streamSeq} had ${meta.eventCount} events, the store has ${stored}`,
    };
  }
  try {
    return { ok: true, engine: createEngine(bytes), checkpoint: meta };
  } catch (error) {
    if (error instanceof CheckpointFormatError) return { ok: false, reason: error.message };
    throw error;
  }
}

export interface Recovery {
  engine: Engine;
  /** The checkpoint restored, or undefined after a full replay. */
  checkpoint: Omit<StoredCheckpoint, 'bytes'> | undefined;
  /** Why no checkpoint was used (when none was). */
  fallbackReason: string | undefined;
  /** Events applied from the store (the tail after the checkpoint, or all of them). */
  replayedEvents: number;
  /** Events the engine holds in total: the checkpoint's plus the replayed ones. */
  totalEvents: number;
}

/**
 * Start-up: the newest checkpoint plus the events stored after it, or every stored event when
 * there is no usable checkpoint. Either way the engine has applied exactly the stored events.
 */
export async function recoverEngine(store: Store, createEngine: EngineFactory): Promise<Recovery> {
  const restored = await restoreFromCheckpoint(store, createEngine, await store.loadLatestCheckpoint());
  if (restored.ok) {
    const { engine, checkpoint } = restored;
    const replayedEvents = await replayStoredEvents(
      store,
      { afterStreamSeq: checkpoint.streamSeq },
      (event) => engine.apply(event),
    );
    return {
      engine,
      checkpoint,
      fallbackReason: undefined,
      replayedEvents,
      totalEvents: checkpoint.eventCount + replayedEvents,
    };
  }
  const engine = createEngine();
  const replayedEvents = await replayStoredEvents(store, {}, (event) => engine.apply(event));
  return {
    engine,
    checkpoint: undefined,
    fallbackReason: restored.reason,
    replayedEvents,
    totalEvents: replayedEvents,
  };
}

/**
 * Snapshots at each instant of `instantsMs` (ascending), for one shop or all. Events are applied
 * in ts order and each snapshot is taken once every event with ts ≤ that instant has been
 * applied. With `fromCheckpoint`, the engine starts from the newest checkpoint taken at or
 * before the first instant (its watermark ≤ it) and only the events stored after that
 * checkpoint are read; without one (or when it cannot be used), from an empty engine.
 */
export async function snapshotsFromStore(
  store: Store,
  createEngine: EngineFactory,
  instantsMs: readonly number[],
  shop: string | null,
  onSnapshot: (asOfMs: number, snapshot: EngineSnapshot) => void,
  options: { fromCheckpoint?: boolean } = {},
): Promise<void> {
  if (instantsMs.length === 0) return;
  const firstInstant = instantsMs[0] as number;
  const lastInstant = instantsMs[instantsMs.length - 1] as number;
  let engine: Engine | undefined;
  let afterStreamSeq: number | undefined;
  if (options.fromCheckpoint === true) {
    const restored = await restoreFromCheckpoint(
      store,
      createEngine,
      await store.loadCheckpointAtOrBefore(firstInstant),
    );
    if (restored.ok) {
      engine = restored.engine;
      afterStreamSeq = restored.checkpoint.streamSeq;
    }
  }
  const active = engine ?? createEngine();
  let next = 0;
  const flushUpTo = (tsMs: number): void => {
    while (next < instantsMs.length && (instantsMs[next] as number) < tsMs) {
      const at = instantsMs[next] as number;
      onSnapshot(at, active.snapshot(at, shop));
      next += 1;
    }
  };
  await replayStoredEvents(
    store,
    {
      toMs: lastInstant,
      ...(shop !== null ? { shop } : {}),
      ...(afterStreamSeq !== undefined ? { afterStreamSeq } : {}),
    },
    (event) => {
      flushUpTo(event.tsMs);
      active.apply(event);
    },
  );
  flushUpTo(Number.POSITIVE_INFINITY);
}

/** Runs tasks one at a time: time travel is CPU-bound, and one at a time keeps the tick responsive. */
export function createSerialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const result = tail.then(task, task);
    tail = result.catch(() => undefined);
    return result;
  };
}
