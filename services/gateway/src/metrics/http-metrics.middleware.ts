import { type ServerResponse } from 'node:http';
import { type GatewayRequest } from '../http/gateway-request';
import { type GatewayMetrics } from './gateway-metrics';

/**
 * Times every HTTP request into aid_http_request_duration_seconds, labelled with the route pattern
 * (/v1/shipments/:id, not the id: the label set must stay small) or `unmatched`.
 */
export function httpMetrics(metrics: GatewayMetrics) {
  return (request: GatewayRequest, response: ServerResponse, next: () => void): void => {
    const stop = metrics.httpDuration.startTimer();
    response.on('finish', () => {
      const path = request.route?.path;
      stop({
        method: request.method ?? 'unknown',
        route: typeof path === 'string' ? `${request.baseUrl ?? ''}${path}` : 'unmatched',
        status: String(response.statusCode),
      });
    });
    next();
  };
}
