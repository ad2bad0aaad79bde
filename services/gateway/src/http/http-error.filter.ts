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

/** Every HTTP error answers {statusCode, error, message, details?}, whatever raised it. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly logger: Logger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { statusCode, message, details } = this.describe(exception);
    const body: ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
    if (details !== undefined) body.details = details;
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), body, statusCode);
  }

  private describe(exception: unknown): { statusCode: number; message: string; details?: unknown } {
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const message =
        typeof response === 'object' && 'message' in response ? response.message : exception.message;
      return {
        statusCode: exception.getStatus(),
        message: Array.isArray(message) ? message.join('; ') : String(message),
      };
    }
    if (exception instanceof DomainError) {
      return {
        statusCode: STATUS_BY_CODE[exception.code],
        message: exception.message,
        details: exception.details,
      };
    }
    if (exception instanceof ServiceUnavailableError) {
      return { statusCode: HttpStatus.SERVICE_UNAVAILABLE, message: exception.message };
    }
    if (exception instanceof RemoteServiceError) {
      return { statusCode: HttpStatus.BAD_GATEWAY, message: exception.message };
    }
    // A bug: log it in full, and tell the client only how to find it in the logs.
    const correlationId = currentCorrelationId();
    this.logger.error({ err: exception, correlationId }, 'unhandled error');
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      message: `internal error; quote correlation id ${correlationId ?? 'unknown'} when reporting it`,
    };
  }
}
