import { PostgresEventStore, type NewEvent } from '@aid/event-store';
import { createTestDatabase, uniqueName, type TestDatabase } from '@aid/testing';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import {
  DEFAULT_EVENTS_STREAM,
  ensurePartnerConsumers,
  newPartnerUserKey,
  PARTNER_JETSTREAM_DOMAIN,
  partnerDurableName,
  partnerInboxPrefix,
  Relay,
} from '../src';
import { eventually } from '../../projections/test/support/helpers';
import { domainEvent } from './support/events';
import { messageCount } from './support/jetstream';
import {
  connectAsPartner,
  pullAll,
  startSecuredNatsServer,
  type PartnerConnection,
  type SecuredNatsServer,
} from './support/partner-nats';

jest.setTimeout(30_000);

/**
 * infra/nats/nats-server.conf and the partner accounts partner:add writes, enforced by a real
 * nats-server: the events come from the relay over the PostgreSQL event store.
 */
describe('partners on NATS, as the server configuration allows them', () => {
  const [ochakiv, lviv, sumy] = [randomUUID(), randomUUID(), randomUUID()];
  const irc = { name: 'IRC', key: newPartnerUserKey(), communityIds: [ochakiv] };
  const ulead = { name: 'U-LEAD', key: newPartnerUserKey(), communityIds: [lviv] };
  const ircDurable = partnerDurableName(irc.name, ochakiv);
  const uleadDurable = partnerDurableName(ulead.name, lviv);

  let database: TestDatabase;
  let server: SecuredNatsServer;
  let services: NatsConnection;
  let jsm: JetStreamManager;
  let store: PostgresEventStore;
  let relay: Relay;
  const partners: PartnerConnection[] = [];

  async function partner(seed: string, name = irc.name): Promise<PartnerConnection> {
    const connection = await connectAsPartner(server.url, seed, name);
    partners.push(connection);
    return connection;
  }

  async function append(stream: string, event: NewEvent): Promise<void> {
    await store.append(stream, [event], 'any');
  }

  const relayed = async (count: number) =>
    eventually(`${count} messages in AID_EVENTS`, async () =>
      (await messageCount(jsm, DEFAULT_EVENTS_STREAM)) === count ? true : undefined,
    );

  beforeAll(async () => {
    database = await createTestDatabase('partnernats');
    server = await startSecuredNatsServer(
      [irc, ulead].map(({ name, key, communityIds }) => ({ name, nkey: key.publicKey, communityIds })),
    );
    services = await server.connectAsServices();
    jsm = await jetstreamManager(services);
    store = new PostgresEventStore({
      connectionString: database.url,
      schema: uniqueName('es'),
      idlePollMs: 20,
    });
    await store.migrate();
    relay = new Relay({
      name: uniqueName('relay'),
      store,
      connectionString: database.url,
      nats: services,
      standbyRetryMs: 200,
      logger: pino({ level: 'silent' }),
    });
    await relay.start();
    await ensurePartnerConsumers(services, irc);
    await ensurePartnerConsumers(services, ulead);

    for (const [communityId, kind] of [
      [ochakiv, 'hromada'],
      [lviv, 'hromada'],
      [sumy, 'hromada'],
    ]) {
      await append(
        `community-${communityId}`,
        domainEvent('CommunityRegistered', { communityId, kind, countryCode: 'UA' }),
      );
    }
    await append(
      `partnership-${randomUUID()}`,
      domainEvent('PartnershipProposed', {
        parties: [
          { partyId: lviv, role: 'partner' },
          { partyId: ochakiv, role: 'outpost' },
        ],
      }),
    );
    await append(
      `shipment-${randomUUID()}`,
      domainEvent('ShipmentPlanned', { destinationCommunityId: sumy }),
    );
    await append(
      `shipment-${randomUUID()}`,
      domainEvent('ShipmentPlanned', { destinationCommunityId: ochakiv }),
    );
    // Six events, and the partnership's copy for Lviv.
    await relayed(7);
  });

  afterAll(async () => {
    for (const connection of partners) await connection.close().catch(() => undefined);
    await relay?.stop();
    await store?.close();
    await services?.close();
    await server?.stop();
    await database?.drop();
  });

  it("delivers a partner its communities' events through its durable pull consumer, and nothing else", async () => {
    const ircConnection = await partner(irc.key.seed);
    const uleadConnection = await partner(ulead.key.seed, ulead.name);

    const forIrc = await pullAll(ircConnection.nc, ircDurable);
    const forUlead = await pullAll(uleadConnection.nc, uleadDurable);

    expect(forIrc.map((event) => [event.cloudEvent.type, event.subject.split('.').at(-1)])).toEqual([
      ['aid.communities.CommunityRegistered.v1', ochakiv],
      ['aid.partnerships.PartnershipProposed.v1', ochakiv],
      ['aid.logistics.ShipmentPlanned.v1', ochakiv],
    ]);
    // The partnership of Lviv and Ochakiv reaches the partners of both.
    expect(forUlead.map((event) => [event.cloudEvent.type, event.subject.split('.').at(-1)])).toEqual([
      ['aid.communities.CommunityRegistered.v1', lviv],
      ['aid.partnerships.PartnershipProposed.v1', lviv],
    ]);
    expect(forUlead[1].cloudEvent.id).toBe(forIrc[1].cloudEvent.id);
    expect(ircConnection.violations).toEqual([]);
  });

  it("refuses a partner another community's subjects, another partner's consumer, and every publish", async () => {
    const { nc, violations } = await partner(irc.key.seed);
    const before = await messageCount(jsm, DEFAULT_EVENTS_STREAM);
    const partnerJs = jetstream(nc, { domain: PARTNER_JETSTREAM_DOMAIN });

    // Publishing, even on its own community's subject.
    nc.publish(`aid.logistics.ShipmentPlanned.${ochakiv}`, JSON.stringify({ forged: true }));
    // Listening to the live subjects directly, bypassing consumers, or to another partner's deliveries.
    const direct = nc.subscribe(`aid.*.*.${sumy}`);
    const snooping = nc.subscribe(`${partnerInboxPrefix(ulead.name)}.>`);
    // Pulling U-LEAD's consumer, making a consumer of its own, reading the stream by sequence.
    const pulls = [
      `$JS.${PARTNER_JETSTREAM_DOMAIN}.API.CONSUMER.MSG.NEXT.${DEFAULT_EVENTS_STREAM}.${uleadDurable}`,
      `$JS.${PARTNER_JETSTREAM_DOMAIN}.API.CONSUMER.CREATE.${DEFAULT_EVENTS_STREAM}`,
      `$JS.${PARTNER_JETSTREAM_DOMAIN}.API.STREAM.MSG.GET.${DEFAULT_EVENTS_STREAM}`,
      `$JS.API.CONSUMER.MSG.NEXT.${DEFAULT_EVENTS_STREAM}.${ircDurable}`,
    ];
    for (const subject of pulls) nc.publish(subject, JSON.stringify({ batch: 1 }));
    await expect(partnerJs.consumers.get(DEFAULT_EVENTS_STREAM, uleadDurable)).rejects.toThrow();
    await nc.flush();

    await eventually('the server to report every violation', () =>
      violations.length >= pulls.length + 4 ? true : undefined,
    );
    const refused = violations.map((violation) => `${violation.operation} ${violation.subject}`);
    expect(refused).toEqual(
      expect.arrayContaining([
        `publish aid.logistics.ShipmentPlanned.${ochakiv}`,
        `subscription aid.*.*.${sumy}`,
        `subscription _INBOX_U_LEAD.>`,
        ...pulls.map((subject) => `publish ${subject}`),
        `publish $JS.${PARTNER_JETSTREAM_DOMAIN}.API.CONSUMER.INFO.${DEFAULT_EVENTS_STREAM}.${uleadDurable}`,
      ]),
    );
    expect(direct.isClosed()).toBe(true);
    expect(snooping.isClosed()).toBe(true);
    expect(await messageCount(jsm, DEFAULT_EVENTS_STREAM)).toBe(before);
  });

  it('gives a partner whose consumer was stopped every event it missed, once and in order', async () => {
    const first = await partner(irc.key.seed);
    await pullAll(first.nc, ircDurable); // whatever is left from the first test
    await first.close();

    const before = await messageCount(jsm, DEFAULT_EVENTS_STREAM);
    const missed: string[] = [];
    for (let n = 0; n < 20; n++) {
      const event =
        n % 2 === 0
          ? domainEvent('FrontlineStatusChanged', { communityId: ochakiv })
          : domainEvent('ShipmentPlanned', { destinationCommunityId: ochakiv });
      missed.push(event.id);
      await append(n % 2 === 0 ? `community-${ochakiv}` : `shipment-${randomUUID()}`, event);
      // Other communities' events keep coming too.
      await append(`community-${sumy}`, domainEvent('FrontlineStatusChanged', { communityId: sumy }));
    }
    await relayed(before + 40);

    const again = await partner(irc.key.seed);
    const caughtUp = await pullAll(again.nc, ircDurable);

    expect(caughtUp.map((event) => event.cloudEvent.id)).toEqual(missed);
    const positions = caughtUp.map((event) => event.cloudEvent.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(await pullAll(again.nc, ircDurable)).toEqual([]);
  });

  it('refuses a connection without credentials, and the services user anything outside its subjects', async () => {
    await expect(connect({ servers: server.url })).rejects.toThrow(/Authorization/);
    await expect(connect({ servers: server.url, user: 'services', pass: 'wrong' })).rejects.toThrow(
      /Authorization/,
    );
    const violations: string[] = [];
    const nc = await server.connectAsServices();
    void (async () => {
      for await (const status of nc.status())
        if (status.type === 'error') violations.push(status.error.message);
    })();
    nc.publish('partner.secrets', 'x');
    await nc.flush();
    await eventually('the violation', () => (violations.length > 0 ? true : undefined));
    expect(violations[0]).toContain('Permissions Violation for Publish to "partner.secrets"');
    await nc.close();
  });
});
