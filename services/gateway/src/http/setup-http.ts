import { type INestApplication } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { type ServiceContext } from '@aid/messaging';
import { httpMetrics } from '../metrics/http-metrics.middleware';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { setupOpenApi } from '../openapi/openapi';
import { HttpErrorFilter, refusedBodies } from './http-error.filter';
import { requestLogging } from './request-logging.middleware';
import { ContractValidationPipe } from './validation.pipes';

/** Larger bodies are refused with 413 before they are parsed: no command needs more. */
export const BODY_LIMIT = '1mb';

/** The gateway's HTTP-only wiring; its NATS handlers get theirs from bootstrapService. */
export function setupHttp(app: INestApplication, service: ServiceContext): void {
  const express = app as NestExpressApplication;
  // Naming the framework to every client only helps those probing for its known flaws.
  express.disable('x-powered-by');
  // Express would tag every answer with a hash of its body; the gateway's ETags are stream revisions only.
  express.set('etag', false);
  app.use(requestLogging(service.logger));
  app.use(httpMetrics(app.get(GatewayMetrics)));
  // Registered before Nest's default parser (100 kB), which then leaves JSON to this one.
  // Not strict: a JSON string or null as the body is then refused as "not an object", which it is.
  express.useBodyParser('json', { limit: BODY_LIMIT, strict: false });
  const errors = new HttpErrorFilter(app.get(HttpAdapterHost), service.logger);
  // A body refused by the parser (malformed JSON, too large) never reaches a route: answer it here.
  app.use(refusedBodies(errors));
  app.useGlobalPipes(new ContractValidationPipe());
  app.useGlobalFilters(errors);
  setupOpenApi(app);
}
