import { createTestDatabase, uniqueName, type TestDatabase } from '@aid/testing';
import {
  type AppendResult,
  canonicalEventText,
  chainHash,
  GENESIS_HASH,
  IdempotencyMismatchError,
  PostgresEventStore,
  WrongExpectedRevisionError,
} from '@aid/event-store';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { newEvent, sleep } from './fixtures';

/**
 * Appends made outside a transaction while the store's append lanes are busy go to PostgreSQL
 * together, in one call and one transaction (AppendBatcher). Each must still get exactly the
 * answer it would have got alone. With one lane, appends submitted at the same time are
 * grouped deterministically: the first goes alone, the rest wait and then go as one group.
 */
describe('PostgreSQL event store: appends grouped into one transaction', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let sql: Client;

  beforeAll(async () => {
    database = await createTestDatabase('es_append_groups');
    store = new PostgresEventStore({ connectionString: database.url, appendLanes: 1 });
    await store.migrate();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql.end();
    await store.close();
    await database.drop();
  });

  /** How many transactions wrote the events of these streams. */
  async function transactionsOf(streams: string[]): Promise<number> {
    const result = await sql.query<{ count: string }>(
      'SELECT count(DISTINCT transaction_id) AS count FROM event_store.events WHERE stream_id = ANY ($1)',
      [streams],
    );
    return Number(result.rows[0].count);
  }

  it('appends each of a group, to new and existing streams, as if alone', async () => {
    const existing = uniqueName('shipment');
    await store.append(existing, [newEvent('Created')], 'no-stream');
    const fresh = Array.from({ length: 6 }, () => uniqueName('shipment'));
    const results = await Promise.all([
      store.append(existing, [newEvent('Second'), newEvent('Third')], 0),
      ...fresh.map((stream, index) =>
        store.append(
          stream,
          Array.from({ length: index + 1 }, (_, n) => newEvent('Step', { n })),
          'no-stream',
        ),
      ),
    ]);
    // The first went alone; the other six waited for the lane and went together.
    expect(await transactionsOf(fresh)).toBe(1);

    expect(results[0]).toMatchObject({ stream: existing, revision: 2, appended: true });
    for (const [index, stream] of fresh.entries()) {
      const result = results[index + 1];
      expect(result).toMatchObject({ stream, revision: index, appended: true });
      const events = await store.readStream(stream);
      expect(events.map((event) => event.data.n)).toEqual(Array.from({ length: index + 1 }, (_, n) => n));
      expect(result.position).toBe(events.at(-1)!.position);
    }
    expect((await store.readStream(existing)).map((event) => event.type)).toEqual([
      'Created',
      'Second',
      'Third',
    ]);
    expect((await store.verify()).ok).toBe(true);
  });

  it('refuses only the append that conflicts, with the actual revision', async () => {
    const stream = uniqueName('shipment');
    const others = [uniqueName('shipment'), uniqueName('shipment')];
    await store.append(stream, [newEvent('Created'), newEvent('Second')], 'no-stream');
    const outcomes = await Promise.allSettled([
      store.append(uniqueName('shipment'), [newEvent('Alone')], 'no-stream'),
      store.append(others[0], [newEvent('Created')], 'no-stream'),
      store.append(stream, [newEvent('Stale')], 0),
      store.append(stream, [newEvent('Missing')], 'no-stream'),
      store.append(uniqueName('shipment'), [newEvent('NoSuchStream')], 3),
      store.append(others[1], [newEvent('Created')], 'no-stream'),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    const reasons = outcomes.map((outcome): unknown =>
      outcome.status === 'rejected' ? outcome.reason : undefined,
    );
    expect(reasons[2]).toBeInstanceOf(WrongExpectedRevisionError);
    expect(reasons[2]).toMatchObject({ stream, expected: '0', actual: 1 });
    expect(reasons[3]).toMatchObject({ stream, expected: 'no-stream', actual: 1 });
    expect(reasons[4]).toBeInstanceOf(WrongExpectedRevisionError);
    expect(reasons[4]).toMatchObject({ expected: '3', actual: null });
    expect(await transactionsOf(others)).toBe(1);
    expect((await store.readStream(stream)).map((event) => event.type)).toEqual(['Created', 'Second']);
  });

  it('applies appends to one stream in the callers’ order, and a later one sees the earlier', async () => {
    const stream = uniqueName('shipment');
    const results = await Promise.allSettled([
      store.append(uniqueName('shipment'), [newEvent('Alone')], 'no-stream'),
      store.append(stream, [newEvent('First')], 'no-stream'),
      store.append(stream, [newEvent('Second')], 0),
      store.append(stream, [newEvent('Racer')], 0),
      store.append(stream, [newEvent('Third')], 1),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ expected: '0', actual: 1 });
    const events = await store.readStream(stream);
    expect(events.map((event) => event.type)).toEqual(['First', 'Second', 'Third']);
    expect(events.map((event) => event.position)).toEqual(
      [...events.map((event) => event.position)].sort((a, b) => a - b),
    );
  });

  it('answers a retry in the same group as a retry: nothing new, the first result', async () => {
    const stream = uniqueName('shipment');
    await store.append(stream, [newEvent('Created')], 'no-stream');
    const ids = [randomUUID(), randomUUID()];
    const command = () => [
      newEvent('ShipmentSent', { kg: 10 }, ids[0]),
      newEvent('ShipmentDiscrepancyRecorded', { kg: 1 }, ids[1]),
    ];
    const results = await Promise.all([
      store.append(uniqueName('shipment'), [newEvent('Alone')], 'no-stream'),
      store.append(stream, command(), 0),
      store.append(stream, command(), 0),
      store.append(stream, command(), 0),
    ]);
    const [first, ...retries] = results.slice(1);
    expect(first).toMatchObject({ stream, revision: 2, appended: true });
    for (const retry of retries) expect(retry).toEqual({ ...first, appended: false });
    expect(await store.readStream(stream)).toHaveLength(3);
  });

  it('runs the others on their own when one append fails the whole group', async () => {
    const taken = uniqueName('shipment');
    const stolenId = randomUUID();
    await store.append(taken, [newEvent('Owner', {}, stolenId)], 'no-stream');
    const bystanders = [uniqueName('shipment'), uniqueName('shipment')];
    const thief = uniqueName('shipment');
    const outcomes = await Promise.allSettled([
      store.append(uniqueName('shipment'), [newEvent('Alone')], 'no-stream'),
      store.append(bystanders[0], [newEvent('Bystander')], 'no-stream'),
      // Its second id is stored elsewhere: the insert fails, and with it the group's transaction.
      store.append(thief, [newEvent('Mine'), newEvent('Stolen', {}, stolenId)], 'no-stream'),
      store.append(bystanders[1], [newEvent('Bystander')], 'no-stream'),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(IdempotencyMismatchError);
    for (const stream of bystanders) {
      expect((await store.readStream(stream)).map((event) => event.type)).toEqual(['Bystander']);
    }
    expect(await store.readStream(thief)).toEqual([]);
    expect(await store.streamRevision(thief)).toBeNull();
    expect((await store.verify()).ok).toBe(true);
  });

  it('does not let an append that waits for a held stream head hold up the others', async () => {
    const held = uniqueName('shipment');
    await store.append(held, [newEvent('Created')], 'no-stream');
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    const transaction = store.transaction(async (tx) => {
      await tx.append(held, [newEvent('InTransaction')], 0);
      await holding;
    });
    await sleep(50);
    const blocked = store.append(held, [newEvent('AfterTransaction')], 1);
    // The only lane first carries the blocked append; these must still go through while the
    // transaction holds the head (the test would time out otherwise).
    const unrelated: AppendResult[] = [];
    for (let index = 0; index < 5; index++) {
      unrelated.push(await store.append(uniqueName('shipment'), [newEvent('Unrelated')], 'no-stream'));
    }
    expect(unrelated.every((result) => result.appended)).toBe(true);
    release();
    await transaction;
    await expect(blocked).resolves.toMatchObject({ stream: held, revision: 2, appended: true });
    expect((await store.readStream(held)).map((event) => event.type)).toEqual([
      'Created',
      'InTransaction',
      'AfterTransaction',
    ]);
  });

  it('gives way when a group and a caller’s transaction wait for each other, instead of deadlocking', async () => {
    const prefix = uniqueName('lock');
    // A group takes stream heads in name order: `first` before `second`.
    const first = `${prefix}-a`;
    const second = `${prefix}-b`;
    await store.append(first, [newEvent('Created')], 'no-stream');
    await store.append(second, [newEvent('Created')], 'no-stream');
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    // The transaction takes `second`, then wants `first`: the opposite order.
    const transaction = store.transaction(async (tx) => {
      await tx.append(second, [newEvent('InTransaction')], 0);
      await holding;
      await tx.append(first, [newEvent('InTransaction')], 'any');
    });
    await sleep(50);
    // One append alone in the lane, then these two as one group, which locks `first` and then
    // waits for `second`.
    const grouped = Promise.all([
      store.append(uniqueName('shipment'), [newEvent('Alone')], 'no-stream'),
      store.append(first, [newEvent('Grouped')], 'any'),
      store.append(second, [newEvent('Grouped')], 'any'),
    ]);
    await sleep(20);
    release();
    // PostgreSQL would break a deadlock only after deadlock_timeout (1 s), and might pick the
    // transaction as its victim; the group gives way after its short lock timeout instead.
    await expect(transaction).resolves.toBeUndefined();
    const results = await grouped;
    expect(results.every((result) => result.appended)).toBe(true);
    expect((await store.readStream(second)).map((event) => event.type)).toEqual([
      'Created',
      'InTransaction',
      'Grouped',
    ]);
    expect((await store.readStream(first)).map((event) => event.type).sort()).toEqual([
      'Created',
      'Grouped',
      'InTransaction',
    ]);
    expect((await store.verify({ streamPrefix: prefix })).ok).toBe(true);
  });

  it('hashes the text verify() recomputes, whatever the stream name, type and id spelling', async () => {
    const stream = `${uniqueName('odd')}-"quoted"\\back\\slash\u0001\n\t\u2028 Ґ 😀`;
    const upperCaseId = randomUUID().toUpperCase();
    await Promise.all([
      store.append(uniqueName('shipment'), [newEvent('Alone')], 'no-stream'),
      store.append(
        stream,
        [newEvent('Type "with" \\ odd\u001f chars', { text: 'Ґ\u0000"\\', n: -0.5 }, upperCaseId)],
        'no-stream',
      ),
      store.append(
        `${stream}-2`,
        [newEvent('Plain'), newEvent('Plain', { list: [1, 'two', null] })],
        'no-stream',
      ),
    ]);
    await store.append(stream, [newEvent('Next', { nested: { b: 1, a: [{ z: 1, y: 2 }] } })], 0);
    const events = await store.readStream(stream);
    expect(events.map((event) => event.id)[0]).toBe(upperCaseId.toLowerCase());
    let prevHash = GENESIS_HASH;
    for (const event of events) {
      const text = canonicalEventText({
        id: event.id,
        type: event.type,
        stream: event.stream,
        revision: event.revision,
        data: event.data,
        metadata: event.metadata,
      });
      expect(event.stream).toBe(stream);
      expect(event.prevHash).toBe(prevHash);
      expect(event.hash).toBe(chainHash(prevHash, text));
      prevHash = event.hash;
    }
    expect(await store.verify({ streamPrefix: stream })).toMatchObject({ ok: true, eventsChecked: 4 });
  });

  it('keeps every caller’s answer right under many concurrent callers', async () => {
    const busy = new PostgresEventStore({ connectionString: database.url });
    try {
      const callers = 24;
      const streams = Array.from({ length: callers }, () => uniqueName('busy'));
      const answers: AppendResult[][] = await Promise.all(
        streams.map(async (stream) => {
          const mine: AppendResult[] = [];
          for (let revision = 0; revision < 15; revision++) {
            mine.push(
              await busy.append(
                stream,
                [newEvent('Busy', { revision })],
                revision === 0 ? 'no-stream' : revision - 1,
              ),
            );
          }
          return mine;
        }),
      );
      for (const [index, stream] of streams.entries()) {
        const events = await busy.readStream(stream);
        expect(events.map((event) => event.data.revision)).toEqual(Array.from({ length: 15 }, (_, n) => n));
        expect(answers[index].map((answer) => [answer.revision, answer.position])).toEqual(
          events.map((event) => [event.revision, event.position]),
        );
      }
      // Callers shared transactions: fewer transactions than appends.
      expect(await transactionsOf(streams)).toBeLessThan(callers * 15);
      expect((await busy.verify({ streamPrefix: 'busy' })).ok).toBe(true);
    } finally {
      await busy.close();
    }
  });
});
