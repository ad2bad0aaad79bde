import { type INestApplication } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type ServiceContext } from '@aid/messaging';
import { HttpErrorFilter } from './http-error.filter';
import { requestLogging } from './request-logging.middleware';

/** The gateway's HTTP-only wiring; its NATS handlers get theirs from bootstrapService. */
export function setupHttp(app: INestApplication, service: ServiceContext): void {
  // Naming the framework to every client only helps those probing for its known flaws.
  (app.getHttpAdapter().getInstance() as { disable(setting: string): void }).disable('x-powered-by');
  app.use(requestLogging(service.logger));
  app.useGlobalFilters(new HttpErrorFilter(app.get(HttpAdapterHost), service.logger));
}
