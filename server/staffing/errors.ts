/**
 * Errors of the staffing maths. Both are `RangeError`s: the inputs are well-typed numbers, but
 * outside the range where the model is defined.
 */

/** Rounds a load for messages so that 10 Erlangs prints as "10", not "10.000000000000002". */
function formatErlangs(offeredLoadErlangs: number): string {
  return String(Math.round(offeredLoadErlangs * 1000) / 1000);
}

/**
 * Erlang C has no steady state when the servers cannot keep up with the offered load: the queue
 * grows without bound, so waiting probability, service level and ASA are undefined.
 */
export class UnstableQueueError extends RangeError {
  override name = 'UnstableQueueError';
  readonly servers: number;
  readonly offeredLoadErlangs: number;

  constructor(servers: number, offeredLoadErlangs: number) {
    super(`agents must exceed the offered load (${formatErlangs(offeredLoadErlangs)} Erlangs)`);
    this.servers = servers;
    this.offeredLoadErlangs = offeredLoadErlangs;
  }
}

/** A parameter outside its domain (negative arrivals, zero handle time, a target above 1, …). */
export class StaffingInputError extends RangeError {
  override name = 'StaffingInputError';
}

/** Throws a StaffingInputError unless `value` is a finite number ≥ `min` (or > `min` when `exclusive`). */
export function requireAtLeast(name: string, value: number, min: number, exclusive = false): void {
  const ok = Number.isFinite(value) && (exclusive ? value > min : value >= min);
  if (!ok) {
    throw new StaffingInputError(`${name} must be a number ${exclusive ? '>' : '≥'} ${min}, got ${value}`);
  }
}

/** Throws a StaffingInputError unless `value` lies in [low, high] (low exclusive when asked). */
export function requireInRange(
  name: string,
  value: number,
  low: number,
  high: number,
  lowExclusive = false,
): void {
  const ok = Number.isFinite(value) && (lowExclusive ? value > low : value >= low) && value <= high;
  if (!ok) {
    throw new StaffingInputError(
      `${name} must be in ${lowExclusive ? '(' : '['}${low}, ${high}], got ${value}`,
    );
  }
}
