/**
 * An exact set of event ids for deduplication "forever", built for millions of ids: an
 * open-addressing table of (32-bit hash, offset) pairs in typed arrays, and the ids' characters
 * in one growing byte pool. About 35–45 bytes per 20-character id, against ~80 for a
 * `Set<string>`, and a handful of objects instead of millions for the garbage collector to walk.
 *
 * Exact, not probabilistic: a hash match is confirmed by comparing the stored characters, so two
 * different ids are never taken for one (a lost good event would be worse than any memory cost).
 * Ids with characters above U+00FF (rare: producers use ASCII ids) go to a small `Set` instead.
 *
 * Deleting (a failed batch's undo; the ids of days removed by retention) leaves a tombstone and
 * dead bytes in the pool. When the table is half full or the pool full of dead bytes, a new
 * table and pool are started and the old ones drained into them a few slots per add or delete,
 * so a rolling window of ids stays in bounded memory without a pause for a rebuild (a
 * synchronous rebuild of 4M ids stalled admission for up to 1.5 s).
 */
import type { SeenIds } from './admission.ts';

const EMPTY = 0xffffffff;
const INITIAL_SLOTS = 1 << 16;
const INITIAL_POOL_BYTES = 1 << 20;
/** Old-table slots moved per add or delete while draining: done after size / 16 adds. */
const DRAIN_SLOTS_PER_OPERATION = 64;

function hashId(id: string): number {
  // FNV-1a over UTF-16 code units, then a final avalanche (murmur3 fmix32) so nearby ids spread.
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function isLatin1(id: string): boolean {
  for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) > 0xff) return false;
  return true;
}

/** A table being drained into the current one. */
interface DrainingTable {
  hashes: Uint32Array;
  offsets: Uint32Array;
  pool: Uint8Array;
  /** Next slot to move. */
  next: number;
  /** Live ids still in it. */
  live: number;
}

export class CompactIdSet implements SeenIds {
  private hashes = new Uint32Array(INITIAL_SLOTS);
  /** Offset of the id in `pool` (its length byte comes first); EMPTY marks a free slot. */
  private offsets = new Uint32Array(INITIAL_SLOTS).fill(EMPTY);
  private pool = new Uint8Array(INITIAL_POOL_BYTES);
  private poolUsed = 0;
  /** Live ids in the current table and pool, and their pool bytes (length bytes included). */
  private count = 0;
  private liveBytes = 0;
  /** Deleted slots keep their place in probe chains (tombstones), so lookups stay correct. */
  private tombstones = 0;
  private draining: DrainingTable | undefined;
  private readonly wide = new Set<string>();

  get size(): number {
    return this.count + (this.draining?.live ?? 0) + this.wide.size;
  }

  /** Bytes held in typed arrays (tables and pools, a draining one included). */
  get footprintBytes(): number {
    const d = this.draining;
    const drainingBytes =
      d === undefined ? 0 : d.hashes.byteLength + d.offsets.byteLength + d.pool.byteLength;
    return this.hashes.byteLength + this.offsets.byteLength + this.pool.byteLength + drainingBytes;
  }

  has(id: string): boolean {
    if (!isLatin1(id)) return this.wide.has(id);
    const hash = hashId(id);
    return this.findSlot(id, hash) >= 0 || this.findDrainingSlot(id, hash) >= 0;
  }

  add(id: string): void {
    this.addIfAbsent(id);
  }

  /** Adds `id` unless present, hashing and probing once; true when it was added. */
  addIfAbsent(id: string): boolean {
    if (!isLatin1(id)) {
      if (this.wide.has(id)) return false;
      this.wide.add(id);
      return true;
    }
    const hash = hashId(id);
    if (this.findSlot(id, hash) >= 0 || this.findDrainingSlot(id, hash) >= 0) return false;
    this.insertNew(id, hash);
    return true;
  }

  private insertNew(id: string, hash: number): void {
    this.drainSome();
    if ((this.count + this.tombstones + 1) * 2 > this.offsets.length) this.startRebuild();
    const offset = this.store(id);
    this.insert(hash, offset);
    this.count += 1;
    this.liveBytes += 1 + id.length;
  }

  delete(id: string): boolean {
    if (!isLatin1(id)) return this.wide.delete(id);
    const hash = hashId(id);
    const slot = this.findSlot(id, hash);
    if (slot >= 0) {
      // A tombstone: hash kept, offset pointing nowhere valid; the pool bytes are simply left.
      this.offsets[slot] = EMPTY - 1;
      this.count -= 1;
      this.liveBytes -= 1 + id.length;
      this.tombstones += 1;
    } else {
      const draining = this.draining;
      const old = this.findDrainingSlot(id, hash);
      if (draining === undefined || old < 0) return false;
      draining.offsets[old] = EMPTY - 1;
      draining.live -= 1;
    }
    this.drainSome();
    return true;
  }

