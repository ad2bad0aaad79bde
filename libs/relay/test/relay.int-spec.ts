import { PostgresEventStore } from '@aid/event-store';
import { createTestDatabase, TEST_NATS_URL, uniqueName, type TestDatabase } from '@aid/testing';
import { jetstream, jetstreamManager, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, nanos, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { pino } from 'pino';
import {
  createConcernedCommunityResolver,
  ForeignEventsStreamError,
  Relay,
  STORE_ID_HEADER,
  type RelayOptions,
} from '../src';
import { eventually } from '../../projections/test/support/helpers';
import { domainEvent } from './support/events';
import { messageCount, storedEvents } from './support/jetstream';

jest.setTimeout(60_000);

describe('Relay', () => {
  let database: TestDatabase;
  let admin: Client;
  let nats: NatsConnection;
  let jsm: JetStreamManager;
  const jetStreams: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    database = await createTestDatabase('relay');
    admin = new Client({ connectionString: database.url });
    await admin.connect();
    nats = await connect({ servers: TEST_NATS_URL });
    jsm = await jetstreamManager(nats);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    for (const stream of jetStreams) await jsm.streams.delete(stream).catch(() => undefined);
    await nats.close();
    await admin.end();
    await database.drop();
  });

  async function newStore(on: TestDatabase = database): Promise<PostgresEventStore> {
    const store = new PostgresEventStore({
      connectionString: on.url,
      schema: uniqueName('es'),
      idlePollMs: 50,
    });
    await store.migrate();
    cleanups.push(() => store.close());
    return store;
  }

  /** A relay on a JetStream stream and subject prefix of its own, so test runs never collide. */
  function newRelay(store: PostgresEventStore, options: Partial<RelayOptions> = {}): Relay {
    const streamName = options.streamName ?? uniqueName('AID_EVENTS_TEST');
    if (!jetStreams.includes(streamName)) jetStreams.push(streamName);
    const relay = new Relay({
      name: uniqueName('relay'),
      store,
      connectionString: database.url,
      nats,
      streamName,
      subjectPrefix: uniqueName('aidtest'),
      standbyRetryMs: 200,
      logger: pino({ level: 'silent' }),
      ...options,
    });
    cleanups.push(() => relay.stop());
    return relay;
  }

  it('publishes every event as a CloudEvent on aid.<context>.<EventType>.<community>, with Nats-Msg-Id', async () => {
    const store = await newStore();
    const [kyiv, sumy, lviv, kharkiv] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const shipment = `shipment-${randomUUID()}`;
    const partnership = `partnership-${randomUUID()}`;
    const organisation = `organisation-${randomUUID()}`;
    await store.append(
      `community-${kyiv}`,
      [domainEvent('CommunityRegistered', { communityId: kyiv })],
      'no-stream',
    );
    await store.append(
      shipment,
      [
        domainEvent('ShipmentPlanned', {
          shipmentId: shipment,
          originPartyId: lviv,
          destinationCommunityId: sumy,
        }),
      ],
      'no-stream',
    );
    // Names no community itself: the relay looks it up in the stream's first event.
    await store.append(shipment, [domainEvent('ShipmentSent', { sentAt: '2024-05-01T08:00:00.000Z' })], 0);
    await store.append(
      partnership,
      [
        domainEvent('PartnershipProposed', {
          parties: [
            { partyId: lviv, role: 'partner' },
            { partyId: kharkiv, role: 'outpost' },
          ],
        }),
      ],
      'no-stream',
    );
    await store.append(
      partnership,
      [domainEvent('PartnershipApproved', { decision: { body: 'council' } })],
      0,
    );
    await store.append(organisation, [domainEvent('OrganisationRegistered', { name: 'IRC' })], 'no-stream');
    // Not an aggregate the relay publishes.
    await store.append(`apikey-${randomUUID()}`, [domainEvent('ApiKeyIssued', { name: 'x' })], 'no-stream');
    const recorded = await store.readAll();

    const prefix = uniqueName('aidtest');
    const relay = newRelay(store, { subjectPrefix: prefix });
    await relay.start();
    expect(relay.state).toBe('active');
    // Six events; the partnership's two also go to its second party, as copies.
    await eventually('eight messages', async () =>
      (await messageCount(jsm, relay.streamName)) === 8 ? true : undefined,
    );

    const stored = await storedEvents(jsm, relay.streamName);
    expect(stored.map((message) => message.subject)).toEqual([
      `${prefix}.communities.CommunityRegistered.${kyiv}`,
      `${prefix}.logistics.ShipmentPlanned.${sumy}`,
      `${prefix}.logistics.ShipmentSent.${sumy}`,
      `${prefix}.partnerships.PartnershipProposed.${kharkiv}`,
      `${prefix}.partnerships.PartnershipProposed.${lviv}`,
      `${prefix}.partnerships.PartnershipApproved.${kharkiv}`,
      `${prefix}.partnerships.PartnershipApproved.${lviv}`,
      `${prefix}.communities.OrganisationRegistered.none`,
    ]);
    const proposed = recorded.find((event) => event.type === 'PartnershipProposed')!;
    expect(stored[4].msgId).toBe(`${proposed.id}:${lviv}`);
    expect(stored[4].primarySubject).toBe(stored[3].subject);
    expect(stored[3].primarySubject).toBeNull();
    expect(stored[4].cloudEvent).toEqual(stored[3].cloudEvent);
    const storeId = await store.storeId();
    expect(stored.map((each) => each.storeId)).toEqual(stored.map(() => storeId));
    const sent = recorded.find((event) => event.type === 'ShipmentSent')!;
    const message = stored[2];
    expect(message.msgId).toBe(sent.id);
    expect(message.cloudEvent).toEqual({
      specversion: '1.0',
      id: sent.id,
      source: '/aid/logistics',
      type: 'aid.logistics.ShipmentSent.v1',
      subject: shipment,
      time: '2024-05-01T08:00:00.000Z',
      datacontenttype: 'application/json',
      data: { sentAt: '2024-05-01T08:00:00.000Z' },
      position: sent.position,
      revision: 1,
      recordedat: sent.metadata.recordedAt,
      correlationid: sent.metadata.correlationId,
    });
    expect(
      stored
        .filter((each) => each.primarySubject === null)
        .every((each) => each.msgId === each.cloudEvent.id),
    ).toBe(true);

    const info = await jsm.streams.info(relay.streamName);
    expect(info.config).toMatchObject({
      subjects: [`${prefix}.>`],
      storage: StorageType.File,
      duplicate_window: nanos(60 * 60 * 1000),
    });
    const relayedPositions = recorded
      .filter((event) => !event.stream.startsWith('apikey-'))
      .map((e) => e.position);
    const status = await relay.status();
    expect(status).toMatchObject({
      state: 'active',
      lastPosition: Math.max(...relayedPositions),
      lag: 0,
      eventsPublished: 6,
      copiesPublished: 2,
      duplicatesDropped: 0,
    });
  });

  it("relays only its service's stream prefixes, into a stream another relay created", async () => {
    const store = await newStore();
    const prefix = uniqueName('aidtest');
    const streamName = uniqueName('AID_EVENTS_TEST');
    const destination = randomUUID();
    await store.append(
      `community-${randomUUID()}`,
      [domainEvent('CommunityRegistered', { communityId: destination })],
      'no-stream',
    );
    await store.append(
      `shipment-${randomUUID()}`,
      [domainEvent('ShipmentPlanned', { destinationCommunityId: destination })],
      'no-stream',
    );
    const logistics = newRelay(store, { streamName, subjectPrefix: prefix, streamPrefixes: ['shipment-'] });
    const communities = newRelay(store, {
      streamName,
      subjectPrefix: prefix,
      streamPrefixes: ['community-', 'organisation-'],
    });
    await logistics.start();
    await eventually('the shipment event', async () =>
      (await messageCount(jsm, streamName)) === 1 ? true : undefined,
    );
    expect((await storedEvents(jsm, streamName))[0].subject).toBe(
      `${prefix}.logistics.ShipmentPlanned.${destination}`,
    );

    await communities.start();
    await eventually('both events', async () =>
      (await messageCount(jsm, streamName)) === 2 ? true : undefined,
    );
    expect((await storedEvents(jsm, streamName))[1].subject).toBe(
      `${prefix}.communities.CommunityRegistered.${destination}`,
    );
    expect(() => newRelay(store, { streamPrefixes: ['apikey-'] })).toThrow(/no context/);
  });

  it('resumes from its checkpoint after a restart, and JetStream drops a republished batch', async () => {
    const store = await newStore();
    const streams = Array.from({ length: 5 }, () => `shipment-${randomUUID()}`);
    const planned = (n: number) =>
      domainEvent('ShipmentPlanned', { destinationCommunityId: `community-${n % 3}` });
    for (const [n, stream] of streams.entries()) await store.append(stream, [planned(n)], 'no-stream');

    const name = uniqueName('relay');
    const streamName = uniqueName('AID_EVENTS_TEST');
    const subjectPrefix = uniqueName('aidtest');
    const first = newRelay(store, { name, streamName, subjectPrefix });
    await first.start();
    await eventually('5 messages', async () =>
      (await messageCount(jsm, streamName)) === 5 ? true : undefined,
    );
    await first.stop();

    for (const stream of streams)
      await store.append(stream, [domainEvent('ShipmentCancelled', { reason: 'x' })], 0);
    const second = newRelay(store, { name, streamName, subjectPrefix });
    await second.start();
    await eventually('10 messages', async () =>
      (await messageCount(jsm, streamName)) === 10 ? true : undefined,
    );
    expect((await second.status()).eventsPublished).toBe(5);
    await second.stop();

    // As if it had crashed after publishing but before storing its checkpoint: everything again.
    await admin.query(
      `UPDATE public.follower_checkpoints SET checkpoint = 'start', position = NULL WHERE name = $1`,
      [name],
    );
    const third = newRelay(store, { name, streamName, subjectPrefix });
    await third.start();
    await eventually('the republished events to be acknowledged', async () => {
      const status = await third.status();
      return status.lag === 0 && status.lastPosition !== null ? status : undefined;
    });
    const status = await third.status();
    expect(status).toMatchObject({ eventsPublished: 10, duplicatesDropped: 10 });
    const stored = await storedEvents(jsm, streamName);
    expect(stored).toHaveLength(10);
    expect(new Set(stored.map((message) => message.msgId)).size).toBe(10);
  });

  it('copies a partnership event to every Ukrainian community it concerns, once, also when republished', async () => {
    const store = await newStore();
    const [lviv, ochakiv, sumy, gdansk, socialServices] = Array.from({ length: 5 }, () => randomUUID());
    const community = (communityId: string, kind: string, countryCode: string) =>
      store.append(
        `community-${communityId}`,
        [domainEvent('CommunityRegistered', { communityId, kind, countryCode })],
        'no-stream',
      );
    await community(lviv, 'hromada', 'UA');
    await community(ochakiv, 'hromada', 'UA');
    await community(sumy, 'hromada', 'UA');
    await community(gdansk, 'foreign-municipality', 'PL');
    await store.append(
      `organisation-${socialServices}`,
      [domainEvent('OrganisationRegistered', { organisationId: socialServices, parentCommunityId: sumy })],
      'no-stream',
    );
    const partnership = `partnership-${randomUUID()}`;
    await store.append(
      partnership,
      [
        domainEvent('PartnershipProposed', {
          parties: [
            { partyId: lviv, role: 'partner' },
            { partyId: gdansk, role: 'partner' },
            { partyId: socialServices, role: 'recipient' },
            { partyId: ochakiv, role: 'outpost' },
          ],
        }),
      ],
      'no-stream',
    );
    await store.append(partnership, [domainEvent('MemorandumSigned', { signedOn: '2024-05-02' })], 0);
    const [proposed, signed] = await store.readStream(partnership);

    const name = uniqueName('relay');
    const streamName = uniqueName('AID_EVENTS_TEST');
    const prefix = uniqueName('aidtest');
    const first = newRelay(store, {
      name,
      streamName,
      subjectPrefix: prefix,
      streamPrefixes: ['partnership-'],
    });
    await first.start();
    await eventually('six messages', async () =>
      (await messageCount(jsm, streamName)) === 6 ? true : undefined,
    );
    const published = await storedEvents(jsm, streamName);
    expect(published.map(({ subject, msgId }) => [subject, msgId])).toEqual([
      [`${prefix}.partnerships.PartnershipProposed.${ochakiv}`, proposed.id],
      [`${prefix}.partnerships.PartnershipProposed.${lviv}`, `${proposed.id}:${lviv}`],
      [`${prefix}.partnerships.PartnershipProposed.${sumy}`, `${proposed.id}:${sumy}`],
      [`${prefix}.partnerships.MemorandumSigned.${ochakiv}`, signed.id],
      [`${prefix}.partnerships.MemorandumSigned.${lviv}`, `${signed.id}:${lviv}`],
      [`${prefix}.partnerships.MemorandumSigned.${sumy}`, `${signed.id}:${sumy}`],
    ]);
    expect(published.map((message) => message.cloudEvent.id)).toEqual([
      proposed.id,
      proposed.id,
      proposed.id,
      signed.id,
      signed.id,
      signed.id,
    ]);
    expect((await first.status()).copiesPublished).toBe(4);
    await first.stop();

    // As if it had crashed before storing its checkpoint: originals and copies are all dropped.
    await admin.query(
      `UPDATE public.follower_checkpoints SET checkpoint = 'start', position = NULL WHERE name = $1`,
      [name],
    );
    const second = newRelay(store, {
      name,
      streamName,
      subjectPrefix: prefix,
      streamPrefixes: ['partnership-'],
    });
    await second.start();
    await eventually('the republished batch to be acknowledged', async () => {
      const status = await second.status();
      return status.lag === 0 && status.eventsPublished === 2 ? status : undefined;
    });
    expect((await second.status()).duplicatesDropped).toBe(6);
    expect(await messageCount(jsm, streamName)).toBe(6);
  });

  describe("a stream that holds another store's history", () => {
    let otherDatabase: TestDatabase;

    beforeAll(async () => {
      otherDatabase = await createTestDatabase('relay_other');
    });

    afterAll(async () => {
      await otherDatabase.drop();
    });

    const shipmentPlanned = () =>
      domainEvent('ShipmentPlanned', { destinationCommunityId: `community-${randomUUID()}` });

    /** Store A's relay fills a stream of its own; returns what the next relays need to share it. */
    async function streamOfStoreA() {
      const storeA = await newStore();
      await storeA.append(`shipment-${randomUUID()}`, [shipmentPlanned()], 'no-stream');
      const streamName = uniqueName('AID_EVENTS_TEST');
      const subjectPrefix = uniqueName('aidtest');
      const name = uniqueName('relay');
      const relayA = newRelay(storeA, { name, streamName, subjectPrefix });
      await relayA.start();
      await eventually('store A relayed', async () =>
        (await messageCount(jsm, streamName)) === 1 ? true : undefined,
      );
      await relayA.stop();
      return { storeA, streamName, subjectPrefix, name };
    }

    async function refusal(relay: Relay): Promise<ForeignEventsStreamError> {
      const error: unknown = await relay.start().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      if (!(error instanceof ForeignEventsStreamError))
        throw new Error(`expected a refusal, got ${String(error)}`);
      return error;
    }

    it('a relay of another database refuses to start, says why and how to fix it, and publishes nothing', async () => {
      const { storeA, streamName, subjectPrefix } = await streamOfStoreA();
      const storeB = await newStore(otherDatabase);
      await storeB.append(`shipment-${randomUUID()}`, [shipmentPlanned()], 'no-stream');
      const [idA, idB] = [await storeA.storeId(), await storeB.storeId()];
      expect(idB).not.toBe(idA);

      const relayB = newRelay(storeB, { streamName, subjectPrefix, connectionString: otherDatabase.url });
      const error = await refusal(relayB);
      expect(error).toMatchObject({ streamName, storeId: idB, foundStoreId: idA, sequence: 1 });
      expect(error.message).toContain(
        `JetStream stream ${streamName} holds events relayed from another event store`,
      );
      expect(error.message).toContain(`${STORE_ID_HEADER} ${idA}`);
      expect(error.message).toContain(`this event store's id is ${idB}`);
      expect(error.message).toContain('the database was replaced');
      expect(error.message).toContain('two systems share one NATS');
      expect(error.message).toContain(`nats stream rm ${streamName}`);
      expect(error.message).toContain('a NATS of its own');
      expect(relayB.state).not.toBe('active');
      // Given time to publish, had it gone on to follow its store.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await messageCount(jsm, streamName)).toBe(1);
    });

    it("store A's relay starts again on its own stream and goes on", async () => {
      const { storeA, streamName, subjectPrefix, name } = await streamOfStoreA();
      await storeA.append(`shipment-${randomUUID()}`, [shipmentPlanned()], 'no-stream');
      const restarted = newRelay(storeA, { name, streamName, subjectPrefix });
      await restarted.start();
      expect(restarted.state).toBe('active');
      await eventually('the new event', async () =>
        (await messageCount(jsm, streamName)) === 2 ? true : undefined,
      );
    });

    it("finds the last stored message behind deleted ones: another store's, under a deleted one of this store", async () => {
      const { storeA, streamName, subjectPrefix, name } = await streamOfStoreA();
      const js = jetstream(nats);
      const foreignId = randomUUID();
      const foreign = natsHeaders();
      foreign.set(STORE_ID_HEADER, foreignId);
      await js.publish(`${subjectPrefix}.logistics.ShipmentPlanned.none`, '{}', {
        msgID: randomUUID(),
        headers: foreign,
      });
      const stamped = natsHeaders();
      stamped.set(STORE_ID_HEADER, await storeA.storeId());
      const deleted = await js.publish(`${subjectPrefix}.logistics.ShipmentPlanned.none`, '{}', {
        msgID: randomUUID(),
        headers: stamped,
      });
      // The last sequence now names a deleted message; the last one stored is the foreign one.
      await jsm.streams.deleteMessage(streamName, deleted.seq);

      const error = await refusal(newRelay(storeA, { name, streamName, subjectPrefix }));
      expect(error).toMatchObject({ streamName, foundStoreId: foreignId, sequence: deleted.seq - 1 });
      expect(await messageCount(jsm, streamName)).toBe(2);
    });

    it('publishes into a stream filled before stores had ids, stamping what it adds', async () => {
      const store = await newStore();
      const streamName = uniqueName('AID_EVENTS_TEST');
      const subjectPrefix = uniqueName('aidtest');
      await jsm.streams.add({ name: streamName, subjects: [`${subjectPrefix}.>`] });
      // As a relay of the version before would have published it: no Aid-Store-Id.
      await jetstream(nats).publish(`${subjectPrefix}.logistics.ShipmentPlanned.none`, '{}', {
        msgID: randomUUID(),
      });
      await store.append(`shipment-${randomUUID()}`, [shipmentPlanned()], 'no-stream');
      const relay = newRelay(store, { streamName, subjectPrefix });
      await relay.start();
      expect(relay.state).toBe('active');
      await eventually('the store relayed', async () =>
        (await messageCount(jsm, streamName)) === 2 ? true : undefined,
      );
      const [unstamped, relayed] = await storedEvents(jsm, streamName);
      expect(unstamped.storeId).toBeNull();
      expect(relayed.storeId).toBe(await store.storeId());
      await relay.stop();
      // From then on the stream is guarded: another store is refused.
      await expect(refusal(newRelay(await newStore(), { streamName, subjectPrefix }))).resolves.toMatchObject(
        {
          foundStoreId: await store.storeId(),
        },
      );
    });

    it('starts on an empty stream, and on one whose messages were all purged', async () => {
      const store = await newStore();
      await store.append(`shipment-${randomUUID()}`, [shipmentPlanned()], 'no-stream');
      const streamName = uniqueName('AID_EVENTS_TEST');
      const subjectPrefix = uniqueName('aidtest');
      await jsm.streams.add({ name: streamName, subjects: [`${subjectPrefix}.>`] });
      const first = newRelay(store, { streamName, subjectPrefix });
      await first.start();
      await eventually('one message', async () =>
        (await messageCount(jsm, streamName)) === 1 ? true : undefined,
      );
      await first.stop();

      // Another store's history, then purged: the stream is empty again, its sequences go on.
      const foreign = natsHeaders();
      foreign.set(STORE_ID_HEADER, randomUUID());
      await jetstream(nats).publish(`${subjectPrefix}.logistics.ShipmentPlanned.none`, '{}', {
        headers: foreign,
      });
      await jsm.streams.purge(streamName);
      const fresh = await newStore();
      await fresh.append(`shipment-${randomUUID()}`, [shipmentPlanned()], 'no-stream');
      const second = newRelay(fresh, { streamName, subjectPrefix });
      await second.start();
      expect(second.state).toBe('active');
      await eventually('the new store relayed', async () =>
        (await messageCount(jsm, streamName)) === 1 ? true : undefined,
      );
      expect((await storedEvents(jsm, streamName))[0].storeId).toBe(await fresh.storeId());
    });
  });

  it('keeps a second relay of the same name on standby', async () => {
    const store = await newStore();
    const name = uniqueName('relay');
    const streamName = uniqueName('AID_EVENTS_TEST');
    const subjectPrefix = uniqueName('aidtest');
    const first = newRelay(store, { name, streamName, subjectPrefix });
    const second = newRelay(store, { name, streamName, subjectPrefix });
    await first.start();
    await second.start();
    expect([first.state, second.state]).toEqual(['active', 'standby']);
    await store.append(
      `shipment-${randomUUID()}`,
      [domainEvent('ShipmentPlanned', { destinationCommunityId: 'c' })],
      'no-stream',
    );
    await eventually('1 message', async () =>
      (await messageCount(jsm, streamName)) === 1 ? true : undefined,
    );
    expect((await second.status()).eventsPublished).toBe(0);
    await first.stop();
    await eventually('the standby to take over', () => (second.state === 'active' ? true : undefined));
  });

  it('resolves the community from the first event once per stream and caches it', async () => {
    const store = await newStore();
    const stream = `shipment-${randomUUID()}`;
    await store.append(
      stream,
      [domainEvent('ShipmentPlanned', { destinationCommunityId: 'c-sumy' })],
      'no-stream',
    );
    await store.append(stream, [domainEvent('ShipmentSent', {}), domainEvent('ShipmentReceived', {})], 0);
    const [planned, sent, received] = await store.readStream(stream);
    let reads = 0;
    const counting = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'readStream') reads++;
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const resolve = createConcernedCommunityResolver({ cacheSize: 1 });
    const sumy = { primary: 'c-sumy', others: [] };
    expect(await resolve(planned, counting)).toEqual(sumy);
    expect(await resolve(sent, counting)).toEqual(sumy);
    expect(await resolve(received, counting)).toEqual(sumy);
    // The plan named the destination itself, and what the first event says holds for the stream.
    expect(reads).toBe(0);

    const other = `organisation-${randomUUID()}`;
    await store.append(other, [domainEvent('OrganisationRegistered', { name: 'IRC' })], 'no-stream');
    await store.append(other, [domainEvent('OrganisationRenamed', { name: 'IRC UA' })], 0);
    const [, renamed] = await store.readStream(other);
    expect(await resolve(renamed, counting)).toEqual({ primary: null, others: [] });
    // The cache holds one stream, so the shipment's answer was forgotten and is read again.
    expect(await resolve(sent, counting)).toEqual(sumy);
    expect(reads).toBe(2);
  });

  describe('a stream replaced while the database was kept (NATS lost its data)', () => {
    const planned = () =>
      domainEvent('ShipmentPlanned', { destinationCommunityId: `community-${randomUUID()}` });

    /** A relay that published `count` events into a stream of its own, then stopped. */
    async function relayedHistory(count: number) {
      const store = await newStore();
      for (let n = 0; n < count; n++)
        await store.append(`shipment-${randomUUID()}`, [planned()], 'no-stream');
      const names = {
        name: uniqueName('relay'),
        streamName: uniqueName('AID_EVENTS_TEST'),
        subjectPrefix: uniqueName('aidtest'),
      };
      const first = newRelay(store, names);
      await first.start();
      await eventually(`${count} messages`, async () =>
        (await messageCount(jsm, names.streamName)) === count ? true : undefined,
      );
      await first.stop();
      return { store, names };
    }

    async function expectEachEventOnce(store: PostgresEventStore, streamName: string): Promise<void> {
      const events = await store.readAll();
      await eventually(`${events.length} messages`, async () =>
        (await messageCount(jsm, streamName)) === events.length ? true : undefined,
      );
      const stored = await storedEvents(jsm, streamName);
      expect(stored.map((message) => message.msgId).sort()).toEqual(events.map((event) => event.id).sort());
    }

    it('republishes every event into the new stream, then relays new ones, each once', async () => {
      const { store, names } = await relayedHistory(5);
      const before = await jsm.streams.info(names.streamName);
      await jsm.streams.delete(names.streamName);

      const restarted = newRelay(store, names);
      await restarted.start();
      const after = await jsm.streams.info(names.streamName);
      expect(after.created).not.toBe(before.created);
      await expectEachEventOnce(store, names.streamName);
      expect((await restarted.status()).eventsPublished).toBe(5);

      await store.append(`shipment-${randomUUID()}`, [planned()], 'no-stream');
      await store.append(`shipment-${randomUUID()}`, [planned()], 'no-stream');
      await expectEachEventOnce(store, names.streamName);
      expect(await restarted.status()).toMatchObject({ eventsPublished: 7, duplicatesDropped: 0, lag: 0 });
      const [remembered] = await admin
        .query<{ stream_created: string }>(
          'SELECT stream_created FROM public.relay_streams WHERE name = $1',
          [names.name],
        )
        .then((result) => result.rows);
      expect(remembered.stream_created).toBe(after.created);
    });

    it('republishes once when two instances of the relay start on the new stream together', async () => {
      const { store, names } = await relayedHistory(6);
      await jsm.streams.delete(names.streamName);
      const instances = [newRelay(store, names), newRelay(store, names)];
      await Promise.all(instances.map((relay) => relay.start()));
      await expectEachEventOnce(store, names.streamName);
      const statuses = await Promise.all(instances.map((relay) => relay.status()));
      // A second reset would have sent the active one back to the start again.
      expect(statuses.map((status) => status.eventsPublished).sort()).toEqual([0, 6]);
      expect(statuses.every((status) => status.duplicatesDropped === 0)).toBe(true);
    });

    it('republishes nothing when restarted on the same stream', async () => {
      const { store, names } = await relayedHistory(4);
      const restarted = newRelay(store, names);
      await restarted.start();
      await store.append(`shipment-${randomUUID()}`, [planned()], 'no-stream');
      await expectEachEventOnce(store, names.streamName);
      expect(await restarted.status()).toMatchObject({ eventsPublished: 1, duplicatesDropped: 0 });
    });

    it('republishes nothing at its first start on a database from before streams were remembered', async () => {
      const { store, names } = await relayedHistory(4);
      await admin.query('DELETE FROM public.relay_streams WHERE name = $1', [names.name]);
      const upgraded = newRelay(store, names);
      await upgraded.start();
      await store.append(`shipment-${randomUUID()}`, [planned()], 'no-stream');
      await expectEachEventOnce(store, names.streamName);
      expect(await upgraded.status()).toMatchObject({ eventsPublished: 1, duplicatesDropped: 0 });
      const { rows } = await admin.query<{ stream_created: string }>(
        'SELECT stream_created FROM public.relay_streams WHERE name = $1',
        [names.name],
      );
      expect(rows.map((row) => row.stream_created)).toEqual([
        (await jsm.streams.info(names.streamName)).created,
      ]);
    });
  });
});
