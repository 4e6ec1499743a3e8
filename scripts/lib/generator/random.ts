/**
 * Seeded pseudo-random numbers for the traffic generator. The generator must produce the same
 * bytes for the same seed, so nothing here reads Math.random or the clock.
 */

/** A deterministic random source; every draw advances the same 128-bit state. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Whole number in [min, max], both inclusive. */
  integer(min: number, max: number): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** True with probability `probability`. */
  chance(probability: number): boolean;
  /** Exponential with the given mean. */
  exponential(mean: number): number;
  /** Log-normal with the given median and shape sigma (of the underlying normal). */
  logNormal(median: number, sigma: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** One key of a weight table, chosen with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K;
}

/** murmur3's 32-bit finaliser: spreads every input bit over the whole output word. */
export function mixBits(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A uniform number in [0, 1) derived from its inputs alone, for per-day and per-agent choices
 * (day-to-day volume, shift jitter) that must not depend on how many draws came before them.
 */
export function hashUnit(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts)
    h = mixBits(h ^ mixBits(part | 0) ^ Math.imul(Math.floor(part / 4294967296), 0x27d4eb2f));
  return h / 4294967296;
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): passes PractRand to terabytes,
 * fast in JS because it stays in 32-bit integer arithmetic, and its counter word guarantees a
 * period of at least 2^32 — mulberry32's single word would be too short for tens of millions of
 * draws per run.
 */
export function createRandom(seed: number, stream = 0): Random {
  let a = mixBits(seed ^ 0x243f6a88);
  let b = mixBits(seed + 0x85a308d3 + stream * 0x9e3779b9);
  let c = mixBits(stream ^ 0x13198a2e);
  let d = 1;
  function next(): number {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  // The first outputs of a freshly seeded sfc32 are still correlated with the seed; discard them.
  for (let i = 0; i < 15; i++) next();

  let spareNormal: number | undefined;
  function normal(): number {
    if (spareNormal !== undefined) {
      const value = spareNormal;
      spareNormal = undefined;
      return value;
    }
    // Box–Muller; 1 - next() keeps the logarithm's argument in (0, 1].
    const radius = Math.sqrt(-2 * Math.log(1 - next()));
    const angle = 2 * Math.PI * next();
    spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  return {
    next,
    integer: (min, max) => min + Math.floor(next() * (max - min + 1)),
    between: (min, max) => min + next() * (max - min),
    chance: (probability) => next() < probability,
    exponential: (mean) => -Math.log(1 - next()) * mean,
    logNormal: (median, sigma) => median * Math.exp(sigma * normal()),
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new RangeError('pick needs a non-empty list');
      return item;
    },
    weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
      const keys = Object.keys(weights) as K[];
      let total = 0;
      for (const key of keys) total += weights[key];
      let remaining = next() * total;
      for (const key of keys) {
        remaining -= weights[key];
        if (remaining < 0) return key;
      }
      const last = keys[keys.length - 1];
      if (last === undefined) throw new RangeError('weighted needs at least one key');
      return last;
    },
  };
}
