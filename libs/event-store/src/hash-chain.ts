import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import type { EventMetadata, JsonValue } from './port';

/** prevHash of every stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no insignificant white space, numbers
 * and strings as JSON.stringify writes them (RFC 8785 for the values this system stores). The same
 * value always gives the same text, whatever order the database returns keys in.
 */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new TypeError('non-finite number in event');
    return JSON.stringify(value ?? null);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const keys = Object.keys(value)
    .filter((key) => value[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
}

export interface HashedContent {
  id: string;
  type: string;
  stream: string;
  revision: number;
  data: JsonValue;
  metadata: EventMetadata;
}

/** The exact text that is hashed for one event. Position is left out: the store assigns it. */
export function canonicalEventText(event: HashedContent): string {
  return canonicalJson({
    id: event.id,
    type: event.type,
    stream: event.stream,
    revision: event.revision,
    data: event.data,
    metadata: event.metadata as unknown as JsonValue,
  });
}

export function chainHash(prevHash: string, canonicalText: string): string {
  return createHash('sha256')
    .update(prevHash + canonicalText, 'utf8')
    .digest('hex');
}

// Fixed namespace for ids derived from idempotency keys (a random UUID, chosen once).
const EVENT_ID_NAMESPACE = '6f1f6f5e-7a39-4f0e-9b0a-6d9c2f3b8a41';

/**
 * The id of the n-th event produced by a command. The same key, scope and index always give the
 * same id, so retrying a command appends nothing new.
 */
export function eventIdFor(scope: string, idempotencyKey: string, index: number): string {
  return uuidv5(`${scope}\u0000${idempotencyKey}\u0000${index}`, EVENT_ID_NAMESPACE);
}
