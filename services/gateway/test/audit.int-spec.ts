import { canonicalEventText, chainHash, type JsonObject } from '@aid/event-store';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REGISTER_TYPESCRIPT } from '@aid/testing';
import { Client } from 'pg';
import type { AuditEvent } from '../src/audit/audit-event';
import { verifyExport } from '../src/audit/ledger-export';
import type { LedgerVerification } from '../src/audit/ledger-verification';
import type { LedgerReplay } from '../src/audit/read-model-replay';
import { AuditWorld, type Story } from './audit.support';

jest.setTimeout(90_000);

const run = promisify(execFile);

interface Page {
  items: AuditEvent[];
  next?: string;
}

describe('the audit over HTTP, after a story told through the services', () => {
  let world: AuditWorld;
  let story: Story;
  let auditorKey: string;
  let coordinatorKey: string;
  let sql: Client;

  beforeAll(async () => {
    world = await AuditWorld.start('audit');
    story = await world.tellStory();
    auditorKey = await world.key('auditor');
    coordinatorKey = await world.key('coordinator');
    await world.historySettled(auditorKey);
    sql = new Client({ connectionString: world.database.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await world?.stop();
  });

  async function get<T>(path: string, key = auditorKey): Promise<{ status: number; body: T }> {
    const response = await fetch(`${world.gateway.httpUrl}${path}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  async function replay(): Promise<LedgerReplay> {
    const response = await fetch(`${world.gateway.httpUrl}/v1/audit/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${auditorKey}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as LedgerReplay;
  }

  const shipment = (id: string) => `shipment-${id}`;

  describe('history', () => {
    it('lists a stream with metadata, hash and previous hash, linked into a chain', async () => {
      const { status, body } = await get<Page>(`/v1/audit/streams/${shipment(story.delivered)}`);

      expect(status).toBe(200);
      expect(body.items.map((event) => event.type)).toEqual([
        'ShipmentPlanned',
        'ShipmentSent',
        'ShipmentReceived',
      ]);
      expect(body.next).toBeUndefined();
      const [planned, sent, received] = body.items;
      expect(planned).toEqual({
        id: expect.any(String),
        type: 'ShipmentPlanned',
        stream: shipment(story.delivered),
        revision: 0,
        position: expect.any(Number),
        data: expect.objectContaining({
          shipmentId: story.delivered,
          destinationCommunityId: story.zhytomyr,
        }),
        metadata: expect.objectContaining({
          actor: { id: 'key-coordinator', role: 'coordinator' },
          service: 'logistics',
          recordedAt: expect.any(String),
          occurredAt: expect.any(String),
        }),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        prevHash: '0'.repeat(64),
      });
      expect(sent.prevHash).toBe(planned.hash);
      expect(received.prevHash).toBe(sent.hash);
      expect(sent.metadata.occurredAt).toBe('2025-03-01T08:00:00.000Z');

      const after = await get<Page>(`/v1/audit/streams/${shipment(story.delivered)}?after=0&limit=1`);
      expect(after.body.items.map((event) => event.revision)).toEqual([1]);
      expect(after.body.next).toBe('1');
    });

    it('filters the global log by type, stream, correlation id, business and record time, and pages with next', async () => {
      const types = async (query: string) =>
        (await get<Page>(`/v1/audit/events?${query}`)).body.items.map(
          (event) => `${event.type}:${event.stream}`,
        );

      expect(await types('type=ShipmentSent')).toEqual([
        `ShipmentSent:${shipment(story.delivered)}`,
        `ShipmentSent:${shipment(story.onTheWay)}`,
      ]);
      expect(await types(`correlationId=${story.correlationId}`)).toEqual([
        `CommunityRegistered:community-${story.zhytomyr}`,
        `CommunityRegistered:community-${story.rawicz}`,
      ]);
      expect(
        await types(
          'timeKind=business&from=2025-03-02T00:00:00Z&to=2025-03-04T00:00:00Z&type=ShipmentSent,ShipmentReceived',
        ),
      ).toEqual([
        `ShipmentSent:${shipment(story.onTheWay)}`,
        `ShipmentReceived:${shipment(story.delivered)}`,
      ]);
      const received = (await get<Page>('/v1/audit/events?type=ShipmentReceived')).body.items[0];
      expect(await types(`from=${encodeURIComponent(received.metadata.recordedAt)}`)).toEqual([
        `ShipmentReceived:${shipment(story.delivered)}`,
      ]);

      const all = (await get<Page>('/v1/audit/events?limit=1000')).body.items;
      const paged: string[] = [];
      let next: string | undefined;
      let pages = 0;
      do {
        const page = await get<Page>(`/v1/audit/events?limit=4${next ? `&cursor=${next}` : ''}`);
        paged.push(...page.body.items.map((event) => event.id));
        next = page.body.next;
        pages++;
      } while (next);
      expect(paged).toEqual(all.map((event) => event.id));
      expect(pages).toBeGreaterThan(2);
      const afterThird = await get<Page>(`/v1/audit/events?after=${all[2].position}&limit=1`);
      expect(afterThird.body.items[0].id).toBe(all[3].id);
    });

    it('refuses bad parameters naming them, an unknown stream with 404, and keys without the auditor role', async () => {
      const bad = await get<{ statusCode: number; details: Array<{ field: string }> }>(
        '/v1/audit/events?limit=0&from=yesterday&timeKind=sometimes&colour=red',
      );
      expect(bad.status).toBe(400);
      expect(new Set(bad.body.details.map((detail) => detail.field))).toEqual(
        new Set(['limit', 'from', 'timeKind', 'colour']),
      );
      expect((await get('/v1/audit/events?after=1&cursor=1:2')).status).toBe(400);
      expect((await get('/v1/audit/streams/shipment-00000000-0000-7000-8000-000000000000')).status).toBe(404);
      expect((await get('/v1/audit/streams/NotAStream')).status).toBe(400);
      expect((await get('/v1/audit/verify', coordinatorKey)).status).toBe(403);
      expect((await fetch(`${world.gateway.httpUrl}/v1/audit/verify`)).status).toBe(401);
    });
  });

  describe('state at a past moment, folded by the owning service', () => {
    it('a shipment between its dispatch and its receipt reads sent, by record time and by business time', async () => {
      const stream = shipment(story.delivered);
      const [, sent, received] = (await get<Page>(`/v1/audit/streams/${stream}`)).body.items;
      expect(Date.parse(received.metadata.recordedAt)).toBeGreaterThan(Date.parse(sent.metadata.recordedAt));

      const byRecordTime = await get<{ revision: number; state: { status: string } }>(
        `/v1/audit/streams/${stream}/state?at=${encodeURIComponent(sent.metadata.recordedAt)}`,
      );
      expect(byRecordTime.status).toBe(200);
      expect(byRecordTime.body).toMatchObject({
        stream,
        revision: 1,
        timeKind: 'record',
        state: { status: 'sent' },
      });

      const byBusinessTime = await get<{ revision: number; state: { status: string } }>(
        `/v1/audit/streams/${stream}/state?at=2025-03-02T12:00:00Z&timeKind=business`,
      );
      expect(byBusinessTime.body).toMatchObject({
        revision: 1,
        timeKind: 'business',
        state: { status: 'sent' },
      });

      const now = await get<{ state: { status: string } }>(
        `/v1/audit/streams/${stream}/state?at=2100-01-01T00:00:00Z`,
      );
      expect(now.body.state.status).toBe('received');
      const first = await get<{ state: { status: string } }>(`/v1/audit/streams/${stream}/state?revision=0`);
      expect(first.body.state.status).toBe('planned');
    });

    it('folds partnerships and communities with their own services, and answers 404 or 400 when it cannot', async () => {
      const partnership = await get<{ state: { status: string } }>(
        `/v1/audit/streams/partnership-${story.partnership}/state?revision=1`,
      );
      expect(partnership.body.state.status).toBe('approved');
      const community = await get<{ state: { community: { name: { en: string } } } }>(
        `/v1/audit/streams/community-${story.zhytomyr}/state?revision=0`,
      );
      expect(community.body.state.community.name.en).toBe('Zhytomyr');

      const stream = shipment(story.delivered);
      expect((await get(`/v1/audit/streams/${stream}/state?at=2000-01-01T00:00:00Z`)).status).toBe(404);
      expect((await get(`/v1/audit/streams/${stream}/state?revision=9`)).status).toBe(404);
      expect((await get(`/v1/audit/streams/shipment-${story.zhytomyr}/state?revision=0`)).status).toBe(404);
      expect((await get(`/v1/audit/streams/ledger-1/state?revision=0`)).status).toBe(404);
      const both = await get<{ details: Array<{ field: string }> }>(
        `/v1/audit/streams/${stream}/state?revision=0&at=2025-03-02T12:00:00Z`,
      );
      expect(both.status).toBe(400);
      expect(both.body.details.map((detail) => detail.field)).toEqual(['at', 'revision']);
    });
  });

  describe('replay and compare', () => {
    it('rebuilds every read model of every service identical to the live one', async () => {
      const result = await replay();

      expect(result.identical).toBe(true);
      expect(result.services.map((service) => service.service)).toEqual([
        'communities',
        'partnerships',
        'logistics',
      ]);
      const names = result.tables.map((table) => table.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'logistics_shipments.shipments',
          'logistics_references.communities',
          'logistics_references.partnerships',
          'partnerships_parties.communities',
        ]),
      );
      const shipments = result.tables.find((table) => table.name === 'logistics_shipments.shipments')!;
      expect(shipments).toMatchObject({ rows: 3, replayedRows: 3, identical: true });
      expect(shipments.checksum).toBe(shipments.replayedChecksum);
      expect(result.eventsReplayed).toBeGreaterThanOrEqual(8);
    });

    it('reports the table and the row of a read model changed by hand', async () => {
      await world.shipmentsProjected();
      await sql.query(`UPDATE logistics_shipments.shipments SET status = 'received' WHERE shipment_id = $1`, [
        story.onTheWay,
      ]);
      try {
        const result = await replay();

        expect(result.identical).toBe(false);
        const broken = result.tables.filter((table) => !table.identical);
        expect(broken.map((table) => table.name)).toEqual(['logistics_shipments.shipments']);
        expect(broken[0].differingRows).toBe(1);
        expect(broken[0].differences).toEqual([
          expect.objectContaining({
            key: { shipment_id: story.onTheWay },
            columns: ['status'],
            live: expect.objectContaining({ status: 'received' }),
            replayed: expect.objectContaining({ status: 'sent' }),
          }),
        ]);
      } finally {
        await sql.query(`UPDATE logistics_shipments.shipments SET status = 'sent' WHERE shipment_id = $1`, [
          story.onTheWay,
        ]);
      }
    });
  });

  describe('export', () => {
    it('streams NDJSON with hash chains and a manifest that verifies offline', async () => {
      const response = await fetch(`${world.gateway.httpUrl}/v1/audit/export`, {
        headers: { authorization: `Bearer ${auditorKey}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      const lines = (await response.text()).split('\n');
      expect(lines.pop()).toBe('');
      const manifest = JSON.parse(lines.at(-1)!) as { manifest: { events: number; sha256: string } };
      expect(manifest.manifest.events).toBe(lines.length - 1);

      const verified = await verifyExport(lines);
      expect(verified).toMatchObject({ ok: true, events: lines.length - 1, broken: [], problems: [] });

      // One kilogram less in a line of the file: its chain and the digest no longer hold.
      const index = lines.findIndex((line) => line.includes('"ShipmentReceived"'));
      const edited = [...lines];
      edited[index] = edited[index].replace('"goodKg":12000', '"goodKg":11999');
      const tampered = await verifyExport(edited);
      expect(tampered.ok).toBe(false);
      expect(tampered.broken).toEqual([
        { stream: shipment(story.delivered), revision: 2, reason: 'data or metadata altered: hash mismatch' },
      ]);
      expect(tampered.problems).toEqual([
        expect.stringMatching(/^digest [0-9a-f]{64} differs from the manifest's/),
      ]);
    });
  });

  describe('the CLI (npm run audit), against the same database and NATS', () => {
    const directory = mkdtempSync(join(tmpdir(), 'aid-audit-'));
    const exportFile = join(directory, 'history.ndjson');

    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      try {
        const { stdout, stderr } = await run(
          process.execPath,
          ['-r', REGISTER_TYPESCRIPT, 'scripts/audit.ts', ...args],
          {
            env: {
              ...process.env,
              DATABASE_URL: world.database.url,
              NATS_URL: world.nats.url,
              LOG_LEVEL: 'warn',
            },
          },
        );
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
      }
    }

    it('verifies, folds a state, replays, and exports a file that verifies offline until it is edited', async () => {
      const [verified, state, replayed, exported, usage] = await Promise.all([
        cli('verify'),
        cli('state', shipment(story.delivered), '--at', '2025-03-02T12:00:00Z', '--business'),
        cli('replay'),
        cli('export', '--out', exportFile),
        cli('state'),
      ]);

      expect(verified.code).toBe(0);
      expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, broken: [] });
      expect(state.code).toBe(0);
      expect(JSON.parse(state.stdout)).toMatchObject({ revision: 1, state: { status: 'sent' } });
      expect(replayed.code).toBe(0);
      expect(JSON.parse(replayed.stdout)).toMatchObject({ identical: true });
      expect(exported.code).toBe(0);
      expect(exported.stderr).toMatch(/^exported \d+ events to /);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/state takes one stream/);

      const intact = await cli('verify-export', exportFile);
      expect(intact.code).toBe(0);
      expect(JSON.parse(intact.stdout)).toMatchObject({ ok: true, problems: [] });

      writeFileSync(exportFile, readFileSync(exportFile, 'utf8').replace('"goodKg":12000', '"goodKg":12001'));
      const edited = await cli('verify-export', exportFile);
      expect(edited.code).toBe(1);
      expect(JSON.parse(edited.stdout).broken).toEqual([
        { stream: shipment(story.delivered), revision: 2, reason: 'data or metadata altered: hash mismatch' },
      ]);
    });
  });

  describe('verify', () => {
    it('passes on the untouched history', async () => {
      const { status, body } = await get<LedgerVerification>('/v1/audit/verify');

      expect(status).toBe(200);
      expect(body).toMatchObject({ ok: true, broken: [], positions: { checked: true } });
      expect(body.eventsChecked).toBe(body.positions.events);
      // Two communities, a partnership, three shipments.
      expect(body.streamsChecked).toBe(6);
    });

    it('names the stream and revision of data altered, a row deleted, two revisions swapped and a row inserted', async () => {
      const delivered = shipment(story.delivered);
      const onTheWay = shipment(story.onTheWay);
      const partnership = `partnership-${story.partnership}`;
      const community = `community-${story.zhytomyr}`;
      await sql.query(
        `UPDATE event_store.events SET data = jsonb_set(data::jsonb, '{totalWeightKg}', '11000')::json
         WHERE stream_id = $1 AND revision = 1`,
        [delivered],
      );
      const [approval] = (
        await sql.query<{ position: string }>(
          'DELETE FROM event_store.events WHERE stream_id = $1 AND revision = 1 RETURNING position',
          [partnership],
        )
      ).rows;
      await sql.query('BEGIN');
      await sql.query('UPDATE event_store.events SET revision = -1 WHERE stream_id = $1 AND revision = 0', [
        onTheWay,
      ]);
      await sql.query('UPDATE event_store.events SET revision = 0 WHERE stream_id = $1 AND revision = 1', [
        onTheWay,
      ]);
      await sql.query('UPDATE event_store.events SET revision = 1 WHERE stream_id = $1 AND revision = -1', [
        onTheWay,
      ]);
      await sql.query('COMMIT');
      await insertForgedSuccessor(sql, community);

      const { body } = await get<LedgerVerification>('/v1/audit/verify');

      expect(body.ok).toBe(false);
      const byStream = new Map(body.broken.map((item) => [item.stream, item]));
      expect(body.broken).toHaveLength(4);
      expect(byStream.get(delivered)).toEqual({
        stream: delivered,
        revision: 1,
        reason: 'data or metadata altered: hash mismatch',
      });
      expect(byStream.get(partnership)).toEqual({
        stream: partnership,
        revision: 1,
        reason: 'revision 1 missing',
      });
      expect(byStream.get(onTheWay)).toMatchObject({ stream: onTheWay, revision: 0 });
      expect(byStream.get(onTheWay)!.reason).toMatch(/^prev_hash is not the genesis hash/);
      expect(byStream.get(community)).toEqual({
        stream: community,
        revision: 1,
        reason: 'stream head (revision 0) does not match the last stored event',
      });
      const position = Number(approval.position);
      expect(body.positionGaps).toContainEqual({
        after: position - 1,
        before: position + 1,
        missing: 1,
        coincidesWith: { stream: partnership, revision: 1 },
      });
    });
  });
});

/** A careful forger's row after the stream's last: right revision, prev_hash and hash; only the head is left alone. */
async function insertForgedSuccessor(sql: Client, stream: string): Promise<void> {
  const { rows } = await sql.query<{
    revision: string;
    hash: string;
    metadata: JsonObject;
    data: JsonObject;
  }>(
    'SELECT revision, hash, metadata, data FROM event_store.events WHERE stream_id = $1 ORDER BY revision DESC LIMIT 1',
    [stream],
  );
  const last = rows[0];
  const event = {
    id: '0190a0a0-0000-7000-8000-00000000f0f0',
    type: 'FrontlineStatusChanged',
    stream,
    revision: Number(last.revision) + 1,
    data: { communityId: last.data.communityId, status: 'outpost', effectiveFrom: '2025-01-01' },
    metadata: { ...last.metadata, recordedAt: new Date().toISOString() },
  };
  const hash = chainHash(
    last.hash,
    canonicalEventText(event as unknown as Parameters<typeof canonicalEventText>[0]),
  );
  await sql.query(
    `INSERT INTO event_store.events (order_xid, id, stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash)
     VALUES (pg_current_xact_id(), $1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      event.id,
      stream,
      event.revision,
      event.type,
      event.data,
      event.metadata,
      event.metadata.recordedAt,
      hash,
      last.hash,
    ],
  );
}
