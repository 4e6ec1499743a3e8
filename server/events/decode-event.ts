/**
 * Validation of one message against EVENTS.md. Pure: no clock here; the future rule and
 * deduplication need state and live in `admission.ts`.
 */
import {
  EVENT_FIELDS,
  ID_MAX_LENGTH,
  MAX_MESSAGE_BYTES,
  QUEUE_PATTERN,
  SHOP_PATTERN,
  type FieldSpec,
} from './contract.ts';
import { parseTimestampMs } from './time.ts';
import { DEFAULT_MAX_CHATS, EVENT_TYPES, kindOfType, type EventType, type PeakEvent } from './types.ts';

/** Why a message was rejected; each is counted separately and kept with the dead letter. */
export const REJECT_REASONS = [
  'oversize',
  'invalid_json',
  'unknown_type',
  'missing_field',
  'bad_field',
  'bad_ts',
  'bad_subject',
  'future_ts',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type DecodeResult =
  { ok: true; event: PeakEvent } | { ok: false; reason: RejectReason; detail: string; id?: string };

const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);
const SUBJECT_PATTERN = /^ops\.(refund|chat|agent|order|clock)\.([A-Za-z0-9_-]{1,64})$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function reject(reason: RejectReason, detail: string, id?: string): DecodeResult {
  return id === undefined ? { ok: false, reason, detail } : { ok: false, reason, detail, id };
}

/** Checks one field value; returns an error text or undefined when it is valid. */
function checkField(spec: FieldSpec, value: unknown): string | undefined {
  const t = spec.type;
  switch (t.kind) {
    case 'entityId':
    case 'text':
      return typeof value === 'string' && value.length > 0 ? undefined : 'must be a non-empty string';
    case 'amount':
      return typeof value === 'number' && Number.isFinite(value) && value >= 0
        ? undefined
        : 'must be a number >= 0';
    case 'enum':
      return typeof value === 'string' && t.values.includes(value)
        ? undefined
        : `must be one of ${t.values.join(', ')}`;
    case 'queue':
      return typeof value === 'string' && QUEUE_PATTERN.test(value)
        ? undefined
        : 'must match [a-z0-9_-]{1,32}';
    case 'queueList':
      return Array.isArray(value) && value.every((q) => typeof q === 'string' && QUEUE_PATTERN.test(q))
        ? undefined
        : 'must be an array of queue names';
    case 'positiveInteger':
      return typeof value === 'number' && Number.isInteger(value) && value >= 1
        ? undefined
        : 'must be a whole number >= 1';
  }
}

/**
 * Decodes and validates one message. `subject` is the NATS subject (omit for replay files,
 * which carry none). Checks in order: size, JSON, envelope, type fields, ts, subject.
 */
export function decodeEvent(raw: Uint8Array | string, subject?: string): DecodeResult {
  const byteLength = typeof raw === 'string' ? Buffer.byteLength(raw, 'utf8') : raw.byteLength;
  if (byteLength > MAX_MESSAGE_BYTES) return reject('oversize', `${byteLength} bytes > ${MAX_MESSAGE_BYTES}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof raw === 'string' ? raw : utf8.decode(raw));
  } catch (error) {
    return reject('invalid_json', error instanceof Error ? error.message : 'not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return reject('invalid_json', 'not a JSON object');
  }
  const body = parsed as Record<string, unknown>;
  const rawId = body.id;
  const knownId = typeof rawId === 'string' ? rawId : undefined;

  const type = body.type;
  if (type === undefined || type === null) return reject('missing_field', 'type is required', knownId);
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
    return reject('unknown_type', `unknown type ${JSON.stringify(type).slice(0, 80)}`, knownId);
  }
  for (const name of ['id', 'ts', 'shop'] as const) {
    if (body[name] === undefined || body[name] === null)
      return reject('missing_field', `${name} is required`, knownId);
  }
  // Length in characters (code points), as JSON Schema's maxLength counts them.
  if (typeof rawId !== 'string' || rawId.length < 1 || (rawId.length > ID_MAX_LENGTH && [...rawId].length > ID_MAX_LENGTH)) {
    return reject('bad_field', `id must be a string of 1-${ID_MAX_LENGTH} chars`);
  }
  const shop = body.shop;
  if (typeof shop !== 'string' || !SHOP_PATTERN.test(shop)) {
    return reject('bad_field', 'shop must match [A-Za-z0-9_-]{1,64}', rawId);
  }
  const eventType = type as EventType;
  const decoded: Record<string, unknown> = { id: rawId, type: eventType, ts: '', tsMs: 0, shop };
  for (const spec of EVENT_FIELDS[eventType]) {
    const value = body[spec.wire];
    if (value === undefined || value === null) {
      if (spec.required) return reject('missing_field', `${spec.wire} is required for ${eventType}`, rawId);
      continue;
    }
    const problem = checkField(spec, value);
    if (problem !== undefined) return reject('bad_field', `${spec.wire} ${problem}`, rawId);
    decoded[spec.prop] = spec.type.kind === 'queueList' ? [...(value as string[])] : value;
  }
  if (eventType === 'chat.message' && decoded.from === 'agent' && decoded.agentId === undefined) {
    return reject('missing_field', 'agent_id is required for an agent message', rawId);
  }
  if (eventType === 'agent.status' && decoded.maxChats === undefined) decoded.maxChats = DEFAULT_MAX_CHATS;

  const ts = body.ts;
  if (typeof ts !== 'string') return reject('bad_ts', 'ts must be an RFC 3339 string', rawId);
  const tsMs = parseTimestampMs(ts);
  if (tsMs === undefined)
    return reject(
      'bad_ts',
      `ts ${JSON.stringify(ts).slice(0, 60)} is not RFC 3339 with offset or out of range`,
      rawId,
    );
  decoded.ts = ts;
  decoded.tsMs = tsMs;

  if (subject !== undefined) {
    const m = SUBJECT_PATTERN.exec(subject);
    if (m === null)
      return reject('bad_subject', `subject ${subject.slice(0, 100)} is not ops.<kind>.<shop>`, rawId);
    if (m[1] !== kindOfType(eventType) || m[2] !== shop) {
      return reject(
        'bad_subject',
        `subject ${subject.slice(0, 100)} does not match type ${eventType} and shop ${shop}`,
        rawId,
      );
    }
  }
  return { ok: true, event: decoded as unknown as PeakEvent };
}
