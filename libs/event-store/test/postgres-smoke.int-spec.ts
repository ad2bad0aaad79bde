import { createTestDatabase, uniqueName, type TestDatabase } from '@aid/testing';
import {
  DependencyUnavailableError,
  type EventBatch,
  type NewEvent,
  PostgresEventStore,
  WrongExpectedRevisionError,
} from '@aid/event-store';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

function newEvent(type: string, data: Record<string, string | number>): NewEvent {
  return {
    id: randomUUID(),
    type,
    data,
    metadata: {
      occurredAt: '2024-03-01T10:00:00.000Z',
      actor: { id: 'smoke-test', role: 'admin' },
      correlationId: randomUUID(),
      causationId: null,
      idempotencyKey: null,
      schemaVersion: 1,
      service: 'smoke',
    },
  };
}

describe('PostgresEventStore smoke', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase('es_smoke');
    store = new PostgresEventStore({ connectionString: database.url });
    await store.migrate();
  });

  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('migrates twice, and concurrently, without error', async () => {
    const others = [1, 2, 3].map(
      () => new PostgresEventStore({ connectionString: database.url, poolSize: 1 }),
    );
    await Promise.all([store.migrate(), ...others.map((other) => other.migrate())]);
    await Promise.all(others.map((other) => other.close()));
    const stream = uniqueName('shipment');
    await expect(
      store.append(stream, [newEvent('ShipmentPlanned', { n: 0 })], 'no-stream'),
    ).resolves.toMatchObject({
      revision: 0,
      appended: true,
    });
  });

  it('appends, reads back, refuses a stale revision, and a subscriber sees it all', async () => {
    const stream = uniqueName('shipment');
    const first = await store.append(
      stream,
      [newEvent('ShipmentPlanned', { n: 0 }), newEvent('ShipmentSent', { n: 1 })],
      'no-stream',
    );
    expect(first).toMatchObject({ stream, revision: 1, appended: true });
    await expect(store.append(stream, [newEvent('ShipmentReceived', { n: 2 })], 0)).rejects.toBeInstanceOf(
      WrongExpectedRevisionError,
    );
    await store.append(stream, [newEvent('ShipmentReceived', { n: 2 })], 1);
    const events = await store.readStream(stream);
    expect(events.map((event) => event.data.n)).toEqual([0, 1, 2]);

    const abort = new AbortController();
    const seen: number[] = [];
    for await (const batch of store.subscribe({
      from: 'start',
      signal: abort.signal,
      streamPrefixes: [stream],
    }) as AsyncIterable<EventBatch>) {
      seen.push(...batch.events.map((event) => event.data.n as number));
      if (seen.length >= 3) abort.abort();
    }
    expect(seen).toEqual([0, 1, 2]);
  });

  it('refuses a schema whose applied migration differs from this version, saying how to reset it', async () => {
    const schema = uniqueName('es_changed');
    const first = new PostgresEventStore({ connectionString: database.url, schema });
    await first.migrate();
    await first.close();
    // As if migration 1 had been applied by a development build with other SQL.
    const client = new Client({ connectionString: database.url });
    await client.connect();
    await client.query(`UPDATE "${schema}".schema_migrations SET checksum = 'other' WHERE version = 1`);
    await client.end();

    const stale = new PostgresEventStore({ connectionString: database.url, schema });
    await expect(stale.migrate()).rejects.toThrow(
      new RegExp(`migration 1 .*DROP SCHEMA "${schema}" CASCADE`),
    );
    await stale.close();
  });

  it('reports an unreachable PostgreSQL as a DependencyUnavailableError that says how to start it', async () => {
    const unreachable = new PostgresEventStore({
      connectionString: 'postgres://postgres:secret@127.0.0.1:1/nothing',
    });
    const failure = unreachable.migrate();
    await expect(failure).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(failure).rejects.toThrow(/PostgreSQL.*127\.0\.0\.1:1\/nothing.*pg_ctlcluster/);
    await expect(failure).rejects.not.toThrow(/secret/);
    await unreachable.close();
  });
});
