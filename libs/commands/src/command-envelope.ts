import type { CommandMeta } from './command-handler';
import { REQUEST_ROLES, type RequestActor, ValidationError } from '@aid/contracts';
import { currentCorrelationId, newCorrelationId } from '@aid/messaging';

/**
 * The envelope of a command request ({id?, data, meta}) checked as strictly as its data: it comes
 * over NATS from the gateway or an importer, and a malformed one must be a ValidationError that
 * names the field, not an internal error halfway through.
 */

function refuse(field: string, message: string): never {
  throw new ValidationError(`${field} ${message}`, [{ field, message }]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Who asked, how to deduplicate and trace it: the CommandHandler's meta. */
export function commandMeta(request: unknown): CommandMeta {
  if (!isObject(request)) return refuse('(request)', 'must be an object {id?, data, meta}');
  const meta = request.meta;
  if (!isObject(meta)) return refuse('meta', 'must be an object naming the actor');
  const actor = meta.actor;
  if (
    !isObject(actor) ||
    typeof actor.id !== 'string' ||
    actor.id === '' ||
    !(REQUEST_ROLES as readonly unknown[]).includes(actor.role)
  ) {
    return refuse('meta.actor', `must be {id, role} of the caller, role one of ${REQUEST_ROLES.join(', ')}`);
  }
  const { idempotencyKey, expectedRevision, causationId } = meta;
  if (idempotencyKey !== undefined && idempotencyKey !== null) {
    if (typeof idempotencyKey !== 'string' || idempotencyKey === '' || idempotencyKey.length > 200) {
      refuse('meta.idempotencyKey', 'must be a string of 1 to 200 characters');
    }
  }
  if (expectedRevision !== undefined && expectedRevision !== null) {
    if (!Number.isSafeInteger(expectedRevision) || (expectedRevision as number) < -1) {
      refuse('meta.expectedRevision', 'must be a stream revision (an integer from -1)');
    }
  }
  if (causationId !== undefined && causationId !== null && typeof causationId !== 'string') {
    refuse('meta.causationId', 'must be a string');
  }
  return {
    actor: { id: actor.id, role: actor.role as RequestActor['role'] },
    correlationId: currentCorrelationId() ?? newCorrelationId(),
    causationId: causationId ?? null,
    idempotencyKey: idempotencyKey ?? null,
    expectedRevision: (expectedRevision as number | null | undefined) ?? null,
  };
}

/**
 * The command's data with the aggregate the request addresses (the gateway puts the URL's id in
 * `id`) as its `field` (e.g. shipmentId). Both may be given only if they agree: which one was
 * meant cannot be guessed.
 */
export function dataAddressing(request: { id?: unknown; data?: unknown }, field: string): unknown {
  const { id, data } = request;
  if (id === undefined || id === null || !isObject(data)) return data;
  if (typeof id !== 'string') return refuse('id', 'must be the id of what the request addresses');
  if (data[field] !== undefined && data[field] !== id) {
    return refuse(field, `differs from the id addressed (${id})`);
  }
  return { ...data, [field]: id };
}

/** A create command addresses no aggregate: the service makes the id. */
export function refuseAddressedId(request: { id?: unknown }): void {
  if (request.id !== undefined && request.id !== null)
    refuse('id', 'must be absent: the service makes the id');
}
