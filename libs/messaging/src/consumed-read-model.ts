import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DataSource, type EntityManager, type EntitySchema } from 'typeorm';
import { natsConnectionOptions } from './config';
import { type ConsumedEvent, JetStreamReadModelConsumer } from './jetstream-read-model';
import { type ServiceContext } from './service-context';

export interface ConsumedReadModelOptions {
  /** Names the schema, the durable consumer and the NATS connection; a lowercase identifier. */
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM takes entity classes of any shape
  entities: Array<Function | EntitySchema>;
  filterSubjects: string[];
  handle(event: ConsumedEvent, manager: EntityManager): Promise<void>;
}

/**
 * A service's own copy of another context's facts (the partnerships service's parties, the
 * logistics service's references): tables in a schema of its own, fed from JetStream by a
 * durable consumer. The service decides on this copy and never asks the other service.
 */
export class ConsumedReadModel {
  readonly dataSource: DataSource;
  private nats: NatsConnection | undefined;
  private consumer: JetStreamReadModelConsumer | undefined;

  constructor(
    private readonly service: ServiceContext,
    private readonly options: ConsumedReadModelOptions,
  ) {
    this.dataSource = new DataSource({
      type: 'postgres',
      url: service.config.databaseUrl,
      schema: options.name,
      entities: options.entities,
      poolSize: 4,
      applicationName: `aid-${options.name}`,
    });
  }

  async start(): Promise<void> {
    await this.dataSource.initialize();
    await this.prepareTables();
    this.nats = await connect({
      ...natsConnectionOptions(this.service.config.natsUrl),
      name: `${this.service.name}-${this.options.name}`,
      maxReconnectAttempts: -1,
    });
    this.consumer = new JetStreamReadModelConsumer({
      name: this.options.name,
      nats: this.nats,
      dataSource: this.dataSource,
      filterSubjects: this.options.filterSubjects,
      handle: (event, manager) => this.options.handle(event, manager),
      clear: (manager) => this.clearTables(manager),
      logger: this.service.logger,
    });
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    await this.nats?.drain();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  /** Resolves once every matching event already in JetStream is applied. */
  async caughtUp(timeoutMs?: number): Promise<void> {
    if (!this.consumer) throw new Error(`the ${this.options.name} read model has not started`);
    await this.consumer.caughtUp(timeoutMs);
  }

  /** Every table of the model's schema (its entities, as synchronize made them), in one statement. */
  private async clearTables(manager: EntityManager): Promise<void> {
    const escape = (name: string) => this.dataSource.driver.escape(name);
    const tables = this.dataSource.entityMetadatas.map(
      (metadata) => `${escape(metadata.schema ?? this.options.name)}.${escape(metadata.tableName)}`,
    );
    if (tables.length > 0) await manager.query(`TRUNCATE ${[...new Set(tables)].join(', ')}`);
  }

  /**
   * Read models are disposable and rebuilt from the stream, so TypeORM's synchronize makes their
   * tables; the advisory lock keeps replicas starting together from creating them twice.
   */
  private async prepareTables(): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.query('SELECT pg_advisory_lock(hashtext($1))', [this.options.name]);
      try {
        await runner.query(`CREATE SCHEMA IF NOT EXISTS "${this.options.name}"`);
        await this.dataSource.synchronize();
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [this.options.name]);
      }
    } finally {
      await runner.release();
    }
  }
}
