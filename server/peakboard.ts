/**
 * Composition of the stages: embedded NATS (when no NATS_URL), store, admission, engine,
 * ingest, HTTP and push. `startPeakboard` returns the function that stops everything in
 * reverse order; `main.ts` only calls it.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeAccess, loadAlertThresholds, type Config } from './config/index.ts';
import { createEngine, metricValue, type Engine, type EngineSnapshot } from './engine/index.ts';
import {
  CompactIdSet,
  createAdmission,
  createEventClock,
  createWallClock,
  formatInstant,
  SHOP_PATTERN,
  type Clock,
  type PeakEvent,
} from './events/index.ts';
import { startIngest, startNatsServer, type NatsServerProcess, type RunningIngest } from './ingest/index.ts';
import { authorizeUpgrade, createApp, createAuth, listen, type Listening } from './http/index.ts';
import { BadRequestError } from './http/index.ts';
import { startPushHub, type SeriesSample } from './push/index.ts';
import {
  computeStaffingRows,
  DEFAULT_STAFFING_CONFIG,
  StaffingInputError,
  whatIf,
  type StaffingInput,
  type WhatIfRequest,
} from './staffing/index.ts';
import {
  businessDaysBefore,
  nextHorizonChangeMs,
  openStore,
  retentionHorizonMs,
  StoreError,
  type RetentionSweepResult,
  type Store,
  type StoredSeriesSample,
} from './store/index.ts';
import { createSerialQueue, recoverEngine, snapshotsFromStore } from './time-travel.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics, type RetentionMetricsSource } from './metrics.ts';

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

/** The boards' queue-depth charts: one sample a minute over two hours (push/series.ts). */
const SERIES_STEP_SEC = 60;
const SERIES_WINDOW_SEC = 7200;
/** Stored chart samples are kept a little longer than the window, then deleted as new ones come. */
const SERIES_KEEP_MS = (SERIES_WINDOW_SEC + 3600) * 1000;

/** The stored chart samples of the last window, by channel (`''` = all shops), for the hub's seedSeries. */
async function loadSeriesSeeds(store: Store, nowMs: number): Promise<Map<string, SeriesSample[]>> {
  const seeds = new Map<string, SeriesSample[]>();
  for (const stored of await store.loadSeriesSamples(nowMs - SERIES_WINDOW_SEC * 1000, nowMs)) {
    const key = stored.shop ?? '';
    let samples = seeds.get(key);
    if (samples === undefined) seeds.set(key, (samples = []));
    samples.push({
      atSec: stored.atMs / 1000,
      queues: stored.queues,
      refundsAwaiting: stored.refundsAwaiting,
    });
  }
  return seeds;
}

/** Loads every stored id into the dedupe set: the ids of the retained days (see retention below). */
async function loadSeenIds(store: Store): Promise<CompactIdSet> {
  const seen = new CompactIdSet();
  await store.forEachEventId((ids) => {
    for (const id of ids) seen.add(id);
  });
  return seen;
}

