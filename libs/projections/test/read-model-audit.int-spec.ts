import { PostgresEventStore } from '@aid/event-store';
import { createTestDatabase, uniqueName, type TestDatabase } from '@aid/testing';
import { Client } from 'pg';
import { pino } from 'pino';
import { ProjectionRunner, ReadModelAudit } from '../src';
import { counterProjection } from './support/counter-projection';
import { addNumber, eventually } from './support/helpers';

jest.setTimeout(60_000);

const silent = pino({ level: 'silent' });

describe('ReadModelAudit: a projection replayed into a shadow and compared with its live tables', () => {
  let database: TestDatabase;
  let admin: Client;
  let store: PostgresEventStore;
  let runner: ProjectionRunner;
  let audit: ReadModelAudit;
  const name = uniqueName('audited').replace(/-/g, '_');
  const sideEffects: boolean[] = [];
  const expected = new Map<string, number>();

  beforeAll(async () => {
    database = await createTestDatabase('rm_audit');
    admin = new Client({ connectionString: database.url });
    await admin.connect();
    store = new PostgresEventStore({ connectionString: database.url, idlePollMs: 20 });
    await store.migrate();
    runner = new ProjectionRunner({
      projection: counterProjection({ name, onSideEffect: (_event, on) => void sideEffects.push(on) }),
      store,
      connectionString: database.url,
      batchSize: 7,
      logger: silent,
    });
    for (let index = 0; index < 60; index++) await addNumber(store, expected, `numbers-${index % 5}`, index);
    await runner.start();
    await caughtUp();
    audit = new ReadModelAudit({ connectionString: database.url, logger: silent });
  });

  afterAll(async () => {
    await runner.stop();
    await store.close();
    await admin.end();
    await database.drop();
  });

  async function caughtUp(): Promise<void> {
    await eventually('the projection to catch up', async () =>
      (await runner.status()).lag <= 0 ? true : undefined,
    );
  }

  it('finds the rebuild identical while events keep arriving and the live model keeps following', async () => {
    sideEffects.length = 0;
    let appending = true;
    const appender = (async () => {
      for (let n = 1; appending; n++) await addNumber(store, expected, `numbers-${n % 7}`, n);
    })();

    const [comparison] = await audit.compare([runner.auditedReadModel()]);
    appending = false;
    await appender;

    expect(comparison.identical).toBe(true);
    expect(comparison.tables).toEqual([
      expect.objectContaining({ name: `${name}.stream_totals`, identical: true, rows: expect.any(Number) }),
    ]);
    expect(comparison.tables[0].checksum).toBe(comparison.tables[0].replayedChecksum);
    // The rebuild stopped where the live tables stood in the snapshot, not at the newest event.
    const position = Number(String(comparison.comparedAt.checkpoint).split(':')[1]);
    const upToThere = (await store.readAll({ types: ['NumberAdded'] })).filter((e) => e.position <= position);
    expect(comparison.eventsReplayed).toBe(upToThere.length);
    // Replays notify nobody; the live projection went on handling events meanwhile.
    expect(sideEffects.filter((on) => !on)).toHaveLength(comparison.eventsReplayed);
    expect(sideEffects.some((on) => on)).toBe(true);
  });

  it('names the table and the rows changed by hand, and drops its schemas', async () => {
    await caughtUp();
    await runner.stop();
    try {
      await admin.query(`UPDATE "${name}".stream_totals SET total = total + 1 WHERE stream = 'numbers-1'`);
      await admin.query(`DELETE FROM "${name}".stream_totals WHERE stream = 'numbers-3'`);

      const [comparison] = await audit.compare([runner.auditedReadModel()]);

      expect(comparison.identical).toBe(false);
      const [table] = comparison.tables;
      expect(table).toMatchObject({ name: `${name}.stream_totals`, identical: false, differingRows: 2 });
      expect(table.rows).toBe(table.replayedRows - 1);
      expect(table.differences).toEqual([
        {
          key: { stream: 'numbers-1' },
          columns: ['total'],
          live: expect.objectContaining({ stream: 'numbers-1', total: expected.get('numbers-1')! + 1 }),
          replayed: expect.objectContaining({ stream: 'numbers-1', total: expected.get('numbers-1') }),
        },
        {
          key: { stream: 'numbers-3' },
          columns: ['stream', 'total', 'events', 'last_revision'],
          live: null,
          replayed: expect.objectContaining({ stream: 'numbers-3', total: expected.get('numbers-3') }),
        },
      ]);
      const leftovers = await admin.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'audit\\_%'");
      expect(leftovers.rows).toEqual([]);
    } finally {
      await runner.rebuild();
      await runner.start();
    }
  });
});
