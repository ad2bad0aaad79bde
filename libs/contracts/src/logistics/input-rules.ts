import { IsString, Matches, MaxLength, ValidateBy, ValidateIf } from 'class-validator';

/**
 * Heavier than this is a typo (grams typed as kilograms, an extra zero), not a delivery between
 * communities: 10,000 tonnes. It also keeps every sum of grams far inside Number.MAX_SAFE_INTEGER.
 */
export const MAX_WEIGHT_KG = 10_000_000;

/** At most this many items per shipment, and so per receipt or correction. */
export const MAX_SHIPMENT_ITEMS = 500;

// Matched against String(value), the shortest decimal text that reads back as the same number.
// Exponent forms (1e-7, 1e+21) never match: those numbers have too many decimals or are too large.
const KILOGRAMS_TEXT = /^\d+(\.\d{1,3})?$/;

/**
 * Why a value is not an acceptable weight in kilograms, or null when it is. One rule for the DTOs
 * and the domain, so the gateway and the decider refuse the same values with the same words.
 */
export function kilogramsProblem(value: unknown, options: { allowZero?: boolean } = {}): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a finite number of kilograms';
  if (options.allowZero ? value < 0 : value <= 0) {
    return options.allowZero ? 'must not be negative' : 'must be greater than 0';
  }
  if (value > MAX_WEIGHT_KG) return `must be at most ${MAX_WEIGHT_KG} kg`;
  if (!KILOGRAMS_TEXT.test(String(value))) return 'must have at most 3 decimal places';
  return null;
}

/**
 * A weight in kilograms with at most 3 decimals. class-validator's own `maxDecimalPlaces` is not
 * used: it throws a TypeError on numbers JavaScript writes with an exponent, such as 1e-7.
 */
export function IsKilograms(options: { allowZero?: boolean } = {}): PropertyDecorator {
  return ValidateBy({
    name: 'isKilograms',
    validator: {
      validate: (value: unknown) => kilogramsProblem(value, options) === null,
      defaultMessage: (args) => `${args?.property ?? 'weight'} ${kilogramsProblem(args?.value, options)}`,
    },
  });
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * A date-time with a time zone (`Z` or an offset): without one, the month a shipment was sent in
 * would depend on the server's clock settings. Impossible dates such as 30 February are refused.
 */
export function isIsoDateTime(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = DATE_TIME.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number);
  const [second, offsetHours, offsetMinutes] = match.slice(6).map((part) => Number(part ?? 0));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 14 &&
    offsetMinutes <= 59
  );
}

export function IsIsoDateTime(): PropertyDecorator {
  return ValidateBy({
    name: 'isIsoDateTime',
    validator: {
      validate: (value: unknown) => isIsoDateTime(value),
      defaultMessage: (args) =>
        `${args?.property ?? 'date'} must be an ISO 8601 date-time with a time zone, e.g. 2022-12-23T10:00:00Z`,
    },
  });
}

/** A non-blank string of at most `maxLength` characters. */
export function IsText(maxLength: number): PropertyDecorator {
  return (target, property) => {
    IsString()(target, property);
    MaxLength(maxLength)(target, property);
    Matches(/\S/, { message: '$property must not be blank' })(target, property);
  };
}

/**
 * Skips the other rules only when the field is absent. class-validator's IsOptional also lets
 * null through, which would put `null` where the contract says the field is absent.
 */
export function IsAbsentOr(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}
