import { PostgresEventStore } from '@aid/event-store';
import {
  createTestDatabase,
  TEST_NATS_URL,
  uniqueName,
  type TestDatabase,
  forkWorker,
  type Worker,
} from '@aid/testing';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomInt, randomUUID } from 'node:crypto';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from 'pg';
import { eventually } from '../../projections/test/support/helpers';
import { domainEvent } from './support/events';
import { messageCount, storedEvents } from './support/jetstream';

jest.setTimeout(180_000);

const WORKER = path.join(__dirname, 'support', 'relay-worker.ts');

describe('a relay SIGKILLed and restarted mid-stream', () => {
  let database: TestDatabase;
  let admin: Client;
  let nats: NatsConnection;
  let jsm: JetStreamManager;
  let store: PostgresEventStore;
  let worker: Worker | null = null;
  let stopAppending: (() => Promise<void>) | null = null;
  const streamName = uniqueName('AID_EVENTS_CRASH');

  beforeAll(async () => {
    database = await createTestDatabase('relaycrash');
    admin = new Client({ connectionString: database.url });
    await admin.connect();
    nats = await connect({ servers: TEST_NATS_URL });
    jsm = await jetstreamManager(nats);
  });

  afterAll(async () => {
    await stopAppending?.();
    await worker?.kill();
    await jsm.streams.delete(streamName).catch(() => undefined);
    await nats.close();
    await store?.close();
    await admin.end();
    await database.drop();
  });

  async function storedPosition(name: string): Promise<number | null> {
    const table = await admin.query(`SELECT to_regclass('public.follower_checkpoints') AS oid`);
    if (table.rows[0].oid === null) return null;
    const { rows } = await admin.query<{ position: string | null }>(
      'SELECT position FROM public.follower_checkpoints WHERE name = $1',
      [name],
    );
    return rows[0]?.position == null ? null : Number(rows[0].position);
  }

  it('leaves each event in JetStream exactly once', async () => {
    const storeSchema = uniqueName('es');
    store = new PostgresEventStore({ connectionString: database.url, schema: storeSchema });
    await store.migrate();
    const name = uniqueName('relay');
    const env = {
      DATABASE_URL: database.url,
      NATS_URL: TEST_NATS_URL,
      STORE_SCHEMA: storeSchema,
      RELAY_NAME: name,
      STREAM_NAME: streamName,
      SUBJECT_PREFIX: uniqueName('aidcrash'),
      BATCH_SIZE: '20',
    };

    const appendedIds = new Set<string>();
    let last = 0;
    let appending = true;
    const shipments = Array.from({ length: 30 }, () => `shipment-${randomUUID()}`);
    const appender = (async () => {
      while (appending) {
        const event = domainEvent('ShipmentPlanned', { destinationCommunityId: `c-${randomInt(5)}` });
        last = (await store.append(shipments[randomInt(shipments.length)], [event], 'any')).position;
        appendedIds.add(event.id);
        if (appendedIds.size % 10 === 0) await delay(5);
      }
    })();
    stopAppending = async () => {
      appending = false;
      await appender;
    };

    const rounds = 8;
    let killedBetweenPublishAndCheckpoint = 0;
    for (let round = 0; round < rounds; round++) {
      worker = forkWorker(WORKER, env);
      await expect(worker.started).resolves.toEqual({ state: 'active' });
      if (round % 2 === 1) {
        // Hold the relay's checkpoint row: it publishes a batch, then waits to move its checkpoint,
        // and the kill lands exactly between the two.
        const holder = new Client({ connectionString: database.url });
        await holder.connect();
        try {
          await holder.query('BEGIN');
          await holder.query('SELECT 1 FROM public.follower_checkpoints WHERE name = $1 FOR UPDATE', [name]);
          await eventually('the relay to wait on its checkpoint after publishing', async () => {
            const waiting = await admin.query(
              `SELECT 1 FROM pg_stat_activity
                WHERE application_name = $1 AND wait_event_type = 'Lock' AND wait_event IN ('transactionid', 'tuple')`,
              [`aid-relay:${name}`.slice(0, 63)],
            );
            return waiting.rowCount ? true : undefined;
          });
          await worker.kill();
          killedBetweenPublishAndCheckpoint++;
        } finally {
          await holder.query('ROLLBACK');
          await holder.end();
        }
      } else {
        await delay(randomInt(100, 600));
        await worker.kill();
      }
    }
    await stopAppending();

    worker = forkWorker(WORKER, env);
    await worker.started;
    await eventually(
      `the relay to publish up to position ${last}`,
      async () => ((await storedPosition(name)) === last ? true : undefined),
      60_000,
      100,
    );
    await worker.kill();
    worker = null;

    expect(killedBetweenPublishAndCheckpoint).toBe(rounds / 2);
    expect(appendedIds.size).toBeGreaterThan(200);

    expect(await messageCount(jsm, streamName)).toBe(appendedIds.size);
    const stored = await storedEvents(jsm, streamName);
    const timesPerId = new Map<string, number>();
    for (const message of stored) {
      expect(message.cloudEvent.id).toBe(message.msgId);
      timesPerId.set(message.msgId, (timesPerId.get(message.msgId) ?? 0) + 1);
    }
    expect([...timesPerId.values()].filter((times) => times !== 1)).toEqual([]);
    expect(new Set(timesPerId.keys())).toEqual(appendedIds);
  });
});
