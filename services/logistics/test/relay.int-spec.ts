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

  it('publishes an appended event once, as a CloudEvent on the subject of its destination community', async () => {
    const shipmentId = randomUUID();
    const destination = randomUUID();
    const eventId = randomUUID();
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
    const info = await jsm.streams.info('AID_EVENTS', { subjects_filter: subject });
    expect(info.state.subjects?.[subject]).toBe(1);
  });
});
