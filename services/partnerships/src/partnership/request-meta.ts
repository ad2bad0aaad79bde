import { ValidationError, type FieldError, type RequestActor, type RequestMeta } from '@aid/contracts';

/**
 * The envelope's meta, checked before anything relies on it. The gateway fills it, but a
 * malformed request should be refused by name, not fail deep in the handler as an internal error.
 * Unknown fields are tolerated: the envelope may grow.
 */
export function requestMeta(meta: unknown): RequestMeta {
  const fields: FieldError[] = [];
  const given = isObject(meta) ? meta : {};
  if (!isObject(meta)) fields.push({ field: 'meta', message: 'must be an object' });
  const actor = isObject(given.actor) ? given.actor : {};
  if (typeof actor.id !== 'string' || actor.id.trim() === '')
    fields.push({ field: 'meta.actor.id', message: 'must be a non-blank string' });
  if (typeof actor.role !== 'string') fields.push({ field: 'meta.actor.role', message: 'must be a string' });
  if (actor.communityIds !== undefined && !isListOfStrings(actor.communityIds))
    fields.push({ field: 'meta.actor.communityIds', message: 'must be a list of ids' });
  for (const field of ['idempotencyKey', 'causationId'] as const) {
    const value = given[field];
    if (
      value !== undefined &&
      value !== null &&
      (typeof value !== 'string' || value === '' || value.length > 200)
    )
      fields.push({ field: `meta.${field}`, message: 'must be a string of 1 to 200 characters' });
  }
  const revision = given.expectedRevision;
  if (
    revision !== undefined &&
    revision !== null &&
    (!Number.isInteger(revision) || (revision as number) < -1)
  )
    fields.push({ field: 'meta.expectedRevision', message: 'must be a stream revision, an integer from -1' });
  if (fields.length > 0) {
    throw new ValidationError(`invalid request meta: ${fields.map((f) => f.field).join(', ')}`, fields);
  }
  return given as unknown as RequestMeta & { actor: RequestActor };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isListOfStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
