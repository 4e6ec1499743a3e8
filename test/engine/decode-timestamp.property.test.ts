/**
 * decodeEvent reads `ts` through a hand-written fast path (decode-event.ts) for speed; it must
 * agree with parseTimestampMs, the reference, on every text: same instant, or both refuse. The
 * texts are built from near-valid pieces (digits that may be out of range, wrong separators,
 * 0–11 fraction digits, odd offsets) so that both the accepted and the refused sides are hit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEvent, parseTimestampMs } from '../../server/events/index.ts';

const digits = (n: number) =>
  fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((d) => d.join(''));
const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
/** Mostly a valid piece, sometimes anything: keeps both sides of the check busy. */
const mostly = (valid: fc.Arbitrary<string>, other: fc.Arbitrary<string>) =>
  fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: other, weight: 1 });
const within = (min: number, max: number) => fc.integer({ min, max }).map((n) => String(n).padStart(2, '0'));

const timestampText = fc
  .record({
    year: mostly(
      pick(['2026', '2024', '2000', '2100', '9999', '1970']),
      fc.oneof(digits(4), pick(['1969', '0099'])),
    ),
    month: mostly(within(1, 12), fc.oneof(digits(2), pick(['13', '00']))),
    day: mostly(within(1, 31), fc.oneof(digits(2), pick(['00', '32']))),
    hour: mostly(within(0, 23), fc.oneof(digits(2), pick(['24']))),
    minute: mostly(within(0, 59), fc.oneof(digits(2), pick(['60']))),
    second: mostly(within(0, 59), fc.oneof(digits(2), pick(['60']))),
    dateSep: pick(['-', '-', '-', '/']),
    timeSep: pick(['T', 't', ' ', 'T']),
    fraction: fc.oneof(
      fc.constant(null),
      fc.integer({ min: 0, max: 11 }).chain((n) => digits(n)),
    ),
    dot: pick(['.', '.', ',']),
    zone: fc.oneof(
      pick(['Z', 'z', '', 'ZZ', '+08', '+08:00', '-04:30', '+24:00', '-00:60', '+0800']),
      fc.tuple(pick(['+', '-']), digits(2), digits(2)).map(([s, h, m]) => `${s}${h}:${m}`),
    ),
  })
  .map(
    (p) =>
      `${p.year}${p.dateSep}${p.month}-${p.day}${p.timeSep}${p.hour}:${p.minute}:${p.second}` +
      `${p.fraction === null ? '' : p.dot + p.fraction}${p.zone}`,
  );

function decodedTsMs(ts: string): number | undefined {
  const result = decodeEvent(JSON.stringify({ id: 'e1', type: 'clock.tick', ts, shop: 's1' }));
  return result.ok ? result.event.tsMs : undefined;
}

describe('decodeEvent timestamp fast path', () => {
  it('should give exactly parseTimestampMs for any near-RFC 3339 text', () => {
    let accepted = 0;
    fc.assert(
      fc.property(timestampText, (ts) => {
        const expected = parseTimestampMs(ts);
        if (expected !== undefined) accepted += 1;
        expect(decodedTsMs(ts)).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
    // The generator must reach the accepting side too, not only refusals.
    expect(accepted).toBeGreaterThan(200);
  });

  it('should give exactly parseTimestampMs across a range of real instants and offsets', () => {
    for (let ms = Date.UTC(2023, 0, 1); ms < Date.UTC(2029, 0, 1); ms += 7_777_777_7) {
      const iso = new Date(ms).toISOString();
      for (const text of [iso, iso.replace('Z', '+08:00'), iso.replace('.', '.5').replace('Z', '-09:30')]) {
        expect(decodedTsMs(text)).toBe(parseTimestampMs(text));
      }
    }
  });
});
