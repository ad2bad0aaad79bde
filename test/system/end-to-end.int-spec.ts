import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { REGISTER_TYPESCRIPT, type RunningSystem, startSystem } from '@aid/testing';
import { AidApiError, AidClient } from '../../scripts/aid-client';
import { demoKeysFile, type DemoKeyStore } from '../../scripts/demo/demo-keys';
import { type DemoOutcome, HROMADAS, RAWICZ_SHIPMENTS, recordDemo } from '../../scripts/demo/record-demo';

/*
 * The four services as separate processes on a fresh database and a private nats-server run with
 * infra/nats/nats-server.conf (accounts, permissions, the services user), used only through HTTP,
 * as in production: first the demo (the five source stories), then what only
 * the whole system can show: contention between concurrent requests, idempotent retries, and
 * refused requests that leave the history untouched.
 */

// Processes start slowly on a busy 2-core machine; Jest's 5 s default is not enough there.
jest.setTimeout(30_000);

const DEMO_SCRIPT = join(__dirname, '..', '..', 'scripts', 'demo.ts');

interface PartnershipView {
  id: string;
  kind: string;
  status: string;
  activities: { type: string; planned: boolean }[];
}

describe('the whole system, as four processes, through HTTP', () => {
  let system: RunningSystem;
  let admin: AidClient;
  let database: Client;
  let keysDirectory: string;
  let keyStore: DemoKeyStore;

  const countEvents = async (where = 'true', parameters: unknown[] = []): Promise<number> =>
    Number(
      (await database.query(`SELECT count(*) AS n FROM event_store.events WHERE ${where}`, parameters))
        .rows[0].n,
    );

  beforeAll(async () => {
    system = await startSystem({ productionNatsConfig: true });
    admin = new AidClient(system.baseUrl, system.adminKey);
    database = new Client({ connectionString: system.databaseUrl });
    await database.connect();
    keysDirectory = mkdtempSync(join(tmpdir(), 'aid-demo-keys-'));
    keyStore = demoKeysFile(join(keysDirectory, 'keys.json'));
  }, 90_000);

  afterAll(async () => {
    await database?.end();
    await system?.stop();
    // Unset when the system failed to start: that failure is the one to read, not this.
    if (keysDirectory) rmSync(keysDirectory, { recursive: true, force: true });
  });

  describe('npm run demo: the five source stories', () => {
    let first: DemoOutcome;

    beforeAll(async () => {
      first = await recordDemo({ admin, keys: keyStore });
    }, 60_000);

    it('appends exactly the events the gateway reported, each as the demo key that wrote it', async () => {
      expect(first.eventsRecorded).toBe(49);
      expect(await countEvents()).toBe(first.eventsRecorded);
      const shipmentWriters = await database.query<{ actor: string }>(
        `SELECT DISTINCT metadata::jsonb->'actor'->>'id' AS actor FROM event_store.events
          WHERE stream_id LIKE 'shipment-%'`,
      );
      expect(shipmentWriters.rows).toEqual([{ actor: first.keys.coordinator.id }]);
    });

    it('shows Zhytomyr receiving the 50 t Rawicz sent, less the 49.25 kg of coats that never arrived', async () => {
      expect(first.tonnageByDestination).toEqual([
        {
          key: first.communities.zhytomyr,
          label: 'Zhytomyr',
          shipments: 4,
          dispatchedKg: 50000,
          receivedKg: 49950.75,
          inTransitKg: 0,
          shortfallKg: 49.25,
        },
      ]);
      let sentGrams = 0;
      for (const load of RAWICZ_SHIPMENTS)
        for (const item of load.items) sentGrams += Math.round(item.weightKg * 1000);
      expect(sentGrams).toBe(50_000_000);
      const shortfalls = await admin.get<{ items: { shipmentId: string; shortfallKg: number }[] }>(
        '/v1/shortfalls',
      );
      expect(shortfalls.items).toEqual([
        expect.objectContaining({ shipmentId: first.shipments[2], shortfallKg: 49.25 }),
      ]);
    });

    it('leaves each partnership in the status its story ends in, with its activities', async () => {
      const view = (id: string) => admin.get<PartnershipView>(`/v1/partnerships/${id}`);
      const { brovaryDerhachi, zhytomyrRawicz, ochakivIrc, connectiveCities, uLead } = first.partnerships;

      expect(await view(brovaryDerhachi)).toMatchObject({ kind: 'side-by-side', status: 'active' });
      expect(await view(zhytomyrRawicz)).toMatchObject({
        kind: 'international',
        status: 'active',
        approval: { body: 'Executive committee of the Zhytomyr City Council' },
        memorandum: { signedOn: '2022-12-23' },
      });
      expect((await view(ochakivIrc)).activities.map(({ type }) => type)).toEqual(['results-review']);
      expect(await view(connectiveCities)).toMatchObject({ kind: 'exchange', status: 'proposed' });
      expect((await view(uLead)).activities.map(({ type, planned }) => [type, planned])).toEqual([
        ['exchange', false],
        ['event', true],
        ['visit', true],
      ]);
    });

    it('registers the hromadas under the ids the registry derives from their KATOTTG codes', async () => {
      for (const [name, { katottg }] of Object.entries(HROMADAS)) {
        const page = await admin.get<{ items: { id: string; katottg: string }[] }>('/v1/communities', {
          q: katottg,
        });
        expect(page.items).toEqual([
          expect.objectContaining({ id: first.communities[name as keyof typeof HROMADAS], katottg }),
        ]);
      }
      const derhachi = await admin.get<{ status: string }>(`/v1/communities/${first.communities.derhachi}`);
      expect(derhachi.status).toBe('outpost');
    });

    it("gives the IRC a partner key that sees Ochakiv's partnership and nothing else", async () => {
      const irc = admin.as(first.keys.partner.key);

      const visible = await irc.get<{ items: { id: string }[] }>('/v1/partnerships');

      expect(visible.items.map(({ id }) => id)).toEqual([first.partnerships.ochakivIrc]);
      await expect(irc.get(`/v1/partnerships/${first.partnerships.zhytomyrRawicz}`)).rejects.toMatchObject({
        status: 404,
      });
      await expect(irc.write('/v1/shipments', {})).rejects.toMatchObject({ status: 403 });
    });

    it('appends nothing when run a second time: every write is answered from its Idempotency-Key', async () => {
      const again = await recordDemo({ admin, keys: keyStore });

      expect(again.eventsRecorded).toBe(0);
      expect(again.replayedWrites).toBe(again.writes);
      expect(again.partnerships).toEqual(first.partnerships);
      expect(again.shipments).toEqual(first.shipments);
      expect(await countEvents()).toBe(first.eventsRecorded);
    }, 30_000);

    it('npm run demo, once more as a process, says so', async () => {
      const child = spawn(process.execPath, ['-r', REGISTER_TYPESCRIPT, DEMO_SCRIPT], {
        env: {
          ...process.env,
          AID_URL: system.baseUrl,
          AID_ADMIN_KEY: system.adminKey,
          AID_DEMO_KEYS_FILE: join(keysDirectory, 'keys.json'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));

      const [code] = await once(child, 'exit');

      expect(output).toContain('nothing new: all 48 writes were recorded before');
      expect(output).toMatch(/Zhytomyr +4 +50,000 +49,950\.75 +0 +49\.25/);
      expect(code).toBe(0);
      expect(await countEvents()).toBe(first.eventsRecorded);
    }, 30_000);
  });

  describe('contention, retries and refusals across the processes', () => {
    let coordinator: AidClient;
    let plan: {
      originPartyId: string;
      destinationCommunityId: string;
      partnershipId: string;
      items: object[];
    };

    beforeAll(async () => {
      const { body } = await admin.post<{ key: string }>('/v1/api-keys', {
        name: 'e2e coordinator',
        role: 'coordinator',
      });
      coordinator = admin.as(body.key);
      const { communities, partnerships } = await recordDemo({ admin, keys: keyStore });
      plan = {
        originPartyId: communities.rawicz,
        destinationCommunityId: communities.zhytomyr,
        partnershipId: partnerships.zhytomyrRawicz,
        items: [{ category: 'food', description: 'flour', quantity: 10, unit: 'bags', weightKg: 250 }],
      };
    }, 30_000);

    it('20 concurrent dispatches of one shipment: one is accepted, nineteen get 409, one ShipmentSent', async () => {
      const { id } = await coordinator.write('/v1/shipments', plan);
      const dispatch = { sentAt: '2026-01-10T08:00:00Z' };

      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () =>
          coordinator.write(`/v1/shipments/${id}/dispatch`, dispatch).then(
            (answer) => answer.status,
            (error: unknown) => (error instanceof AidApiError ? error.status : String(error)),
          ),
        ),
      );

      expect(outcomes.filter((status) => status === 200)).toHaveLength(1);
      expect(outcomes.filter((status) => status === 409)).toHaveLength(19);
      expect(await countEvents(`type = 'ShipmentSent' AND stream_id = $1`, [`shipment-${id}`])).toBe(1);
    }, 30_000);

    it('a create retried with the same Idempotency-Key, in sequence and at once, records one shipment', async () => {
      const idempotencyKey = `e2e-plan-${Date.now()}`;
      const before = await countEvents(`type = 'ShipmentPlanned'`);

      const first = await coordinator.write('/v1/shipments', plan, { idempotencyKey });
      const retries = await Promise.all(
        Array.from({ length: 5 }, () => coordinator.write('/v1/shipments', plan, { idempotencyKey })),
      );

      expect(first).toMatchObject({ status: 201, revision: 0, replayed: false });
      for (const retry of retries) expect(retry).toMatchObject({ status: 201, id: first.id, replayed: true });
      expect(await countEvents(`type = 'ShipmentPlanned'`)).toBe(before + 1);
    }, 30_000);

    it('appends nothing for any refused request', async () => {
      const { id } = await coordinator.write('/v1/shipments', plan);
      const partnerships = admin.as(liveKey(admin, 'partnerships').key);
      const before = await countEvents();
      const refused = (request: Promise<unknown>) =>
        request.then(
          () => 'accepted',
          (error: unknown) => (error instanceof AidApiError ? error.status : String(error)),
        );

      const statuses = [
        await refused(coordinator.write('/v1/shipments', { ...plan, items: [] })),
        await refused(coordinator.write('/v1/shipments', { ...plan, smuggled: true })),
        await refused(new AidClient(system.baseUrl, 'aid_not-a-real-key').write('/v1/shipments', plan)),
        await refused(partnerships.write('/v1/shipments', plan)),
        await refused(
          coordinator.write(`/v1/shipments/0190b1d2-0000-7000-8000-000000000000/dispatch`, {
            sentAt: '2026-01-10T08:00:00Z',
          }),
        ),
        await refused(
          coordinator.write(`/v1/shipments/${id}/receipt`, {
            receivedAt: '2026-01-11T08:00:00Z',
            receivedBy: 'Head of the warehouse',
            items: [{ index: 0, goodKg: 250, damagedKg: 0 }],
          }),
        ),
        await refused(
          coordinator.write(
            `/v1/shipments/${id}/dispatch`,
            { sentAt: '2026-01-10T08:00:00Z' },
            { ifMatch: 7 },
          ),
        ),
      ];

      expect(statuses).toEqual([400, 400, 401, 403, 404, 409, 412]);
      expect(await countEvents()).toBe(before);
    }, 30_000);
  });

  /** A live key of the demo, by role, from the store the demo keeps them in. */
  function liveKey(client: AidClient, role: 'partnerships'): { key: string } {
    const stored = keyStore.load(client.baseUrl)[role];
    if (!stored) throw new Error(`the demo kept no ${role} key`);
    return stored;
  }
});
