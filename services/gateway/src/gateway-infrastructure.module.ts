import {
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { EventSourcingModule, NatsRequester, ServiceContext } from '@aid/messaging';
import { Pool } from 'pg';
import { ApiKeyStore } from './auth';
import { GATEWAY_SETTINGS, type GatewaySettings, loadGatewaySettings } from './gateway-settings';
import { IdempotencyStore } from './idempotency/idempotency.store';

/** The gateway's own PostgreSQL pool: API keys, idempotency records, webhook deliveries. */
export const GATEWAY_POOL = Symbol('GATEWAY_POOL');

/**
 * The idempotency records' own pool, whose commits do not wait for the disk flush
 * (synchronous_commit off). The records only spare the services a repeated request: the
 * services' idempotency (event ids derived from the key) still refuses a second append, so a
 * record lost in a crash costs one extra round trip, never a kilogram counted twice. Waiting for
 * the flush twice per write was the largest share of PostgreSQL's time per HTTP command.
 */
const IDEMPOTENCY_POOL = Symbol('IDEMPOTENCY_POOL');

function openPool(service: ServiceContext, name: string, options: string | undefined): Pool {
  const pool = new Pool({ connectionString: service.config.databaseUrl, max: 10, options });
  // An idle connection dropped by the server must not crash the gateway; the next query reconnects.
  pool.on('error', (error) =>
    service.logger.warn({ err: error, pool: name }, 'gateway pool connection lost'),
  );
  return pool;
}

@Injectable()
class GatewayStartup implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly keys: ApiKeyStore,
    private readonly idempotency: IdempotencyStore,
    private readonly service: ServiceContext,
    @Inject(GATEWAY_POOL) private readonly pool: Pool,
    @Inject(IDEMPOTENCY_POOL) private readonly idempotencyPool: Pool,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.keys.migrate();
    await this.idempotency.migrate();
    if (this.service.config.adminKey) await this.keys.ensureAdminKey(this.service.config.adminKey);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.pool.end(), this.idempotencyPool.end()]);
  }
}

/**
 * What every gateway feature shares: NATS requests to the services, the gateway's pool, the API
 * keys, and a read-only handle on the event store (audit and partner feed read the history; the
 * gateway relays nothing, it owns no streams).
 */
@Global()
@Module({
  imports: [EventSourcingModule.forService({ relayStreamPrefixes: [] })],
  providers: [
    {
      provide: NatsRequester,
      inject: [ServiceContext],
      useFactory: (service: ServiceContext) =>
        new NatsRequester({ natsUrl: service.config.natsUrl, name: 'gateway' }),
    },
    {
      provide: GATEWAY_POOL,
      inject: [ServiceContext],
      useFactory: (service: ServiceContext) => openPool(service, 'gateway', undefined),
    },
    {
      provide: IDEMPOTENCY_POOL,
      inject: [ServiceContext],
      useFactory: (service: ServiceContext) => openPool(service, 'idempotency', '-c synchronous_commit=off'),
    },
    { provide: GATEWAY_SETTINGS, useFactory: () => loadGatewaySettings() },
    {
      provide: ApiKeyStore,
      inject: [GATEWAY_POOL, GATEWAY_SETTINGS],
      useFactory: (pool: Pool, settings: GatewaySettings) =>
        new ApiKeyStore(pool, { cacheMs: settings.apiKeyCacheMs }),
    },
    {
      provide: IdempotencyStore,
      inject: [IDEMPOTENCY_POOL, GATEWAY_SETTINGS, ServiceContext],
      useFactory: (pool: Pool, settings: GatewaySettings, service: ServiceContext) =>
        new IdempotencyStore(pool, {
          // The first request holds its key while it waits for the service, and a little longer.
          leaseMs: settings.serviceTimeoutMs * 2 + 5000,
          waitMs: settings.serviceTimeoutMs + 2000,
          onRecordFailed: (error, key) =>
            service.logger.warn(
              { err: error, idempotencyKey: key },
              'idempotency answer not recorded: a retry runs the command again after the lease',
            ),
        }),
    },
    GatewayStartup,
  ],
  exports: [
    NatsRequester,
    GATEWAY_POOL,
    ApiKeyStore,
    GATEWAY_SETTINGS,
    IdempotencyStore,
    EventSourcingModule,
  ],
})
export class GatewayInfrastructureModule {}
