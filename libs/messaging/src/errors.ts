import {
  ConflictError,
  DomainError,
  NotFoundError,
  ValidationError,
  type DomainErrorCode,
} from '@aid/contracts';

/**
 * What a service replies when a handler refuses a request: Nest sends it as the `err` of the
 * reply packet, and NatsRequester turns it back into the typed DomainError on the caller's
 * side. `code` 'internal' means a bug or outage in the service, never the caller's fault.
 */
export interface ErrorReply {
  code: DomainErrorCode | 'internal';
  message: string;
  details?: DomainError['details'];
}

const DOMAIN_ERROR_CODES: readonly string[] = [
  'validation',
  'not-found',
  'conflict',
  'too-large',
  'rate-limited',
] satisfies DomainErrorCode[];

/** A refusal whose code has no class of its own in @aid/contracts. */
export class RemoteDomainError extends DomainError {
  override readonly name = 'RemoteDomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    details?: DomainError['details'],
  ) {
    super(message, details);
  }
}

/** Nobody answered in time: the service is down, overloaded, or NATS is unreachable. */
export class ServiceUnavailableError extends Error {
  override readonly name = 'ServiceUnavailableError';
  constructor(
    readonly subject: string,
    message: string,
  ) {
    super(message);
  }
}

/** The service answered with a failure that is not a refusal: a bug or an outage behind it. */
export class RemoteServiceError extends Error {
  override readonly name = 'RemoteServiceError';
  constructor(
    readonly subject: string,
    message: string,
  ) {
    super(message);
  }
}

export function toErrorReply(error: DomainError): ErrorReply {
  return error.details === undefined
    ? { code: error.code, message: error.message }
    : { code: error.code, message: error.message, details: error.details };
}

/** Turns the `err` of a reply into the error the caller should see. */
export function errorFromReply(subject: string, reply: unknown): Error {
  if (typeof reply === 'string') return new RemoteServiceError(subject, `${subject}: ${reply}`);
  if (typeof reply !== 'object' || reply === null) {
    return new RemoteServiceError(subject, `${subject}: failed without a reason`);
  }
  const { code, message, details } = reply as Partial<Record<keyof ErrorReply, unknown>>;
  const text = typeof message === 'string' ? message : `${subject} failed`;
  const detailObject =
    typeof details === 'object' && details !== null ? (details as DomainError['details']) : undefined;
  if (typeof code !== 'string' || !DOMAIN_ERROR_CODES.includes(code)) {
    return new RemoteServiceError(subject, `${subject}: ${text}`);
  }
  switch (code as DomainErrorCode) {
    case 'validation':
      return new ValidationError(text, Array.isArray(detailObject) ? detailObject : []);
    case 'not-found':
      return new NotFoundError(text, detailObject);
    case 'conflict':
      return new ConflictError(text, detailObject);
    default:
      return new RemoteDomainError(code as DomainErrorCode, text, detailObject);
  }
}
