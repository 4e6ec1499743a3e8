/** Shared inputs of the backtest tests: small generated days, seeded, so every run sees the same bytes. */
import { resolve } from 'node:path';
import { generateLines } from '../../scripts/lib/generator/index.ts';

export const TIME_ZONE = 'Asia/Shanghai';
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const FIFTEEN_MINUTES_MS = 15 * 60_000;

/** A small peak day for two shops: a few thousand events, busy enough in the evening to queue. */
export const SMALL_DAY = { seed: 5, days: 1, peakDay: '2026-11-11', shops: 2, scale: 0.04 } as const;

export function dayLines(
  noise = 0,
  options: { shops?: number; scale?: number; seed?: number } = {},
): string[] {
  return [...generateLines({ ...SMALL_DAY, ...options, noise })];
}

/** Epoch ms of an RFC 3339 instant (test inputs only). */
export function at(instant: string): number {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new Error(`bad instant ${instant}`);
  return ms;
}
