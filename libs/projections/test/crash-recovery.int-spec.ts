import { PostgresEventStore } from '@aid/event-store';
import { createTestDatabase, uniqueName, type TestDatabase, forkWorker, type Worker } from '@aid/testing';
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from 'pg';
import { pino } from 'pino';
import { ProjectionRunner } from '../src';
import { counterProjection } from './support/counter-projection';
import { addNumber, eventually } from './support/helpers';

jest.setTimeout(180_000);

const WORKER = path.join(__dirname, 'support', 'counter-worker.ts');

describe('a projection SIGKILLed at random moments while events keep coming', () => {
  let database: TestDatabase;
  let admin: Client;
  let store: PostgresEventStore;
  let worker: Worker | null = null;
  let cleanupAppender: (() => Promise<void>) | null = null;

  beforeAll(async () => {
    database = await createTestDatabase('projcrash');
    admin = new Client({ connectionString: database.url });
    await admin.connect();
  });

  afterAll(async () => {
    await cleanupAppender?.();
    await worker?.kill();
    await store?.close();
    await admin.end();
    await database.drop();
  });

  async function totalsIn(schema: string): Promise<Record<string, number>> {
    const { rows } = await admin.query<{ stream: string; total: string }>(
      `SELECT stream, total FROM "${schema}".stream_totals ORDER BY stream`,
    );
    return Object.fromEntries(rows.map((row) => [row.stream, Number(row.total)]));
  }

  async function storedPosition(name: string): Promise<number | null> {
    const table = await admin.query(`SELECT to_regclass('public.follower_checkpoints') AS oid`);
    if (table.rows[0].oid === null) return null;
    const { rows } = await admin.query<{ position: string | null }>(
      'SELECT position FROM public.follower_checkpoints WHERE name = $1',
      [name],
    );
    return rows[0]?.position == null ? null : Number(rows[0].position);
  }

  it('ends with exactly the rows of a clean rebuild: nothing lost, nothing counted twice', async () => {
    const storeSchema = uniqueName('es');
    store = new PostgresEventStore({ connectionString: database.url, schema: storeSchema });
    await store.migrate();
    const name = uniqueName('crashcounter');
    const env = {
      DATABASE_URL: database.url,
      STORE_SCHEMA: storeSchema,
      PROJECTION_NAME: name,
      BATCH_SIZE: '10',
      HANDLE_DELAY_MS: '5',
    };
    const expected = new Map<string, number>();

    let appending = true;
    let appended = 0;
    let last = 0;
    const appender = (async () => {
      while (appending) {
        last = await addNumber(store, expected, `counter-${randomInt(8)}`, randomInt(1, 1000));
        appended++;
        if (appended % 20 === 0) await delay(5);
      }
    })();

    const stopAppending = async (): Promise<void> => {
      appending = false;
      await appender;
    };
    cleanupAppender = stopAppending;

    const kills = 8;
    let killsBehindTheAppender = 0;
    for (let round = 0; round < kills; round++) {
      const before = (await storedPosition(name)) ?? 0;
      worker = forkWorker(WORKER, env);
      await expect(worker.started).resolves.toEqual({ state: 'active' });
      // Let it commit at least one batch, then kill it at a random moment.
      await eventually('the worker to make progress', async () =>
        ((await storedPosition(name)) ?? 0) > before ? true : undefined,
      );
      await delay(randomInt(0, 300));
      const appendedBeforeKill = last;
      await worker.kill();
      if (((await storedPosition(name)) ?? 0) < appendedBeforeKill) killsBehindTheAppender++;
    }
    await stopAppending();

    // A last instance catches up with everything appended, then is killed too.
    worker = forkWorker(WORKER, env);
    await worker.started;
    await eventually(
      `the projection to reach ${last}`,
      async () => ((await storedPosition(name)) === last ? true : undefined),
      60_000,
      100,
    );
    await worker.kill();
    worker = null;

    // Most kills landed with a backlog to work through, so inside a batch transaction.
    expect(killsBehindTheAppender).toBeGreaterThanOrEqual(kills / 2);
    expect(appended).toBeGreaterThan(200);

    const live = await totalsIn(name);
    expect(live).toEqual(Object.fromEntries(expected));

    const clean = new ProjectionRunner({
      projection: counterProjection({ name }),
      store,
      connectionString: database.url,
      logger: pino({ level: 'silent' }),
    });
    try {
      const shadow = uniqueName('clean');
      const build = await clean.buildShadow(shadow);
      expect(build.eventsReplayed).toBe(appended);
      expect(await totalsIn(shadow)).toEqual(live);
    } finally {
      await clean.stop();
    }
  });
});
