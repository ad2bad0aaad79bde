import { createTestDatabase, uniqueName, type TestDatabase } from '@aid/testing';
import {
  type AppendResult,
  type ExpectedRevision,
  PostgresEventStore,
  WrongExpectedRevisionError,
} from '@aid/event-store';
import { Client } from 'pg';
import { newEvent } from './fixtures';

const APPENDERS = 16;

describe('PostgreSQL event store: concurrent appenders to one stream', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase('es_concurrent');
    store = new PostgresEventStore({ connectionString: database.url, poolSize: APPENDERS });
    await store.migrate();
  });

  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  /** 16 appenders at once, each with its own event, all expecting the same revision. */
  async function race(stream: string, expected: ExpectedRevision) {
    const outcomes = await Promise.allSettled(
      Array.from({ length: APPENDERS }, (_, index) =>
        store.append(stream, [newEvent('Raced', { index })], expected),
      ),
    );
    const winners = outcomes
      .filter((outcome) => outcome.status === 'fulfilled')
      .map((outcome) => outcome.value);
    const losers = outcomes
      .filter((outcome) => outcome.status === 'rejected')
      .map((outcome) => outcome.reason as unknown);
    return { winners, losers };
  }

  async function maxPosition(): Promise<number> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const result = await client.query<{ max: string }>(
        'SELECT max(position) AS max FROM event_store.events',
      );
      return Number(result.rows[0].max);
    } finally {
      await client.end();
    }
  }

  const races: [string, ExpectedRevision][] = [
    ['an exact revision', 0],
    ["'no-stream'", 'no-stream'],
  ];
  it.each(races)(
    'at %s: exactly one wins, the other 15 get WrongExpectedRevisionError, no position is burned',
    async (_label, expected) => {
      for (let round = 0; round < 10; round++) {
        const stream = uniqueName('shipment');
        if (expected === 0) await store.append(stream, [newEvent('Created')], 'no-stream');
        const revisionBefore = await store.streamRevision(stream);
        const positionBefore = await maxPosition();

        const { winners, losers } = await race(stream, expected);

        expect(winners).toHaveLength(1);
        expect(losers).toHaveLength(APPENDERS - 1);
        const expectedRevision = revisionBefore === null ? 0 : revisionBefore + 1;
        for (const loser of losers) {
          expect(loser).toBeInstanceOf(WrongExpectedRevisionError);
          expect(loser).toMatchObject({ stream, expected: String(expected), actual: expectedRevision });
        }
        const winner: AppendResult = winners[0];
        expect(winner).toMatchObject({ stream, revision: expectedRevision, appended: true });

        const events = await store.readStream(stream);
        expect(events).toHaveLength(expectedRevision + 1);
        expect(events.filter((event) => event.type === 'Raced')).toHaveLength(1);

        // Refusals took nothing from the position sequence: the winner's event is the next position.
        expect(winner.position).toBe(positionBefore + 1);
        expect(await maxPosition()).toBe(positionBefore + 1);
      }
    },
  );

  it("'any' lets all 16 append, each exactly once, in one gap-free sequence of revisions", async () => {
    const stream = uniqueName('community');
    const positionBefore = await maxPosition();
    const { winners, losers } = await race(stream, 'any');
    expect(losers).toEqual([]);
    expect(winners.map((winner) => winner.revision).sort((a, b) => a - b)).toEqual(
      Array.from({ length: APPENDERS }, (_, revision) => revision),
    );
    const events = await store.readStream(stream);
    expect(events.map((event) => event.data.index).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: APPENDERS }, (_, index) => index),
    );
    // Retries of 'any' after a lost race happen before any position is taken.
    expect(await maxPosition()).toBe(positionBefore + APPENDERS);
    expect((await store.verify({ streamPrefix: stream })).ok).toBe(true);
  });
});
