import { createTestDatabase, type TestDatabase } from '@aid/testing';
import { PostgresEventStore } from '@aid/event-store';
import { Client } from 'pg';

describe('PostgresEventStore.storeId', () => {
  const databases: TestDatabase[] = [];
  const stores: PostgresEventStore[] = [];

  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const database of databases) await database.drop();
  });

  async function migratedStore(database: TestDatabase): Promise<PostgresEventStore> {
    const store = new PostgresEventStore({ connectionString: database.url, poolSize: 1 });
    stores.push(store);
    await store.migrate();
    return store;
  }

  async function newDatabase(): Promise<TestDatabase> {
    const database = await createTestDatabase('es_identity');
    databases.push(database);
    return database;
  }

  it('is made by the migration, kept by a second migrate(), and another database has another', async () => {
    const first = await newDatabase();
    const store = await migratedStore(first);
    const id = await store.storeId();

    await store.migrate();
    const again = await migratedStore(first);
    expect(await again.storeId()).toBe(id);

    const replaced = await migratedStore(await newDatabase());
    expect(await replaced.storeId()).not.toBe(id);
  });

  it('lives in one row of the store schema, not in the event tables', async () => {
    const database = await newDatabase();
    const store = await migratedStore(database);
    const id = await store.storeId();
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    try {
      const rows = await admin.query<{ id: string }>('SELECT id FROM event_store.store_identity');
      expect(rows.rows).toEqual([{ id }]);
      const counts = await admin.query<{ events: string; streams: string }>(
        'SELECT (SELECT count(*) FROM event_store.events) AS events, (SELECT count(*) FROM event_store.streams) AS streams',
      );
      expect(counts.rows[0]).toEqual({ events: '0', streams: '0' });
      await expect(
        admin.query('INSERT INTO event_store.store_identity (id) VALUES (gen_random_uuid())'),
      ).rejects.toThrow(/duplicate key/);
      await expect(
        admin.query('INSERT INTO event_store.store_identity (id, one_row) VALUES (gen_random_uuid(), false)'),
      ).rejects.toThrow(/check constraint/);
    } finally {
      await admin.end();
    }
  });

  it('is read once per instance', async () => {
    const database = await newDatabase();
    const store = await migratedStore(database);
    const id = await store.storeId();
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    try {
      // Were it read again, this instance would answer the new value.
      await admin.query('UPDATE event_store.store_identity SET id = gen_random_uuid()');
    } finally {
      await admin.end();
    }
    expect(await store.storeId()).toBe(id);
  });

  it('says to migrate when the schema has no identity yet', async () => {
    const database = await newDatabase();
    const store = new PostgresEventStore({ connectionString: database.url, poolSize: 1 });
    stores.push(store);
    await expect(store.storeId()).rejects.toThrow(/store_identity/);
    await store.migrate();
    await expect(store.storeId()).resolves.toMatch(/^[0-9a-f-]{36}$/);
  });
});