  /** Slot holding `id` in the current table, or -1. */
  private findSlot(id: string, hash: number): number {
    return probe(this.hashes, this.offsets, this.pool, id, hash);
  }

  /** Slot holding `id` in the table being drained, or -1. */
  private findDrainingSlot(id: string, hash: number): number {
    const d = this.draining;
    return d === undefined ? -1 : probe(d.hashes, d.offsets, d.pool, id, hash);
  }

  /** Appends `length` bytes (a length byte and the id's characters) to the pool, growing it when full. */
  private reserve(length: number): number {
    const needed = this.poolUsed + length;
    if (needed > this.pool.length) {
      const bigger = new Uint8Array(Math.max(needed, this.pool.length * 2));
      bigger.set(this.pool.subarray(0, this.poolUsed));
      this.pool = bigger;
    }
    const offset = this.poolUsed;
    this.poolUsed = needed;
    return offset;
  }

  private store(id: string): number {
    // A full pool that is mostly dead bytes (forgotten ids) is compacted by a rebuild, not doubled.
    if (
      this.poolUsed + 1 + id.length > this.pool.length &&
      this.draining === undefined &&
      (this.poolUsed - this.liveBytes) * 4 >= this.poolUsed
    ) {
      this.startRebuild();
    }
    const offset = this.reserve(1 + id.length);
    this.pool[offset] = id.length;
    for (let i = 0; i < id.length; i++) this.pool[offset + 1 + i] = id.charCodeAt(i);
    return offset;
  }

  private insert(hash: number, offset: number): void {
    const mask = this.offsets.length - 1;
    let slot = hash & mask;
    while (this.offsets[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.hashes[slot] = hash;
    this.offsets[slot] = offset;
  }

  /**
   * Starts a fresh table (a quarter full once drained, so it doubles or halves with the ids)
   * and a fresh pool; the current ones become the draining table.
   */
  private startRebuild(): void {
    // Finishing a drain here would be a pause; the sizes make it unreachable in practice
    // (a drain ends after size / 16 adds, long before the new table is half full).
    while (this.draining !== undefined) this.drainSome();
    const live = this.count;
    let slots = INITIAL_SLOTS;
    while (slots < live * 4) slots *= 2;
    this.draining = { hashes: this.hashes, offsets: this.offsets, pool: this.pool, next: 0, live };
    this.hashes = new Uint32Array(slots);
    this.offsets = new Uint32Array(slots).fill(EMPTY);
    this.pool = new Uint8Array(Math.max(INITIAL_POOL_BYTES, Math.ceil(this.liveBytes * 1.5)));
    this.poolUsed = 0;
    this.count = 0;
    this.liveBytes = 0;
    this.tombstones = 0;
  }

  /** Moves the next few slots of the draining table into the current one. */
  private drainSome(): void {
    const d = this.draining;
    if (d === undefined) return;
    const end = Math.min(d.offsets.length, d.next + DRAIN_SLOTS_PER_OPERATION);
    for (let slot = d.next; slot < end; slot++) {
      const offset = d.offsets[slot] as number;
      if (offset >= EMPTY - 1) continue;
      const bytes = 1 + (d.pool[offset] as number);
      const moved = this.reserve(bytes);
      this.pool.set(d.pool.subarray(offset, offset + bytes), moved);
      this.insert(d.hashes[slot] as number, moved);
      // Left as a tombstone: lookups of ids further along the probe chain must still find them.
      d.offsets[slot] = EMPTY - 1;
      d.live -= 1;
      this.count += 1;
      this.liveBytes += bytes;
    }
    d.next = end;
    if (end === d.offsets.length) this.draining = undefined;
  }
}

/** Slot of `id` in an open-addressing table, or -1. */
function probe(
  hashes: Uint32Array,
  offsets: Uint32Array,
  pool: Uint8Array,
  id: string,
  hash: number,
): number {
  const mask = offsets.length - 1;
  for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
    const offset = offsets[slot] as number;
    if (offset === EMPTY) return -1;
    if (offset !== EMPTY - 1 && hashes[slot] === hash && equalsAt(pool, offset, id)) return slot;
  }
}

function equalsAt(pool: Uint8Array, offset: number, id: string): boolean {
  // Ids are at most 128 characters (EVENTS.md), so one length byte suffices.
  if (pool[offset] !== id.length) return false;
  for (let i = 0; i < id.length; i++) if (pool[offset + 1 + i] !== id.charCodeAt(i)) return false;
  return true;
}
