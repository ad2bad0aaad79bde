import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@aid/testing';
import { IdempotencyKeyReusedError } from '../src/http/http-errors';
import { CLAIM_AND_COMPLETE, IdempotencyStore, type KeyClaim } from '../src/idempotency/idempotency.store';

/*
 * The gateway's Idempotency-Key records on their own, against the real PostgreSQL: claims and
 * answers of concurrent requests sharing statements, and the plan those shared statements get.
 */
describe('IdempotencyStore (real PostgreSQL)', () => {
  let database: TestDatabase;
  let pool: Pool;
  let store: IdempotencyStore;
  const apiKeyId = randomUUID();
  const claimFor = (key: string, body: unknown = { key }): KeyClaim => ({
    apiKeyId,
    key,
    fingerprint: IdempotencyStore.fingerprint({ method: 'POST', path: '/v1/shipments', body }),
  });

  beforeAll(async () => {
    database = await createTestDatabase('idempotency_store');
    pool = new Pool({ connectionString: database.url, max: 4 });
    // pool.end() resolves before its connections have closed, so the DROP ... WITH (FORCE) after it
    // may terminate one; the gateway's own pools listen for that too (gateway-infrastructure.module).
    pool.on('error', () => undefined);
    store = new IdempotencyStore(pool, { leaseMs: 60_000, waitMs: 5_000, pollMs: 5 });
    await store.migrate();
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it('gives the first request the key, and a retry waiting meanwhile its answer', async () => {
    const claim = claimFor('plan-1');
    expect(await store.claim(claim)).toEqual({ kind: 'owner' });
    const retry = store.claim(claim);
    store.recordAnswer(claim, { statusCode: 201, body: { id: 'shipment-1', revision: 0 } });
    expect(await retry).toEqual({
      kind: 'replay',
      answer: { statusCode: 201, body: { id: 'shipment-1', revision: 0 } },
    });
  });

  it('refuses the key for another request, answered or not', async () => {
    const claim = claimFor('plan-2', { weightKg: 500 });
    await store.claim(claim);
    await expect(store.claim(claimFor('plan-2', { weightKg: 501 }))).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
    store.recordAnswer(claim, { statusCode: 201, body: { id: 'shipment-2', revision: 0 } });
    await expect(store.claim(claimFor('plan-2', { weightKg: 501 }))).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
  });

  it('lets a released key be claimed again', async () => {
    const claim = claimFor('plan-3');
    await store.claim(claim);
    await store.release(claim);
    expect(await store.claim(claim)).toEqual({ kind: 'owner' });
  });

  it('keeps every outcome apart when claims, answers and retries of many keys share statements', async () => {
    const claims = Array.from({ length: 60 }, (_, index) => claimFor(`shared-${index}`));
    const first = await Promise.all(claims.map((claim) => store.claim(claim)));
    expect(first.every((outcome) => outcome.kind === 'owner')).toBe(true);

    // Each answer goes out with the retries' claims of all the keys, in whatever statements form.
    const retries = claims.map((claim, index) => {
      store.recordAnswer(claim, { statusCode: 201, body: { id: `shipment-${index}` } });
      return store.claim(claim);
    });
    const replayed = await Promise.all(retries);
    expect(replayed).toEqual(
      claims.map((_, index) => ({
        kind: 'replay',
        answer: { statusCode: 201, body: { id: `shipment-${index}` } },
      })),
    );
    const { rows } = await pool.query<{ count: string }>(
      `SELECT count(*) FROM gateway.idempotency_keys WHERE idempotency_key LIKE 'shared-%' AND completed_at IS NOT NULL`,
    );
    expect(Number(rows[0].count)).toBe(60);
  });

  it('records both answers of one key that arrive together, the later last', async () => {
    const claim = claimFor('plan-4');
    await store.claim(claim);
    // Claims of other keys hold the statement in flight, so both answers go out together next.
    const others = Array.from({ length: 4 }, (_, index) => store.claim(claimFor(`plan-4-other-${index}`)));
    store.recordAnswer(claim, { statusCode: 201, body: { id: 'first' } });
    store.recordAnswer(claim, { statusCode: 201, body: { id: 'second' } });
    await Promise.all(others);
    expect(await store.claim(claim)).toEqual({
      kind: 'replay',
      answer: { statusCode: 201, body: { id: 'second' } },
    });
  });

  it('reaches the records through the primary key in a plan made while the table was empty', async () => {
    // A new gateway: the first statements are planned on an empty table, and the cached generic plan
    // outlives the table's growth (inserts do not invalidate it; only an ANALYZE would).
    await pool.query(
      `CREATE TABLE gateway.idempotency_keys_growing (LIKE gateway.idempotency_keys INCLUDING ALL)
         WITH (autovacuum_enabled = off)`,
    );
    const client = await pool.connect();
    const ids = `'{${apiKeyId}}'`;
    const explain = async (): Promise<string> => {
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN EXECUTE claim_and_complete(${ids}, '{new}', '{f}', ${ids}, '{bulk-1}', '{f}', '{201}', '{"{}"}')`,
      );
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    };
    try {
      await client.query(`SET plan_cache_mode = force_generic_plan`);
      await client.query(
        `PREPARE claim_and_complete AS ${CLAIM_AND_COMPLETE.replaceAll(
          'gateway.idempotency_keys ',
          'gateway.idempotency_keys_growing ',
        )}`,
      );
      await explain();
      await client.query(
        `INSERT INTO gateway.idempotency_keys_growing (api_key_id, idempotency_key, fingerprint)
         SELECT $1, 'bulk-' || n, 'f' FROM generate_series(1, 20000) AS n`,
        [apiKeyId],
      );
      const plan = await explain();
      expect(plan).toContain('idempotency_keys_growing');
      expect(plan).not.toMatch(/Seq Scan/);
    } finally {
      await client.query('DEALLOCATE ALL');
      client.release();
    }
  });
});
