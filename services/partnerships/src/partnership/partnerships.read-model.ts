import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type EventStore } from '@aid/event-store';
import { EVENT_STORE, ServiceContext } from '@aid/messaging';
import { ProjectionRunner } from '@aid/projections';
import { type DataSource } from 'typeorm';
import { partnershipsProjection } from './partnership.projection';

/**
 * Runs the partnerships projection for as long as the service runs: one active instance across
 * replicas (the runner's advisory lock), the others on standby. Stopped when the module is
 * destroyed, before the event store it follows is closed at application shutdown.
 */
@Injectable()
export class PartnershipsReadModel implements OnApplicationBootstrap, OnModuleDestroy {
  readonly runner: ProjectionRunner;

  constructor(service: ServiceContext, @Inject(EVENT_STORE) store: EventStore) {
    this.runner = new ProjectionRunner({
      projection: partnershipsProjection,
      store,
      connectionString: service.config.databaseUrl,
      logger: service.logger,
    });
  }

  /** For queries: its entities resolve to the live schema. */
  get dataSource(): DataSource {
    return this.runner.dataSource;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner.stop();
  }
}
