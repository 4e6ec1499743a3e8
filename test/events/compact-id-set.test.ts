import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompactIdSet } from '../../server/events/index.ts';

describe('CompactIdSet', () => {
  it('should answer exactly like a Set<string> for any sequence of adds, deletes and lookups', () => {
    const id = fc.oneof(
      fc.string({ minLength: 1, maxLength: 128 }),
      fc.stringMatching(/^[a-z]{1,3}-\d{1,6}$/),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
    );
    const operation = fc.tuple(fc.constantFrom('add', 'addIfAbsent', 'delete', 'has'), id);
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 400 }), (operations) => {
        const compact = new CompactIdSet();
        const reference = new Set<string>();
        for (const [op, value] of operations) {
          if (op === 'add') {
            compact.add(value);
            reference.add(value);
          } else if (op === 'addIfAbsent') {
            const wasAbsent = !reference.has(value);
            reference.add(value);
            expect(compact.addIfAbsent(value)).toBe(wasAbsent);
          } else if (op === 'delete') {
            expect(compact.delete(value)).toBe(reference.delete(value));
          } else {
            expect(compact.has(value)).toBe(reference.has(value));
          }
        }
        expect(compact.size).toBe(reference.size);
        for (const value of reference) expect(compact.has(value)).toBe(true);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('should keep a million ids exact through growth, with deletes leaving the others intact', () => {
    const set = new CompactIdSet();
    for (let i = 0; i < 1_000_000; i++) set.add(`shop1-${i}`);
    for (let i = 0; i < 1_000_000; i += 3) set.delete(`shop1-${i}`);
    let present = 0;
    for (let i = 0; i < 1_000_000; i++) if (set.has(`shop1-${i}`)) present += 1;
    // Every third id (i = 0, 3, 6, …, 999 999) was deleted: 333 334 of them.
    expect(present).toBe(1_000_000 - 333_334);
    expect(set.has('shop1-1000000')).toBe(false);
    expect(set.size).toBe(present);
  });
});
