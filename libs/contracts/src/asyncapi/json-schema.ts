/**
 * A small builder of JSON Schemas (draft 7) whose TypeScript type says which value they
 * describe, so `eventDataSchemas` is checked against the events' data types at compile time: a
 * field added to an event's data, or made required, does not compile until its schema says so.
 */

export type JsonSchema = { [keyword: string]: unknown };

/** A schema of values of type T. Invariant in T: a `string` schema does not pass for a union of literals. */
export interface Schema<T> {
  readonly json: JsonSchema;
  readonly describes?: (value: T) => T;
}

/** A property that may be absent. */
export interface Optional<T> {
  readonly optional: Schema<T>;
}

type PropertySchemas<T> = {
  [K in keyof T]-?: undefined extends T[K] ? Optional<Exclude<T[K], undefined>> : Schema<T[K]>;
};

const schema = <T>(json: JsonSchema): Schema<T> => ({ json });

export const string = (extra: JsonSchema = {}): Schema<string> => schema({ type: 'string', ...extra });
export const number = (extra: JsonSchema = {}): Schema<number> => schema({ type: 'number', ...extra });
export const integer = (extra: JsonSchema = {}): Schema<number> => schema({ type: 'integer', ...extra });
/** An ISO date (YYYY-MM-DD). */
export const date = (description?: string): Schema<string> =>
  string({ format: 'date', ...(description ? { description } : {}) });
/** An ISO date-time. */
export const dateTime = (description?: string): Schema<string> =>
  string({ format: 'date-time', ...(description ? { description } : {}) });
export const uuid = (description?: string): Schema<string> =>
  string({ format: 'uuid', ...(description ? { description } : {}) });
/** Kilograms: at most 3 decimals. */
export const kilograms = (description?: string): Schema<number> =>
  number({ minimum: 0, multipleOf: 0.001, ...(description ? { description } : {}) });

export const oneOf = <const T extends readonly string[]>(
  values: T,
  description?: string,
): Schema<T[number]> =>
  schema({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

export const literal = <const T extends string | boolean>(value: T): Schema<T> => schema({ const: value });

export const arrayOf = <T>(items: Schema<T>, extra: JsonSchema = {}): Schema<T[]> =>
  schema({ type: 'array', items: items.json, ...extra });

export const recordOf = <T>(values: Schema<T>, description?: string): Schema<Record<string, T>> =>
  schema({
    type: 'object',
    additionalProperties: values.json,
    ...(description ? { description } : {}),
  });

export const optional = <T>(property: Schema<T>): Optional<T> => ({ optional: property });

/**
 * An object with exactly the properties of T, the optional ones left out of `required`. T comes
 * from where the schema is used (or is given), never from the properties themselves: they are
 * checked against it instead.
 */
export function object<T extends object>(
  properties: NoInfer<PropertySchemas<T>>,
  description?: string,
): Schema<T> {
  const entries = Object.entries(properties) as Array<[string, Schema<unknown> | Optional<unknown>]>;
  return schema({
    type: 'object',
    ...(description ? { description } : {}),
    properties: Object.fromEntries(
      entries.map(([name, property]) => [
        name,
        'optional' in property ? property.optional.json : property.json,
      ]),
    ),
    required: entries.filter(([, property]) => !('optional' in property)).map(([name]) => name),
    additionalProperties: false,
  });
}

/** Adds a description to a schema. */
export const described = <T>(property: Schema<T>, description: string): Schema<T> =>
  schema({ ...property.json, description });
