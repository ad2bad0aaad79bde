import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * Refusals the gateway itself makes (the services' refusals arrive as DomainErrors). Each is an
 * HttpException whose response is the error body's message and details, so HttpErrorFilter renders
 * it in the one shape {statusCode, error, message, details?}.
 */
export class GatewayHttpError extends HttpException {
  constructor(
    status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message, status);
  }
}

/** 412: the If-Match revision is not the resource's current one. */
export class PreconditionFailedError extends GatewayHttpError {
  constructor(message: string, details?: unknown) {
    super(HttpStatus.PRECONDITION_FAILED, message, details);
  }
}

/** 422: an Idempotency-Key reused for a different request. */
export class IdempotencyKeyReusedError extends GatewayHttpError {
  constructor(key: string) {
    super(
      HttpStatus.UNPROCESSABLE_ENTITY,
      `Idempotency-Key ${JSON.stringify(key)} was already used for a different request (method, path, If-Match or body differ); use a new key for a new request`,
      [{ field: 'Idempotency-Key', message: 'was already used for a different request' }],
    );
  }
}

/** The stored answer to an earlier request with the same Idempotency-Key, when that answer was an error. */
export class ReplayedErrorAnswer extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: unknown,
  ) {
    super(`replayed error answer ${statusCode}`);
  }
}
