// The event contract (EVENTS.md): types, validation, admission, time rules, the clock. No I/O.
export * from './types.ts';
export { decodeEvent, REJECT_REASONS, type RejectReason, type DecodeResult } from './decode-event.ts';
export {
  createAdmission,
  type Admission,
  type AdmitResult,
  type SeenIds,
  type AdmissionOptions,
} from './admission.ts';
export { createWallClock, createEventClock, type Clock } from './clock.ts';
export {
  parseTimestampMs,
  formatInstant,
  hourStartMs,
  dayStartMs,
  zoneOffsetMinutes,
  MIN_TS_MS,
  MAX_TS_MS,
} from './time.ts';
export {
  EVENT_FIELDS,
  MAX_MESSAGE_BYTES,
  ID_MAX_LENGTH,
  SHOP_PATTERN,
  QUEUE_PATTERN,
  type FieldSpec,
} from './contract.ts';
export { buildEventsJsonSchema } from './schema.ts';
export { CompactIdSet } from './compact-id-set.ts';
