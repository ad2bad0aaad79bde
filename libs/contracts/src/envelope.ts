/**
 * What travels in a NATS request from the gateway (or a CLI importer) to a service. The
 * correlation id rides in the `x-correlation-id` header (see docs/messaging.md), not here.
 */
export const REQUEST_ROLES = [
  'admin',
  'coordinator',
  'partnerships',
  'auditor',
  'partner',
  'importer',
  'service',
] as const;

export interface RequestActor {
  /** API key id, or the importer's name. */
  id: string;
  role: (typeof REQUEST_ROLES)[number];
  /** For partner keys: the communities the key may see. */
  communityIds?: string[];
}

export interface RequestMeta {
  actor: RequestActor;
  /** The client's Idempotency-Key: a retry with the same key appends nothing new. */
  idempotencyKey?: string | null;
  /** The client's If-Match: the revision it last saw; a different one is a 409. */
  expectedRevision?: number | null;
  causationId?: string | null;
}

/** Payload of every `<context>.cmd.<command>` request. */
export interface CommandRequest<TData = unknown> {
  /** The aggregate addressed (from the URL); absent when the command creates one. */
  id?: string;
  /** The command's body, validated again by the service (validateInput) whatever the gateway did. */
  data: TData;
  meta: RequestMeta;
}

/** Reply to every command: the HTTP layer answers it as {id, revision, position} with ETag. */
export interface CommandReply {
  id: string;
  /** The aggregate's stream revision after the command. */
  revision: number;
  /** Global position of the last event appended; null when the command appended none. */
  position: number | null;
  /** False for a retried request already recorded, or a command that changed nothing. */
  appended: boolean;
}

/** Payload of every `<context>.query.<query>` request. */
export interface QueryRequest<TParams = Record<string, unknown>> {
  params: TParams;
  meta: { actor: RequestActor };
}

/** Lists answer {items, next?}; `next` is an opaque cursor for the following page. */
export interface Page<TItem> {
  items: TItem[];
  next?: string;
}
