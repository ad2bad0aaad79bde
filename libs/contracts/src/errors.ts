/**
 * Refusals a decider or handler may throw. They travel over NATS as `{ error: { code, message,
 * details } }` and the gateway maps the code to an HTTP status.
 */
export type DomainErrorCode = 'validation' | 'not-found' | 'conflict' | 'too-large' | 'rate-limited';

export interface FieldError {
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  constructor(
    message: string,
    readonly details?: FieldError[] | Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Bad input: 400 with the failing fields. */
export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';
  readonly code = 'validation' as const;
  constructor(
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message, fields);
  }
}

/** 404. */
export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
  readonly code = 'not-found' as const;
}

/** 409: an illegal transition, a duplicate, or a revision conflict. */
export class ConflictError extends DomainError {
  override readonly name = 'ConflictError';
  readonly code = 'conflict' as const;
}
