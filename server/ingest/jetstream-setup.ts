/**
 * Stream and consumer provisioning. The consumer is (re)created from the stream sequence after
 * the last batch DuckDB committed: DuckDB, not the consumer's own ack floor, is the truth, so a
 * crash between commit and ack, a deleted consumer or a NATS restart can neither lose nor
 * double-apply a message.
 */
import {
  AckPolicy,
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

export interface StreamSettings {
  stream: string;
  retentionDays: number;
  /** Subjects the stream captures (default `ops.>`). */
  subjects?: string[];
}

const DUPLICATE_WINDOW_MS = 2 * 60_000;

/** Creates the stream when missing, or brings its limits in line with the configuration. */
export async function ensureStream(jsm: JetStreamManager, settings: StreamSettings): Promise<void> {
  const wanted: Partial<StreamConfig> = {
    subjects: settings.subjects ?? ['ops.>'],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(settings.retentionDays * 86_400_000),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  };
  try {
    const info = await jsm.streams.info(settings.stream);
    const current = info.config;
    if (current.max_age !== wanted.max_age || current.duplicate_window !== wanted.duplicate_window) {
      await jsm.streams.update(settings.stream, {
        max_age: wanted.max_age,
        duplicate_window: wanted.duplicate_window,
      });
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add({ name: settings.stream, ...wanted });
  }
}

export interface ConsumerSettings {
  stream: string;
  consumer: string;
  /** First stream sequence to deliver (last committed + 1). */
  startSeq: number;
  /** Flow control: at most this many unacknowledged messages in flight. */
  maxAckPending: number;
}

/** Deletes the durable consumer if present and creates it afresh at `startSeq`. */
export async function recreateConsumer(jsm: JetStreamManager, settings: ConsumerSettings): Promise<void> {
  try {
    await jsm.consumers.delete(settings.stream, settings.consumer);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  await jsm.consumers.add(settings.stream, {
    durable_name: settings.consumer,
    ack_policy: AckPolicy.All,
    deliver_policy: settings.startSeq > 1 ? DeliverPolicy.StartSequence : DeliverPolicy.All,
    ...(settings.startSeq > 1 ? { opt_start_seq: settings.startSeq } : {}),
    max_ack_pending: settings.maxAckPending,
    // Long enough that a slow DuckDB commit never triggers a redelivery storm.
    ack_wait: nanos(60_000),
  });
}

export function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const text = `${error.name} ${error.message}`;
  return /not found|10059|10014/i.test(text);
}
