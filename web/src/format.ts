/** Number and time formatting for a screen read from five metres: short, fixed-width where it ticks. */

/** m:ss below an hour, h:mm:ss above; "—" for null. */
export function formatWait(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '—';
  const total = Math.max(0, Math.floor(sec));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export function formatDays(sec: number | null | undefined, unit: string): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '—';
  return `${(sec / 86_400).toFixed(1)} ${unit}`;
}

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return Math.round(value).toLocaleString('en-US');
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function formatSigned(value: number): string {
  return value > 0 ? `+${value}` : value < 0 ? `−${Math.abs(value)}` : '0';
}

/** HH:MM:SS of an RFC 3339 instant as written, i.e. in the business time zone, not the TV's. */
export function clockOf(instant: string | undefined): string {
  return instant !== undefined && instant.length >= 19 ? instant.slice(11, 19) : '--:--:--';
}

/** HH:MM of an RFC 3339 instant as written. */
export function hourOf(instant: string): string {
  return instant.length >= 16 ? instant.slice(11, 16) : instant;
}

/** `data-value` attribute: the raw number, or an empty string for null. */
export function rawValue(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

/** How a metric's number reads, from its API.md path: the unit is in the name. */
export type MetricKind = 'ratio' | 'days' | 'duration' | 'count';

export function metricKind(metric: string): MetricKind {
  const field = metric.split('.').at(-1) ?? metric;
  if (/(Rate|^serviceLevel|^occupancy)$/.test(field)) return 'ratio';
  if (/CompletionSec30d$/.test(field)) return 'days';
  if (/Sec(30d)?$/.test(field)) return 'duration';
  return 'count';
}

export interface DurationUnits {
  sec: string;
  min: string;
  hour: string;
  day: string;
}

/** A span for people: "45 s", "12 min", "2 h 5 min", "3.1 d" (two days and more). */
export function formatDuration(sec: number | null | undefined, units: DurationUnits): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '—';
  const total = Math.max(0, sec);
  if (total < 60) return `${Math.floor(total)} ${units.sec}`;
  if (total < 3_600) return `${Math.floor(total / 60)} ${units.min}`;
  if (total < 2 * 86_400) {
    const hours = Math.floor(total / 3_600);
    const minutes = Math.floor((total % 3_600) / 60);
    return minutes === 0 ? `${hours} ${units.hour}` : `${hours} ${units.hour} ${minutes} ${units.min}`;
  }
  return `${(total / 86_400).toFixed(1)} ${units.day}`;
}

/** A ratio as a percent with enough digits to tell small rates apart ("6.2%", "0.07%"). */
export function formatRatio(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return formatPercent(ratio, ratio !== 0 && Math.abs(ratio) < 0.01 ? 2 : 1);
}

/** A metric's value in its kind's unit: ratios as percent, durations in h/min or days, counts whole. */
export function formatByKind(
  kind: MetricKind,
  value: number | null | undefined,
  units: DurationUnits,
): string {
  switch (kind) {
    case 'ratio':
      return formatRatio(value);
    case 'days':
      return formatDays(value, units.day);
    case 'duration':
      return formatDuration(value, units);
    default:
      return formatCount(value);
  }
}
