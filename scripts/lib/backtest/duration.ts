/** Durations as the CLI takes them: `30s`, `15m`, `1h`, `1d` (a whole number and a unit). */

export class DurationError extends Error {
  override name = 'DurationError';
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `15m` → 900000 (ms). Throws DurationError on anything else, or on zero. */
export function parseDurationMs(text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  const unitMs = match === null ? undefined : UNIT_MS[match[2] as string];
  const amount = match === null ? Number.NaN : Number(match[1]);
  if (unitMs === undefined || !(amount > 0)) {
    throw new DurationError(`expected a duration such as 30s, 15m, 1h or 1d, got ${JSON.stringify(text)}`);
  }
  return amount * unitMs;
}

/** The inverse for whole units: 900000 → `15m`, 5400000 → `90m`, 1500 → `1500ms`. */
export function formatDuration(durationMs: number): string {
  for (const [unit, unitMs] of Object.entries(UNIT_MS).reverse()) {
    if (durationMs % unitMs === 0) return `${durationMs / unitMs}${unit}`;
  }
  return `${durationMs}ms`;
}
