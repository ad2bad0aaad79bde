import { ValidationError, kilogramsProblem } from '@aid/contracts';

/**
 * Weights travel as JSON numbers of kilograms with at most 3 decimals and are added in integer
 * grams. Adding the floats directly drifts (0.1 + 0.2 !== 0.3); integers below 2^53 add exactly.
 */

export const GRAMS_PER_KG = 1000;

/**
 * The exact number of grams in `kg`, read from the number's decimal text (12000.5 -> 12000500).
 * Multiplying by 1000 instead can miss: 1.005 * 1000 is 1004.9999999999999.
 * Throws a ValidationError naming `field` when the value is not a valid weight.
 */
export function kgToGrams(kg: number, field: string, options: { allowZero?: boolean } = {}): number {
  const problem = kilogramsProblem(kg, options);
  if (problem !== null) throw new ValidationError(`${field} ${problem}`, [{ field, message: problem }]);
  // kilogramsProblem has checked that the text is digits with at most 3 decimals.
  const [whole, fraction = ''] = String(kg).split('.');
  return Number(whole) * GRAMS_PER_KG + Number(fraction.padEnd(3, '0'));
}

/** The sum of whole grams, refusing anything that could not be added exactly. */
export function sumGrams(grams: readonly number[]): number {
  let total = 0;
  for (const value of grams) {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not a whole number of grams: ${value}`);
    total += value;
  }
  if (!Number.isSafeInteger(total)) throw new RangeError('sum of grams exceeds the safe integer range');
  return total;
}

/**
 * Grams back to a kilogram number for events and read models. Dividing by 1000 rounds correctly,
 * to the same number JSON.parse gives for the decimal text, so the kilograms stay exact.
 */
export function gramsToKg(grams: number): number {
  if (!Number.isSafeInteger(grams)) throw new RangeError(`not a whole number of grams: ${grams}`);
  return grams / GRAMS_PER_KG;
}
