/**
 * An exact set of event ids for deduplication "forever", built for millions of ids: an
 * open-addressing table of (32-bit hash, offset) pairs in typed arrays, and the ids' characters
 * in one growing byte pool. About 35–45 bytes per 20-character id, against ~80 for a
 * `Set<string>`, and a handful of objects instead of millions for the garbage collector to walk.
 *
 * Exact, not probabilistic: a hash match is confirmed by comparing the stored characters, so two
 * different ids are never taken for one (a lost good event would be worse than any memory cost).
 * Ids with characters above U+00FF (rare: producers use ASCII ids) go to a small `Set` instead.
 */
import type { SeenIds } from './admission.ts';

const EMPTY = 0xffffffff;
const INITIAL_SLOTS = 1 << 16;
const INITIAL_POOL_BYTES = 1 << 20;

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

export class CompactIdSet implements SeenIds {
  private hashes = new Uint32Array(INITIAL_SLOTS);
  /** Offset of the id in `pool` (its length byte comes first); EMPTY marks a free slot. */
  private offsets = new Uint32Array(INITIAL_SLOTS).fill(EMPTY);
  private pool = new Uint8Array(INITIAL_POOL_BYTES);
  private poolUsed = 0;
  private count = 0;
  /** Deleted slots keep their place in probe chains (tombstones), so lookups stay correct. */
  private tombstones = 0;
  private readonly wide = new Set<string>();

  get size(): number {
    return this.count + this.wide.size;
  }

  has(id: string): boolean {
    if (!isLatin1(id)) return this.wide.has(id);
    return this.findSlot(id, hashId(id)) >= 0;
  }

  add(id: string): void {
    if (!isLatin1(id)) {
      this.wide.add(id);
      return;
    }
    const hash = hashId(id);
    if (this.findSlot(id, hash) >= 0) return;
    if ((this.count + this.tombstones + 1) * 2 > this.offsets.length) this.grow();
    const offset = this.store(id);
    this.insert(hash, offset);
    this.count += 1;
  }

  delete(id: string): boolean {
    if (!isLatin1(id)) return this.wide.delete(id);
    const slot = this.findSlot(id, hashId(id));
    if (slot < 0) return false;
    // A tombstone: hash kept, offset pointing nowhere valid; the pool bytes are simply left.
    this.offsets[slot] = EMPTY - 1;
    this.count -= 1;
    this.tombstones += 1;
    return true;
  }

  /** Slot holding `id`, or -1. */
  private findSlot(id: string, hash: number): number {
    const mask = this.offsets.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const offset = this.offsets[slot] as number;
      if (offset === EMPTY) return -1;
      if (offset !== EMPTY - 1 && this.hashes[slot] === hash && this.equalsAt(offset, id)) return slot;
    }
  }

  private equalsAt(offset: number, id: string): boolean {
    const pool = this.pool;
    // Ids are at most 128 characters (EVENTS.md), so one length byte suffices.
    if (pool[offset] !== id.length) return false;
    for (let i = 0; i < id.length; i++) if (pool[offset + 1 + i] !== id.charCodeAt(i)) return false;
    return true;
  }

  private store(id: string): number {
    const needed = this.poolUsed + 1 + id.length;
    if (needed > this.pool.length) {
      const bigger = new Uint8Array(Math.max(needed, this.pool.length * 2));
      bigger.set(this.pool.subarray(0, this.poolUsed));
      this.pool = bigger;
    }
    const offset = this.poolUsed;
    this.pool[offset] = id.length;
    for (let i = 0; i < id.length; i++) this.pool[offset + 1 + i] = id.charCodeAt(i);
    this.poolUsed = needed;
    return offset;
  }

  private insert(hash: number, offset: number): void {
    const mask = this.offsets.length - 1;
    let slot = hash & mask;
    while (this.offsets[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.hashes[slot] = hash;
    this.offsets[slot] = offset;
  }

  private grow(): void {
    const oldHashes = this.hashes;
    const oldOffsets = this.offsets;
    // Double only when live entries need it; a table full of tombstones is rebuilt at the same size.
    const slots = this.count * 4 > oldOffsets.length ? oldOffsets.length * 2 : oldOffsets.length;
    this.hashes = new Uint32Array(slots);
    this.offsets = new Uint32Array(slots).fill(EMPTY);
    this.tombstones = 0;
    for (let i = 0; i < oldOffsets.length; i++) {
      const offset = oldOffsets[i] as number;
      if (offset < EMPTY - 1) this.insert(oldHashes[i] as number, offset);
    }
  }
}
