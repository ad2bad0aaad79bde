import { randomUUID } from 'node:crypto';
import type { JsonObject, NewEvent } from '@aid/event-store';

export function newEvent(type: string, data: JsonObject = {}, id: string = randomUUID()): NewEvent {
  return {
    id,
    type,
    data,
    metadata: {
      occurredAt: '2024-05-01T12:00:00.000Z',
      actor: { id: 'event-store-test', role: 'admin' },
      correlationId: randomUUID(),
      causationId: null,
      idempotencyKey: null,
      schemaVersion: 1,
      service: 'event-store-test',
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}
