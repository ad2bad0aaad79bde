import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * One correlation id follows a request from the HTTP edge through every NATS request it causes
 * (and, later, into the metadata of the events it appends), so one grep finds all of its lines.
 * It travels as this header on HTTP and on NATS alike.
 */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

// Ids come from clients and partners: accept only what is safe to echo into logs and headers.
const ACCEPTABLE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const storage = new AsyncLocalStorage<{ correlationId: string }>();

export function newCorrelationId(): string {
  return randomUUID();
}

/** The given id when it is acceptable, otherwise a fresh one. */
export function correlationIdOrNew(candidate: unknown): string {
  return isAcceptableCorrelationId(candidate) ? candidate : newCorrelationId();
}

export function isAcceptableCorrelationId(candidate: unknown): candidate is string {
  return typeof candidate === 'string' && ACCEPTABLE_CORRELATION_ID.test(candidate);
}

/** Runs work with correlationId as the current one, across every await inside it. */
export function runWithCorrelationId<T>(correlationId: string, work: () => T): T {
  return storage.run({ correlationId }, work);
}

/** The correlation id of the request or message being handled, if any. */
export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}
