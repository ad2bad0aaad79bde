import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { PostgresEventStore, type NewEvent } from '@aid/event-store';
import { PRIMARY_SUBJECT_HEADER, Relay } from '@aid/relay';
import { createTestDatabase, startNatsServer, type TestDatabase, type TestNatsServer } from '@aid/testing';
import { DataSource, EntitySchema } from 'typeorm';
import { domainEvent } from '../../relay/test/support/events';
import { createLogger, JetStreamReadModelConsumer, type ConsumedEvent } from '../src';

interface Seen {
  sequence: number;
  eventId: string;
  type: string;
  community: string;
}
// One row per applied event: a double application would show as a unique violation or an extra row.
const SeenSchema = new EntitySchema<Seen>({
  name: 'seen',
  columns: {
    sequence: { type: Number, primary: true, generated: 'increment' },
    eventId: { type: String, unique: true },
    type: { type: String },
    community: { type: String },
  },
});

const logger = createLogger('test', 'fatal');

function registered(communityId: string): NewEvent {
  return {
    id: randomUUID(),
    type: 'CommunityRegistered',
    data: { communityId, name: { uk: 'Громада' }, kind: 'hromada', countryCode: 'UA' },
    metadata: {
      occurredAt: new Date().toISOString(),
      actor: { id: 'test', role: 'service' },
      correlationId: 'corr',
      causationId: null,
      idempotencyKey: null,
      schemaVersion: 1,
      service: 'communities',
    },
  };
}

