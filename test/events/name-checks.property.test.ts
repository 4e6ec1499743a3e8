import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QUEUE_PATTERN, SHOP_PATTERN } from '../../server/events/index.ts';
import { hasLoneSurrogate, isQueueName, isShopName } from '../../server/events/decode-event.ts';

// Strings drawn from the characters at the edges of the patterns, surrogates included, and
// strings of valid name characters only around the length limits (32, 64).
const EDGE_CHARS = [
  ...'azAZ09_-. /@[`{é\u00ff\u0100\n',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '\ud83d\ude00',
];
const edgeString = fc
  .array(fc.constantFrom(...EDGE_CHARS), { maxLength: 70, size: 'max' })
  .map((chars) => chars.join(''));
const nameString = fc
  .array(fc.constantFrom(...'azAZ09_-'), { minLength: 0, maxLength: 70, size: 'max' })
  .map((chars) => chars.join(''));
const anyString = fc.oneof(edgeString, nameString, fc.string({ maxLength: 70, unit: 'binary', size: 'max' }));

describe('decodeEvent name and Unicode checks', () => {
  it('should accept exactly what the contract patterns accept', () => {
    fc.assert(
      fc.property(anyString, (text) => {
        expect(isShopName(text)).toBe(SHOP_PATTERN.test(text));
        expect(isQueueName(text)).toBe(QUEUE_PATTERN.test(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('should find a lone surrogate exactly where /\\p{Cs}/u does', () => {
    fc.assert(
      fc.property(anyString, (text) => {
        expect(hasLoneSurrogate(text)).toBe(/\p{Cs}/u.test(text));
      }),
      { numRuns: 5000 },
    );
  });
});