export async function startPeakboard(
  config: Config,
  options: PeakboardOptions = {},
): Promise<RunningPeakboard> {
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
    const alertThresholds = loadAlertThresholds(config.alertsFile);
    try {
      mkdirSync(config.dataDir, { recursive: true });
    } catch (error) {
      const why = error instanceof Error && 'code' in error ? String(error.code) : String(error);
      throw new StoreError(`DATA_DIR ${config.dataDir} is not a usable directory: ${why}`);
    }
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

    // The what-if needs the exact staffing input of a snapshot; the engine hands it to the row
    // computer, so the live engine's computer remembers the last one (snapshots are synchronous).
    let lastStaffingInput: StaffingInput | undefined;
    const newEngine = (captureInput: boolean, restoreFrom?: Uint8Array): Engine =>
      createEngine({
        timeZone: config.businessTimeZone,
        alertThresholds,
        staffing: {
          config: DEFAULT_STAFFING_CONFIG,
          compute: (input) => {
            if (captureInput) lastStaffingInput = input;
            return computeStaffingRows(input);
          },
        },
        ...(restoreFrom !== undefined ? { restoreFrom } : {}),
      });
    // Recovery: the newest engine checkpoint plus the events stored after it; a full replay when
    // there is none (or it is from another format version, or does not match the store).
    const recoveryStart = performance.now();
    const recovery = await recoverEngine(store, (restoreFrom) => newEngine(true, restoreFrom));
    const engine = recovery.engine;
    log.info('state rebuilt from DuckDB', {
      path: config.databasePath,
      events: recovery.totalEvents,
      replayed: recovery.replayedEvents,
      checkpointStreamSeq: recovery.checkpoint?.streamSeq ?? null,
      ...(recovery.fallbackReason !== undefined ? { fullReplayBecause: recovery.fallbackReason } : {}),
      lastStreamSeq: totals.lastStreamSeq,
      ms: Math.round(performance.now() - recoveryStart),
    });
    /** Events the live engine has applied (checked against the store when a checkpoint is restored). */
    let appliedEvents = recovery.totalEvents;
    let eventsSinceCheckpoint =
      recovery.checkpoint === undefined ? Number.POSITIVE_INFINITY : recovery.replayedEvents;

    /** The live instant: wall time, or event time (0 before the first event, so nothing is counted). */
    // Never earlier than the last live instant: the engine refuses to go back, and a wall clock can.
    let lastLiveMs = 0;
    const liveNowMs = (): number => {
      const now = clock.mode === 'wall' ? clock.nowMs() : clock.unset ? 0 : clock.nowMs();
      lastLiveMs = Math.max(lastLiveMs, now);
      return lastLiveMs;
    };

    /** The clock instant at which the retention horizon next moves a day (set by the sweeps below). */
    let nextSweepAtMs = Number.NEGATIVE_INFINITY;
    let requestSweep = (): void => {};

    let stateVersion = 0;
    /** True while engine.checkpointAsync() writes; commits meanwhile wait in `heldBack`. */
    let checkpointWriting = false;
    const heldBack: (readonly PeakEvent[])[] = [];
    const applyCommitted = (events: readonly PeakEvent[]): void => {
      for (const event of events) engine.apply(event);
      appliedEvents += events.length;
      eventsSinceCheckpoint += events.length;
      stateVersion += 1;
    };
    const ingest = await startIngest({
      natsUrl,
      stream: config.stream,
      consumer: config.consumer,
      retentionDays: config.retentionDays,
      batchSize: config.batchSize,
      batchMaxWaitMs: config.batchMaxWaitMs,
      lastStreamSeq: totals.lastStreamSeq,
      ...(config.shops !== undefined ? { shops: config.shops } : {}),
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
      onCommitted: (events) => {
        // While a checkpoint is being written (in slices) the engine must not change: hold the
        // events back and apply them, in commit order, once it is done.
        if (clock.nowMs() >= nextSweepAtMs) requestSweep();
        if (checkpointWriting) {
          heldBack.push(events);
          return;
        }
        applyCommitted(events);
      },
      log: (level, message, fields) => log[level](message, fields),
    });
    stops.push(() => ingest.stop());

    // Periodic checkpoints, so that a restart replays minutes of events, not 30 days. Taken from
    // a timer, never inside a commit: between two commits the engine holds exactly the events
    // stored with stream_seq ≤ ingest's lastStreamSeq. engine.checkpointAsync() writes in slices
    // of a few ms with the event loop free in between (a synchronous write of 30 days took
    // seconds: a STALE banner on every board); meanwhile commits are held back (onCommitted) and
    // the push hub gets the last snapshot (liveSnapshot), so the state stays the one at the
    // stream_seq taken. The DuckDB write runs on the store's checkpoint connection.
    const CHECKPOINT_CHECK_MS = 5_000;
    const CHECKPOINT_EVERY_MS = 5 * 60_000;
    const CHECKPOINT_EVERY_EVENTS = 500_000;
    let lastCheckpointMs = performance.now();
    let lastCheckpointSeq = recovery.checkpoint?.streamSeq ?? -1;
    let checkpointInFlight: Promise<void> | undefined;
    const writeCheckpoint = async (streamSeq: number): Promise<void> => {
      const started = performance.now();
      const eventCount = appliedEvents;
      const watermarkMs = engine.watermarkMs;
      checkpointWriting = true;
      let bytes: Uint8Array;
      try {
        bytes = await engine.checkpointAsync();
      } finally {
        checkpointWriting = false;
        for (const events of heldBack.splice(0)) applyCommitted(events);
      }
      const tookMs = Math.round(performance.now() - started);
      lastCheckpointMs = performance.now();
      lastCheckpointSeq = streamSeq;
      eventsSinceCheckpoint = appliedEvents - eventCount;
      await store.saveCheckpoint(streamSeq, bytes, { watermarkMs, eventCount }).then(
        () =>
          log.info('engine checkpoint saved', {
            streamSeq,
            events: eventCount,
            bytes: bytes.byteLength,
            ms: tookMs,
          }),
        (error: unknown) => log.warn('engine checkpoint failed', { error: String(error) }),
      );
    };
    const takeCheckpoint = (): void => {
      if (checkpointInFlight !== undefined) return;
      const streamSeq = ingest.status().lastStreamSeq;
      const due =
        eventsSinceCheckpoint >= CHECKPOINT_EVERY_EVENTS ||
        (performance.now() - lastCheckpointMs >= CHECKPOINT_EVERY_MS && eventsSinceCheckpoint > 0);
      if (!due || streamSeq === lastCheckpointSeq) return;
      checkpointInFlight = writeCheckpoint(streamSeq)
        .catch((error: unknown) => log.warn('engine checkpoint failed', { error: String(error) }))
        .finally(() => (checkpointInFlight = undefined));
    };
    const checkpointTimer = setInterval(takeCheckpoint, CHECKPOINT_CHECK_MS);
    checkpointTimer.unref();
    stops.push(async () => {
      clearInterval(checkpointTimer);
      await checkpointInFlight;
      // A final checkpoint on a graceful stop, so a planned restart replays (almost) nothing:
      // ingest is stopped first (idempotent; its own stop step then does nothing), so the
      // checkpoint holds every committed event. The store closes after this step.
      await ingest.stop();
      const streamSeq = ingest.status().lastStreamSeq;
      if (streamSeq !== lastCheckpointSeq && eventsSinceCheckpoint > 0) await writeCheckpoint(streamSeq);
    });

    // Retention (store/retention.ts): whole business days older than RETENTION_DAYS before the
    // clock leave DuckDB, once per day change of the horizon (and once at start); dead letters by
    // their received time, which is wall time in either clock mode. Their ids leave the dedupe
    // set, so its memory follows the retained window (docs/OPERATIONS.md, Retention).
    const retentionTotals = await store.readRetentionTotals();
    const retention: RetentionMetricsSource = {
      ...retentionTotals,
      checkpointsRemoved: 0,
      horizonMs: undefined,
      eventsAwaitingCheckpoint: 0,
      lastSweepSeconds: 0,
      longestStepSeconds: 0,
      databaseBytes: store.fileBytes(),
    };
    const RETENTION_CHECK_MS = 5_000;
    const RETENTION_RETRY_MS = 60_000;
    let retentionInFlight: Promise<void> | undefined;
    let retentionStopped = false;
    /** The horizons of the last sweep that completed; undefined: sweep at the next check. */
    let sweptEventsBeforeMs: number | undefined;
    let sweptDeadLettersBeforeMs: number | undefined;
    let retryAfter = 0;
    const sweepOnce = (eventsBeforeMs: number, deadLettersBeforeMs: number): Promise<RetentionSweepResult> =>
      store.sweepRetention({
        eventsBeforeMs,
        deadLettersBeforeMs,
        onEventsRemoved: (ids) => {
          for (const id of ids) seen.delete(id);
        },
        cancelled: () => retentionStopped,
      });
    const sweep = async (eventsBeforeMs: number, deadLettersBeforeMs: number): Promise<void> => {
      const started = performance.now();
      let result = await sweepOnce(eventsBeforeMs, deadLettersBeforeMs);
      const first = result;
      // Old events stored after the newest engine checkpoint may only go once one absorbs them.
      if (result.eventsAwaitingCheckpoint > 0 && !retentionStopped) {
        await checkpointInFlight;
        const streamSeq = ingest.status().lastStreamSeq;
        if (streamSeq !== lastCheckpointSeq) {
          checkpointInFlight = writeCheckpoint(streamSeq).finally(() => (checkpointInFlight = undefined));
          await checkpointInFlight;
        }
        const second = await sweepOnce(eventsBeforeMs, deadLettersBeforeMs);
        result = {
          ...second,
          eventsRemoved: first.eventsRemoved + second.eventsRemoved,
          deadLettersRemoved: first.deadLettersRemoved + second.deadLettersRemoved,
          checkpointsRemoved: first.checkpointsRemoved + second.checkpointsRemoved,
          oldestRemovedTsMs: first.oldestRemovedTsMs ?? second.oldestRemovedTsMs,
          steps: first.steps + second.steps,
          longestStepMs: Math.max(first.longestStepMs, second.longestStepMs),
        };
      }
      const ms = Math.round(performance.now() - started);
      Object.assign(retention, await store.readRetentionTotals(), {
        checkpointsRemoved: retention.checkpointsRemoved + result.checkpointsRemoved,
        horizonMs: eventsBeforeMs,
        eventsAwaitingCheckpoint: result.eventsAwaitingCheckpoint,
        lastSweepSeconds: ms / 1000,
        longestStepSeconds: result.longestStepMs / 1000,
        databaseBytes: store.fileBytes(),
      });
      log.info('retention sweep', {
        horizon: formatInstant(eventsBeforeMs, config.businessTimeZone),
        days:
          result.oldestRemovedTsMs === undefined
            ? 0
            : businessDaysBefore(result.oldestRemovedTsMs, eventsBeforeMs, config.businessTimeZone),
        events: result.eventsRemoved,
        deadLetters: result.deadLettersRemoved,
        checkpoints: result.checkpointsRemoved,
        awaitingCheckpoint: result.eventsAwaitingCheckpoint,
        steps: result.steps,
        longestStepMs: result.longestStepMs,
        ms,
        fileBytes: retention.databaseBytes,
        ...(result.fileCheckpointed ? {} : { fileCheckpointed: false }),
      });
    };
    requestSweep = (): void => {
      // An event clock not yet set (an empty store) has nothing to sweep.
      if (retentionInFlight !== undefined || retentionStopped || clock.unset) return;
      if (performance.now() < retryAfter) return;
      const nowMs = clock.nowMs();
      const eventsBeforeMs = retentionHorizonMs(nowMs, config.retentionDays, config.businessTimeZone);
      const deadLettersBeforeMs = retentionHorizonMs(
        Date.now(),
        config.retentionDays,
        config.businessTimeZone,
      );
      if (eventsBeforeMs === sweptEventsBeforeMs && deadLettersBeforeMs === sweptDeadLettersBeforeMs) return;
      nextSweepAtMs = nextHorizonChangeMs(nowMs, config.retentionDays, config.businessTimeZone);
      sweptEventsBeforeMs = eventsBeforeMs;
      sweptDeadLettersBeforeMs = deadLettersBeforeMs;
      retentionInFlight = sweep(eventsBeforeMs, deadLettersBeforeMs)
        .catch((error: unknown) => {
          // Tried again a minute later (a disk-full store must not log every 5 s).
          sweptEventsBeforeMs = undefined;
          sweptDeadLettersBeforeMs = undefined;
          retryAfter = performance.now() + RETENTION_RETRY_MS;
          log.warn('retention sweep failed', { error: String(error) });
        })
        .finally(() => {
          retentionInFlight = undefined;
          // The event clock may have crossed another day meanwhile (a fast replay).
          if (clock.nowMs() >= nextSweepAtMs) setImmediate(requestSweep);
        });
    };
    const retentionTimer = setInterval(requestSweep, RETENTION_CHECK_MS);
    retentionTimer.unref();
    stops.push(async () => {
      retentionStopped = true;
      clearInterval(retentionTimer);
      await retentionInFlight;
    });

    const ingestBlock = () => {
      const s = ingest.status();
      const engineStats = engine.stats();
      return {
        accepted: s.counts.accepted,
        duplicates: s.counts.duplicates,
        rejected: s.counts.rejected,
        lagSec: Math.round(s.lagSec * 1000) / 1000,
        rejectedByReason: s.counts.rejectedByReason,
        pending: s.pending,
        lateEventsDropped: engineStats.lateEventsDropped,
      };
    };

    /** The full aggregates object of API.md, in its key order. */
    const compose = (s: EngineSnapshot, seq: number) => ({
      asOf: s.asOf,
      seq,
      shop: s.shop,
      chat: s.chat,
      refunds: s.refunds,
      staffing: s.staffing,
      alerts: s.alerts,
      ingest: ingestBlock(),
    });
    /** The last live snapshot per scope: served while a checkpoint is being written. */
    const lastLive = new Map<string | null, EngineSnapshot>();
    const liveSnapshot = (shop: string | null): EngineSnapshot => {
      if (checkpointWriting) {
        const last = lastLive.get(shop);
        if (last !== undefined) return last;
      }
      const s = engine.snapshot(liveNowMs(), shop);
      if (lastLive.size >= 256) lastLive.clear(); // any shop a viewer asks for: keep it bounded
      lastLive.set(shop, s);
      return s;
    };
    const timeTravel = createSerialQueue();

    const auth = createAuth({
      viewerToken: config.viewerToken,
      supervisorToken: config.supervisorToken,
      allowedOrigins: config.allowedOrigins,
    });
    const app = createApp({
      auth,
      logError: (message, fields) => log.error(message, fields),
      webRoot: options.webRoot ?? resolve(import.meta.dirname, '..', 'web', 'dist'),
      async snapshot({ shop, atMs }) {
        if (atMs === undefined) return compose(liveSnapshot(shop), stateVersion);
        return timeTravel(async () => {
          let result: EngineSnapshot | undefined;
          await snapshotsFromStore(
            store,
            (restoreFrom) => newEngine(false, restoreFrom),
            [atMs],
            shop,
            (_at, s) => (result = s),
            { fromCheckpoint: true },
          );
          return compose(result as EngineSnapshot, stateVersion);
        });
      },
      async unanswered({ kind, shop, limit }) {
        return { asOfMs: liveNowMs(), items: engine.unanswered({ kind, shop, limit, asOfMs: liveNowMs() }) };
      },
      async history({ metric, fromMs, toMs, stepMs, shop }) {
        const instants: number[] = [];
        for (let t = fromMs; t <= toMs; t += stepMs) instants.push(t);
        const xs: number[] = [];
        const ys: (number | null)[] = [];
        await timeTravel(() =>
          snapshotsFromStore(
            store,
            (restoreFrom) => newEngine(false, restoreFrom),
            instants,
            shop,
            (at, s) => {
              xs.push(at / 1000);
              ys.push(metricValue(s, metric));
            },
            { fromCheckpoint: true },
          ),
        );
        // uPlot's columnar shape: [xs (epoch seconds), ys]; null marks a gap.
        return { metric, shop, stepSec: stepMs / 1000, columns: [xs, ys] };
      },
      async whatIf(body) {
        const request = body as WhatIfRequest & { shop?: unknown };
        if (
          request.shop !== undefined &&
          request.shop !== null &&
          (typeof request.shop !== 'string' || !SHOP_PATTERN.test(request.shop))
        ) {
          throw new BadRequestError('shop must match [A-Za-z0-9_-]{1,64}');
        }
        const shop = typeof request.shop === 'string' ? request.shop : null;
        lastStaffingInput = undefined;
        liveSnapshot(shop);
        if (lastStaffingInput === undefined) throw new BadRequestError('no staffing input available');
        try {
          return whatIf(lastStaffingInput, request);
        } catch (error) {
          if (error instanceof StaffingInputError) throw new BadRequestError(error.message);
          throw error;
        }
      },
      async deadLetters(limit) {
        return {
          items: await store.recentDeadLetters(limit),
          byReason: ingest.status().counts.rejectedByReason,
        };
      },
      async health() {
        const s = ingest.status();
        // A failing commit (disk full, I/O error) means DuckDB is not taking writes, whatever a
        // rolled-back probe says; ingest clears the flag on the next successful commit.
        const duckdbWritable = (await store.probeWritable()) && !s.commitFailing;
        const ok = s.natsConnected && duckdbWritable;
        const lastCommitAgeSec = s.lastCommitMs === undefined ? null : (Date.now() - s.lastCommitMs) / 1000;
        return {
          ok,
          // The board turns STALE past 30 s of lag; a load balancer should stop sending viewers sooner.
          ready: ok && s.consumerActive && s.lagSec < 30,
          nats: { connected: s.natsConnected, consumerActive: s.consumerActive, url: natsUrl },
          duckdb: { path: config.databasePath, writable: duckdbWritable },
          ingest: {
            lastStreamSeq: s.lastStreamSeq,
            streamLastSeq: s.streamLastSeq,
            pending: s.pending,
            lagSec: s.lagSec,
            lastCommitAgeSec,
            lastError: s.lastError ?? null,
          },
          clock: { mode: clock.mode, now: formatInstant(liveNowMs(), config.businessTimeZone) },
        };
      },
      metrics: () => metrics.render(),
    });
    const http: Listening = await listen(app, config.port, config.host);
    const access = describeAccess(config);
    log[access.level](access.message, { host: config.host, port: http.port });
    stops.push(() => http.close());
    // A restarted server redraws the charts of the last two hours from the samples it stored.
    const seriesSeeds = await loadSeriesSeeds(store, liveNowMs());
    let seriesSaveFailing = false;
    const saveSeriesSample = (shop: string | null, sample: SeriesSample): void => {
      const atMs = sample.atSec * 1000;
      const stored: StoredSeriesSample = {
        shop,
        atMs,
        queues: sample.queues,
        refundsAwaiting: sample.refundsAwaiting,
      };
      store.saveSeriesSample(stored, atMs - SERIES_KEEP_MS).then(
        () => (seriesSaveFailing = false),
        (error: unknown) => {
          // Once per failing spell: the charts are a convenience, ingest reports the store's health.
          if (!seriesSaveFailing) log.warn('cannot store a chart sample', { error: String(error) });
          seriesSaveFailing = true;
        },
      );
    };
    const hub = startPushHub({
      server: http.server,
      getSnapshot: liveSnapshotWithIngest,
      seriesStepSec: SERIES_STEP_SEC,
      seriesWindowSec: SERIES_WINDOW_SEC,
      // Once per channel: a shop channel dropped while idle and opened again later starts afresh.
      seedSeries: (shop) => {
        const seeds = seriesSeeds.get(shop ?? '') ?? [];
        seriesSeeds.delete(shop ?? '');
        return seeds;
      },
      onSeriesSample: saveSeriesSample,
      tickMs: config.tickMs,
      authorize: authorizeUpgrade(auth),
      checkOrigin: true,
      allowedOrigins: config.allowedOrigins,
      maxClientsPerIp: config.wsMaxPerIp,
      maxClients: config.wsMaxClients,
      trustProxy: config.trustProxy,
    });
    stops.push(() => hub.stop());
    function liveSnapshotWithIngest(shop: string | null) {
      const started = performance.now();
      const { seq: _seq, ...rest } = compose(liveSnapshot(shop), stateVersion);
      metrics.observeTick((performance.now() - started) / 1000);
      return rest;
    }
    const metrics = createMetrics({
      ingest: () => ingest.status(),
      snapshot: () => liveSnapshot(null),
      pushClients: () => hub.clientCount(),
      pushStats: () => hub.stats(),
      retention: () => retention,
    });
    requestSweep();
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
