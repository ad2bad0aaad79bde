import { randomUUID } from 'node:crypto';
import { ConflictError, ValidationError, type Decider } from '@aid/contracts';
import { PostgresEventStore } from '@aid/event-store';
import { createTestDatabase, uniqueName, type TestDatabase } from '@aid/testing';
import { CommandHandler, type CommandMeta } from '../src';

// A tally: the smallest aggregate that has state, a refusal and more than one event per command.
type TallyEvent =
  { type: 'Counted'; data: { amount: number } } | { type: 'Closed'; data: Record<string, never> };
type TallyCommand = { type: 'count'; amount: number } | { type: 'count-and-close'; amount: number };
interface TallyState {
  total: number;
  closed: boolean;
}
const tally: Decider<TallyCommand, TallyEvent, TallyState> = {
  initialState: { total: 0, closed: false },
  evolve: (state, event) =>
    event.type === 'Counted'
      ? { ...state, total: state.total + event.data.amount }
      : { ...state, closed: true },
  decide: (command, state) => {
    if (state.closed) throw new ConflictError('the tally is closed');
    if (command.amount <= 0)
      throw new ValidationError('amount must be positive', [
        { field: 'amount', message: 'must be positive' },
      ]);
    const counted: TallyEvent = { type: 'Counted', data: { amount: command.amount } };
    return command.type === 'count' ? [counted] : [counted, { type: 'Closed', data: {} }];
  },
};

