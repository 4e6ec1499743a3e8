/**
 * Prometheus exposition (prom-client): ingest outcomes and reasons, consumer lag, push tick
 * cost and clients, Node's event-loop lag, and the headline aggregates as gauges so existing
 * Grafana/Prometheus setups can chart and alert on them. Values are read at scrape time from
 * the running stages; nothing here sits on the ingest hot path.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineSnapshot } from './engine/index.ts';
import type { IngestStatus } from './ingest/index.ts';
import type { PushHubStats } from './push/index.ts';

/** Retention as of the last sweep (store/retention.ts); removal counts since the store was created. */
export interface RetentionMetricsSource {
  sweeps: number;
  eventsRemoved: number;
  deadLettersRemoved: number;
  /** Since this process started (checkpoints are few and rotate anyway). */
  checkpointsRemoved: number;
  /** Events before this instant are removed (epoch ms); undefined before the first sweep. */
  horizonMs: number | undefined;
  /** Events older than the horizon still stored, waiting for an engine checkpoint to absorb them. */
  eventsAwaitingCheckpoint: number;
  lastSweepSeconds: number;
  /** The longest step of the last sweep: the most a batch commit could have waited behind it. */
  longestStepSeconds: number;
  /** DuckDB file and WAL size. */
  databaseBytes: number;
}

export interface MetricsSources {
  ingest: () => IngestStatus;
  snapshot: () => EngineSnapshot;
  pushClients: () => number;
  pushStats: () => PushHubStats;
  retention?: () => RetentionMetricsSource;
}

export interface PeakboardMetrics {
  /** Prometheus text format. */
  render(): Promise<string>;
  readonly contentType: string;
  /** Records the cost of one push tick's snapshot, seconds. */
  observeTick(seconds: number): void;
}

