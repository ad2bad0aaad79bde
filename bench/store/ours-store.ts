// Relative, not '@aid/event-store': at runtime that name reaches the lib through the workspace
// symlink node_modules/@aid/event-store, and Node resolves its "main" (../../dist/...) against the
// symlink's own path, landing in node_modules/dist. The relative path works in src and in dist alike.
import { PostgresEventStore, type EventBatch } from '../../libs/event-store/src';
import type { GlobalLogReading, OpenStore, StoreUnderTest } from './store-under-test';

const IDLE = Symbol('idle');

/** Our PostgreSQL adapter (`@aid/event-store`), through the EventStore port only. */
export const openOurStore: OpenStore = async (connectionString) => {
  const store = new PostgresEventStore({ connectionString });
  await store.migrate();

  const adapter: StoreUnderTest = {
    name: 'ours',

    async append(stream, events, eventsAlreadyInStream) {
      // Revisions start at 0, so a stream holding n events is at revision n - 1.
      await store.append(
        stream,
        events,
        eventsAlreadyInStream === 0 ? 'no-stream' : eventsAlreadyInStream - 1,
      );
    },

    async readStream(stream) {
      const events = await store.readStream(stream);
      return events.length;
    },

    async readGlobalLog(reading: GlobalLogReading) {
      // The subscription catches up and then follows live; it never ends by itself. The reading
      // ends when every written event was seen, or when nothing new arrives for too long.
      const abort = new AbortController();
      const batches = store
        .subscribe({ from: 'start', batchSize: reading.batchSize, signal: abort.signal })
        [Symbol.asyncIterator]();
      let lastNewAt = Date.now();
      try {
        for (;;) {
          const next = await nextOrIdle(batches, reading.idleTimeoutMs - (Date.now() - lastNewAt));
          if (next === IDLE || next.done) return;
          for (const event of next.value.events) {
            const delivery = reading.onEvent(event.id);
            if (delivery === 'complete') return;
            if (delivery === 'new') lastNewAt = Date.now();
          }
        }
      } finally {
        abort.abort();
        // A generator stuck in a pending read would never settle return(); do not wait for it forever.
        const returned = batches.return?.(undefined).catch(() => undefined);
        await Promise.race([returned, sleep(reading.idleTimeoutMs)]);
      }
    },

    close: () => store.close(),
  };
  return adapter;
};

async function nextOrIdle(
  batches: AsyncIterator<EventBatch>,
  idleTimeoutMs: number,
): Promise<IteratorResult<EventBatch> | typeof IDLE> {
  if (idleTimeoutMs <= 0) return IDLE;
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<typeof IDLE>((resolve) => {
    timer = setTimeout(() => resolve(IDLE), idleTimeoutMs);
  });
  try {
    const next = batches.next();
    // If the store goes idle, this read is abandoned; its later rejection (on abort) is expected.
    next.catch(() => undefined);
    return await Promise.race([next, idle]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
