import { createTestDatabase } from '@aid/testing';
import { PostgresEventStore } from '@aid/event-store';
import { describeEventStoreContract } from '../src/contract/event-store.contract';

describeEventStoreContract('PostgreSQL', async () => {
  const database = await createTestDatabase('es_contract');
  const store = new PostgresEventStore({ connectionString: database.url, poolSize: 4 });
  await store.migrate();
  return {
    store,
    async openAnother() {
      const another = new PostgresEventStore({ connectionString: database.url, poolSize: 1 });
      await another.migrate();
      return another;
    },
    async cleanup() {
      await store.close();
      await database.drop();
    },
  };
});
