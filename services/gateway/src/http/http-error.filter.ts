import { STATUS_CODES } from 'node:http';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import { type HttpAdapterHost } from '@nestjs/core';
import { DomainError, type DomainErrorCode } from '@aid/contracts';
import {
  currentCorrelationId,
  type Logger,
  RemoteServiceError,
  ServiceUnavailableError,
} from '@aid/messaging';
import { GatewayHttpError, ReplayedErrorAnswer } from './http-errors';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  validation: HttpStatus.BAD_REQUEST,
  'not-found': HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  'too-large': HttpStatus.PAYLOAD_TOO_LARGE,
  'rate-limited': HttpStatus.TOO_MANY_REQUESTS,
};

/** What body-parser throws (it runs before any route): its `type` says what was wrong with the body. */
interface BodyParserError {
  type: string;
  status: number;
  message: string;
  limit?: number;
}

const BODY_PARSER_MESSAGES: Record<string, string> = {
  'encoding.unsupported': 'the body has a content encoding the gateway does not accept',
  'charset.unsupported': 'the body has a charset the gateway does not accept (use utf-8)',
  'request.aborted': 'the client aborted the request while sending the body',
  'request.size.invalid': 'the body is not as long as its Content-Length says',
};

/** The error body of an exception, as every HTTP error of the gateway answers it. */
export function errorBodyOf(statusCode: number, message: string, details?: unknown): ErrorBody {
  const body: ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
  if (details !== undefined) body.details = details;
  return body;
}

/**
 * The error body of an exception the gateway knows how to answer (a refusal, an outage, a bad
 * body...), or null for anything else: a bug. Exported so that idempotency records keep exactly
 * the body that was answered.
 */
export function knownErrorBody(exception: unknown): ErrorBody | null {
  if (exception instanceof GatewayHttpError) {
    return errorBodyOf(exception.getStatus(), exception.message, exception.details);
  }
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const message =
      typeof response === 'object' && 'message' in response ? response.message : exception.message;
    return errorBodyOf(exception.getStatus(), Array.isArray(message) ? message.join('; ') : String(message));
  }
  if (exception instanceof DomainError) {
    return errorBodyOf(STATUS_BY_CODE[exception.code], exception.message, exception.details);
  }
  if (exception instanceof ServiceUnavailableError) {
    return errorBodyOf(
      HttpStatus.SERVICE_UNAVAILABLE,
      `the ${serviceOf(exception.subject)} service did not answer; try again shortly (${exception.message})`,
    );
  }
  if (exception instanceof RemoteServiceError) {
    return errorBodyOf(HttpStatus.BAD_GATEWAY, exception.message);
  }
  if (isBodyParserError(exception)) {
    return errorBodyOf(exception.status, bodyRefusal(exception));
  }
  if (isDatabaseUnavailable(exception)) {
    return errorBodyOf(
      HttpStatus.SERVICE_UNAVAILABLE,
      'the gateway cannot reach its PostgreSQL database right now; try again shortly',
    );
  }
  return null;
}

// PostgreSQL refusing or dropping connections (too many clients, shutting down, starting up) and
// the network failing on the way: an outage the client should retry, not a bug.
const UNAVAILABLE_SQLSTATE = /^(08|53|57P)/;
const UNAVAILABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
]);

function isDatabaseUnavailable(exception: unknown): boolean {
  if (!(exception instanceof Error)) return false;
  const code = (exception as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NETWORK_CODES.has(code))) {
    return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect/.test(exception.message);
}

/**
 * Every HTTP error answers {statusCode, error, message, details?}, whatever raised it. Anything a
 * client can send ends as a 4xx here; a 500 means a bug, logged in full under the correlation id.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly logger: Logger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<unknown>();
    if (exception instanceof ReplayedErrorAnswer) {
      this.adapterHost.httpAdapter.reply(response, exception.body, exception.statusCode);
      return;
    }
    this.answer(exception, response);
  }

  /** Answers an error raised outside Nest's handlers (Express middleware such as the body parser). */
  answer(exception: unknown, response: unknown): void {
    const body = knownErrorBody(exception) ?? this.internalError(exception);
    this.adapterHost.httpAdapter.reply(response, body, body.statusCode);
  }

  private internalError(exception: unknown): ErrorBody {
    // A bug: log it in full, and tell the client only how to find it in the logs.
    const correlationId = currentCorrelationId();
    this.logger.error({ err: exception, correlationId }, 'unhandled error');
    return errorBodyOf(
      HttpStatus.INTERNAL_SERVER_ERROR,
      `internal error; quote correlation id ${correlationId ?? 'unknown'} when reporting it`,
    );
  }
}

function bodyRefusal(error: BodyParserError): string {
  if (error.type === 'entity.too.large' && error.limit !== undefined) {
    return `the body is larger than the limit of ${error.limit} bytes`;
  }
  if (error.type === 'entity.parse.failed') return `the body is not valid JSON: ${error.message}`;
  return BODY_PARSER_MESSAGES[error.type] ?? `the body was refused (${error.type})`;
}

function isBodyParserError(exception: unknown): exception is BodyParserError {
  if (typeof exception !== 'object' || exception === null) return false;
  const { type, status } = exception as Partial<BodyParserError>;
  return typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500;
}

/** `logistics.cmd.plan-shipment` -> logistics. */
function serviceOf(subject: string): string {
  return subject.split('.')[0] ?? subject;
}

/** Express error middleware (four parameters) that answers what the body parser refused. */
export function refusedBodies(filter: HttpErrorFilter) {
  return (error: unknown, _request: unknown, response: unknown, next: (error?: unknown) => void): void => {
    if (isBodyParserError(error)) filter.answer(error, response);
    else next(error);
  };
}
