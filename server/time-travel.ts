/**
 * "As of T" from stored events: a fresh engine fed the stored events with ts ≤ T, in ts order,
 * snapshotted at each requested instant. The same engine code as the live path, so a
 * time-travel snapshot equals the live one taken at the same instant; backtests do the same
 * from a file.
 */
import { decodeEvent, type PeakEvent } from './events/index.ts';
import type { Engine, EngineSnapshot } from './engine/index.ts';
import type { Store } from './store/index.ts';

/** Feeds stored events (ts ≤ toMs, optionally one shop) to `apply`, in ts order. */
export async function replayStoredEvents(
  store: Store,
  options: { toMs?: number; shop?: string },
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

/**
 * Snapshots of a fresh engine at each instant of `instantsMs` (ascending), for one shop or all.
 * Events are applied in ts order and each snapshot is taken once every event with ts ≤ that
 * instant has been applied.
 */
export async function snapshotsFromStore(
  store: Store,
  createEngine: () => Engine,
  instantsMs: readonly number[],
  shop: string | null,
  onSnapshot: (asOfMs: number, snapshot: EngineSnapshot) => void,
): Promise<void> {
  if (instantsMs.length === 0) return;
  const engine = createEngine();
  let next = 0;
  const lastInstant = instantsMs[instantsMs.length - 1] as number;
  const flushUpTo = (tsMs: number): void => {
    while (next < instantsMs.length && (instantsMs[next] as number) < tsMs) {
      const at = instantsMs[next] as number;
      onSnapshot(at, engine.snapshot(at, shop));
      next += 1;
    }
  };
  await replayStoredEvents(store, { toMs: lastInstant, ...(shop !== null ? { shop } : {}) }, (event) => {
    flushUpTo(event.tsMs);
    engine.apply(event);
  });
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
