/**
 * Validation of one message against EVENTS.md. Pure: no clock here; the future rule and
 * deduplication need state and live in `admission.ts`.
 */
import { isUtf8 } from 'node:buffer';
import { EVENT_FIELDS, ID_MAX_LENGTH, MAX_MESSAGE_BYTES, type FieldSpec } from './contract.ts';
import { MAX_TS_MS, MIN_TS_MS, parseTimestampMs } from './time.ts';
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

/**
 * True when `text` holds an unpaired UTF-16 surrogate: what /\p{Cs}/u matches (in u-mode a valid
 * pair is one code point, not Cs). A loop, as the patterns below: a regular expression call per
 * field cost more than the rest of a field's check.
 */
export function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i += 1;
        continue;
      }
    }
    return true;
  }
  return false;
}

/** `[a-z0-9_-]`, and `[A-Z]` too when `upper`: the characters of SHOP_PATTERN / QUEUE_PATTERN. */
function isNameChar(c: number, upper: boolean): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45 || (upper && c >= 65 && c <= 90)
  );
}

/** SHOP_PATTERN.test (`^[A-Za-z0-9_-]{1,64}$`) for a string, without the regular expression. */
export function isShopName(text: string): boolean {
  if (text.length < 1 || text.length > 64) return false;
  for (let i = 0; i < text.length; i += 1) if (!isNameChar(text.charCodeAt(i), true)) return false;
  return true;
}

/** QUEUE_PATTERN.test (`^[a-z0-9_-]{1,32}$`) for a string, without the regular expression. */
export function isQueueName(text: string): boolean {
  if (text.length < 1 || text.length > 32) return false;
  for (let i = 0; i < text.length; i += 1) if (!isNameChar(text.charCodeAt(i), false)) return false;
  return true;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);
const SUBJECT_PATTERN = /^ops\.(refund|chat|agent|order|clock)\.([A-Za-z0-9_-]{1,64})$/;
// Checked with isUtf8 first: a fatal decoder throws on bad bytes, and a throw per message is
// expensive enough that a stream of bad input could starve ingest.
const utf8 = new TextDecoder('utf-8');

function reject(reason: RejectReason, detail: string, id?: string): DecodeResult {
  return id === undefined ? { ok: false, reason, detail } : { ok: false, reason, detail, id };
}

/** Checks one field value; returns an error text or undefined when it is valid. */
function checkField(spec: FieldSpec, value: unknown): string | undefined {
  const t = spec.type;
  switch (t.kind) {
    case 'entityId':
    case 'text':
      if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty string';
      // A lone surrogate cannot be stored as UTF-8 (it becomes U+FFFD), so two ids would merge.
      return hasLoneSurrogate(value) ? 'must be well-formed Unicode (no lone surrogates)' : undefined;
    case 'amount':
      return typeof value === 'number' && Number.isFinite(value) && value >= 0
        ? undefined
        : 'must be a number >= 0';
    case 'enum':
      return typeof value === 'string' && t.values.includes(value)
        ? undefined
        : `must be one of ${t.values.join(', ')}`;
    case 'queue':
      return typeof value === 'string' && isQueueName(value) ? undefined : 'must match [a-z0-9_-]{1,32}';
    case 'queueList':
      return Array.isArray(value) && value.every((q) => typeof q === 'string' && isQueueName(q))
        ? undefined
        : 'must be an array of queue names';
    case 'positiveInteger':
      return typeof value === 'number' && Number.isInteger(value) && value >= 1
        ? undefined
        : 'must be a whole number >= 1';
  }
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The value of two ASCII digits at `i` and `i + 1`, or −1 when either is not a digit. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Day of the last fast-path timestamp: events come in bursts of the same day. */
let cachedDayKey = -1;
let cachedDayMs = 0;

/**
 * parseTimestampMs for the common shape (`YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)`) without the
 * regular expression and its capture strings: replay and recovery decode millions of events,
 * and the regex path cost about a third of a decode. It accepts a subset of what
 * parseTimestampMs accepts, with the same checks and arithmetic (Date.UTC of the day plus the
 * time of day is what Date.UTC computes); anything else returns NaN and takes the full path.
 */
function fastTimestampMs(text: string): number {
  const length = text.length;
  if (length < 20) return Number.NaN;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return Number.NaN; // '-'
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return Number.NaN; // ':'
  const separator = text.charCodeAt(10);
  if (separator !== 84 && separator !== 116) return Number.NaN; // 'T' | 't'
  const century = twoDigits(text, 0);
  const yearOfCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if ((century | yearOfCentury | month | day | hour | minute | second) < 0) return Number.NaN;
  let i = 19;
  let ms = 0;
  if (text.charCodeAt(i) === 46) {
    // '.', then 1–9 digits; the first three are the milliseconds (truncated, zero-padded).
    i += 1;
    let digits = 0;
    for (; i < length; i += 1) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      if (digits < 3) ms = ms * 10 + d;
      digits += 1;
    }
    if (digits === 0 || digits > 9) return Number.NaN;
    for (let k = digits; k < 3; k += 1) ms *= 10;
  }
  let offsetMin = 0;
  const zone = text.charCodeAt(i);
  if (zone === 90 || zone === 122) {
    if (i + 1 !== length) return Number.NaN; // 'Z' | 'z' must end the text
  } else if ((zone === 43 || zone === 45) && i + 6 === length && text.charCodeAt(i + 3) === 58) {
    const offH = twoDigits(text, i + 1);
    const offM = twoDigits(text, i + 4);
    if (offH < 0 || offM < 0 || offH > 23 || offM > 59) return Number.NaN;
    offsetMin = (zone === 45 ? -1 : 1) * (offH * 60 + offM);
  } else {
    return Number.NaN;
  }
  const year = century * 100 + yearOfCentury;
  // Date.UTC reads years 0–99 as 1900–1999; nothing before 1969 can be in range anyway.
  if (year < 1969 || month < 1 || month > 12 || day < 1) return Number.NaN;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day > monthDays || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const dayKey = year * 10_000 + month * 100 + day;
  if (dayKey !== cachedDayKey) {
    cachedDayMs = Date.UTC(year, month - 1, day);
    cachedDayKey = dayKey;
  }
  const epochMs = cachedDayMs + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms - offsetMin * 60_000;
  return epochMs >= MIN_TS_MS && epochMs <= MAX_TS_MS ? epochMs : Number.NaN;
}

