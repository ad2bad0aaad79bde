import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';

const AGGREGATE_ID_NAMESPACE = '1b671a64-40d1-4f2e-8a3c-5e0a2b7c9d10';

/**
 * The id of an aggregate a command creates. Normally a UUIDv7 (time-ordered, made here); with
 * an Idempotency-Key it is derived from the key, the caller and the command, so a retried
 * "create" lands on the same stream and appends nothing new instead of creating a twin.
 */
export function newAggregateId(commandName: string, actorId: string, idempotencyKey?: string | null): string {
  if (!idempotencyKey) return uuidv7();
  return uuidv5(`${commandName}\u0000${actorId}\u0000${idempotencyKey}`, AGGREGATE_ID_NAMESPACE);
}
