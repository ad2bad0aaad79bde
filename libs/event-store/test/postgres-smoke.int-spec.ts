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

  it('a replay until a checkpoint waits while an open transaction holds the horizon back, then delivers all of it', async () => {
    const stream = uniqueName('horizon');
    // An open transaction with an xid, begun before the appends: until it ends, pg_snapshot_xmin
    // stays below the new events, so a catch-up read cannot see them yet.
    const blocker = new Client({ connectionString: database.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT pg_current_xact_id()');
    let blockerOpen = true;
    try {
      const appended = await store.append(
        stream,
        [0, 1, 2].map((index) => newEvent('HorizonProbe', { index })),
        'no-stream',
      );
      const until = await store.checkpointAfter(appended.position);
      const delivered: number[] = [];
      const replay = (async () => {
        for await (const batch of store.subscribe({ from: 'start', until, streamPrefixes: [stream] })) {
          for (const event of batch.events) delivered.push(event.data.index as number);
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Ending here would have been the bug: nothing is visible yet, but the replay is not done.
      expect(delivered).toEqual([]);
      await blocker.query('COMMIT');
      blockerOpen = false;
      await replay;
      expect(delivered).toEqual([0, 1, 2]);
    } finally {
      if (blockerOpen) await blocker.query('ROLLBACK');
      await blocker.end();
    }
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

  it('lets appends made while a caught-up subscriber waits gather into one batch (gatherMs)', async () => {
    const prefix = `gather-${uniqueName('s')}-`;
    const received: number[][] = [];
    const stop = new AbortController();
    let caughtUp: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => (caughtUp = resolve));
    const reading = (async () => {
      await store.append(`${prefix}0`, [newEvent('Counted', { n: 0 })], 'no-stream');
      const subscription = store.subscribe({
        from: 'start',
        streamPrefixes: [prefix],
        gatherMs: 300,
        signal: stop.signal,
      });
      for await (const batch of subscription) {
        received.push(batch.events.map((event) => Number(event.data.n)));
        if (received.length === 1) caughtUp();
        if (received.flat().length === 5) break;
      }
    })();
    await waiting;
    // Appends a few milliseconds apart: each wakes the subscriber at once, the wait gathers them.
    for (let n = 1; n <= 4; n++)
      await store.append(`${prefix}${n}`, [newEvent('Counted', { n })], 'no-stream');
    await reading;
    stop.abort();
    expect(received).toEqual([[0], [1, 2, 3, 4]]);
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
