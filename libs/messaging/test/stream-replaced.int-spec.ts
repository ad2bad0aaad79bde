import { randomUUID } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { PostgresEventStore } from '@aid/event-store';
import { Relay } from '@aid/relay';
import { createTestDatabase, startNatsServer, type TestDatabase, type TestNatsServer } from '@aid/testing';
import { DataSource, EntitySchema, type EntityManager } from 'typeorm';
import { domainEvent } from '../../relay/test/support/events';
import {
  CONFIG_DEFAULTS,
  ConsumedReadModel,
  CONSUMER_CHECKPOINT_TABLE,
  createLogger,
  ServiceContext,
  type ConsumedEvent,
} from '../src';

interface Applied {
  eventId: string;
  type: string;
  community: string;
}
// A double application is a unique violation, which fails for ever: the consumer never catches up.
const AppliedSchema = new EntitySchema<Applied>({
  name: 'applied',
  columns: {
    eventId: { type: String, primary: true },
    type: { type: String },
    community: { type: String },
  },
});
interface TypeCount {
  type: string;
  count: number;
}
// A second table of the model, so clearing must empty more than one.
const TypeCountSchema = new EntitySchema<TypeCount>({
  name: 'type_count',
  columns: { type: { type: String, primary: true }, count: { type: Number } },
});

const FILTER_SUBJECTS = ['aid.communities.>', 'aid.partnerships.>'];
const logger = createLogger('test', 'fatal');

let handled = 0;
async function handle(consumed: ConsumedEvent, manager: EntityManager): Promise<void> {
  handled++;
  await manager.insert(AppliedSchema, {
    eventId: consumed.id,
    type: consumed.type,
    community: consumed.community,
  });
  const table = manager.connection.getMetadata(TypeCountSchema).tablePath;
  await manager.query(
    `INSERT INTO ${table} AS counted (type, count) VALUES ($1, 1)
     ON CONFLICT (type) DO UPDATE SET count = counted.count + 1`,
    [consumed.type],
  );
}