export function createMetrics(sources: MetricsSources): PeakboardMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'peakboard_' });

  // Totals are kept by ingest (and survive restarts via DuckDB); the counters mirror them.
  new Counter({
    name: 'peakboard_ingest_events_total',
    help: 'Messages processed by outcome (accepted, duplicate, rejected), since the store was created',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const c = sources.ingest().counts;
      this.reset();
      this.inc({ outcome: 'accepted' }, c.accepted);
      this.inc({ outcome: 'duplicate' }, c.duplicates);
      this.inc({ outcome: 'rejected' }, c.rejected);
    },
  });
  new Counter({
    name: 'peakboard_ingest_rejected_total',
    help: 'Rejected messages (dead letters) by reason',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(sources.ingest().counts.rejectedByReason))
        this.inc({ reason }, n);
    },
  });
  new Gauge({
    name: 'peakboard_ingest_lag_seconds',
    help: 'Age of the oldest message not yet committed (time since last caught up while NATS is unreachable)',
    registers: [registry],
    collect() {
      this.set(sources.ingest().lagSec);
    },
  });
  new Gauge({
    name: 'peakboard_ingest_pending_messages',
    help: 'Messages in the stream not yet committed to DuckDB',
    registers: [registry],
    collect() {
      this.set(sources.ingest().pending);
    },
  });
  new Gauge({
    name: 'peakboard_nats_connected',
    help: '1 when the NATS connection is up',
    registers: [registry],
    collect() {
      this.set(sources.ingest().natsConnected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'peakboard_websocket_clients',
    help: 'Connected WebSocket clients (boards)',
    registers: [registry],
    collect() {
      this.set(sources.pushClients());
    },
  });
  new Counter({
    name: 'peakboard_push_frames_total',
    help: 'Frames broadcast by kind',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const s = sources.pushStats();
      this.reset();
      this.inc({ kind: 'snapshot' }, s.snapshotsBroadcast);
      this.inc({ kind: 'delta' }, s.deltasBroadcast);
      this.inc({ kind: 'heartbeat' }, s.heartbeatsBroadcast);
    },
  });
  new Counter({
    name: 'peakboard_push_slow_skips_total',
    help: 'Frames withheld from slow clients',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.pushStats().slowSkips);
    },
  });
  const retention = sources.retention;
  if (retention !== undefined) {
    new Counter({
      name: 'peakboard_retention_sweeps_total',
      help: 'Retention sweeps run, since the store was created',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(retention().sweeps);
      },
    });
    new Counter({
      name: 'peakboard_retention_removed_total',
      help: 'Rows removed by retention by kind (events, dead_letters since the store was created; checkpoints since start)',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        const r = retention();
        this.reset();
        this.inc({ kind: 'events' }, r.eventsRemoved);
        this.inc({ kind: 'dead_letters' }, r.deadLettersRemoved);
        this.inc({ kind: 'checkpoints' }, r.checkpointsRemoved);
      },
    });
    const retentionGauge = (
      name: string,
      help: string,
      pick: (r: RetentionMetricsSource) => number | undefined,
    ) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          const value = pick(retention());
          this.reset();
          if (value !== undefined) this.set(value);
        },
      });
    retentionGauge(
      'peakboard_retention_horizon_timestamp_seconds',
      'Events with ts before this instant have been removed (start of a business day)',
      (r) => (r.horizonMs === undefined ? undefined : r.horizonMs / 1000),
    );
    retentionGauge(
      'peakboard_retention_events_awaiting_checkpoint',
      'Events older than the horizon kept until an engine checkpoint absorbs them',
      (r) => r.eventsAwaitingCheckpoint,
    );
    retentionGauge(
      'peakboard_retention_last_sweep_seconds',
      'Duration of the last sweep',
      (r) => r.lastSweepSeconds,
    );
    retentionGauge(
      'peakboard_retention_longest_step_seconds',
      'Longest step of the last sweep (the most a batch commit waited behind it)',
      (r) => r.longestStepSeconds,
    );
    retentionGauge('peakboard_retention_database_bytes', 'DuckDB file plus WAL size', (r) => r.databaseBytes);
  }

  const tick = new Histogram({
    name: 'peakboard_push_tick_seconds',
    help: 'Cost of building one channel snapshot for a push tick',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [registry],
  });

  // Headline aggregates, all shops together.
  const chatGauge = (
    name: string,
    help: string,
    pick: (q: EngineSnapshot['chat']['queues'][string]) => number,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['queue'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [queue, aggregates] of Object.entries(latest().chat.queues))
          this.set({ queue }, pick(aggregates));
      },
    });
  // One snapshot per scrape, shared by every gauge of that scrape.
  let cached: { at: number; snapshot: EngineSnapshot } | undefined;
  const latest = (): EngineSnapshot => {
    const now = performance.now();
    if (cached === undefined || now - cached.at > 500) cached = { at: now, snapshot: sources.snapshot() };
    return cached.snapshot;
  };
  chatGauge('peakboard_chat_waiting', 'Open chats waiting for an agent reply', (q) => q.waiting);
  chatGauge(
    'peakboard_chat_unanswered_over_30m',
    'Waiting chats with wait >= 1800 s',
    (q) => q.unansweredOver30m,
  );
  chatGauge('peakboard_chat_oldest_wait_seconds', 'Longest current wait', (q) => q.oldestWaitSec);
  chatGauge('peakboard_chat_agents_online', 'Agents online or busy serving the queue', (q) => q.agentsOnline);
  new Gauge({
    name: 'peakboard_refunds_awaiting_response',
    help: 'Open refunds with no response yet',
    registers: [registry],
    collect() {
      this.set(latest().refunds.awaitingResponse);
    },
  });
  new Gauge({
    name: 'peakboard_refunds_unanswered_over_30m',
    help: 'Refunds awaiting response for >= 1800 s',
    registers: [registry],
    collect() {
      this.set(latest().refunds.unansweredOver30m);
    },
  });
  new Gauge({
    name: 'peakboard_refund_completion_avg_seconds_30d',
    help: 'Average refund completion time over 30 days, by path',
    labelNames: ['path'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [path, p] of Object.entries(latest().refunds.paths)) {
        if (p.avgCompletionSec30d !== null) this.set({ path }, p.avgCompletionSec30d);
      }
    },
  });
  new Gauge({
    name: 'peakboard_staffing_gap_agents',
    help: 'Required minus online agents for the current hour, by queue (positive = short)',
    labelNames: ['queue'],
    registers: [registry],
    collect() {
      this.reset();
      const seen = new Set<string>();
      for (const row of latest().staffing) {
        if (seen.has(row.queue)) continue; // rows come current hour first
        seen.add(row.queue);
        this.set({ queue: row.queue }, row.gap);
      }
    },
  });

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    observeTick: (seconds) => tick.observe(seconds),
  };
}
