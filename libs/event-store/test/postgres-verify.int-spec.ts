import { createTestDatabase, uniqueName, type TestDatabase } from '@aid/testing';
import { PostgresEventStore } from '@aid/event-store';
import { Client } from 'pg';
import { newEvent } from './fixtures';

describe('PostgreSQL event store: verify finds tampering done directly in SQL', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let sql: Client;

  beforeAll(async () => {
    database = await createTestDatabase('es_verify');
    store = new PostgresEventStore({ connectionString: database.url, poolSize: 4 });
    await store.migrate();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql.end();
    await store.close();
    await database.drop();
  });

  /** A stream of six events (revisions 0..5), written in three appends. */
  async function sixEventStream(prefix: string, name: string): Promise<string> {
    const stream = `${prefix}-${name}`;
    await store.append(
      stream,
      [newEvent('ShipmentPlanned', { step: 0 }), newEvent('ShipmentSent', { step: 1 })],
      'no-stream',
    );
    await store.append(stream, [newEvent('ShipmentReceived', { step: 2, receivedKg: 1000 })], 1);
    await store.append(
      stream,
      [newEvent('Step', { step: 3 }), newEvent('Step', { step: 4 }), newEvent('Step', { step: 5 })],
      2,
    );
    return stream;
  }

  it('passes on an untouched store and counts what it checked', async () => {
    const prefix = uniqueName('untouched');
    await sixEventStream(prefix, 'a');
    await sixEventStream(prefix, 'b');
    expect(await store.verify({ streamPrefix: prefix })).toEqual({
      ok: true,
      streamsChecked: 2,
      eventsChecked: 12,
      broken: [],
    });
    expect((await store.verify()).ok).toBe(true);
  });

  it('names the exact stream and revision of each kind of tampering', async () => {
    const prefix = uniqueName('tampered');
    const altered = await sixEventStream(prefix, 'altered-data');
    const alteredMetadata = await sixEventStream(prefix, 'altered-metadata');
    const middleDeleted = await sixEventStream(prefix, 'middle-deleted');
    const lastDeleted = await sixEventStream(prefix, 'last-deleted');
    const swapped = await sixEventStream(prefix, 'swapped');
    const untouched = await sixEventStream(prefix, 'untouched');

    await sql.query(
      `UPDATE event_store.events SET data = jsonb_set(data::jsonb, '{receivedKg}', '900') WHERE stream_id = $1 AND revision = 2`,
      [altered],
    );
    await sql.query(
      `UPDATE event_store.events SET metadata = jsonb_set(metadata::jsonb, '{actor,id}', '"someone-else"')
       WHERE stream_id = $1 AND revision = 4`,
      [alteredMetadata],
    );
    await sql.query('DELETE FROM event_store.events WHERE stream_id = $1 AND revision = 3', [middleDeleted]);
    await sql.query('DELETE FROM event_store.events WHERE stream_id = $1 AND revision = 5', [lastDeleted]);
    // Swap revisions 1 and 4 (through a free value, because (stream, revision) is unique).
    await sql.query('BEGIN');
    await sql.query('UPDATE event_store.events SET revision = -1 WHERE stream_id = $1 AND revision = 1', [
      swapped,
    ]);
    await sql.query('UPDATE event_store.events SET revision = 1 WHERE stream_id = $1 AND revision = 4', [
      swapped,
    ]);
    await sql.query('UPDATE event_store.events SET revision = 4 WHERE stream_id = $1 AND revision = -1', [
      swapped,
    ]);
    await sql.query('COMMIT');

    const result = await store.verify({ streamPrefix: prefix });

    expect(result.ok).toBe(false);
    expect(result.streamsChecked).toBe(6);
    expect(result.eventsChecked).toBe(6 * 6 - 2);
    const byStream = new Map(result.broken.map((item) => [item.stream, item]));
    expect(result.broken).toHaveLength(5);
    expect(byStream.get(altered)).toEqual({
      stream: altered,
      revision: 2,
      reason: 'data or metadata altered: hash mismatch',
    });
    expect(byStream.get(alteredMetadata)).toEqual({
      stream: alteredMetadata,
      revision: 4,
      reason: 'data or metadata altered: hash mismatch',
    });
    expect(byStream.get(middleDeleted)).toEqual({
      stream: middleDeleted,
      revision: 3,
      reason: 'revision 3 missing',
    });
    expect(byStream.get(lastDeleted)).toMatchObject({ stream: lastDeleted, revision: 5 });
    expect(byStream.get(lastDeleted)!.reason).toMatch(
      /^revision 5 missing: the stream head records revision 5/,
    );
    expect(byStream.get(swapped)).toMatchObject({ stream: swapped, revision: 1 });
    expect(byStream.get(swapped)!.reason).toMatch(/prev_hash does not match the hash of revision 0/);
    expect(byStream.has(untouched)).toBe(false);
  });

  it('notices a stream head that was removed, or a stream whose events are all gone', async () => {
    const prefix = uniqueName('heads');
    const headless = await sixEventStream(prefix, 'headless');
    const emptied = await sixEventStream(prefix, 'emptied');
    await sql.query('DELETE FROM event_store.streams WHERE stream_id = $1', [headless]);
    await sql.query('DELETE FROM event_store.events WHERE stream_id = $1', [emptied]);

    const result = await store.verify({ streamPrefix: prefix });

    expect(result.ok).toBe(false);
    expect(result.broken).toEqual([
      {
        stream: emptied,
        revision: 0,
        reason: 'revision 0 missing: the stream head records revision 5 but no events are stored',
      },
      { stream: headless, revision: 5, reason: 'stream head row is missing' },
    ]);
  });

  it('walks streams that span many chunks', async () => {
    const prefix = uniqueName('long');
    const stream = `${prefix}-stream`;
    for (let start = 0; start < 4500; start += 500) {
      await store.append(
        stream,
        Array.from({ length: 500 }, (_, index) => newEvent('Step', { step: start + index })),
        start === 0 ? 'no-stream' : start - 1,
      );
    }
    await sql.query(
      `UPDATE event_store.events SET data = '{"step": -1}' WHERE stream_id = $1 AND revision = 4321`,
      [stream],
    );
    const result = await store.verify({ streamPrefix: prefix });
    expect(result).toEqual({
      ok: false,
      streamsChecked: 1,
      eventsChecked: 4500,
      broken: [{ stream, revision: 4321, reason: 'data or metadata altered: hash mismatch' }],
    });
  });
});
