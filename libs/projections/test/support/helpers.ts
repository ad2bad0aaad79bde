import type { EventStore, NewEvent } from '@aid/event-store';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { NUMBER_ADDED } from './counter-projection';

export function numberAdded(n: number): NewEvent {
  return {
    id: randomUUID(),
    type: NUMBER_ADDED,
    data: { n },
    metadata: {
      occurredAt: new Date().toISOString(),
      actor: { id: 'test', role: 'admin' },
      correlationId: randomUUID(),
      causationId: null,
      idempotencyKey: null,
      schemaVersion: 1,
      service: 'test',
    },
  };
}

/** Appends one NumberAdded to `stream` and adds it to `expected` (stream -> total). */
export async function addNumber(
  store: EventStore,
  expected: Map<string, number>,
  stream: string,
  n: number,
): Promise<number> {
  const result = await store.append(stream, [numberAdded(n)], 'any');
  expected.set(stream, (expected.get(stream) ?? 0) + n);
  return result.position;
}

/** Polls until `check` returns a value other than undefined; fails with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out waiting for ${what}${cause}`);
    }
    await delay(intervalMs);
  }
}