describe('a JetStream read model whose stream was replaced (NATS lost its data, the database kept)', () => {
  let nats: TestNatsServer;
  let database: TestDatabase;
  let connection: NatsConnection;
  let jsm: JetStreamManager;
  let store: PostgresEventStore;
  let service: ServiceContext;
  const running: Array<{ stop(): Promise<void> }> = [];

  beforeAll(async () => {
    nats = await startNatsServer();
    database = await createTestDatabase('streamreplaced');
    connection = await connect({ servers: nats.url });
    jsm = await jetstreamManager(connection);
    store = new PostgresEventStore({ connectionString: database.url });
    await store.migrate();
    service = new ServiceContext(
      'partnerships',
      {
        ...CONFIG_DEFAULTS,
        databaseUrl: database.url,
        natsUrl: nats.url,
        eventStore: 'postgres',
        eventStoreUrl: undefined,
        adminKey: undefined,
      },
      logger,
    );
  });

  afterEach(async () => {
    for (const each of running.splice(0).reverse()) await each.stop();
  });

  afterAll(async () => {
    await store?.close();
    await connection?.close();
    await nats?.stop();
    await database?.drop();
  });

  async function startRelay(): Promise<Relay> {
    const relay = new Relay({
      name: 'relay_test',
      store,
      connectionString: database.url,
      nats: connection,
      logger,
    });
    running.push(relay);
    await relay.start();
    return relay;
  }

  async function startReadModel(name = 'parties_test'): Promise<ConsumedReadModel> {
    const model = new ConsumedReadModel(service, {
      name,
      entities: [AppliedSchema, TypeCountSchema],
      filterSubjects: FILTER_SUBJECTS,
      handle,
    });
    running.push(model);
    await model.start();
    return model;
  }

  async function stopAll(): Promise<void> {
    for (const each of running.splice(0).reverse()) await each.stop();
  }

  async function contents(model: ConsumedReadModel) {
    return {
      applied: await model.dataSource.getRepository(AppliedSchema).find({ order: { eventId: 'ASC' } }),
      counts: await model.dataSource.getRepository(TypeCountSchema).find({ order: { type: 'ASC' } }),
    };
  }

  /** The model's events in the store: communities' and partnerships' (the relay's copies are skipped). */
  async function expectedEventIds(): Promise<string[]> {
    const events = await store.readAll();
    return events
      .filter((each) => /^(community|partnership)-/.test(each.stream))
      .map((each) => each.id)
      .sort();
  }

  const appendCommunity = async () => {
    const id = randomUUID();
    await store.append(
      `community-${id}`,
      [domainEvent('CommunityRegistered', { communityId: id })],
      'no-stream',
    );
  };
  // Two Ukrainian parties: the relay also sends a copy to the second, which the model must skip.
  const appendPartnership = async () => {
    const [rear, outpost, id] = [randomUUID(), randomUUID(), randomUUID()];
    await store.append(
      `partnership-${id}`,
      [
        domainEvent('PartnershipProposed', {
          partnershipId: id,
          parties: [
            { partyId: rear, role: 'rear' },
            { partyId: outpost, role: 'outpost' },
          ],
        }),
      ],
      'no-stream',
    );
  };

  it('is cleared and rebuilt from the new stream, every event once, after its restart', async () => {
    await startRelay();
    const model = await startReadModel();
    for (let n = 0; n < 4; n++) await appendCommunity();
    for (let n = 0; n < 3; n++) await appendPartnership();
    await waitFor(async () => (await contents(model)).applied.length === 7);
    await model.caughtUp();
    const created = (await jsm.streams.info('AID_EVENTS')).created;
    await stopAll();

    await jsm.streams.delete('AID_EVENTS');
    // Only the new stream will hold these, after the republished history.
    await appendPartnership();
    await appendCommunity();
    const relay = await startRelay();
    const expected = await expectedEventIds();
    await waitFor(async () => {
      const status = await relay.status();
      return status.lag === 0 && status.eventsPublished === expected.length;
    });
    const newCreated = (await jsm.streams.info('AID_EVENTS')).created;
    expect(newCreated).not.toBe(created);

    const restarted = await startReadModel();
    await restarted.caughtUp();
    const rebuilt = await contents(restarted);
    expect(rebuilt.applied.map((row) => row.eventId)).toEqual(expected);
    expect(rebuilt.counts).toEqual([
      { type: 'CommunityRegistered', count: 5 },
      { type: 'PartnershipProposed', count: 4 },
    ]);
    const fresh = await startReadModel('parties_fresh');
    await fresh.caughtUp();
    expect(await contents(fresh)).toEqual(rebuilt);

    await appendCommunity();
    await waitFor(async () => (await contents(restarted)).applied.length === expected.length + 1);
    await restarted.caughtUp();
    expect((await contents(restarted)).applied.map((row) => row.eventId)).toEqual(await expectedEventIds());

    const rows = await restarted.dataSource.query<Array<{ name: string; stream_created: string }>>(
      `SELECT name, stream_created FROM ${CONSUMER_CHECKPOINT_TABLE} WHERE name LIKE 'parties_test%' ORDER BY name`,
    );
    expect(rows).toEqual([
      { name: 'parties_test_0', stream_created: newCreated },
      { name: 'parties_test_1', stream_created: newCreated },
    ]);
  });

  it('keeps its model on the same stream, also when its checkpoints are from before streams were remembered', async () => {
    const model = await startReadModel();
    await model.caughtUp();
    const before = await contents(model);
    expect(before.applied.length).toBeGreaterThan(0);
    await stopAll();

    const admin = new DataSource({ type: 'postgres', url: database.url });
    await admin.initialize();
    try {
      await admin.query(`ALTER TABLE ${CONSUMER_CHECKPOINT_TABLE} DROP COLUMN stream_created`);
    } finally {
      await admin.destroy();
    }
    const handledBefore = handled;
    const upgraded = await startReadModel();
    await upgraded.caughtUp();
    expect(await contents(upgraded)).toEqual(before);
    await stopAll();

    const again = await startReadModel();
    await again.caughtUp();
    expect(await contents(again)).toEqual(before);
    // Cleared, it would have applied the stream again to the same contents.
    expect(handled).toBe(handledBefore);
    const created = (await jsm.streams.info('AID_EVENTS')).created;
    const rows = await again.dataSource.query<Array<{ stream_created: string }>>(
      `SELECT stream_created FROM ${CONSUMER_CHECKPOINT_TABLE} WHERE name LIKE 'parties_test%'`,
    );
    expect(rows.map((row) => row.stream_created)).toEqual([created, created]);
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
