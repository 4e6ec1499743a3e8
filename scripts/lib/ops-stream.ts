/**
 * The JetStream stream that captures `ops.>` (EVENTS.md). The server creates it; the replay and
 * live publishers create it with the same config when it is missing, so they can run first.
 */
import {
  JetStreamApiCodes,
  JetStreamApiError,
  StorageType,
  type JetStreamManager,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

export const DEFAULT_STREAM_NAME = 'OPS';
export const OPS_SUBJECTS = 'ops.>';
/** JetStream drops a second message with the same Nats-Msg-Id inside this window. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

/**
 * Info of the stream to publish into: the one named `name`, else whichever stream already
 * captures `ops.>` under another name (the server's, so publishing never forks the data), else
 * a new stream `name` with the server's config.
 */
export async function ensureOpsStream(
  manager: JetStreamManager,
  name: string = DEFAULT_STREAM_NAME,
): Promise<{ info: StreamInfo; created: boolean }> {
  try {
    return { info: await manager.streams.info(name), created: false };
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
  }
  let existing: string | undefined;
  try {
    existing = await manager.streams.find('ops.clock.probe');
  } catch (error) {
    // StreamNotFoundError (a JetStreamApiError): no stream captures ops.> yet.
    if (!(error instanceof JetStreamApiError)) throw error;
  }
  if (existing !== undefined) return { info: await manager.streams.info(existing), created: false };
  const info = await manager.streams.add({
    name,
    subjects: [OPS_SUBJECTS],
    storage: StorageType.File,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  });
  return { info, created: true };
}
