/**
 * RFC 3339 instants as the contract wants them: `T` separator, mandatory offset, fraction
 * truncated (not rounded) to milliseconds. Comparisons are on epoch ms, never on strings.
 */

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Earliest and latest instants the server accepts (1970-01-01Z … 9999-12-31T23:59:59.999Z). */
export const MIN_TS_MS = 0;
export const MAX_TS_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Parses an RFC 3339 timestamp to epoch milliseconds, or returns `undefined` when the text is
 * not one (bad shape, impossible date, leap second, missing offset) or is outside
 * [MIN_TS_MS, MAX_TS_MS].
 */
export function parseTimestampMs(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  // Date.UTC reads years 0–99 as 1900–1999; nothing before 1969 can be in range anyway.
  if (year < 1969 || month < 1 || month > 12 || day < 1) return undefined;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  // Leap seconds (second 60) cannot be represented as an instant in epoch ms, so they are rejected.
  if (day > monthDays || hour > 23 || minute > 59 || second > 59) return undefined;
  const fraction = m[7];
  const ms = fraction === undefined ? 0 : Number((fraction + '00').slice(0, 3));
  let offsetMin = 0;
  if (m[8] === undefined) {
    const offH = Number(m[10]);
    const offM = Number(m[11]);
    if (offH > 23 || offM > 59) return undefined;
    offsetMin = (m[9] === '-' ? -1 : 1) * (offH * 60 + offM);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear avoids that, though such years are out of range anyway.
  const epochMs = utc - offsetMin * 60_000;
  if (!Number.isFinite(epochMs) || epochMs < MIN_TS_MS || epochMs > MAX_TS_MS) return undefined;
  return epochMs;
}

const formatterCache = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatterCache.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatterCache.set(timeZone, f);
  }
  return f;
}

/** Offset of `timeZone` from UTC at `epochMs`, in minutes (Asia/Shanghai → 480). */
export function zoneOffsetMinutes(epochMs: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(epochMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 60_000);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * Formats an instant as RFC 3339 with milliseconds in the business time zone, e.g.
 * `2026-11-11T20:00:03.120+08:00` (API.md: instants are written in the business zone).
 */
export function formatInstant(epochMs: number, timeZone: string): string {
  const offsetMin = zoneOffsetMinutes(epochMs, timeZone);
  const local = new Date(epochMs + offsetMin * 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `.${pad(local.getUTCMilliseconds(), 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** Start of the business-zone hour containing `epochMs`, as epoch ms. */
export function hourStartMs(epochMs: number, timeZone: string): number {
  const offsetMs = zoneOffsetMinutes(epochMs, timeZone) * 60_000;
  return Math.floor((epochMs + offsetMs) / 3_600_000) * 3_600_000 - offsetMs;
}

/** Start of the business-zone day containing `epochMs`, as epoch ms. */
export function dayStartMs(epochMs: number, timeZone: string): number {
  const offsetMs = zoneOffsetMinutes(epochMs, timeZone) * 60_000;
  return Math.floor((epochMs + offsetMs) / 86_400_000) * 86_400_000 - offsetMs;
}
