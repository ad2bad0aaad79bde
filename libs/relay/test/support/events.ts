import type { NewEvent } from '@aid/event-store';
import { randomUUID } from 'node:crypto';

export function domainEvent(type: string, data: NewEvent['data']): NewEvent {
  return {
    id: randomUUID(),
    type,
    data,
    metadata: {
      occurredAt: '2024-05-01T08:00:00.000Z',
      actor: { id: 'test', role: 'admin' },
      correlationId: randomUUID(),
      causationId: null,
      idempotencyKey: null,
      schemaVersion: 1,
      service: 'test',
    },
  };
}