/** parseTimestampMs, through the fast path when the text has the common shape. */
function timestampMs(text: string): number | undefined {
  const fast = fastTimestampMs(text);
  return Number.isNaN(fast) ? parseTimestampMs(text) : fast;
}

/**
 * Decodes and validates one message. `subject` is the NATS subject (omit for replay files,
 * which carry none). Checks in order: size, JSON, envelope, type fields, ts, subject.
 */
export function decodeEvent(raw: Uint8Array | string, subject?: string): DecodeResult {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit, so a short string cannot be oversize and
  // is not scanned to count its bytes.
  const byteLength =
    typeof raw !== 'string'
      ? raw.byteLength
      : raw.length * 3 <= MAX_MESSAGE_BYTES
        ? raw.length
        : Buffer.byteLength(raw, 'utf8');
  if (byteLength > MAX_MESSAGE_BYTES) return reject('oversize', `${byteLength} bytes > ${MAX_MESSAGE_BYTES}`);
  let parsed: unknown;
  try {
    if (typeof raw !== 'string' && !isUtf8(raw)) return reject('invalid_json', 'not valid UTF-8');
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
  // Unrolled (id, ts, shop: the order the errors are reported in) to keep the hot path free of
  // a per-message array.
  if (rawId === undefined || rawId === null) return reject('missing_field', 'id is required', knownId);
  if (body.ts === undefined || body.ts === null) return reject('missing_field', 'ts is required', knownId);
  if (body.shop === undefined || body.shop === null)
    return reject('missing_field', 'shop is required', knownId);
  // Length in characters (code points), as JSON Schema's maxLength counts them.
  if (
    typeof rawId !== 'string' ||
    rawId.length < 1 ||
    (rawId.length > ID_MAX_LENGTH && [...rawId].length > ID_MAX_LENGTH)
  ) {
    return reject('bad_field', `id must be a string of 1-${ID_MAX_LENGTH} chars`);
  }
  if (hasLoneSurrogate(rawId))
    return reject('bad_field', 'id must be well-formed Unicode (no lone surrogates)');
  const shop = body.shop;
  if (typeof shop !== 'string' || !isShopName(shop)) {
    return reject('bad_field', 'shop must match [A-Za-z0-9_-]{1,64}', rawId);
  }
  const eventType = type as EventType;
  // tsMs starts as undefined, not 0: a field that only ever held numbers is kept as a double and
  // boxed anew on every read by code that sees many event shapes (all of the engine's), while a
  // field that held anything else keeps the number as one shared, immutable box.
  const decoded: Record<string, unknown> = { id: rawId, type: eventType, ts: '', tsMs: undefined, shop };
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
  const tsMs = timestampMs(ts);
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