describe('JetStreamReadModelConsumer (real nats-server and PostgreSQL)', () => {
  let nats: TestNatsServer;
  let database: TestDatabase;
  let connection: NatsConnection;
  let store: PostgresEventStore;
  let relay: Relay;
  let dataSource: DataSource;
  const communities: string[] = [];

  const appendCommunities = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const id = randomUUID();
      communities.push(id);
      await store.append(`community-${id}`, [registered(id)], 'no-stream');
    }
  };
  const consumer = (handle: (event: ConsumedEvent) => Promise<void> | void = () => undefined) =>
    new JetStreamReadModelConsumer({
      name: 'test_parties',
      nats: connection,
      dataSource,
      filterSubjects: ['aid.communities.>'],
      logger,
      retryDelayMs: 50,
      handle: async (event, manager) => {
        await handle(event);
        await manager.insert(SeenSchema, { eventId: event.id, type: event.type, community: event.community });
      },
      clear: (manager) => manager.clear(SeenSchema),
    });
  const seen = () => dataSource.getRepository(SeenSchema).find({ order: { sequence: 'ASC' } });

  beforeAll(async () => {
    nats = await startNatsServer();
    database = await createTestDatabase('jsconsumer');
    connection = await connect({ servers: nats.url });
    store = new PostgresEventStore({ connectionString: database.url });
    await store.migrate();
    relay = new Relay({
      name: 'relay_test',
      store,
      connectionString: database.url,
      nats: connection,
      logger,
    });
    dataSource = new DataSource({
      type: 'postgres',
      url: database.url,
      entities: [SeenSchema],
      synchronize: true,
    });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await relay?.stop();
    await dataSource?.destroy();
    await store?.close();
    await connection?.close();
    await nats?.stop();
    await database?.drop();
  });

  it('applies every event once, in order, and carries on from its checkpoint after a restart', async () => {
    const first = consumer();
    await first.start(); // before the relay: whichever starts first creates the stream
    await relay.start();
    await appendCommunities(20);
    await waitFor(() => seen().then((rows) => rows.length === 20));
    await first.caughtUp();
    await first.stop();

    await appendCommunities(10);
    const second = consumer();
    await second.start();
    await waitFor(() => seen().then((rows) => rows.length === 30));
    await second.caughtUp();
    const rows = await seen();
    expect(rows.map((row) => row.community)).toEqual(communities);
    expect(rows.every((row) => row.type === 'CommunityRegistered')).toBe(true);
    await second.stop();
  });

  it('retries an event whose handler failed, without applying anything after it first', async () => {
    const before = (await seen()).length;
    let failures = 0;
    const failing = consumer((event) => {
      if (event.community === communities[before + 1] && failures < 2) {
        failures++;
        throw new Error('database hiccup');
      }
    });
    await failing.start();
    await appendCommunities(5);
    await waitFor(() => seen().then((rows) => rows.length === before + 5));
    await failing.caughtUp();
    expect(failures).toBe(2);
    expect((await seen()).slice(before).map((row) => row.community)).toEqual(communities.slice(before));
    await failing.stop();
  });

  it('only acknowledges a redelivered message it had already applied (crash between commit and ack)', async () => {
    await appendCommunities(3);
    // As if a crashed instance had committed these three but never acked them.
    await dataSource.query(
      `UPDATE public.jetstream_consumer_checkpoints SET stream_sequence = stream_sequence + 3 WHERE name = 'test_parties'`,
    );
    const handled: string[] = [];
    const restarted = consumer((event) => void handled.push(event.community));
    await restarted.start();
    await restarted.caughtUp();
    expect(handled).toEqual([]);
    await appendCommunities(1);
    await waitFor(() => handled.length === 1);
    expect(handled).toEqual([communities.at(-1)]);
    await restarted.stop();
  });

  it('rebuilds a read model in a fresh database although the durable consumer had acked everything', async () => {
    const freshDatabase = await createTestDatabase('jsconsumerfresh');
    const freshSource = new DataSource({
      type: 'postgres',
      url: freshDatabase.url,
      entities: [SeenSchema],
      synchronize: true,
    });
    await freshSource.initialize();
    try {
      const fresh = new JetStreamReadModelConsumer({
        name: 'test_parties',
        nats: connection,
        dataSource: freshSource,
        filterSubjects: ['aid.communities.>'],
        logger,
        handle: async (event, manager) => {
          await manager.insert(SeenSchema, {
            eventId: event.id,
            type: event.type,
            community: event.community,
          });
        },
        clear: (manager) => manager.clear(SeenSchema),
      });
      await fresh.start();
      await fresh.caughtUp();
      const rows = await freshSource.getRepository(SeenSchema).find({ order: { sequence: 'ASC' } });
      expect(rows.map((row) => row.community)).toEqual(communities);
      await fresh.stop();
    } finally {
      await freshSource.destroy();
      await freshDatabase.drop();
    }
  });

  it("applies a partnership concerning two hromadas once, not again from the partners' copy", async () => {
    const [rear, outpost, partnershipId] = [randomUUID(), randomUUID(), randomUUID()];
    await store.append(
      `partnership-${partnershipId}`,
      [
        domainEvent('PartnershipProposed', {
          partnershipId,
          kind: 'side-by-side',
          parties: [
            { partyId: rear, role: 'rear' },
            { partyId: outpost, role: 'outpost' },
          ],
        }),
      ],
      'no-stream',
    );
    const applied: ConsumedEvent[] = [];
    const partnerships = new JetStreamReadModelConsumer({
      name: 'test_partnerships',
      nats: connection,
      dataSource,
      filterSubjects: ['aid.partnerships.>'],
      logger,
      handle: async (event, manager) => {
        applied.push(event);
        // eventId is unique: applying the copy as well would fail here and be retried for ever.
        await manager.insert(SeenSchema, { eventId: event.id, type: event.type, community: event.community });
      },
      clear: (manager) => manager.clear(SeenSchema),
    });
    // The copy for the rear community is in JetStream (the relay sends it right after the event),
    // so the consumer meets it: the skip is not vacuous.
    const jsm = await jetstreamManager(connection);
    const copyFor = (community: string) =>
      jsm.streams
        .getMessage('AID_EVENTS', { last_by_subj: `aid.partnerships.PartnershipProposed.${community}` })
        .catch(() => null);
    await waitFor(async () => (await copyFor(rear)) !== null);
    expect((await copyFor(rear))?.header.get(PRIMARY_SUBJECT_HEADER)).toBe(
      `aid.partnerships.PartnershipProposed.${outpost}`,
    );
    await partnerships.start();
    await partnerships.caughtUp();
    expect(applied.map((event) => [event.type, event.community])).toEqual([['PartnershipProposed', outpost]]);
    await partnerships.stop();
  });

  it('starts several consumers together in a fresh database (they create the checkpoint table at once)', async () => {
    const freshDatabase = await createTestDatabase('jsconsumerrace');
    const sources = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const source = new DataSource({ type: 'postgres', url: freshDatabase.url, entities: [SeenSchema] });
        return source.initialize();
      }),
    );
    try {
      const consumers = sources.map(
        (source, index) =>
          new JetStreamReadModelConsumer({
            name: `race_${index}`,
            nats: connection,
            dataSource: source,
            filterSubjects: ['aid.communities.>'],
            logger,
            handle: () => Promise.resolve(),
            clear: () => Promise.resolve(),
          }),
      );
      await Promise.all(consumers.map((consumer) => consumer.start()));
      await Promise.all(consumers.map((consumer) => consumer.caughtUp()));
      const rows = await sources[0].query<{ name: string; stream_sequence: string }[]>(
        `SELECT name, stream_sequence FROM public.jetstream_consumer_checkpoints ORDER BY name`,
      );
      expect(rows.map((row) => row.name)).toEqual(['race_0', 'race_1', 'race_2', 'race_3']);
      expect(new Set(rows.map((row) => row.stream_sequence)).size).toBe(1);
      await Promise.all(consumers.map((consumer) => consumer.stop()));
    } finally {
      await Promise.all(sources.map((source) => source.destroy()));
      await freshDatabase.drop();
    }
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
