import { randomUUID } from 'node:crypto';
import { type ServerResponse } from 'node:http';
import { CORRELATION_ID_HEADER, correlationIdOrNew, type Logger, runWithCorrelationId } from '@aid/messaging';
import { type GatewayRequest } from './gateway-request';

/** Each request's own id, echoed to the client: the causation id of the events the request appends. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * One log line per HTTP request, written when the response is done, with the correlation id
 * taken from the X-Correlation-Id header (or made up) and echoed back to the client, so a
 * coordinator reporting a failure can quote it; the line also names the request's own id and the
 * API key (id and role) that made it.
 */
export function requestLogging(logger: Logger) {
  return (request: GatewayRequest, response: ServerResponse, next: () => void): void => {
    const correlationId = correlationIdOrNew(request.headers[CORRELATION_ID_HEADER]);
    const requestId = randomUUID();
    request.requestId = requestId;
    const startedAt = performance.now();
    response.setHeader(CORRELATION_ID_HEADER, correlationId);
    response.setHeader(REQUEST_ID_HEADER, requestId);
    response.on('close', () => {
      logger.info(
        {
          correlationId,
          requestId,
          method: request.method,
          path: request.originalUrl ?? request.url,
          statusCode: response.statusCode,
          durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
          actor: request.principal ? { id: request.principal.id, role: request.principal.role } : null,
          // The client hung up before the whole response was sent.
          aborted: !response.writableFinished,
        },
        'request handled',
      );
    });
    runWithCorrelationId(correlationId, next);
  };
}
