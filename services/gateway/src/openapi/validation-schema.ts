import { ApiProperty } from '@nestjs/swagger';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import {
  ARRAY_MAX_SIZE,
  ARRAY_MIN_SIZE,
  ARRAY_UNIQUE,
  getMetadataStorage,
  IS_ARRAY,
  IS_BOOLEAN,
  IS_DEFINED,
  IS_IN,
  IS_INT,
  IS_ISO31661_ALPHA_2,
  IS_LENGTH,
  IS_NUMBER,
  IS_OBJECT,
  IS_POSITIVE,
  IS_STRING,
  IS_UUID,
  MATCHES,
  MAX,
  MAX_LENGTH,
  MIN,
  MIN_LENGTH,
} from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

/*
 * OpenAPI schemas of the DTOs in @aid/contracts, read from their class-validator rules at start-up
 * instead of @ApiProperty decorators written beside them (or the Nest CLI's swagger plugin, which
 * needs `nest build`): the rules that validate a request are the ones documented, and the DTOs stay
 * readable. Each class gets @ApiProperty on each validated property, then @nestjs/swagger builds
 * the document as usual.
 */

type Options = Record<string, unknown>;
type DtoClass = new () => object;

/** What each class-validator rule says about the schema of a value (an array's items when `each`). */
const VALUE_RULES: Record<string, (constraints: unknown[]) => Options> = {
  [IS_STRING]: () => ({ type: 'string' }),
  [IS_UUID]: () => ({ type: 'string', format: 'uuid' }),
  [IS_IN]: ([values]) => ({ enum: [...(values as unknown[])] }),
  [IS_INT]: () => ({ type: 'integer' }),
  [IS_NUMBER]: () => ({ type: 'number' }),
  [IS_POSITIVE]: () => ({ exclusiveMinimum: 0 }),
  [IS_BOOLEAN]: () => ({ type: 'boolean' }),
  [IS_OBJECT]: () => ({ type: 'object' }),
  [MIN]: ([minimum]) => ({ minimum }),
  [MAX]: ([maximum]) => ({ maximum }),
  [IS_LENGTH]: ([minLength, maxLength]) => ({ minLength, ...(maxLength !== undefined && { maxLength }) }),
  [MIN_LENGTH]: ([minLength]) => ({ minLength }),
  [MAX_LENGTH]: ([maxLength]) => ({ maxLength }),
  [MATCHES]: ([pattern]) => ({ pattern: pattern instanceof RegExp ? pattern.source : String(pattern) }),
  [IS_ISO31661_ALPHA_2]: () => ({ type: 'string', description: 'ISO 3166-1 alpha-2 country code' }),
  // The contracts' own rules (ValidateBy names).
  isIsoDate: () => ({ type: 'string', format: 'date' }),
  isCalendarDate: () => ({ type: 'string', format: 'date' }),
  isIsoDateTime: () => ({ type: 'string', format: 'date-time', description: 'with a time zone' }),
  isDayOrMonth: () => ({
    type: 'string',
    description: 'a day (YYYY-MM-DD), or a month (YYYY-MM) when planned',
  }),
  isPeriodBound: () => ({ type: 'string', description: 'a month (YYYY-MM) or a day (YYYY-MM-DD), UTC' }),
  isKilograms: () => ({ type: 'number', description: 'kilograms, at most 3 decimals' }),
  isNotBlank: () => ({ type: 'string', pattern: '\\S' }),
  isIndicatorMap: () => ({ type: 'object', additionalProperties: { type: 'number' } }),
};

/** Rules about the array itself. */
const ARRAY_RULES: Record<string, (constraints: unknown[]) => Options> = {
  [IS_ARRAY]: () => ({}),
  [ARRAY_MIN_SIZE]: ([minItems]) => ({ minItems }),
  [ARRAY_MAX_SIZE]: ([maxItems]) => ({ maxItems }),
  [ARRAY_UNIQUE]: () => ({ uniqueItems: true }),
};

const documented = new WeakSet<object>();

/** Whether class-validator knows rules for this class (it is a DTO). */
export function hasValidationRules(target: unknown): target is DtoClass {
  return (
    typeof target === 'function' &&
    getMetadataStorage().getTargetValidationMetadatas(target, '', true, false).length > 0
  );
}

/** Adds @ApiProperty, from its validation rules, to every property of the class and of the classes nested in it. */
export function documentFromValidationRules(target: DtoClass): void {
  if (documented.has(target)) return;
  documented.add(target);
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const rule of getMetadataStorage().getTargetValidationMetadatas(target, '', true, false)) {
    byProperty.set(rule.propertyName, [...(byProperty.get(rule.propertyName) ?? []), rule]);
  }
  for (const [property, rules] of byProperty) {
    ApiProperty(propertyOptions(target, property, rules))(target.prototype as object, property);
  }
}

function propertyOptions(target: DtoClass, property: string, rules: ValidationMetadata[]): Options {
  const value: Options = {};
  const array: Options = {};
  let isArray = false;
  let optional = false;
  let defined = false;
  let nested: DtoClass | undefined;
  const other: string[] = [];

  for (const rule of rules) {
    if (rule.type === 'conditionalValidation') {
      optional = true;
      continue;
    }
    if (rule.type === 'nestedValidation') {
      nested = nestedClass(target, property);
      if (rule.each) isArray = true;
      continue;
    }
    const name = ruleName(rule);
    if (name === undefined) continue;
    if (name === IS_DEFINED) {
      defined = true;
      continue;
    }
    if (ARRAY_RULES[name]) {
      isArray = true;
      Object.assign(array, ARRAY_RULES[name](rule.constraints ?? []));
    } else if (VALUE_RULES[name]) {
      if (rule.each) isArray = true;
      mergeValue(value, VALUE_RULES[name](rule.constraints ?? []));
    } else {
      other.push(name);
    }
  }

  if (nested) documentFromValidationRules(nested);
  const options: Options = {
    required: defined || !optional,
    ...value,
    ...(isArray && { isArray: true, ...array }),
  };
  if (nested) options.type = nested;
  // Enums carry their own type; a plain `type` beside them would be a second, weaker statement.
  if (options.enum !== undefined) delete options.type;
  // The items' type for arrays of primitives (swagger needs a constructor, not a schema type name).
  if (isArray && !nested && typeof options.type === 'string') options.type = CONSTRUCTORS[options.type];
  if (other.length > 0) {
    options.description = [options.description, `rules: ${other.join(', ')}`].filter(Boolean).join('; ');
  }
  return options;
}

const CONSTRUCTORS: Record<string, unknown> = {
  string: String,
  number: Number,
  integer: Number,
  boolean: Boolean,
};

function mergeValue(into: Options, extra: Options): void {
  for (const [key, value] of Object.entries(extra)) {
    if (key === 'description' && typeof into.description === 'string') {
      into.description = `${into.description}; ${String(value)}`;
    } else if (!(key === 'type' && into.type !== undefined && value === 'string')) {
      // A more precise type (integer, number) wins over a plain string from a format rule.
      into[key] = value;
    }
  }
}

function ruleName(rule: ValidationMetadata): string | undefined {
  if (rule.name) return rule.name;
  if (!rule.constraintCls) return undefined;
  return getMetadataStorage().getTargetValidatorConstraints(rule.constraintCls)[0]?.name;
}

function nestedClass(target: DtoClass, property: string): DtoClass | undefined {
  const typeMetadata = defaultMetadataStorage.findTypeMetadata(target, property);
  const nested: unknown = typeMetadata?.typeFunction();
  return hasValidationRules(nested) ? nested : undefined;
}
