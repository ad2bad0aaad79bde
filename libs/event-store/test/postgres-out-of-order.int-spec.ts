import { createTestDatabase, type TestDatabase } from '@aid/testing';
import { type NewEvent, PostgresEventStore, type RecordedEvent } from '@aid/event-store';
import { Client, DatabaseError } from 'pg';
import { newEvent, randomInt, sleep } from './fixtures';

const WRITERS = 8;
const STREAMS = 200;
const TARGET_EVENTS = 4000;
const WRITE_BUDGET_MS = 15_000;
const DEADLOCK = '40P01';

/**
 * Concurrent transactions commit in a different order than they took positions. A reader that
 * follows positions alone would skip the late ones; the subscriber must deliver every committed
 * event exactly once, and each stream in revision order.
 */
describe('PostgreSQL event store: a subscriber following out-of-order commits', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase('es_out_of_order');
    store = new PostgresEventStore({ connectionString: database.url, poolSize: WRITERS + 2, idlePollMs: 5 });
    await store.migrate();
  });

  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('delivers every committed event exactly once, each stream in revision order', async () => {
    const streams = Array.from({ length: STREAMS }, (_, index) => `shipment-ooo-${index}`);
    const committed = new Set<string>();
    let attemptedTransactions = 0;
    let rolledBack = 0;

    // The subscriber follows the whole log from the start while the writers run.
    const abort = new AbortController();
    const received: RecordedEvent[] = [];
    const following = (async () => {
      for await (const batch of store.subscribe({ from: 'start', batchSize: 200, signal: abort.signal })) {
        received.push(...batch.events);
      }
    })();

    // A reader by position alone, as a control: it should miss some late commits.
    const naive = followByPositionOnly(database.url);

    const deadline = Date.now() + WRITE_BUDGET_MS;
    const writer = async () => {
      while (committed.size < TARGET_EVENTS && Date.now() < deadline) {
        attemptedTransactions++;
        const written: NewEvent[] = [];
        const fail = Math.random() < 0.05;
        try {
          await store.transaction(async (tx) => {
            const appends = randomInt(1, 5);
            for (let index = 0; index < appends; index++) {
              const events = Array.from({ length: randomInt(1, 3) }, () =>
                newEvent('Moved', { at: Date.now() }),
              );
              await tx.append(streams[randomInt(0, STREAMS - 1)], events, 'any');
              written.push(...events);
              await sleep(randomInt(0, 3));
            }
            // Hold the transaction open after its positions were taken, so others commit first.
            await sleep(randomInt(0, 12));
            if (fail) throw new Error('rolled back on purpose');
          });
          for (const event of written) committed.add(event.id);
        } catch (error) {
          const expected =
            (error instanceof Error && error.message === 'rolled back on purpose') ||
            (error instanceof DatabaseError && error.code === DEADLOCK);
          if (!expected) throw error;
          rolledBack++;
        }
      }
    };
    let naiveSeen: Set<string>;
    try {
      await Promise.all(Array.from({ length: WRITERS }, writer));
      // Let the subscriber drain.
      const drainDeadline = Date.now() + 10_000;
      while (received.length < committed.size && Date.now() < drainDeadline) await sleep(20);
      await sleep(200);
    } finally {
      abort.abort();
      await following;
      naiveSeen = await naive.stop();
    }

    const receivedIds = received.map((event) => event.id);
    const unique = new Set(receivedIds);
    const repeated = receivedIds.length - unique.size;
    const lost = [...committed].filter((id) => !unique.has(id)).length;
    const phantom = [...unique].filter((id) => !committed.has(id)).length;

    let outOfOrderDeliveries = 0;
    let highestPosition = 0;
    for (const event of received) {
      if (event.position < highestPosition) outOfOrderDeliveries++;
      highestPosition = Math.max(highestPosition, event.position);
    }
    const revisionsByStream = new Map<string, number[]>();
    for (const event of received) {
      const revisions = revisionsByStream.get(event.stream) ?? [];
      revisions.push(event.revision);
      revisionsByStream.set(event.stream, revisions);
    }
    const streamsOutOfOrder = [...revisionsByStream.values()].filter((revisions) =>
      revisions.some((revision, index) => revision !== index),
    ).length;
    const naiveLost = [...committed].filter((id) => !naiveSeen.has(id)).length;
    const { raisedOrder, inversionsByOwnXid } = await orderXidFigures(database.url);

    console.log(
      `out-of-order log: ${committed.size} events committed in ${attemptedTransactions - rolledBack} of ` +
        `${attemptedTransactions} transactions (${rolledBack} rolled back); subscriber received ${received.length}, ` +
        `lost ${lost}, repeated ${repeated}, phantom ${phantom}; ${outOfOrderDeliveries} deliveries came after a ` +
        `higher position; ${raisedOrder} events had their order xid raised to their stream's previous one ` +
        `(ordering by the writer's own xid would have put ${inversionsByOwnXid} events before an earlier revision); ` +
        `a position-only reader would have lost ${naiveLost}`,
    );

    expect(committed.size).toBeGreaterThanOrEqual(2000);
    expect(lost).toBe(0);
    expect(repeated).toBe(0);
    expect(phantom).toBe(0);
    expect(streamsOutOfOrder).toBe(0);
    // The test only proves something if commits really were out of order.
    expect(outOfOrderDeliveries).toBeGreaterThan(0);
    expect((await store.verify()).ok).toBe(true);
  }, 60_000);
});

/** Polls `position > last` without any horizon: the scheme that loses late commits. */
function followByPositionOnly(url: string) {
  const seen = new Set<string>();
  let running = true;
  const client = new Client({ connectionString: url });
  const loop = (async () => {
    await client.connect();
    let last = 0;
    while (running) {
      const result = await client.query<{ position: string; id: string }>(
        'SELECT position, id FROM event_store.events WHERE position > $1 ORDER BY position LIMIT 1000',
        [last],
      );
      for (const row of result.rows) {
        seen.add(row.id);
        last = Number(row.position);
      }
      if (result.rows.length < 1000) await sleep(2);
    }
    await client.end();
  })();
  return {
    async stop(): Promise<Set<string>> {
      running = false;
      await loop;
      return seen;
    },
  };
}

async function orderXidFigures(url: string): Promise<{ raisedOrder: number; inversionsByOwnXid: number }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const raised = await client.query<{ count: string }>(
      'SELECT count(*) FROM event_store.events WHERE order_xid <> transaction_id',
    );
    const inversions = await client.query<{ count: string }>(
      `SELECT count(*) FROM (
         SELECT revision, lag(revision) OVER (PARTITION BY stream_id ORDER BY transaction_id, position) AS previous
         FROM event_store.events) AS ordered
       WHERE previous > revision`,
    );
    return {
      raisedOrder: Number(raised.rows[0].count),
      inversionsByOwnXid: Number(inversions.rows[0].count),
    };
  } finally {
    await client.end();
  }
}
