/**
 * NATS JetStream → admission → DuckDB, with an exactly-once effect:
 * messages are batched (≤ batchSize or batchMaxWaitMs), admitted in stream order, committed in
 * one DuckDB transaction together with the batch's last stream sequence, and only then acked
 * (ack-all on the last message). On any restart the consumer is recreated just after the last
 * committed sequence, so redelivery changes nothing.
 */
import { isUtf8 } from 'node:buffer';
import {
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Admission, Clock, PeakEvent, RejectReason, SeenIds } from '../events/index.ts';
import { readAckSubject, type AckSubjectFacts } from './ack-subject.ts';
import { ensureStream, recreateConsumer } from './jetstream-setup.ts';

/** What ingest needs from the store (the store stage implements it; main wires them). */
export interface IngestSink {
  commitBatch(batch: {
    accepted: {
      id: string;
      type: string;
      shop: string;
      tsMs: number;
      payload: string;
      streamSeq: number | null;
    }[];
    deadLetters: {
      receivedMs: number;
      streamSeq: number | null;
      subject: string | null;
      reason: string;
      detail: string;
      eventId: string | null;
      raw: Uint8Array;
    }[];
    duplicates: number;
    lastStreamSeq: number;
  }): Promise<void>;
}

export interface IngestCountsState {
  accepted: number;
  duplicates: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
}

