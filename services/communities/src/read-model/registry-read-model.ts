import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type EventStore } from '@aid/event-store';
import { EVENT_STORE, ServiceContext } from '@aid/messaging';
import { ProjectionRunner } from '@aid/projections';
import { type DataSource } from 'typeorm';
import { CODE_POINT_COLLATION, UKRAINIAN_COLLATION } from './query-support';
import { registryProjection } from './registry.projection';

/**
 * Runs the registry projection for as long as the service runs. It stops before the shutdown
 * hooks proper, where EventSourcingModule closes the store the projection follows.
 */
@Injectable()
export class RegistryReadModel implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly runner: ProjectionRunner;
  /** Quoted, for ORDER BY and keyset comparisons of names. */
  nameCollation = `"${UKRAINIAN_COLLATION}"`;

  constructor(
    private readonly service: ServiceContext,
    @Inject(EVENT_STORE) store: EventStore,
  ) {
    this.runner = new ProjectionRunner({
      projection: registryProjection,
      store,
      connectionString: service.config.databaseUrl,
      logger: service.logger,
    });
  }

  /** The live read model, for queries. */
  get dataSource(): DataSource {
    return this.runner.dataSource;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
    const ukrainian = await this.dataSource.query<unknown[]>(
      'SELECT 1 FROM pg_collation WHERE collname = $1',
      [UKRAINIAN_COLLATION],
    );
    if (ukrainian.length === 0) {
      // Better lists in code-point order than no lists at all.
      this.nameCollation = `"${CODE_POINT_COLLATION}"`;
      this.service.logger.warn(
        `PostgreSQL has no ${UKRAINIAN_COLLATION} collation (built without ICU): names sort by code point`,
      );
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}
