import { canonicalJson } from '../hash-chain';
import type { JsonObject, JsonValue } from '../port';

/**
 * canonicalJson (hash-chain.ts), faster: one string built in place instead of arrays that are
 * mapped, filtered and joined, object keys quoted once, and strings that need no escaping quoted
 * without JSON.stringify. The append sends this text to PostgreSQL, which stores and hashes it;
 * verify() recomputes it with canonicalJson, so the two must agree exactly
 * (test/postgres-canonical.spec.ts checks that on arbitrary values). On the bench's events it
 * takes about half the time of canonicalJson.
 */
export function canonicalText(value: JsonValue | undefined): string {
  switch (typeof value) {
    case 'string':
      return quoted(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('non-finite number in event');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let text = '[';
        for (let index = 0; index < value.length; index++) {
          if (index > 0) text += ',';
          text += canonicalText(value[index]);
        }
        return `${text}]`;
      }
      return canonicalObject(value, undefined, undefined);
    }
    default:
      // undefined and anything that is not JSON: whatever the reference makes of it.
      return canonicalJson(value);
  }
}

/**
 * canonicalText({ ...value, [key]: keyValue }) without building that object: the metadata of
 * every stored event is the caller's metadata with recordedAt set.
 */
export function canonicalTextWith(value: JsonObject, key: string, keyValue: JsonValue): string {
  return canonicalObject(value, key, keyValue);
}

function canonicalObject(
  value: JsonObject,
  extraKey: string | undefined,
  extraValue: JsonValue | undefined,
): string {
  const keys = Object.keys(value);
  if (extraKey !== undefined && !Object.prototype.hasOwnProperty.call(value, extraKey)) keys.push(extraKey);
  // Sorted by UTF-16 code units, as canonicalJson sorts them.
  keys.sort();
  let text = '{';
  for (const key of keys) {
    const item = key === extraKey ? extraValue : value[key];
    if (item === undefined) continue;
    if (text.length > 1) text += ',';
    text += quotedKey(key) + canonicalText(item);
  }
  return `${text}}`;
}

/**
 * Characters JSON.stringify escapes in a string: quote, backslash, the control characters, and
 * lone surrogates (any surrogate is sent to JSON.stringify, which knows a pair from a lone one).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify(text), without its cost for the usual string that needs no escaping. */
function quoted(text: string): string {
  return NEEDS_ESCAPING.test(text) ? JSON.stringify(text) : `"${text}"`;
}

const QUOTED_KEYS_MAX = 1000;
const quotedKeys = new Map<string, string>();

/** `"key":`, remembered for the few hundred keys an application's events use. */
function quotedKey(key: string): string {
  let text = quotedKeys.get(key);
  if (text === undefined) {
    text = `${JSON.stringify(key)}:`;
    if (quotedKeys.size < QUOTED_KEYS_MAX && key.length <= 64) quotedKeys.set(key, text);
  }
  return text;
}
