import { createTestDatabase, uniqueName, type TestDatabase } from '@aid/testing';
import { canonicalEventText, chainHash, PostgresEventStore, type RecordedEvent } from '@aid/event-store';
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

  it('catches a forged row appended after the head, and a row moved in the global log', async () => {
    const prefix = uniqueName('forged');
    const appended = await sixEventStream(prefix, 'appended');
    const moved = await sixEventStream(prefix, 'moved');
    // A careful forger: the right revision, prev_hash and hash, only the head left alone.
    const [last] = await store.readStream(appended, { direction: 'backwards', maxCount: 1 });
    const forged = forgedSuccessor(last);
    await sql.query(
      `INSERT INTO event_store.events (order_xid, id, stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash)
       VALUES (pg_current_xact_id(), $1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        forged.id,
        appended,
        6,
        forged.type,
        forged.data,
        forged.metadata,
        forged.metadata.recordedAt,
        forged.hash,
        last.hash,
      ],
    );
    // Revision 2 takes a new position, after revision 3's: the chain by revision stays intact.
    await sql.query(
      'UPDATE event_store.events SET position = DEFAULT WHERE stream_id = $1 AND revision = 2',
      [moved],
    );

    const result = await store.verify({ streamPrefix: prefix });

    expect(result.broken).toEqual([
      {
        stream: appended,
        revision: 6,
        reason: 'stream head (revision 5) does not match the last stored event',
      },
      {
        stream: moved,
        revision: 3,
        reason: expect.stringMatching(/^position \d+ is not after position \d+ of revision 2: rows moved/),
      },
    ]);
  });

  it('reports position gaps apart from broken chains: a rolled-back append leaves one, and so does a deleted row', async () => {
    const before = await store.checkPositions();
    const prefix = uniqueName('gaps');
    await sixEventStream(prefix, 'kept');
    await expect(
      store.transaction(async (tx) => {
        await tx.append(`${prefix}-rolled-back`, [newEvent('Step'), newEvent('Step')], 'no-stream');
        throw new Error('the caller gives up');
      }),
    ).rejects.toThrow('the caller gives up');
    const deleted = await sixEventStream(prefix, 'deleted');

    const afterRollback = await store.checkPositions();
    expect(afterRollback.checked).toBe(true);
    expect(afterRollback.gapCount).toBe(before.gapCount + 1);
    expect(afterRollback.missingPositions).toBe(before.missingPositions + 2);
    expect(afterRollback.events).toBe(before.events + 12);
    expect((await store.verify({ streamPrefix: prefix })).ok).toBe(true);

    const [third] = await store.readStream(deleted, { fromRevision: 3, maxCount: 1 });
    await sql.query('DELETE FROM event_store.events WHERE stream_id = $1 AND revision = 3', [deleted]);
    const afterDelete = await store.checkPositions();
    expect(afterDelete.gapCount).toBe(afterRollback.gapCount + 1);
    expect(afterDelete.gaps).toContainEqual({
      after: third.position - 1,
      before: third.position + 1,
      missing: 1,
    });
    expect((await store.verify({ streamPrefix: prefix })).broken).toEqual([
      { stream: deleted, revision: 3, reason: 'revision 3 missing' },
    ]);
  });
});

/** The event a forger would add after `last`, with the hash the chain expects. */
function forgedSuccessor(last: RecordedEvent): RecordedEvent {
  const event = {
    id: '0190a0a0-0000-7000-8000-000000000001',
    type: 'ShipmentReceiptCorrected',
    stream: last.stream,
    revision: last.revision + 1,
    data: { reason: 'forged' },
    metadata: { ...last.metadata, recordedAt: new Date().toISOString() },
  };
  return {
    ...event,
    position: 0,
    prevHash: last.hash,
    checkpoint: '',
    hash: chainHash(last.hash, canonicalEventText(event)),
  };
}