export interface IngestOptions {
  natsUrl: string;
  stream: string;
  consumer: string;
  retentionDays: number;
  batchSize: number;
  batchMaxWaitMs: number;
  /** Last stream sequence DuckDB holds (from the store at start). */
  lastStreamSeq: number;
  /** Totals so far (from the store at start); ingest keeps them current. */
  counts: IngestCountsState;
  admission: Admission;
  seen: SeenIds;
  clock: Clock;
  sink: IngestSink;
  /** Called after each commit with the newly accepted events, in stream order. */
  onCommitted: (events: PeakEvent[]) => void;
  /**
   * The shops this instance owns (a partition of the stream); undefined = every shop. Messages of
   * other shops are read past without effect, so the committed sequence still moves through the
   * whole stream and lag stays exact (server-side multi-subject filters need nats-server 2.10+).
   */
  shops?: readonly string[];
  /** Wall clock for received times and lag; injectable for tests. */
  now?: () => number;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export interface IngestStatus {
  natsConnected: boolean;
  consumerActive: boolean;
  lastStreamSeq: number;
  streamLastSeq: number;
  /** Messages in the stream not yet committed. */
  pending: number;
  /** Seconds since the oldest uncommitted message was published (0 when caught up). */
  lagSec: number;
  /** Wall time of the last commit, epoch ms (undefined before the first). */
  lastCommitMs: number | undefined;
  lastError: string | undefined;
  /** True while DuckDB commits fail (disk full, I/O error): figures are not advancing. */
  commitFailing: boolean;
  counts: IngestCountsState;
}

export interface RunningIngest {
  status(): IngestStatus;
  /** Stops consuming, commits and acks what is buffered, closes the connection. */
  stop(): Promise<void>;
}

const utf8 = new TextDecoder('utf-8');
const WATCHDOG_MS = 1_000;
/** No progress for this long while the stream has more: the consumer is recreated. */
const STALL_MS = 10_000;

/**
 * Fills `into` from the message's reply subject (the client's implementation exposes it; its
 * `info` getter allocates per message); falls back to the public `info` if that ever changes.
 */
function readDelivery(m: JsMsg, into: AckSubjectFacts): void {
  const reply = (m as JsMsg & { readonly reply?: unknown }).reply;
  if (typeof reply === 'string' && readAckSubject(reply, into)) return;
  into.deliveryCount = m.info.deliveryCount;
  into.streamSeq = m.info.streamSequence;
  into.deliverySeq = m.info.deliverySequence;
}

export async function startIngest(options: IngestOptions): Promise<RunningIngest> {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const { admission, seen, clock, sink, counts } = options;
  const ownedShops = options.shops === undefined ? undefined : new Set(options.shops);

  const nc: NatsConnection = await connect({
    servers: options.natsUrl.split(','),
    name: 'peakboard-ingest',
    noAsyncTraces: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  });
  let natsConnected = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        natsConnected = false;
        log('warn', 'NATS disconnected');
      } else if (s.type === 'reconnect') {
        natsConnected = true;
        log('info', 'NATS reconnected');
      }
    }
  })();

  const jsm: JetStreamManager = await jetstreamManager(nc);
  await ensureStream(jsm, { stream: options.stream, retentionDays: options.retentionDays });
  const js = jetstream(nc);

  let lastStreamSeq = options.lastStreamSeq;
  /** Highest sequence taken into the buffer; anything at or below it is a redelivery. */
  let highestBufferedSeq = lastStreamSeq;
  /** Consumer delivery sequence of the last message taken, to notice deliveries lost in flight. */
  let lastDelivery: number | undefined;
  let buffer: JsMsg[] = [];
  /** Stream sequence of each message in `buffer` (read once from its reply subject). */
  let bufferSeqs: number[] = [];
  const delivered: AckSubjectFacts = { deliveryCount: 0, streamSeq: 0, deliverySeq: 0 };
  let flushTimer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  let messages: ConsumerMessages | undefined;
  let generation = 0;
  let stopped = false;
  let restarting = false;
  let streamLastSeq = lastStreamSeq;
  let lagSec = 0;
  let lastCommitMs: number | undefined;
  let lastProgressMs = now();
  let lastError: string | undefined;
  /** The last DuckDB commit failed (disk full, I/O error) and none has succeeded since. */
  let commitFailing = false;

  function scheduleFlush(): void {
    if (buffer.length >= options.batchSize) {
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      flushTimer = undefined;
      queueFlush();
    } else if (flushTimer === undefined) {
      flushTimer = setTimeout(() => {
        flushTimer = undefined;
        queueFlush();
      }, options.batchMaxWaitMs);
    }
  }

  function queueFlush(): void {
    flushing = flushing.then(admitNextBatch).catch(() => undefined);
  }

  /**
   * Batches admitted and handed to DuckDB but not yet acknowledged, oldest first. Up to two are in
   * flight so admission of batch k+1 (JS) overlaps the commit of batch k (DuckDB's own thread).
   */
  interface InFlightBatch {
    accepted: PeakEvent[];
    clockBefore: number;
    last: JsMsg;
    lastSeq: number;
    duplicates: number;
    rejected: number;
    rejectedByReason: Partial<Record<RejectReason, number>>;
    committed: Promise<void>;
  }
  const inFlight: InFlightBatch[] = [];
  let completion: Promise<void> = Promise.resolve();
  let lastCommitted: Promise<void> = Promise.resolve();
  const MAX_IN_FLIGHT = 2;

  async function admitNextBatch(): Promise<void> {
    if (buffer.length === 0) return;
    const oldest = inFlight[0];
    if (inFlight.length >= MAX_IN_FLIGHT && oldest !== undefined)
      await oldest.committed.catch(() => undefined);
    await completionSettled(MAX_IN_FLIGHT - 1);
    if (buffer.length === 0) return;
    const myGeneration = generation;
    const batch = buffer.slice(0, options.batchSize);
    const seqs = bufferSeqs.slice(0, batch.length);
    buffer = buffer.slice(batch.length);
    bufferSeqs = bufferSeqs.slice(batch.length);
    const clockBefore = clock.nowMs();
    const accepted: PeakEvent[] = [];
    const stored: Parameters<IngestSink['commitBatch']>[0]['accepted'] = [];
    const deadLetters: Parameters<IngestSink['commitBatch']>[0]['deadLetters'] = [];
    const rejectedByReason: Partial<Record<RejectReason, number>> = {};
    let duplicates = 0;
    const receivedMs = now();
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i]!;
      const seq = seqs[i]!;
      if (ownedShops !== undefined && !ownedShops.has(m.subject.slice(m.subject.lastIndexOf('.') + 1)))
        continue;
      // isUtf8 is a native scan; a fatal decoder's throw per bad message would cost far more.
      const text = isUtf8(m.data) ? utf8.decode(m.data) : undefined;
      const result = admission.admit(text ?? m.data, m.subject);
      if (result.outcome === 'accepted') {
        accepted.push(result.event);
        stored.push({
          id: result.event.id,
          type: result.event.type,
          shop: result.event.shop,
          tsMs: result.event.tsMs,
          payload: text ?? '',
          streamSeq: seq,
        });
      } else if (result.outcome === 'duplicate') {
        duplicates += 1;
      } else {
        rejectedByReason[result.reason] = (rejectedByReason[result.reason] ?? 0) + 1;
        deadLetters.push({
          receivedMs,
          streamSeq: seq,
          subject: m.subject,
          reason: result.reason,
          detail: result.detail,
          eventId: result.id ?? null,
          raw: m.data,
        });
      }
    }
    const last = batch[batch.length - 1];
    const lastSeq = seqs[seqs.length - 1];
    if (last === undefined || lastSeq === undefined) return;
    const entry: InFlightBatch = {
      accepted,
      clockBefore,
      last,
      lastSeq,
      duplicates,
      rejected: deadLetters.length,
      rejectedByReason,
      // A batch commits only after the one before it did: after a failure nothing later lands.
      committed: lastCommitted.then(() =>
        sink.commitBatch({ accepted: stored, deadLetters, duplicates, lastStreamSeq: lastSeq }),
      ),
    };
    lastCommitted = entry.committed;
    inFlight.push(entry);
    completion = completion.then(() => finishBatch(entry, myGeneration));
    if (buffer.length >= options.batchSize) queueFlush();
    else if (buffer.length > 0) scheduleFlush();
  }

  /** Resolves once at most `maxPending` batches remain in flight. */
  async function completionSettled(maxPending: number): Promise<void> {
    while (inFlight.length > maxPending) {
      const head = inFlight[0];
      if (head === undefined) return;
      await head.committed.catch(() => undefined);
      await completion;
    }
  }

  async function finishBatch(entry: InFlightBatch, batchGeneration: number): Promise<void> {
    try {
      await entry.committed;
    } catch (error) {
      // Undo admission of this batch and every later one still in flight, newest first, so the
      // redelivered messages are admitted again rather than taken for duplicates.
      const failed = inFlight.splice(0, inFlight.length);
      for (const b of failed.reverse()) {
        for (const e of b.accepted) seen.delete(e.id);
        clock.restore(b.clockBefore);
      }
      buffer = [];
      bufferSeqs = [];
      lastError = error instanceof Error ? error.message : String(error);
      commitFailing = true;
      log('error', 'batch commit failed; resuming from the last committed sequence', { error: lastError });
      void restartConsumer('commit failed');
      return;
    }
    inFlight.shift();
    commitFailing = false;
    if (batchGeneration === generation) entry.last.ack();
    lastStreamSeq = Math.max(lastStreamSeq, entry.lastSeq);
    lastCommitMs = now();
    lastProgressMs = lastCommitMs;
    lastError = undefined;
    counts.accepted += entry.accepted.length;
    counts.duplicates += entry.duplicates;
    counts.rejected += entry.rejected;
    for (const [reason, n] of Object.entries(entry.rejectedByReason)) {
      counts.rejectedByReason[reason] = (counts.rejectedByReason[reason] ?? 0) + n;
    }
    if (entry.accepted.length > 0) options.onCommitted(entry.accepted);
  }

  async function startConsuming(): Promise<void> {
    await recreateConsumer(jsm, {
      stream: options.stream,
      consumer: options.consumer,
      startSeq: lastStreamSeq + 1,
      maxAckPending: options.batchSize * 4,
    });
    const consumer = await js.consumers.get(options.stream, options.consumer);
    const myGeneration = ++generation;
    highestBufferedSeq = lastStreamSeq;
    lastDelivery = undefined;
    messages = await consumer.consume({
      max_messages: options.batchSize * 2,
      callback: (m) => {
        if (myGeneration !== generation || stopped) return;
        // Deliveries are numbered by the consumer. A jump means messages were delivered but lost
        // on the way (a NATS restart, a dropped connection): acking past them (ack-all) would
        // lose them for good, so start again just after the last committed sequence. A jump in
        // the stream sequence alone is fine: those messages were deleted from the stream.
        readDelivery(m, delivered);
        const delivery = delivered.deliverySeq;
        if (lastDelivery !== undefined && delivery !== lastDelivery + 1 && delivered.deliveryCount <= 1) {
          log(
            'warn',
            `delivery gap (${lastDelivery} → ${delivery}); resuming after sequence ${lastStreamSeq}`,
          );
          void restartConsumer('delivery gap');
          return;
        }
        lastDelivery = delivery;
        if (delivered.streamSeq <= highestBufferedSeq) return;
        highestBufferedSeq = delivered.streamSeq;
        buffer.push(m);
        bufferSeqs.push(delivered.streamSeq);
        scheduleFlush();
      },
    });
    const watched = messages;
    void (async () => {
      for await (const s of watched.status()) {
        if (
          s.type === 'consumer_deleted' ||
          s.type === 'consumer_not_found' ||
          s.type === 'stream_not_found'
        ) {
          log('warn', `consumer lost (${s.type}); recreating it after sequence ${lastStreamSeq}`);
          void restartConsumer(s.type);
          return;
        }
      }
    })();
  }

  async function restartConsumer(why: string): Promise<void> {
    if (restarting || stopped) return;
    restarting = true;
    try {
      generation += 1;
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      flushTimer = undefined;
      await messages?.close().catch(() => undefined);
      messages = undefined;
      await flushing.catch(() => undefined);
      await completion.catch(() => undefined);
      buffer = [];
      bufferSeqs = [];
      lastCommitted = Promise.resolve();
      for (let attempt = 0; !stopped; attempt++) {
        try {
          await ensureStream(jsm, { stream: options.stream, retentionDays: options.retentionDays });
          await startConsuming();
          log('info', `consumer recreated at sequence ${lastStreamSeq + 1} (${why})`);
          lastProgressMs = now();
          return;
        } catch (error) {
          lastError = error instanceof Error ? error.message : String(error);
          await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** attempt)));
        }
      }
    } finally {
      restarting = false;
    }
  }

  await startConsuming();

  // Watchdog: measures lag from the stream itself and recreates a consumer that stopped
  // delivering while the stream has more (never stall silently at max_ack_pending or after a
  // NATS restart that lost the consumer's state).
  /** Last instant ingest was known to be caught up with the stream (for lag while NATS is unreachable). */
  let caughtUpAtMs = now();
  let streamReachable = true;
  const watchdog = setInterval(() => {
    void (async () => {
      if (stopped) return;
      if (!natsConnected) {
        streamReachable = false;
        return;
      }
      try {
        const info = await jsm.streams.info(options.stream);
        streamReachable = true;
        streamLastSeq = info.state.last_seq;
        if (streamLastSeq > lastStreamSeq && info.state.messages > 0) {
          const firstPending = await jsm.streams.getMessage(options.stream, {
            seq: Math.max(lastStreamSeq + 1, info.state.first_seq),
          });
          lagSec =
            firstPending === null ? 0 : Math.max(0, (now() - Date.parse(firstPending.timestamp)) / 1000);
          if (now() - lastProgressMs > STALL_MS && !restarting) void restartConsumer('stalled');
        } else {
          lagSec = 0;
          lastProgressMs = now();
          caughtUpAtMs = lastProgressMs;
        }
      } catch {
        // The stream may be briefly unavailable during a NATS restart; the next round retries.
        streamReachable = false;
      }
    })();
  }, WATCHDOG_MS);

  return {
    status() {
      const pending = Math.max(0, streamLastSeq - lastStreamSeq);
      // While the stream cannot be asked, nobody knows what is waiting: the honest lag is the time
      // since ingest was last known to be caught up, so boards turn STALE instead of looking fresh.
      const blindLagSec = streamReachable && natsConnected ? 0 : (now() - caughtUpAtMs) / 1000;
      return {
        natsConnected,
        consumerActive: messages !== undefined,
        lastStreamSeq,
        streamLastSeq,
        pending,
        lagSec: Math.max(pending === 0 ? 0 : lagSec, blindLagSec),
        lastCommitMs,
        lastError,
        commitFailing,
        counts,
      };
    },
    async stop() {
      if (stopped) return;
      clearInterval(watchdog);
      // Take what is buffered, commit and ack it, then close.
      generation += 1;
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      flushTimer = undefined;
      await messages?.close().catch(() => undefined);
      queueFlush();
      await flushing.catch(() => undefined);
      await completion.catch(() => undefined);
      stopped = true;
      await nc.drain().catch(() => undefined);
    },
  };
}
