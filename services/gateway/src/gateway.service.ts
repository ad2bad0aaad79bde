import { type ServiceDefinition } from '@aid/messaging';
import { GatewayModule } from './app.module';
import { setupHttp } from './http/setup-http';

/** Shared by main.ts and the tests, so both boot the gateway the same way. */
export const gatewayService: ServiceDefinition = {
  name: 'gateway',
  module: GatewayModule,
  http: { setup: setupHttp },
};
