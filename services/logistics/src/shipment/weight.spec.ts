import { MAX_WEIGHT_KG, ValidationError } from '@aid/contracts';
import fc from 'fast-check';
import { gramsToKg, kgToGrams, sumGrams } from './weight';

const MAX_GRAMS = MAX_WEIGHT_KG * 1000;

/** The exact value of a decimal text in grams, by BigInt arithmetic: an oracle independent of kgToGrams. */
function exactGrams(decimalText: string): bigint {
  const [whole, fraction = ''] = decimalText.split('.');
  return BigInt(whole) * 1000n + BigInt(fraction.padEnd(3, '0'));
}

/** A kilogram figure written as a decimal text with at most 3 decimals, and the number JSON makes of it. */
const kilograms = fc
  .tuple(
    fc.integer({ min: 0, max: MAX_WEIGHT_KG }),
    fc.integer({ min: 0, max: 999 }),
    fc.integer({ min: 0, max: 3 }),
  )
  .map(([whole, thousandths, decimals]) => {
    const fraction = String(thousandths).padStart(3, '0').slice(0, decimals);
    return decimals === 0 ? `${whole}` : `${whole}.${fraction}`;
  })
  .filter((text) => Number(text) > 0 && Number(text) <= MAX_WEIGHT_KG)
  .map((text) => ({ text, kg: JSON.parse(text) as number }));

describe('kgToGrams', () => {
  it.each([
    [12000.5, 12_000_500],
    [17499.75, 17_499_750],
    [12499.75, 12_499_750],
    [8000, 8_000_000],
    [0.001, 1],
    [1.005, 1005],
    [MAX_WEIGHT_KG, MAX_GRAMS],
  ])('reads %s kg as exactly %s g', (kg, grams) => {
    expect(kgToGrams(kg, 'weightKg')).toBe(grams);
  });

  it('is exact where multiplying by 1000 is not', () => {
    expect(1.005 * 1000).not.toBe(1005);
    expect(kgToGrams(1.005, 'weightKg')).toBe(1005);
  });

  it.each([
    [0, /greater than 0/],
    [-0.001, /greater than 0/],
    [NaN, /finite/],
    [Infinity, /finite/],
    [-Infinity, /finite/],
    [0.0001, /3 decimal places/],
    [12000.5001, /3 decimal places/],
    [1e-7, /3 decimal places/],
    [MAX_WEIGHT_KG + 0.001, /at most/],
    [1e21, /at most/],
  ])('refuses %s kg with a ValidationError naming the field', (kg, message) => {
    let error: unknown;
    try {
      kgToGrams(kg, 'items.3.weightKg');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields).toEqual([
      { field: 'items.3.weightKg', message: expect.stringMatching(message) },
    ]);
  });

  it('refuses what is not a number at all', () => {
    expect(() => kgToGrams('12' as unknown as number, 'weightKg')).toThrow(ValidationError);
  });

  it('accepts zero only when asked to, and never a negative weight', () => {
    expect(kgToGrams(0, 'damagedKg', { allowZero: true })).toBe(0);
    expect(() => kgToGrams(-0.001, 'damagedKg', { allowZero: true })).toThrow(/must not be negative/);
  });

  it('reads every decimal with at most 3 places exactly', () => {
    fc.assert(
      fc.property(kilograms, ({ text, kg }) => {
        expect(BigInt(kgToGrams(kg, 'weightKg'))).toBe(exactGrams(text));
      }),
    );
  });

  it('refuses every positive number with a fourth decimal', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 9999 }),
        (whole, tenThousandths) => {
          fc.pre(tenThousandths % 10 !== 0);
          const kg = Number(`${whole}.${String(tenThousandths).padStart(4, '0')}`);
          expect(() => kgToGrams(kg, 'weightKg')).toThrow(/3 decimal places/);
        },
      ),
    );
  });
});

describe('gramsToKg', () => {
  it('gives the number that kgToGrams reads back, for every weight up to the maximum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_GRAMS }), (grams) => {
        expect(kgToGrams(gramsToKg(grams), 'weightKg')).toBe(grams);
      }),
    );
  });

  it('gives the number JSON reads from the decimal text, so events carry exact kilograms', () => {
    fc.assert(
      fc.property(kilograms, ({ kg }) => {
        const grams = kgToGrams(kg, 'weightKg');
        expect(gramsToKg(grams)).toBe(kg);
        expect(JSON.parse(JSON.stringify(gramsToKg(grams)))).toBe(kg);
      }),
    );
  });

  it('refuses fractions of a gram', () => {
    expect(() => gramsToKg(1.5)).toThrow(RangeError);
  });
});

describe('sumGrams', () => {
  it('equals the grams of the exact decimal sum', () => {
    fc.assert(
      fc.property(fc.array(kilograms, { maxLength: 500 }), (weights) => {
        const summed = sumGrams(weights.map(({ kg }) => kgToGrams(kg, 'weightKg')));
        const exact = weights.reduce((total, { text }) => total + exactGrams(text), 0n);
        expect(BigInt(summed)).toBe(exact);
      }),
    );
  });

  it('adds where floats drift', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(gramsToKg(sumGrams([kgToGrams(0.1, 'a'), kgToGrams(0.2, 'b')]))).toBe(0.3);
    expect(
      gramsToKg(sumGrams([12000.5, 8000, 17499.75, 12499.75].map((kg) => kgToGrams(kg, 'weightKg')))),
    ).toBe(50_000);
  });

  it('refuses what is not a whole number of grams, and sums past the safe range', () => {
    expect(() => sumGrams([1, 0.5])).toThrow(RangeError);
    expect(() => sumGrams([Number.MAX_SAFE_INTEGER, 1])).toThrow(/safe integer/);
    expect(sumGrams([])).toBe(0);
  });
});
