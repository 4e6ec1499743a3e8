/**
 * Composition of the stages: embedded NATS (when no NATS_URL), store, admission, engine,
 * ingest, HTTP and push. `startPeakboard` returns the function that stops everything in
 * reverse order; `main.ts` only calls it.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from './config/index.ts';
import {
  createAdmission,
  createEventClock,
  createWallClock,
  decodeEvent,
  formatInstant,
  type Clock,
  type PeakEvent,
} from './events/index.ts';
import { startIngest, startNatsServer, type NatsServerProcess, type RunningIngest } from './ingest/index.ts';
import { openStore, type Store } from './store/index.ts';
import { createApp, listen, type Listening } from './http/index.ts';
import { createLogger, type Logger } from './log.ts';

export interface RunningPeakboard {
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:8080 */
  url: string;
  natsUrl: string;
  config: Config;
  /** Current ingest status (for the demo's live line and tests). */
  ingestStatus(): ReturnType<RunningIngest['status']>;
  stop(): Promise<void>;
}

export interface PeakboardOptions {
  /** Where the built board lives (default web/dist next to the repository root). */
  webRoot?: string;
  logger?: Logger;
}

/** Loads every stored id into the dedupe set; ids are unique per accepted event forever. */
async function loadSeenIds(store: Store): Promise<Set<string>> {
  const seen = new Set<string>();
  await store.forEachEventId((ids) => {
    for (const id of ids) seen.add(id);
  });
  return seen;
}

/** Replays stored events (ts-ordered) into `apply`; they were validated on the way in. */
export async function replayStoredEvents(
  store: Store,
  options: { toMs?: number; shop?: string },
  apply: (event: PeakEvent) => void,
): Promise<number> {
  let count = 0;
  await store.forEachEventPayload(options, (payloads) => {
    for (const payload of payloads) {
      const decoded = decodeEvent(payload);
      if (decoded.ok) {
        apply(decoded.event);
        count += 1;
      }
    }
  });
  return count;
}

export async function startPeakboard(config: Config, options: PeakboardOptions = {}): Promise<RunningPeakboard> {
  const log = options.logger ?? createLogger(config.logLevel);
  const stops: (() => Promise<void> | void)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        log.error('stop step failed', { error: String(error) });
      }
    }
    stops.length = 0;
  };

  try {
    mkdirSync(config.dataDir, { recursive: true });
    let natsUrl = config.natsUrl;
    if (natsUrl === undefined) {
      const embedded: NatsServerProcess = await startNatsServer({ storeDir: join(config.dataDir, 'nats') });
      natsUrl = embedded.url;
      stops.push(() => embedded.stop());
      log.info('embedded nats-server started', { url: natsUrl, storeDir: embedded.storeDir });
    }

    const store = await openStore(config.databasePath);
    stops.push(() => store.close());
    const totals = await store.readTotals();
    const seen = await loadSeenIds(store);
    const clock: Clock =
      config.clock === 'event' ? createEventClock(await store.maxEventTsMs()) : createWallClock();
    const admission = createAdmission({ clock, maxFutureSec: config.maxFutureSec, seen });
    log.info('store opened', {
      path: config.databasePath,
      events: totals.accepted,
      lastStreamSeq: totals.lastStreamSeq,
    });

    let seq = 0;
    const ingest = await startIngest({
      natsUrl,
      stream: config.stream,
      consumer: config.consumer,
      retentionDays: config.retentionDays,
      batchSize: config.batchSize,
      batchMaxWaitMs: config.batchMaxWaitMs,
      lastStreamSeq: totals.lastStreamSeq,
      counts: {
        accepted: totals.accepted,
        duplicates: totals.duplicates,
        rejected: totals.rejected,
        rejectedByReason: totals.rejectedByReason,
      },
      admission,
      seen,
      clock,
      sink: store,
      onCommitted: () => {
        seq += 1;
      },
      log: (level, message, fields) => log[level](message, fields),
    });
    stops.push(() => ingest.stop());

    const ingestBlock = () => {
      const s = ingest.status();
      return {
        accepted: s.counts.accepted,
        duplicates: s.counts.duplicates,
        rejected: s.counts.rejected,
        lagSec: Math.round(s.lagSec * 1000) / 1000,
        rejectedByReason: s.counts.rejectedByReason,
        pending: s.pending,
      };
    };

    const app = createApp({
      webRoot: options.webRoot ?? resolve(import.meta.dirname, '..', 'web', 'dist'),
      ...(config.supervisorToken !== undefined ? { supervisorToken: config.supervisorToken } : {}),
      async snapshot({ shop, atMs }) {
        const asOfMs = atMs ?? (clock.unset ? Date.now() : clock.nowMs());
        return { asOf: formatInstant(asOfMs, config.businessTimeZone), seq, shop, ingest: ingestBlock() };
      },
      async deadLetters(limit) {
        return { items: await store.recentDeadLetters(limit), byReason: ingest.status().counts.rejectedByReason };
      },
      async health() {
        const s = ingest.status();
        const duckdbWritable = await store.probeWritable();
        return {
          ok: s.natsConnected && duckdbWritable,
          nats: { connected: s.natsConnected, consumerActive: s.consumerActive, url: natsUrl },
          duckdb: { path: config.databasePath, writable: duckdbWritable },
          ingest: {
            lastStreamSeq: s.lastStreamSeq,
            streamLastSeq: s.streamLastSeq,
            pending: s.pending,
            lagSec: s.lagSec,
            lastError: s.lastError ?? null,
          },
        };
      },
    });
    const http: Listening = await listen(app, config.port, config.host);
    stops.push(() => http.close());
    log.info('peakboard listening', { url: http.url, clock: config.clock });

    return {
      url: http.url,
      natsUrl,
      config,
      ingestStatus: () => ingest.status(),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
