import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';

/*
 * Validators the partnerships DTOs share. Not exported from the contracts index: other
 * contexts may want their own, and `export *` would make equal names collide.
 */

const calendarDatePattern = /^\d{4}-\d{2}-\d{2}$/;
const calendarMonthPattern = /^\d{4}-(0[1-9]|1[0-2])$/;

export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !calendarDatePattern.test(value)) return false;
  // Round-tripping through Date refuses days that do not exist, such as 2025-02-30.
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export function isCalendarMonth(value: unknown): value is string {
  return typeof value === 'string' && calendarMonthPattern.test(value);
}

/** A business date, `YYYY-MM-DD`, that exists in the calendar. */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: isCalendarDate,
        defaultMessage: () => '$property must be a calendar date, YYYY-MM-DD',
      },
    },
    options,
  );
}

/** A day, `YYYY-MM-DD`, or a month, `YYYY-MM`, for activities only planned for some day of it. */
export function IsDayOrMonth(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDayOrMonth',
      validator: {
        validate: (value: unknown) => isCalendarDate(value) || isCalendarMonth(value),
        defaultMessage: () => '$property must be a calendar date, YYYY-MM-DD, or a month, YYYY-MM',
      },
    },
    options,
  );
}

/** Not blank: at least one character that is not white space. */
export function IsNotBlank(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNotBlank',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.trim().length > 0,
        defaultMessage: () => '$property must be a non-blank string',
      },
    },
    options,
  );
}

export const MAX_ACTIVITY_INDICATORS = 20;
const indicatorNamePattern = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * A map of indicator names (kebab-case, up to 64 characters) to numbers. Whether a number is
 * acceptable (finite, not negative) is the decider's rule; here only the shape is checked.
 */
export function IsIndicatorMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIndicatorMap',
      validator: {
        validate: (value: unknown) => {
          if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= MAX_ACTIVITY_INDICATORS &&
            entries.every(([name, figure]) => indicatorNamePattern.test(name) && typeof figure === 'number')
          );
        },
        defaultMessage: () =>
          `$property must be an object of at most ${MAX_ACTIVITY_INDICATORS} kebab-case names (up to 64 characters) to numbers`,
      },
    },
    options,
  );
}

/**
 * Like `@IsOptional()`, but only an absent field is skipped: `null` is validated, and refused,
 * so it never reaches an event.
 */
export function IsOmittable(): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined);
}
