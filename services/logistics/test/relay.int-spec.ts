import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { PostgresEventStore } from '@aid/event-store';
import { bootstrapService, createLogger, loadConfig, type RunningService } from '@aid/messaging';
import {
  createTestDatabase,
  startNatsServer,
  type TestDatabase,
  type TestNatsServer,
  uniqueName,
} from '@aid/testing';
import { LogisticsModule } from '../src/app.module';

// The service's own relay, started with the service, carries its events to AID_EVENTS.
describe('logistics relays its events to JetStream', () => {
  let database: TestDatabase;
  let natsServer: TestNatsServer;
  let service: RunningService;
  let nats: NatsConnection;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase('logrelay');
    natsServer = await startNatsServer();
    const config = { ...loadConfig({}), databaseUrl: database.url, natsUrl: natsServer.url };
    service = await bootstrapService({
      name: 'logistics',
      module: LogisticsModule,
      config,
      queue: uniqueName('logistics'),
      logger: createLogger('logistics', 'warn'),
    });
    store = new PostgresEventStore({ connectionString: database.url });
    nats = await connect({ servers: natsServer.url });
  });

  afterAll(async () => {
    await service?.close();
    await store?.close();
    await nats?.close();
    await natsServer?.stop();
    await database?.drop();
  });

  /** Plans a shipment in the store and waits for the relay to publish it. */
  async function planAndAwaitRelay(shipmentId: string, destination: string, eventId: string) {
    await store.append(
      `shipment-${shipmentId}`,
      [
        {
          id: eventId,
          type: 'ShipmentPlanned',
          data: { shipmentId, destinationCommunityId: destination, originPartyId: randomUUID(), items: [] },
          metadata: {
            occurredAt: new Date().toISOString(),
            actor: { id: 'test', role: 'coordinator' },
            correlationId: 'corr-relay',
            causationId: null,
            idempotencyKey: null,
            schemaVersion: 1,
            service: 'logistics',
          },
        },
      ],
      'no-stream',
    );
    const jsm = await jetstreamManager(nats);
    const subject = `aid.logistics.ShipmentPlanned.${destination}`;
    const deadline = Date.now() + 10_000;
    let message: Awaited<ReturnType<typeof jsm.streams.getMessage>> | null = null;
    while (!message && Date.now() < deadline) {
      message = await jsm.streams.getMessage('AID_EVENTS', { last_by_subj: subject }).catch(() => null);
      if (!message) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { jsm, subject, message };
  }

  it('publishes an appended event once, as a CloudEvent on the subject of its destination community', async () => {
    const shipmentId = randomUUID();
    const destination = randomUUID();
    const eventId = randomUUID();
    const { jsm, subject, message } = await planAndAwaitRelay(shipmentId, destination, eventId);
    expect(message).not.toBeNull();
    const cloudEvent = message!.json<Record<string, unknown>>();
    expect(cloudEvent).toMatchObject({
      specversion: '1.0',
      id: eventId,
      type: 'aid.logistics.ShipmentPlanned.v1',
      source: '/aid/logistics',
      subject: `shipment-${shipmentId}`,
    });
    expect(message!.header?.get('Nats-Msg-Id')).toBe(eventId);
    expect(message!.header?.get('Aid-Store-Id')).toBe(await store.storeId());
    const info = await jsm.streams.info('AID_EVENTS', { subjects_filter: subject });
    expect(info.state.subjects?.[subject]).toBe(1);
  });

  it('a logistics on a replaced database refuses to start on that NATS, saying why and what to do', async () => {
    expect((await planAndAwaitRelay(randomUUID(), randomUUID(), randomUUID())).message).not.toBeNull();
    const replaced = await createTestDatabase('logrelay_new');
    try {
      const started = Date.now();
      const failure: unknown = await bootstrapService({
        name: 'logistics',
        module: LogisticsModule,
        config: { ...loadConfig({}), databaseUrl: replaced.url, natsUrl: natsServer.url },
        queue: uniqueName('logistics'),
        logger: createLogger('logistics', 'fatal'),
      }).then(
        async (running) => {
          await running.close();
          return undefined;
        },
        (error: unknown) => error,
      );
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(failure).toBeInstanceOf(Error);
      const message = (failure as Error).message;
      expect(message).toContain('JetStream stream AID_EVENTS holds events relayed from another event store');
      expect(message).toContain(`Aid-Store-Id ${await store.storeId()}`);
      expect(message).toContain('nats stream rm AID_EVENTS');
    } finally {
      await replaced.drop();
    }
  });
});
