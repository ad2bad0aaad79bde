import { PostgresEventStore } from '@aid/event-store';
import { createTestDatabase, uniqueName, type TestDatabase } from '@aid/testing';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from 'pg';
import { pino } from 'pino';
import { DataSource } from 'typeorm';
import { CheckpointTable, findHeadPosition, ProjectionRunner, type Projection } from '../src';
import { counterProjection, StreamTotal } from './support/counter-projection';
import { addNumber, eventually, numberAdded } from './support/helpers';

jest.setTimeout(60_000);

const silent = pino({ level: 'silent' });

describe('ProjectionRunner', () => {
  let database: TestDatabase;
  let admin: Client;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    database = await createTestDatabase('projections');
    admin = new Client({ connectionString: database.url });
    await admin.connect();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await admin.end();
    await database.drop();
  });

  async function newStore(): Promise<PostgresEventStore> {
    const store = new PostgresEventStore({
      connectionString: database.url,
      schema: uniqueName('es'),
      idlePollMs: 50,
    });
    await store.migrate();
    cleanups.push(() => store.close());
    return store;
  }

  function newRunner(store: PostgresEventStore, projection: Projection): ProjectionRunner {
    const runner = new ProjectionRunner({
      projection,
      store,
      connectionString: database.url,
      standbyRetryMs: 200,
      logger: silent,
    });
    cleanups.push(() => runner.stop());
    return runner;
  }

  async function totalsIn(schema: string): Promise<Record<string, number>> {
    const { rows } = await admin.query<{ stream: string; total: string }>(
      `SELECT stream, total FROM "${schema}".stream_totals ORDER BY stream`,
    );
    return Object.fromEntries(rows.map((row) => [row.stream, Number(row.total)]));
  }

  async function storedCheckpoint(name: string): Promise<{ checkpoint: string; position: number | null }> {
    const { rows } = await admin.query<{ checkpoint: string; position: string | null }>(
      'SELECT checkpoint, position FROM public.follower_checkpoints WHERE name = $1',
      [name],
    );
    return {
      checkpoint: rows[0].checkpoint,
      position: rows[0].position === null ? null : Number(rows[0].position),
    };
  }

  /** Waits until the projection's stored position reached `position`. */
  function caughtUp(name: string, position: number): Promise<true> {
    return eventually(`${name} to reach position ${position}`, async () =>
      ((await storedCheckpoint(name).catch(() => null))?.position ?? -1) >= position ? true : undefined,
    );
  }

  it('handles every event once, stores checkpoint and last position, and reports lag', async () => {
    const store = await newStore();
    const name = uniqueName('counter');
    const expected = new Map<string, number>();
    for (let i = 1; i <= 30; i++) await addNumber(store, expected, `counter-${i % 3}`, i);
    // Events the projection does not follow still move the head of the store.
    await store.append('other-1', [{ ...numberAdded(5), type: 'Other' }], 'any');

    const runner = newRunner(store, counterProjection({ name }));
    const before = await runner.status();
    expect(before).toMatchObject({ name, checkpoint: 'start', lastPosition: null, state: 'stopped' });
    expect(before.lag).toBeGreaterThanOrEqual(30);

    await runner.start();
    expect(runner.state).toBe('active');
    const last = await addNumber(store, expected, 'counter-0', 1000);
    await caughtUp(name, last);

    expect(await totalsIn(name)).toEqual(Object.fromEntries(expected));
    const status = await runner.status();
    expect(status).toMatchObject({
      name,
      schema: name,
      state: 'active',
      lastPosition: last,
      headPosition: last,
      lag: 0,
    });
    expect(status.checkpoint).not.toBe('start');
    expect(status.eventsHandled).toBe(31);
    expect(await storedCheckpoint(name)).toEqual({ checkpoint: status.checkpoint, position: last });
  });

  it('gives a projection with handleBatch whole batches, in log order, instead of single events', async () => {
    const store = await newStore();
    const name = uniqueName('batched');
    const expected = new Map<string, number>();
    for (let i = 1; i <= 40; i++) await addNumber(store, expected, `counter-${i % 4}`, i);
    const counter = counterProjection({ name });
    const batchSizes: number[] = [];
    const positions: number[] = [];
    let singleCalls = 0;
    const runner = newRunner(store, {
      ...counter,
      handle: async (event, context) => {
        singleCalls++;
        await counter.handle(event, context);
      },
      handleBatch: async (events, context) => {
        batchSizes.push(events.length);
        for (const event of events) {
          positions.push(event.position);
          await counter.handle(event, context);
        }
      },
    });
    await runner.start();
    await caughtUp(name, Math.max(...(await store.readAll()).map((event) => event.position)));

    expect(singleCalls).toBe(0);
    expect(batchSizes.reduce((sum, size) => sum + size, 0)).toBe(40);
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(await totalsIn(name)).toEqual(Object.fromEntries(expected));
  });

  it('moves the checkpoint only with compare-and-set: of two instances moving it from the same value, one wins', async () => {
    const table = new CheckpointTable();
    const dataSource = new DataSource({ type: 'postgres', url: database.url });
    await dataSource.initialize();
    cleanups.push(() => dataSource.destroy());
    const name = uniqueName('cas');
    const first = dataSource.createQueryRunner();
    const second = dataSource.createQueryRunner();
    cleanups.push(async () => {
      await first.release();
      await second.release();
    });
    await table.ensureTable(first);
    expect(await table.read(first, name)).toMatchObject({ checkpoint: 'start', position: null });

    await first.startTransaction();
    await second.startTransaction();
    expect(await table.compareAndSet(first, name, 'start', 'after-first', 1)).toBe(true);
    // The second waits for the first's row lock, then finds the row no longer at 'start'.
    const secondMove = table.compareAndSet(second, name, 'start', 'after-second', 1);
    await first.commitTransaction();
    expect(await secondMove).toBe(false);
    await second.rollbackTransaction();
    expect(await table.read(first, name)).toMatchObject({ checkpoint: 'after-first', position: 1 });
  });

  it('rolls a batch back when another instance moved the checkpoint meanwhile, then resumes from the stored one', async () => {
    const store = await newStore();
    const name = uniqueName('conflict');
    const expected = new Map<string, number>();
    let releaseHeldEvent!: () => void;
    const held = new Promise<void>((resolve) => (releaseHeldEvent = resolve));
    let holding!: () => void;
    const isHolding = new Promise<void>((resolve) => (holding = resolve));
    const runner = newRunner(
      store,
      counterProjection({
        name,
        beforeHandle: async (event) => {
          if (event.data.n === 666) {
            holding();
            await held;
          }
        },
      }),
    );
    const first = await addNumber(store, expected, 'counter-a', 1);
    await runner.start();
    await caughtUp(name, first);

    const heldPosition = await store.append('counter-a', [numberAdded(666)], 'any');
    await isHolding;
    // Another instance (simulated) handles the held event and stores its checkpoint first.
    const movedTo = await store.checkpointAfter(heldPosition.position);
    await admin.query(
      'UPDATE public.follower_checkpoints SET checkpoint = $2, position = $3 WHERE name = $1',
      [name, movedTo, heldPosition.position],
    );
    releaseHeldEvent();

    await eventually('the conflict to be reported', async () =>
      runner
        .status()
        .then((status) => (status.lastError?.includes('moved by another instance') ? true : undefined)),
    );
    // The held event's effect was rolled back with the failed compare-and-set.
    expect(await totalsIn(name)).toEqual({ 'counter-a': 1 });
    expect(await storedCheckpoint(name)).toEqual({ checkpoint: movedTo, position: heldPosition.position });

    // It stands by, takes the lock again, and goes on from the checkpoint as stored.
    const next = await addNumber(store, expected, 'counter-a', 10);
    await caughtUp(name, next);
    expect(await totalsIn(name)).toEqual({ 'counter-a': 11 });
    expect(runner.state).toBe('active');
  });

  it('keeps a second instance on standby while the first holds the lock; it takes over when the first stops', async () => {
    const store = await newStore();
    const name = uniqueName('standby');
    const expected = new Map<string, number>();
    const first = newRunner(store, counterProjection({ name }));
    const second = newRunner(store, counterProjection({ name }));
    await first.start();
    await second.start();
    expect(first.state).toBe('active');
    expect(second.state).toBe('standby');

    let last = 0;
    for (let i = 1; i <= 20; i++) last = await addNumber(store, expected, `counter-${i % 4}`, i);
    await caughtUp(name, last);
    expect((await first.status()).eventsHandled).toBe(20);
    expect((await second.status()).eventsHandled).toBe(0);
    expect(second.state).toBe('standby');

    await first.stop();
    await eventually('the standby to take over', () => (second.state === 'active' ? true : undefined));
    for (let i = 1; i <= 10; i++) last = await addNumber(store, expected, `counter-${i % 4}`, 100 * i);
    await caughtUp(name, last);
    expect((await second.status()).eventsHandled).toBe(10);
    expect(await totalsIn(name)).toEqual(Object.fromEntries(expected));
  });

  it('stops processing when its lock connection dies, and a standby takes over without double counting', async () => {
    const store = await newStore();
    const name = uniqueName('lostlock');
    const expected = new Map<string, number>();
    const first = newRunner(store, counterProjection({ name }));
    const second = newRunner(store, counterProjection({ name }));
    await first.start();
    await second.start();
    let last = await addNumber(store, expected, 'counter-x', 1);
    await caughtUp(name, last);

    const killed = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = $2`,
      [`aid-lock:${name}`.slice(0, 63), database.name],
    );
    expect(killed.rowCount).toBe(1);
    await eventually('the first to stop processing', () => (first.state !== 'active' ? true : undefined));
    expect((await first.status()).lastError).toMatch(/lock lost/);
    await eventually('one instance to be active again', () =>
      first.state === 'active' || second.state === 'active' ? true : undefined,
    );

    for (let i = 1; i <= 10; i++) last = await addNumber(store, expected, 'counter-x', i);
    await caughtUp(name, last);
    expect(await totalsIn(name)).toEqual(Object.fromEntries(expected));
    expect([first.state, second.state].sort()).toEqual(['active', 'standby']);
  });

  it('rebuilds into a shadow with side effects off and swaps in identical rows while events keep coming', async () => {
    const store = await newStore();
    const name = uniqueName('rebuild');
    const expected = new Map<string, number>();
    const sideEffects: Array<{ id: string; sideEffects: boolean }> = [];
    const runner = newRunner(
      store,
      counterProjection({
        name,
        onSideEffect: (event, on) => void sideEffects.push({ id: event.id, sideEffects: on }),
      }),
    );
    let last = 0;
    for (let i = 1; i <= 200; i++) last = await addNumber(store, expected, `counter-${i % 7}`, i);
    await runner.start();
    await caughtUp(name, last);
    const liveRows = await totalsIn(name);
    expect(liveRows).toEqual(Object.fromEntries(expected));
    expect(sideEffects).toHaveLength(200);
    expect(sideEffects.every((effect) => effect.sideEffects)).toBe(true);
    sideEffects.length = 0;

    // Audit style: build a shadow and compare, without swapping.
    const shadow = uniqueName('shadow');
    const build = await runner.buildShadow(shadow);
    expect(build).toMatchObject({ schema: shadow, lastPosition: last, eventsReplayed: 200 });
    expect(await totalsIn(shadow)).toEqual(liveRows);
    expect(sideEffects).toHaveLength(200);
    expect(sideEffects.every((effect) => !effect.sideEffects)).toBe(true);
    await runner.dropShadow(shadow);
    const schemas = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [shadow]);
    expect(schemas.rowCount).toBe(0);
    sideEffects.length = 0;

    // A full rebuild while appends go on: none lost, none counted twice.
    const liveTable = async (): Promise<string> =>
      (
        await admin.query<{ oid: string }>('SELECT to_regclass($1)::oid::text AS oid', [
          `"${name}".stream_totals`,
        ])
      ).rows[0].oid;
    const tableBefore = await liveTable();
    let appending = true;
    const appender = (async () => {
      for (let i = 0; appending; i++) {
        last = await addNumber(store, expected, `counter-${i % 5}`, 1_000 + i);
        if (i % 10 === 9) await delay(5);
      }
    })();
    const stopAppending = async (): Promise<void> => {
      appending = false;
      await appender;
    };
    cleanups.push(stopAppending);
    const swapped = await runner.rebuild();
    await stopAppending();
    expect(swapped.schema).toBe(name);
    expect(await liveTable()).not.toBe(tableBefore);
    expect(swapped.eventsReplayed).toBeGreaterThanOrEqual(200);
    expect(sideEffects.filter((effect) => !effect.sideEffects).length).toBe(swapped.eventsReplayed);

    await caughtUp(name, last);
    expect(await totalsIn(name)).toEqual(Object.fromEntries(expected));
    const leftovers = await admin.query(
      `SELECT nspname FROM pg_namespace WHERE nspname LIKE $1 AND nspname <> $2`,
      [`${name}%`, name],
    );
    expect(leftovers.rows).toEqual([]);
    expect((await storedCheckpoint(name)).position).toBe(last);
  });

  it('rebuilds with the runner stopped by taking the lock itself, and refuses on a standby instance', async () => {
    const store = await newStore();
    const name = uniqueName('offline');
    const expected = new Map<string, number>();
    let last = 0;
    for (let i = 1; i <= 50; i++) last = await addNumber(store, expected, `counter-${i % 3}`, i);
    const offline = newRunner(store, counterProjection({ name }));
    const swapped = await offline.rebuild();
    expect(swapped).toMatchObject({ schema: name, lastPosition: last, eventsReplayed: 50 });
    expect(await totalsIn(name)).toEqual(Object.fromEntries(expected));
    expect(await storedCheckpoint(name)).toEqual({ checkpoint: swapped.checkpoint, position: last });

    // Started afterwards, it goes on from the swapped-in checkpoint without counting anything again.
    const active = newRunner(store, counterProjection({ name }));
    const standby = newRunner(store, counterProjection({ name }));
    await active.start();
    await standby.start();
    last = await addNumber(store, expected, 'counter-0', 7);
    await caughtUp(name, last);
    expect(await totalsIn(name)).toEqual(Object.fromEntries(expected));
    await expect(standby.rebuild()).rejects.toThrow(/standby here/);
  });

  it('finds the head position of what it follows with a few one-row reads', async () => {
    const store = await newStore();
    const expected = new Map<string, number>();
    expect(await findHeadPosition(store, null)).toBeNull();
    const positions: number[] = [];
    for (let i = 0; i < 37; i++) positions.push(await addNumber(store, expected, `counter-${i % 2}`, i));
    const other = await store.append('other-1', [{ ...numberAdded(1), type: 'Other' }], 'any');
    expect(await findHeadPosition(store, null)).toBe(other.position);
    expect(await findHeadPosition(store, positions[3])).toBe(other.position);
    expect(await findHeadPosition(store, positions[0], { types: ['NumberAdded'] })).toBe(positions.at(-1));
    // counter-1 holds the odd numbers; the last of them is 35.
    expect(await findHeadPosition(store, null, { streamPrefixes: ['counter-1'] })).toBe(positions[35]);
    expect(await findHeadPosition(store, null, { streamPrefixes: ['nothing-'] })).toBeNull();
  });

  it('reads its rows through the live DataSource, whose entities resolve to the projection schema', async () => {
    const store = await newStore();
    const name = uniqueName('reads');
    const expected = new Map<string, number>();
    const runner = newRunner(store, counterProjection({ name }));
    await runner.start();
    const last = await addNumber(store, expected, 'counter-r', 42);
    await caughtUp(name, last);
    const rows = await runner.dataSource.getRepository(StreamTotal).find();
    expect(rows).toEqual([{ stream: 'counter-r', total: 42, events: 1, lastRevision: 0 }]);
    expect(runner.dataSource.getMetadata(StreamTotal).tablePath).toBe(`${name}.stream_totals`);
  });
});
