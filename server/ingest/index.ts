// The ingest stage: the only folder that imports @nats-io/*.
export {
  startIngest,
  type RunningIngest,
  type IngestOptions,
  type IngestStatus,
  type IngestSink,
  type IngestCountsState,
} from './ingest.ts';
export {
  startNatsServer,
  findNatsServerBinary,
  NatsServerMissingError,
  type NatsServerProcess,
} from './nats-server-process.ts';
export { ensureStream } from './jetstream-setup.ts';
