import { type IncomingMessage, type ServerResponse } from 'node:http';
import { CORRELATION_ID_HEADER, correlationIdOrNew, type Logger, runWithCorrelationId } from '@aid/messaging';

type Request = IncomingMessage & { originalUrl?: string };

/**
 * One log line per HTTP request, written when the response is done, with the correlation id
 * taken from the X-Correlation-Id header (or made up) and echoed back to the client, so a
 * coordinator reporting a failure can quote it.
 */
export function requestLogging(logger: Logger) {
  return (request: Request, response: ServerResponse, next: () => void): void => {
    const correlationId = correlationIdOrNew(request.headers[CORRELATION_ID_HEADER]);
    const startedAt = performance.now();
    response.setHeader(CORRELATION_ID_HEADER, correlationId);
    response.on('close', () => {
      logger.info(
        {
          correlationId,
          method: request.method,
          path: request.originalUrl ?? request.url,
          statusCode: response.statusCode,
          durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
          // The client hung up before the whole response was sent.
          aborted: !response.writableFinished,
        },
        'request handled',
      );
    });
    runWithCorrelationId(correlationId, next);
  };
}
