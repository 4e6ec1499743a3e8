// The traffic generator's public surface: pure, seeded iterables plus the file writer.
export { simulateTraffic, TICK_INTERVAL_MS, type TrafficOptions } from './simulate-traffic.ts';
export {
  resolveTrafficOptions,
  shopNames,
  checkScale,
  checkSeed,
  checkTimeZone,
  GenerateOptionsError,
  DEFAULT_TIME_ZONE,
  type GenerateOptions,
} from './generate-options.ts';
export {
  addNoise,
  emptyNoiseSummary,
  BAD_LINE_KINDS,
  type BadLineKind,
  type NoiseSummary,
} from './add-noise.ts';
export {
  generateEvents,
  generateLines,
  writeTrafficFile,
  type GenerateReport,
  type WriteTrafficFileOptions,
} from './write-traffic-file.ts';
export { serializeWireEvent } from './serialize-wire-event.ts';
export { createLocalTime, dayNumberOfDate, type LocalTime } from './local-time.ts';
export type { GeneratedEvent, WireEvent, WireEventType, WireFields } from './wire-event.ts';
