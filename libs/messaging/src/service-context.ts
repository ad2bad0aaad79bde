import { type DynamicModule, Global, Module } from '@nestjs/common';
import { type AppConfig } from './config';
import { type Logger } from './logging';

export const SERVICE_NAMES = ['communities', 'partnerships', 'logistics', 'gateway'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The services behind the gateway, each owning one bounded context. */
export const BACKEND_SERVICES = ['communities', 'partnerships', 'logistics'] as const satisfies ServiceName[];
export type BackendServiceName = (typeof BACKEND_SERVICES)[number];

/** Every service answers this request; the gateway's GET /health asks each one. */
export function healthSubject(service: ServiceName): `${ServiceName}.query.health` {
  return `${service}.query.health`;
}

export interface HealthReply {
  service: ServiceName;
  status: 'ok';
  uptimeSeconds: number;
}

/**
 * What a running service knows about itself, injectable anywhere in it by its class
 * (`constructor(private readonly service: ServiceContext)`): its name, configuration and logger.
 */
export class ServiceContext {
  private readonly startedAt = Date.now();

  constructor(
    readonly name: ServiceName,
    readonly config: AppConfig,
    readonly logger: Logger,
  ) {}

  health(): HealthReply {
    return {
      service: this.name,
      status: 'ok',
      uptimeSeconds: Math.floor((Date.now() - this.startedAt) / 1000),
    };
  }
}

@Global()
@Module({})
export class ServiceContextModule {
  static with(context: ServiceContext): DynamicModule {
    return {
      module: ServiceContextModule,
      providers: [{ provide: ServiceContext, useValue: context }],
      exports: [ServiceContext],
    };
  }
}
