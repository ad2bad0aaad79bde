import { describeEventStoreContract } from '../src/contract/event-store.contract';
import { EsdbEventStore } from '../src/esdb/esdb-event-store';

/*
 * The adapter-neutral contract suite against a real EventStoreDB. There is no EventStoreDB on a
 * plain development machine, so without EVENTSTORE_URL the run is skipped, and says so.
 */
const eventStoreUrl = process.env.EVENTSTORE_URL;

if (eventStoreUrl) {
  // A server in a container or across a network answers slower than the embedded PostgreSQL.
  jest.setTimeout(30_000);

  describeEventStoreContract('esdb', async () => {
    const store = await EsdbEventStore.open({ connectionString: eventStoreUrl });
    return {
      store,
      openAnother: () => EsdbEventStore.open({ connectionString: eventStoreUrl }),
      cleanup: () => store.close(),
    };
  });
} else {
  console.log(
    'EventStoreDB contract run SKIPPED: EVENTSTORE_URL is not set. To run it: docker compose up eventstore, ' +
      'then EVENTSTORE_URL=esdb://localhost:2113?tls=false npm run test:int',
  );

  describe.skip('EventStore contract: esdb (skipped, EVENTSTORE_URL is not set)', () => {
    it('runs the contract suite against EventStoreDB', () => {
      expect(eventStoreUrl).toBeDefined();
    });
  });
}
