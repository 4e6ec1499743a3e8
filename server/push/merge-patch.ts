/**
 * Deltas between two aggregates objects: a JSON merge patch (RFC 7396) with one change, so that
 * the many nullable fields of the contract survive: `null` in a patch is a value ("this is now
 * null"), never a delete. A delta therefore cannot remove a key; `diffMergePatch` reports
 * `removed` instead and the hub sends a full snapshot for that tick. Arrays are replaced whole.
 */

export type PlainObject = Record<string, unknown>;

export type MergePatchDiff =
  | { kind: 'unchanged' }
  | { kind: 'patch'; patch: PlainObject }
  /** A key present in `prev` is missing in `next`: only a snapshot can say that. */
  | { kind: 'removed' };

const UNCHANGED: unique symbol = Symbol('unchanged');
const REMOVED: unique symbol = Symbol('removed');

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The patch that turns `prev` into `next`. Both must be JSON values (`undefined` members count as
 * absent, as in JSON.stringify). The patch shares subtrees with `next`; do not mutate `next` while
 * the patch is in use.
 */
export function diffMergePatch(prev: PlainObject, next: PlainObject): MergePatchDiff {
  const result = diffValue(prev, next);
  if (result === UNCHANGED) return { kind: 'unchanged' };
  if (result === REMOVED) return { kind: 'removed' };
  return { kind: 'patch', patch: result as PlainObject };
}

function diffValue(prev: unknown, next: unknown): unknown {
  if (prev === next) return UNCHANGED;
  if (isPlainObject(prev) && isPlainObject(next)) {
    const patch: PlainObject = {};
    let changed = false;
    for (const key of Object.keys(prev)) {
      if (prev[key] !== undefined && next[key] === undefined) return REMOVED;
    }
    for (const key of Object.keys(next)) {
      const value = next[key];
      if (value === undefined) continue;
      const sub = diffValue(prev[key], value);
      if (sub === REMOVED) return REMOVED;
      if (sub !== UNCHANGED) {
        patch[key] = sub;
        changed = true;
      }
    }
    return changed ? patch : UNCHANGED;
  }
  return jsonEqual(prev, next) ? UNCHANGED : next;
}

/** Structural equality of JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keysA = Object.keys(a).filter((key) => a[key] !== undefined);
    const keysB = Object.keys(b).filter((key) => b[key] !== undefined);
    if (keysA.length !== keysB.length) return false;
    for (const key of keysA) if (!jsonEqual(a[key], b[key])) return false;
    return true;
  }
  return false;
}

/**
 * Applies a patch from `diffMergePatch` without mutating `target`: changed branches are copied,
 * untouched ones keep their identity, so a renderer can skip subtrees by reference.
 */
export function applyMergePatch<T>(target: T, patch: unknown): T {
  if (!isPlainObject(patch)) return patch as T;
  const out: PlainObject = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isPlainObject(value) && isPlainObject(current) ? applyMergePatch(current, value) : value;
  }
  return out as T;
}
