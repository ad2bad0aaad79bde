import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { EsdbEventStore, type EventStore, PostgresEventStore } from '@aid/event-store';
import { Relay } from '@aid/relay';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type AppConfig, natsConnectionOptions } from './config';
import { ServiceContext } from './service-context';

/** Injection token of the service's EventStore. */
export const EVENT_STORE = Symbol('EVENT_STORE');
const RELAY_STREAM_PREFIXES = Symbol('RELAY_STREAM_PREFIXES');

/** The adapter EVENT_STORE names: the embedded PostgreSQL store by default. */
export async function openEventStore(config: AppConfig): Promise<EventStore> {
  if (config.eventStore === 'esdb') {
    const store = new EsdbEventStore({ connectionString: config.eventStoreUrl ?? '' });
    await store.connect();
    return store;
  }
  const store = new PostgresEventStore({ connectionString: config.databaseUrl });
  // Idempotent and advisory-locked, so services starting together do not race.
  await store.migrate();
  return store;
}

/**
 * Follows the store and publishes this service's own streams to JetStream (AID_EVENTS), from its
 * own checkpoint. One active relay per service; replicas stand by on its advisory lock.
 */
@Injectable()
class ServiceRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private nats: NatsConnection | undefined;
  private relay: Relay | undefined;

  constructor(
    private readonly service: ServiceContext,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(RELAY_STREAM_PREFIXES) private readonly streamPrefixes: string[],
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.streamPrefixes.length === 0) return;
    this.nats = await connect({
      ...natsConnectionOptions(this.service.config.natsUrl),
      name: `${this.service.name}-relay`,
      // Each JetStream publish is a request, for which the client would otherwise build two
      // errors with stack traces in advance (in case it fails): a few per cent of a busy
      // service's CPU. A failed publish still says what failed; the relay retries it.
      noAsyncTraces: true,
    });
    this.relay = new Relay({
      name: `relay_${this.service.name}`,
      store: this.store,
      connectionString: this.service.config.databaseUrl,
      nats: this.nats,
      streamPrefixes: this.streamPrefixes,
      logger: this.service.logger,
    });
    try {
      await this.relay.start();
    } catch (error) {
      // Nest does not run shutdown hooks when bootstrap fails: an open connection would keep an
      // in-process service (tests) alive after its start was refused.
      await this.nats.close().catch(() => undefined);
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
    await this.nats?.drain();
    await this.store.close();
  }
}

@Global()
@Module({})
export class EventSourcingModule {
  /** The EventStore for this service, and a relay of the streams it owns (e.g. ['shipment-']). */
  static forService(options: { relayStreamPrefixes: string[] }): DynamicModule {
    return {
      module: EventSourcingModule,
      providers: [
        {
          provide: EVENT_STORE,
          inject: [ServiceContext],
          useFactory: (service: ServiceContext) => openEventStore(service.config),
        },
        { provide: RELAY_STREAM_PREFIXES, useValue: options.relayStreamPrefixes },
        ServiceRelay,
      ],
      exports: [EVENT_STORE],
    };
  }
}
