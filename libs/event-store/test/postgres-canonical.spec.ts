import fc from 'fast-check';
import { canonicalJson, type JsonValue } from '@aid/event-store';
import { canonicalText, canonicalTextWith } from '../src/postgres/canonical';

/**
 * The PostgreSQL adapter serialises events with its own canonicalText, and verify() recomputes
 * hashes with canonicalJson: the two must produce the same text for every value.
 */
describe('canonicalText (PostgreSQL adapter) agrees with canonicalJson', () => {
  const anyKey = fc.string({ unit: 'binary', maxLength: 12 });
  const json: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.string({ unit: 'binary' }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(anyKey, tie('value'), { maxKeys: 6 }),
    ),
  })).value;

  it('on arbitrary JSON values', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalText(value)).toBe(canonicalJson(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('with one key set on top of an object, as { ...object, [key]: value } would', () => {
    const objects = fc.dictionary(anyKey, json, { maxKeys: 6 });
    fc.assert(
      fc.property(
        objects,
        fc.oneof(anyKey, fc.constantFrom('recordedAt', '__proto__')),
        json,
        (object, key, value) => {
          expect(canonicalTextWith(object, key, value)).toBe(canonicalJson({ ...object, [key]: value }));
          const withKey = { ...object, [key]: 'already there' };
          expect(canonicalTextWith(withKey, key, value)).toBe(canonicalJson({ ...withKey, [key]: value }));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('on JSON parsed from text (keys such as __proto__ as own properties) and on edge values', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const value = JSON.parse(text) as JsonValue;
        expect(canonicalText(value)).toBe(canonicalJson(value));
      }),
      { numRuns: 1000 },
    );
    const edges: JsonValue[] = [
      JSON.parse('{"__proto__":{"a":1},"b":[-0,1e21,5e-324]}') as JsonValue,
      { é: 1, e: 2, E: 3, '\u2028': '\u2029', '\ud83d\ude00': '\ud800', '': '' },
      { nested: { z: [{ y: null, x: true }], a: 'Ґ"\\\n\t\u0001' } },
      [],
      {},
    ];
    for (const value of edges) expect(canonicalText(value)).toBe(canonicalJson(value));
    const withUndefined = { a: undefined, b: [undefined], c: 1 } as unknown as JsonValue;
    expect(canonicalText(withUndefined)).toBe(canonicalJson(withUndefined));
    expect(() => canonicalText({ n: Number.POSITIVE_INFINITY })).toThrow(TypeError);
    expect(() => canonicalText({ n: Number.NaN })).toThrow(TypeError);
  });
});
