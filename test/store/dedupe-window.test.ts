/**
 * The dedupe set under retention: ids of removed days are deleted every day while new ones
 * arrive. It must stay exact through the rebuilds that reclaim tombstones and dead pool bytes
 * (drained a few slots per operation, not in one pause), and its memory must follow the window.
 */
import { describe, expect, it } from 'vitest';
import { CompactIdSet } from '../../server/events/index.ts';
import { seededRandom } from '../helpers/reliability.ts';

const idOf = (day: number, i: number) => `ev-${day}-${i}-${Math.imul(day * 7919 + i, 2654435761) >>> 8}`;

describe('CompactIdSet over a rolling window of days', () => {
  it('should answer like a Set while days are added and forgotten, with bounded memory', () => {
    const perDay = 20_000;
    const window = 10;
    const set = new CompactIdSet();
    const reference = new Set<string>();
    const footprints: number[] = [];
    for (let day = 0; day < 6 * window; day++) {
      if (day >= window) {
        let deleted = 0;
        for (let i = 0; i < perDay; i++) {
          if (set.delete(idOf(day - window, i))) deleted += 1;
          reference.delete(idOf(day - window, i));
        }
        expect(deleted).toBe(perDay);
      }
      for (let i = 0; i < perDay; i++) {
        set.add(idOf(day, i));
        reference.add(idOf(day, i));
      }
      expect(set.size).toBe(reference.size);
      // Kept days answer yes, forgotten ones no (a sample of each).
      for (let i = 0; i < perDay; i += 997) {
        expect(set.has(idOf(day, i))).toBe(true);
        if (day >= window) expect(set.has(idOf(day - window, i))).toBe(false);
      }
      if (day >= 2 * window) footprints.push(set.footprintBytes);
    }
    let missing = 0;
    for (const id of reference) if (!set.has(id)) missing += 1;
    expect(missing).toBe(0);
    // 200 000 ids of ~20 characters: a table of 2^20 slots and a pool of a few MB, doubled at
    // most while one table drains into the next — never growing with the days gone by.
    expect(Math.max(...footprints)).toBeLessThanOrEqual(2.5 * Math.min(...footprints));
    expect(Math.max(...footprints)).toBeLessThan(40_000_000);
  });

  it('should stay exact for random adds and deletes across many rebuilds', () => {
    const random = seededRandom(11);
    const set = new CompactIdSet();
    const reference = new Set<string>();
    let disagreements = 0;
    for (let op = 0; op < 400_000; op++) {
      const id = `id-${Math.floor(random() * 60_000)}`;
      const roll = random();
      if (roll < 0.5) {
        set.add(id);
        reference.add(id);
      } else if (roll < 0.9) {
        if (set.delete(id) !== reference.delete(id)) disagreements += 1;
      } else if (set.has(id) !== reference.has(id)) {
        disagreements += 1;
      }
    }
    for (let i = 0; i < 60_000; i++) if (set.has(`id-${i}`) !== reference.has(`id-${i}`)) disagreements += 1;
    expect(disagreements).toBe(0);
    expect(set.size).toBe(reference.size);
  });
});