describe('CommandHandler (real PostgreSQL event store)', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let handler: CommandHandler;
  const meta = (extra: Partial<CommandMeta> = {}): CommandMeta => ({
    actor: { id: 'key-coordinator', role: 'coordinator' },
    correlationId: 'corr-1',
    ...extra,
  });
  const run = (stream: string, command: TallyCommand, extra: Partial<CommandMeta> = {}) =>
    handler.handle({ decider: tally, stream, commandName: command.type, command, meta: meta(extra) });

  beforeAll(async () => {
    database = await createTestDatabase('commands');
    store = new PostgresEventStore({ connectionString: database.url });
    await store.migrate();
    handler = new CommandHandler(store, 'test-service');
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('appends what the decider decides, with metadata, at the next revision', async () => {
    const stream = uniqueName('tally');
    expect(await run(stream, { type: 'count', amount: 3 }, { causationId: 'cause-1' })).toMatchObject({
      revision: 0,
      appended: true,
    });
    expect(await run(stream, { type: 'count', amount: 4 })).toMatchObject({ revision: 1, appended: true });
    const events = await store.readStream(stream);
    expect(events.map((e) => e.data)).toEqual([{ amount: 3 }, { amount: 4 }]);
    expect(events[0].metadata).toMatchObject({
      actor: { id: 'key-coordinator', role: 'coordinator' },
      correlationId: 'corr-1',
      causationId: 'cause-1',
      service: 'test-service',
      schemaVersion: 1,
    });
  });

  it('a retry with the same idempotency key appends nothing and answers the first result', async () => {
    const stream = uniqueName('tally');
    const first = await run(stream, { type: 'count-and-close', amount: 5 }, { idempotencyKey: 'k-1' });
    // The tally is now closed: deciding again would be refused, so the retry must be recognised first.
    const retry = await run(stream, { type: 'count-and-close', amount: 5 }, { idempotencyKey: 'k-1' });
    expect(first).toMatchObject({ revision: 1, appended: true });
    expect(retry).toEqual({ ...first, appended: false });
    expect(await store.readStream(stream)).toHaveLength(2);
  });

  it('the same key from another caller is another request', async () => {
    const stream = uniqueName('tally');
    await run(stream, { type: 'count', amount: 1 }, { idempotencyKey: 'shared' });
    const other = await run(
      stream,
      { type: 'count', amount: 1 },
      { idempotencyKey: 'shared', actor: { id: 'key-2', role: 'coordinator' } },
    );
    expect(other).toMatchObject({ revision: 1, appended: true });
  });

  it('If-Match with a stale revision is a conflict and appends nothing', async () => {
    const stream = uniqueName('tally');
    await run(stream, { type: 'count', amount: 1 });
    await run(stream, { type: 'count', amount: 1 });
    await expect(run(stream, { type: 'count', amount: 1 }, { expectedRevision: 0 })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(await store.streamRevision(stream)).toBe(1);
    expect(await run(stream, { type: 'count', amount: 1 }, { expectedRevision: 1 })).toMatchObject({
      revision: 2,
    });
  });

  it('a refusal appends nothing', async () => {
    const stream = uniqueName('tally');
    await expect(run(stream, { type: 'count', amount: 0 })).rejects.toBeInstanceOf(ValidationError);
    expect(await store.streamRevision(stream)).toBeNull();
  });

  it('concurrent commands on one aggregate all land, each decided on the state before it', async () => {
    const stream = uniqueName('tally');
    const outcomes = await Promise.all([1, 2, 3, 4].map((amount) => run(stream, { type: 'count', amount })));
    expect(outcomes.map((o) => o.revision).sort()).toEqual([0, 1, 2, 3]);
    const total = (await store.readStream(stream)).reduce((sum, e) => sum + (e.data.amount as number), 0);
    expect(total).toBe(10);
  });

  describe('streams it wrote last, remembered', () => {
    const bySomeoneElse = (stream: string, expected: number, event: TallyEvent) =>
      store.append(
        stream,
        [
          {
            id: randomUUID(),
            ...event,
            metadata: {
              occurredAt: new Date().toISOString(),
              actor: { id: 'importer', role: 'admin' },
              correlationId: 'corr-2',
              causationId: null,
              idempotencyKey: null,
              schemaVersion: 1,
              service: 'importer',
            },
          },
        ],
        expected,
      );
    const countedBySomeoneElse = (stream: string, expected: number) =>
      bySomeoneElse(stream, expected, { type: 'Counted', data: { amount: 100 } });

    it('decides on the stream as stored when someone else appended since', async () => {
      const stream = uniqueName('tally');
      await run(stream, { type: 'count', amount: 1 });
      await countedBySomeoneElse(stream, 0);

      expect(await run(stream, { type: 'count', amount: 2 })).toMatchObject({ revision: 2, appended: true });
      expect((await store.readStream(stream)).map((e) => e.data.amount)).toEqual([1, 100, 2]);
    });

    it('takes an If-Match newer than what it remembers from the stream as stored', async () => {
      const stream = uniqueName('tally');
      await run(stream, { type: 'count', amount: 1 });
      await countedBySomeoneElse(stream, 0);

      expect(await run(stream, { type: 'count', amount: 2 }, { expectedRevision: 1 })).toMatchObject({
        revision: 2,
      });
    });

    it('refuses what the stream as stored refuses, though memory would accept it', async () => {
      const stream = uniqueName('tally');
      await run(stream, { type: 'count', amount: 1 });
      await bySomeoneElse(stream, 0, { type: 'Closed', data: {} });

      await expect(run(stream, { type: 'count', amount: 2 })).rejects.toBeInstanceOf(ConflictError);
      expect(await store.streamRevision(stream)).toBe(1);
    });

    it('decides a create on an empty stream, and on the stored one when it exists', async () => {
      const create = (stream: string, key: string) =>
        new CommandHandler(store, 'test-service').handle({
          decider: tally,
          stream,
          commandName: 'count',
          command: { type: 'count', amount: 1 },
          meta: meta({ idempotencyKey: key }),
          createsStream: true,
        });
      const stream = uniqueName('tally');
      const first = await create(stream, 'k-create');
      const retry = await create(stream, 'k-create');
      const another = await create(stream, 'k-other');

      expect(first).toMatchObject({ revision: 0, appended: true });
      expect(retry).toEqual({ ...first, appended: false });
      expect(another).toMatchObject({ revision: 1, appended: true });
    });

    it('answers a retry from memory with the first result', async () => {
      const stream = uniqueName('tally');
      const first = await run(stream, { type: 'count', amount: 1 }, { idempotencyKey: 'k-mem' });
      await countedBySomeoneElse(stream, 0);

      expect(await run(stream, { type: 'count', amount: 1 }, { idempotencyKey: 'k-mem' })).toEqual({
        ...first,
        appended: false,
      });
      expect(await store.streamRevision(stream)).toBe(1);
    });
  });
});
