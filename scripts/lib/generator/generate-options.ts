/**
 * From the generator's user-facing options (days ending with a peak date) to the simulation's
 * instants. Throws GenerateOptionsError with a one-line message on anything it cannot use.
 */
import { createLocalTime, dayNumberOfDate } from './local-time.ts';
import type { TrafficOptions } from './simulate-traffic.ts';

export class GenerateOptionsError extends Error {
  override name = 'GenerateOptionsError';
}

export interface GenerateOptions {
  seed: number;
  /** Days simulated, ending with the end of the peak day (the peak day is the last one). */
  days: number;
  /** The peak day as `YYYY-MM-DD` in `timeZone`. */
  peakDay: string;
  /** Shop names, or a count n for `shop1` … `shopN`. */
  shops: number | readonly string[];
  /** Volume multiplier (1 ≈ 80–100k events per shop on a normal day). */
  scale: number;
  /** Business time zone; default Asia/Shanghai. */
  timeZone?: string;
}

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
const SHOP_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function shopNames(shops: number | readonly string[]): string[] {
  if (typeof shops === 'number') {
    if (!Number.isInteger(shops) || shops < 1 || shops > 1000) {
      throw new GenerateOptionsError(
        `--shops must be a whole number from 1 to 1000 or a list of names, got ${shops}`,
      );
    }
    return Array.from({ length: shops }, (_, index) => `shop${index + 1}`);
  }
  const names = [...shops];
  if (names.length === 0) throw new GenerateOptionsError('--shops needs at least one shop');
  for (const name of names) {
    if (!SHOP_NAME.test(name))
      throw new GenerateOptionsError(`shop name ${JSON.stringify(name)} must match [A-Za-z0-9_-]{1,64}`);
  }
  if (new Set(names).size !== names.length) throw new GenerateOptionsError('--shops has a name twice');
  return names;
}

export function checkTimeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new GenerateOptionsError(`--tz ${JSON.stringify(timeZone)} is not an IANA time zone`);
  }
  return timeZone;
}

export function checkScale(scale: number): number {
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1000) {
    throw new GenerateOptionsError(`--scale must be a number above 0 and at most 1000, got ${scale}`);
  }
  return scale;
}

export function checkSeed(seed: number): number {
  if (!Number.isSafeInteger(seed))
    throw new GenerateOptionsError(`--seed must be a whole number, got ${seed}`);
  return seed;
}

/** The simulation's options for a file run: local midnight `days - 1` days before the peak to the peak day's end. */
export function resolveTrafficOptions(options: GenerateOptions): TrafficOptions {
  const timeZone = checkTimeZone(options.timeZone ?? DEFAULT_TIME_ZONE);
  if (!Number.isInteger(options.days) || options.days < 1 || options.days > 400) {
    throw new GenerateOptionsError(`--days must be a whole number from 1 to 400, got ${options.days}`);
  }
  const peakDayNumber = dayNumberOfDate(options.peakDay);
  if (peakDayNumber === undefined) {
    throw new GenerateOptionsError(
      `--peak-day must be a date as YYYY-MM-DD, got ${JSON.stringify(options.peakDay)}`,
    );
  }
  const localTime = createLocalTime(timeZone);
  return {
    seed: checkSeed(options.seed),
    startMs: localTime.midnightMs(peakDayNumber - options.days + 1),
    endMs: localTime.midnightMs(peakDayNumber + 1),
    peakDayNumber,
    shops: shopNames(options.shops),
    scale: checkScale(options.scale),
    timeZone,
  };
}
