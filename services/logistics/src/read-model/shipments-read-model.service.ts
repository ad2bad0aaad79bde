import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { EventStore } from '@aid/event-store';
import { EVENT_STORE, ServiceContext } from '@aid/messaging';
import { ProjectionRunner, type ProjectionStatus } from '@aid/projections';
import { setTimeout as delay } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { createShipmentsProjection } from './shipments.projection';

const TABLES_TIMEOUT_MS = 30_000;

/** Runs the shipments projection for as long as the service runs; queries read its DataSource. */
@Injectable()
export class ShipmentsReadModel implements OnApplicationBootstrap, OnModuleDestroy {
  readonly runner: ProjectionRunner;

  constructor(service: ServiceContext, @Inject(EVENT_STORE) store: EventStore) {
    this.runner = new ProjectionRunner({
      projection: createShipmentsProjection(),
      store,
      connectionString: service.config.databaseUrl,
      logger: service.logger,
    });
  }

  get dataSource(): DataSource {
    return this.runner.dataSource;
  }

  get schema(): string {
    return this.runner.schema;
  }

  status(): Promise<ProjectionStatus> {
    return this.runner.status();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
    await this.tablesExist();
  }

  /**
   * The active instance creates the tables once it holds the projection's lock, which may be just
   * after start() returns: answer no query before they exist rather than fail the first ones.
   */
  private async tablesExist(): Promise<void> {
    const deadline = Date.now() + TABLES_TIMEOUT_MS;
    for (;;) {
      const [row] = await this.dataSource.query<{ table: string | null }[]>(
        'SELECT to_regclass($1) AS table',
        [`${this.schema}.tonnage_lines`],
      );
      if (row?.table) return;
      if (Date.now() > deadline) {
        throw new Error(`the ${this.schema} read model has no tables after ${TABLES_TIMEOUT_MS} ms`);
      }
      await delay(50);
    }
  }

  // Stopped on module destroy, before the event store it follows closes on application shutdown.
  async onModuleDestroy(): Promise<void> {
    await this.runner.stop();
  }
}
