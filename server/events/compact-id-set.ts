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
const TOMBSTONE = EMPTY - 1;
const INITIAL_SLOTS = 1 << 16;
const INITIAL_POOL_BYTES = 1 << 20;
/** Old-table slots moved per add or delete while draining: done after size / 16 adds. */
const DRAIN_SLOTS_PER_OPERATION = 64;
/** What `hashLatin1` answers for an id with a character above U+00FF. */
const WIDE = -1;

/**
 * FNV-1a over the UTF-16 code units, then a final avalanche (murmur3 fmix32) so nearby ids
 * spread; WIDE when a code unit is above U+00FF. One pass: the id is read once per lookup.
 */
function hashLatin1(id: string): number {
  let h = 0x811c9dc5;
  let units = 0;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    units |= c;
    h ^= c;
    h = Math.imul(h, 0x01000193);
  }
  if (units > 0xff) return WIDE;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * An open-addressing table: slot i is the pair (hash, offset) at [2i, 2i + 1], side by side so
 * a probe touches one cache line (the table is far larger than the caches: one miss per lookup,
 * not two). Offset EMPTY marks a free slot, TOMBSTONE a deleted one.
 */
type SlotTable = Uint32Array;

function newTable(slots: number): SlotTable {
  return new Uint32Array(slots * 2).fill(EMPTY);
}

/** A table being drained into the current one. */
interface DrainingTable {
  table: SlotTable;
  pool: Uint8Array;
  /** Next slot to move. */
  next: number;
  /** Live ids still in it. */
  live: number;
}

export class CompactIdSet implements SeenIds {
  private table = newTable(INITIAL_SLOTS);
  /** Ids as a length byte then their characters; a slot's offset points at the length byte. */
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
    const drainingBytes = d === undefined ? 0 : d.table.byteLength + d.pool.byteLength;
    return this.table.byteLength + this.pool.byteLength + drainingBytes;
  }

  has(id: string): boolean {
    const hash = hashLatin1(id);
    if (hash === WIDE) return this.wide.has(id);
    return probe(this.table, this.pool, id, hash) >= 0 || this.findDrainingSlot(id, hash) >= 0;
  }

  add(id: string): void {
    this.addIfAbsent(id);
  }

  /** Adds `id` unless present, hashing and probing once; true when it was added. */
  addIfAbsent(id: string): boolean {
    const hash = hashLatin1(id);
    if (hash === WIDE) {
      if (this.wide.has(id)) return false;
      this.wide.add(id);
      return true;
    }
    const found = probe(this.table, this.pool, id, hash);
    if (found >= 0 || this.findDrainingSlot(id, hash) >= 0) return false;
    // Not found: the probe ended on a free slot, -found - 1, where the id goes.
    this.insertNew(id, hash, -found - 1);
    return true;
  }

  private insertNew(id: string, hash: number, freeSlot: number): void {
    const table = this.table;
    if ((this.count + this.tombstones + 1) * 2 > table.length / 2) this.startRebuild();
    const offset = this.store(id);
    if (this.table === table) {
      table[freeSlot * 2] = hash;
      table[freeSlot * 2 + 1] = offset;
    } else {
      // A rebuild started a new table: the free slot was the old one's.
      this.insert(hash, offset);
    }
    this.count += 1;
    this.liveBytes += 1 + id.length;
    this.drainSome();
  }

  delete(id: string): boolean {
    const hash = hashLatin1(id);
    if (hash === WIDE) return this.wide.delete(id);
    const slot = probe(this.table, this.pool, id, hash);
    if (slot >= 0) {
      // A tombstone: hash kept, offset pointing nowhere valid; the pool bytes are simply left.
      this.table[slot * 2 + 1] = TOMBSTONE;
      this.count -= 1;
      this.liveBytes -= 1 + id.length;
      this.tombstones += 1;
    } else {
      const draining = this.draining;
      const old = this.findDrainingSlot(id, hash);
      if (draining === undefined || old < 0) return false;
      draining.table[old * 2 + 1] = TOMBSTONE;
      draining.live -= 1;
    }
    this.drainSome();
    return true;
  }

  /** Slot holding `id` in the table being drained, or a negative number. */
  private findDrainingSlot(id: string, hash: number): number {
    const d = this.draining;
    return d === undefined ? -1 : probe(d.table, d.pool, id, hash);
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
    const pool = this.pool;
    pool[offset] = id.length;
    for (let i = 0; i < id.length; i++) pool[offset + 1 + i] = id.charCodeAt(i);
    return offset;
  }

  private insert(hash: number, offset: number): void {
    const table = this.table;
    const mask = table.length / 2 - 1;
    let slot = hash & mask;
    while (table[slot * 2 + 1] !== EMPTY) slot = (slot + 1) & mask;
    table[slot * 2] = hash;
    table[slot * 2 + 1] = offset;
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
    this.draining = { table: this.table, pool: this.pool, next: 0, live };
    this.table = newTable(slots);
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
    const oldTable = d.table;
    const oldPool = d.pool;
    const end = Math.min(oldTable.length / 2, d.next + DRAIN_SLOTS_PER_OPERATION);
    for (let slot = d.next; slot < end; slot++) {
      const offset = oldTable[slot * 2 + 1] as number;
      if (offset >= TOMBSTONE) continue;
      const bytes = 1 + (oldPool[offset] as number);
      const moved = this.reserve(bytes);
      // A byte loop, not pool.set(subarray): ids are short, and a view per id is garbage.
      const pool = this.pool;
      for (let i = 0; i < bytes; i++) pool[moved + i] = oldPool[offset + i] as number;
      this.insert(oldTable[slot * 2] as number, moved);
      // Left as a tombstone: lookups of ids further along the probe chain must still find them.
      oldTable[slot * 2 + 1] = TOMBSTONE;
      d.live -= 1;
      this.count += 1;
      this.liveBytes += bytes;
    }
    d.next = end;
    if (end === oldTable.length / 2) this.draining = undefined;
  }
}

/**
 * Slot of `id` in an open-addressing table, or, when it is not there, −(free slot) − 1: the
 * free slot that ended the probe, where an insert can put it.
 */
function probe(table: SlotTable, pool: Uint8Array, id: string, hash: number): number {
  const mask = table.length / 2 - 1;
  for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
    const offset = table[slot * 2 + 1] as number;
    if (offset === EMPTY) return -slot - 1;
    if (offset !== TOMBSTONE && table[slot * 2] === hash && equalsAt(pool, offset, id)) return slot;
  }
}

function equalsAt(pool: Uint8Array, offset: number, id: string): boolean {
  // Ids are at most 128 characters (EVENTS.md), so one length byte suffices.
  if (pool[offset] !== id.length) return false;
  for (let i = 0; i < id.length; i++) if (pool[offset + 1 + i] !== id.charCodeAt(i)) return false;
  return true;
}
