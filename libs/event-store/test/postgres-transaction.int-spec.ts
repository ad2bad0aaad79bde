import { createTestDatabase, uniqueName, type TestDatabase } from '@aid/testing';
import { type EventStoreTransaction, PostgresEventStore, WrongExpectedRevisionError } from '@aid/event-store';
import { newEvent, sleep } from './fixtures';

describe('PostgreSQL event store: appends in one transaction', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase('es_transaction');
    store = new PostgresEventStore({ connectionString: database.url, poolSize: 6 });
    await store.migrate();
  });

  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('commits appends to several streams together', async () => {
    const [a, b] = [uniqueName('shipment'), uniqueName('partnership')];
    const results = await store.transaction(async (tx) => [
      await tx.append(a, [newEvent('ShipmentPlanned'), newEvent('ShipmentSent')], 'no-stream'),
      await tx.append(b, [newEvent('PartnershipProposed')], 'no-stream'),
      await tx.append(a, [newEvent('ShipmentReceived')], 1),
    ]);
    expect(results.map((result) => result.revision)).toEqual([1, 0, 2]);
    expect(await store.streamRevision(a)).toBe(2);
    expect(await store.streamRevision(b)).toBe(0);
    expect((await store.verify({ streamPrefix: a })).ok).toBe(true);
  });

  it('stores nothing when the work throws', async () => {
    const [a, b] = [uniqueName('shipment'), uniqueName('shipment')];
    await expect(
      store.transaction(async (tx) => {
        await tx.append(a, [newEvent('ShipmentPlanned')], 'no-stream');
        await tx.append(b, [newEvent('ShipmentPlanned')], 'no-stream');
        throw new Error('importer failed half-way');
      }),
    ).rejects.toThrow('importer failed half-way');
    expect(await store.readStream(a)).toEqual([]);
    expect(await store.readStream(b)).toEqual([]);
  });

  it('refuses a stale revision and stays usable', async () => {
    const stream = uniqueName('community');
    await store.append(stream, [newEvent('CommunityRegistered')], 'no-stream');
    const other = uniqueName('community');
    await store.transaction(async (tx) => {
      await expect(tx.append(stream, [newEvent('FrontlineStatusChanged')], 5)).rejects.toMatchObject({
        stream,
        expected: '5',
        actual: 0,
      });
      await expect(tx.append(stream, [newEvent('Registered')], 'no-stream')).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      await tx.append(other, [newEvent('CommunityRegistered')], 'no-stream');
    });
    expect(await store.streamRevision(other)).toBe(0);
    expect(await store.streamRevision(stream)).toBe(0);
  });

  it("'any' on a stream another transaction is creating waits for it and appends after", async () => {
    const stream = uniqueName('shipment');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = store.transaction(async (tx) => {
      await tx.append(stream, [newEvent('First')], 'any');
      await held;
    });
    await sleep(50);
    const second = store.transaction((tx: EventStoreTransaction) =>
      tx.append(stream, [newEvent('Second')], 'any'),
    );
    await sleep(50);
    release();
    await first;
    await expect(second).resolves.toMatchObject({ revision: 1, appended: true });
    expect((await store.readStream(stream)).map((event) => event.type)).toEqual(['First', 'Second']);
  });

  it('a transaction whose stream was created concurrently fails as a whole, even if the work catches the error', async () => {
    const stream = uniqueName('shipment');
    const bystander = uniqueName('shipment');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const creator = store.transaction(async (tx) => {
      await tx.append(stream, [newEvent('Created')], 'no-stream');
      await held;
    });
    await sleep(50);
    let caught: unknown;
    const loser = store.transaction(async (tx) => {
      await tx.append(bystander, [newEvent('Bystander')], 'no-stream');
      try {
        await tx.append(stream, [newEvent('AlsoCreated')], 'no-stream');
      } catch (error) {
        caught = error;
      }
    });
    await sleep(50);
    release();
    await creator;
    await expect(loser).rejects.toThrow(/rolled back/);
    expect(caught).toBeInstanceOf(WrongExpectedRevisionError);
    expect(caught).toMatchObject({ stream, expected: 'no-stream', actual: 0 });
    expect(await store.readStream(bystander)).toEqual([]);
    expect((await store.readStream(stream)).map((event) => event.type)).toEqual(['Created']);
  });
});
