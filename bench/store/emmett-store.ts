import { MessageProcessor, type Event } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { randomUUID } from 'node:crypto';
import { EMMETT_PULL_PAUSE_MS } from './config';
import type { BenchEvent } from './events';
import type { GlobalLogReading, OpenStore, StoreUnderTest } from './store-under-test';

type EmmettEvent = Event<string, Record<string, unknown>, Record<string, unknown>>;

/** Emmett's PostgreSQL event store (`@event-driven-io/emmett-postgresql`), through its public API only. */
export const openEmmettStore: OpenStore = async (connectionString) => {
  // Migrated once here, as ours is, rather than lazily inside the first timed call.
  const store = getPostgreSQLEventStore(connectionString, { schema: { autoMigration: 'None' } });
  await store.schema.migrate();

  const toEmmett = (event: BenchEvent): EmmettEvent => ({
    type: event.type,
    data: event.data,
    // Emmett takes the event id from metadata.messageId and stores the rest as the event's metadata.
    metadata: { ...event.metadata, messageId: event.id },
  });

  const adapter: StoreUnderTest = {
    name: 'emmett',

    async append(stream, events, eventsAlreadyInStream) {
      // Emmett's stream versions count events (the first event makes version 1); 0n means "must not
      // exist" and is checked by inserting the stream row. STREAM_DOES_NOT_EXIST would not be: Emmett
      // 0.42 turns it into "no check" before calling its SQL function.
      await store.appendToStream(stream, events.map(toEmmett), {
        expectedStreamVersion: BigInt(eventsAlreadyInStream),
      });
    },

    async readStream(stream) {
      const result = await store.readStream(stream);
      return result.events.length;
    },

    async readGlobalLog(reading: GlobalLogReading) {
      // The consumer is Emmett's way to follow the global log. Its stopWhen.noMessagesLeft is not
      // used: it ends at the first short read, and a read comes back short whenever a transaction
      // anywhere on the server holds pg_snapshot_xmin back, which would count events not yet
      // visible as lost. The reading ends like ours instead: all seen, or nothing new for idleTimeoutMs.
      const consumer = store.consumer({
        pulling: { batchSize: reading.batchSize, pullingFrequencyInMs: EMMETT_PULL_PAUSE_MS },
      });
      let lastNewAt = Date.now();
      consumer.reactor({
        processorId: `bench-catchup-${randomUUID()}`,
        startFrom: 'BEGINNING',
        eachMessage: (message) => {
          const delivery = reading.onEvent(message.metadata.messageId);
          if (delivery === 'new') lastNewAt = Date.now();
          return delivery === 'complete' ? MessageProcessor.result.stop() : undefined;
        },
      });
      const watchdog = setInterval(() => {
        if (Date.now() - lastNewAt > reading.idleTimeoutMs) void consumer.stop().catch(() => undefined);
      }, 250);
      try {
        await consumer.start();
      } finally {
        clearInterval(watchdog);
        // stop(), not close(): close() would also end the pool the store shares with the consumer.
        await consumer.stop();
      }
    },

    close: () => store.close(),
  };
  return adapter;
};
