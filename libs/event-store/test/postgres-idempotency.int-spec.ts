import { createTestDatabase, uniqueName, type TestDatabase } from '@aid/testing';
import {
  type AppendResult,
  eventIdFor,
  type ExpectedRevision,
  IdempotencyMismatchError,
  type NewEvent,
  PostgresEventStore,
} from '@aid/event-store';
import { randomUUID } from 'node:crypto';
import { newEvent } from './fixtures';

describe('PostgreSQL event store: idempotent appends', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase('es_idempotency');
    store = new PostgresEventStore({ connectionString: database.url, poolSize: 8 });
    await store.migrate();
  });

  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  /** The events a command with this idempotency key produces: the same ids on every retry. */
  function dispatchCommand(stream: string, idempotencyKey: string): NewEvent[] {
    return [
      newEvent('ShipmentSent', { totalWeightKg: 1250.5 }, eventIdFor(stream, idempotencyKey, 0)),
      newEvent('ShipmentDiscrepancyRecorded', { itemIndex: 0 }, eventIdFor(stream, idempotencyKey, 1)),
    ];
  }

  async function logSize(): Promise<number> {
    return (await store.readAll()).length;
  }

  it.each([
    ["'no-stream'", 'no-stream'],
    ['an exact revision', 0],
    ["'any'", 'any'],
  ] as [string, ExpectedRevision][])(
    'a retry at %s stores nothing new and returns the first result, even after later appends',
    async (_label, expected) => {
      const stream = uniqueName('shipment');
      if (expected === 0) await store.append(stream, [newEvent('ShipmentPlanned')], 'no-stream');
      const key = randomUUID();

      const first = await store.append(stream, dispatchCommand(stream, key), expected);
      expect(first.appended).toBe(true);
      const sizeAfterFirst = await logSize();

      const retry = await store.append(stream, dispatchCommand(stream, key), expected);
      expect(retry).toEqual({ ...first, appended: false });
      expect(await logSize()).toBe(sizeAfterFirst);

      // Later events do not change what the retry answers.
      await store.append(stream, [newEvent('ShipmentReceived')], first.revision);
      const lateRetry = await store.append(stream, dispatchCommand(stream, key), expected);
      expect(lateRetry).toEqual({ ...first, appended: false });
      expect(await logSize()).toBe(sizeAfterFirst + 1);
      expect((await store.readStream(stream)).map((event) => event.type)).toEqual([
        ...(expected === 0 ? ['ShipmentPlanned'] : []),
        'ShipmentSent',
        'ShipmentDiscrepancyRecorded',
        'ShipmentReceived',
      ]);
    },
  );

  it.each([
    ["'no-stream'", 'no-stream'],
    ['an exact revision', 0],
    ["'any'", 'any'],
  ] as [string, ExpectedRevision][])(
    'retries racing the original at %s: one appends, the others return its result, the events are stored once',
    async (_label, expected) => {
      for (let round = 0; round < 10; round++) {
        const stream = uniqueName('shipment');
        if (expected === 0) await store.append(stream, [newEvent('ShipmentPlanned')], 'no-stream');
        const key = randomUUID();
        const sizeBefore = await logSize();

        const results: AppendResult[] = await Promise.all(
          Array.from({ length: 8 }, () => store.append(stream, dispatchCommand(stream, key), expected)),
        );

        const appended = results.filter((result) => result.appended);
        expect(appended).toHaveLength(1);
        for (const result of results) expect(result).toEqual({ ...appended[0], appended: result.appended });
        expect(await logSize()).toBe(sizeBefore + 2);
        const stored = await store.readStream(stream);
        expect(stored.filter((event) => event.type === 'ShipmentSent')).toHaveLength(1);
        expect(stored.at(-1)).toMatchObject({
          revision: appended[0].revision,
          position: appended[0].position,
        });
      }
    },
  );

  it('a retry inside a transaction is a no-op too', async () => {
    const stream = uniqueName('shipment');
    const key = randomUUID();
    const first = await store.transaction((tx) =>
      tx.append(stream, dispatchCommand(stream, key), 'no-stream'),
    );
    const size = await logSize();
    const retry = await store.transaction((tx) =>
      tx.append(stream, dispatchCommand(stream, key), 'no-stream'),
    );
    expect(retry).toEqual({ ...first, appended: false });
    expect(await logSize()).toBe(size);
  });

  it('a retry that changes the set of events is refused with IdempotencyMismatchError', async () => {
    const stream = uniqueName('shipment');
    const key = randomUUID();
    await store.append(stream, dispatchCommand(stream, key), 'no-stream');
    const size = await logSize();
    const [sent] = dispatchCommand(stream, key);
    const changed = [sent, newEvent('ShipmentCancelled', {}, eventIdFor(stream, key, 7))];
    await expect(store.append(stream, changed, 1)).rejects.toBeInstanceOf(IdempotencyMismatchError);
    // The same ids under another stream are not a retry either.
    await expect(
      store.append(uniqueName('shipment'), dispatchCommand(stream, key), 'no-stream'),
    ).rejects.toThrow(IdempotencyMismatchError);
    expect(await logSize()).toBe(size);
  });
});
