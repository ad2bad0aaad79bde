import { randomUUID } from 'node:crypto';
import { ALL_EVENT_TYPES } from '@aid/contracts';
import { EventStreamClient, FeedTestSystem } from './partner-feed.support';

jest.setTimeout(30_000);

describe('GET /v1/events: the partner feed as Server-Sent Events', () => {
  const system = new FeedTestSystem();
  const [ochakiv, lviv, sumy, gdansk] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const keys = { irc: '', ulead: '', auditor: '', coordinator: '' };
  /** Event ids in the scope of each key, in the order the store holds them. */
  const scope = { irc: [] as string[], ulead: [] as string[], all: [] as string[] };
  const streams: EventStreamClient[] = [];

  async function open(key: string, options: Parameters<typeof EventStreamClient.open>[2] = {}) {
    const client = await EventStreamClient.open(system.url, key, options);
    streams.push(client);
    return client;
  }

  /** Appends, and notes which keys' scopes the event belongs to. */
  async function record(
    stream: string,
    type: string,
    data: Parameters<FeedTestSystem['append']>[2],
    ...scopes: Array<'irc' | 'ulead'>
  ): Promise<string> {
    const { id } = await system.append(stream, type, data);
    for (const name of scopes) scope[name].push(id);
    scope.all.push(id);
    return id;
  }

  beforeAll(async () => {
    await system.start('feed', { PARTNER_FEED_HEARTBEAT_MS: '200' });
    keys.irc = await system.key({ name: 'IRC', role: 'partner', communityIds: [ochakiv] });
    keys.ulead = await system.key({ name: 'U-LEAD', role: 'partner', communityIds: [lviv] });
    keys.auditor = await system.key({ name: 'audit office', role: 'auditor' });
    keys.coordinator = await system.key({ name: 'logistics', role: 'coordinator' });

    for (const [id, scopes] of [
      [ochakiv, ['irc']],
      [lviv, ['ulead']],
      [sumy, []],
    ] as const) {
      await record(
        `community-${id}`,
        'CommunityRegistered',
        { communityId: id, kind: 'hromada', countryCode: 'UA' },
        ...scopes,
      );
    }
    await record(`community-${gdansk}`, 'CommunityRegistered', {
      communityId: gdansk,
      kind: 'foreign-municipality',
      countryCode: 'PL',
    });
    const partnership = `partnership-${randomUUID()}`;
    await record(
      partnership,
      'PartnershipProposed',
      {
        parties: [
          { partyId: gdansk, role: 'partner' },
          { partyId: lviv, role: 'partner' },
          { partyId: ochakiv, role: 'outpost' },
        ],
      },
      'irc',
      'ulead',
    );
    const toSumy = `shipment-${randomUUID()}`;
    await record(toSumy, 'ShipmentPlanned', { destinationCommunityId: sumy, originPartyId: lviv });
    await record(partnership, 'MemorandumSigned', { signedOn: '2024-05-02' }, 'irc', 'ulead');
    const toOchakiv = `shipment-${randomUUID()}`;
    await record(
      toOchakiv,
      'ShipmentPlanned',
      { destinationCommunityId: ochakiv, originPartyId: lviv },
      'irc',
    );
    await record(toSumy, 'ShipmentSent', { sentAt: '2024-05-03T10:00:00.000Z' });
    await record(toOchakiv, 'ShipmentSent', { sentAt: '2024-05-03T11:00:00.000Z' }, 'irc');
    await record(
      `organisation-${randomUUID()}`,
      'OrganisationRegistered',
      { organisationId: randomUUID(), name: 'Ochakiv social services', parentCommunityId: ochakiv },
      'irc',
    );
    await record(toOchakiv, 'ShipmentReceived', { receivedAt: '2024-05-04T09:00:00.000Z' }, 'irc');
    // Not one of the four aggregates: never in the feed.
    await system.append(`apikey-${randomUUID()}`, 'ApiKeyIssued', { name: 'x' });
  });

  afterEach(() => {
    for (const client of streams.splice(0)) client.close();
  });

  afterAll(() => system.stop());

  it("streams a partner its communities' events from the first, as CloudEvents with the global position as id, then live", async () => {
    const irc = await open(keys.irc);
    expect(irc.status).toBe(200);
    const replayed = await irc.waitFor(scope.irc.length);
    expect(replayed.map((event) => event.cloudEvent.id)).toEqual(scope.irc);
    expect(replayed.every((event) => event.id === event.cloudEvent.position)).toBe(true);
    const ids = replayed.map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(replayed[0].cloudEvent).toMatchObject({
      type: 'aid.communities.CommunityRegistered.v1',
      subject: `community-${ochakiv}`,
      data: { communityId: ochakiv },
    });

    await record(`community-${sumy}`, 'FrontlineStatusChanged', {
      communityId: sumy,
      status: 'outpost',
    });
    const live = await record(
      `community-${ochakiv}`,
      'FrontlineStatusChanged',
      { communityId: ochakiv, status: 'outpost' },
      'irc',
    );
    const after = await irc.waitFor(scope.irc.length);
    expect(after.map((event) => event.cloudEvent.id)).toEqual(scope.irc);
    expect(after.at(-1)!.cloudEvent.id).toBe(live);
  });

  it('gives a partnership of two hromadas to the partners of both, and nothing of other communities', async () => {
    const ulead = await open(keys.ulead);
    const events = await ulead.waitFor(scope.ulead.length);
    expect(events.map((event) => event.cloudEvent.type)).toEqual([
      'aid.communities.CommunityRegistered.v1',
      'aid.partnerships.PartnershipProposed.v1',
      'aid.partnerships.MemorandumSigned.v1',
    ]);
    expect(events.map((event) => event.cloudEvent.id)).toEqual(scope.ulead);
    // Nothing else arrives: one more event of Lviv comes right after them.
    const next = await record(
      `community-${lviv}`,
      'FrontlineStatusChanged',
      { communityId: lviv, status: 'rear' },
      'ulead',
    );
    expect((await ulead.waitFor(4))[3].cloudEvent.id).toBe(next);
    expect(ulead.events).toHaveLength(4);

    const auditor = await open(keys.auditor);
    expect((await auditor.waitFor(scope.all.length)).map((event) => event.cloudEvent.id)).toEqual(scope.all);
  });

  it('resumes right after Last-Event-ID: a client that drops mid-stream misses nothing and gets nothing twice', async () => {
    const first = await open(keys.irc);
    const seen = (await first.waitFor(3)).slice(0, 3);
    first.close();
    const whileAway = await record(
      `community-${ochakiv}`,
      'FrontlineStatusChanged',
      { communityId: ochakiv, status: 'rear' },
      'irc',
    );

    const resumed = await open(keys.irc, { lastEventId: String(seen[2].id) });
    const rest = await resumed.waitFor(scope.irc.length - 3);
    expect([...seen, ...rest].map((event) => event.cloudEvent.id)).toEqual(scope.irc);
    expect(rest.at(-1)!.cloudEvent.id).toBe(whileAway);

    // ?after= is the same for clients that cannot set the header.
    const viaQuery = await open(keys.irc, { query: `after=${seen[2].id}` });
    expect((await viaQuery.waitFor(rest.length)).map((event) => event.id)).toEqual(
      rest.map((event) => event.id),
    );
  });

  it('filters by ?types=, and sends heartbeat comments', async () => {
    const irc = await open(keys.irc, { query: 'types=ShipmentSent,ShipmentReceived' });
    const events = await irc.waitFor(2);
    expect(events.map((event) => event.cloudEvent.type)).toEqual([
      'aid.logistics.ShipmentSent.v1',
      'aid.logistics.ShipmentReceived.v1',
    ]);
    await irc.waitForComment(/^heartbeat$/, 2000);
    expect(irc.events).toHaveLength(2);
  });

  it('refuses bad parameters with 400 naming them, and keys without the role', async () => {
    const unknownType = await open(keys.irc, { query: 'types=ShipmentSent,ShipmentTeleported' });
    expect(unknownType.status).toBe(400);
    expect(unknownType.errorBody).toMatchObject({
      statusCode: 400,
      message: 'types names unknown event types: ShipmentTeleported',
      details: [{ field: 'types' }],
    });
    for (const lastEventId of ['abc', '-1', '99999999']) {
      const bad = await open(keys.irc, { lastEventId });
      expect(bad.status).toBe(400);
      expect(bad.errorBody).toMatchObject({ details: [{ field: 'Last-Event-ID' }] });
    }
    expect((await open(keys.coordinator)).status).toBe(403);
    expect((await open('not-a-key')).status).toBe(401);
  });

  it('ends the stream of a key revoked while it is open', async () => {
    const key = await system.key({ name: 'short-lived', role: 'partner', communityIds: [ochakiv] });
    const stream = await open(key);
    await stream.waitFor(scope.irc.length);
    await system.revoke(key);
    await stream.waitForEnd(2000);
    expect(stream.events.length).toBe(scope.irc.length);
  });

  it('serves the AsyncAPI document at /asyncapi.json without a key', async () => {
    const response = await fetch(`${system.url}/asyncapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      asyncapi: string;
      channels: Record<string, unknown>;
      servers: { nats: { host: string } };
    };
    expect(document.asyncapi).toBe('3.0.0');
    expect(Object.keys(document.channels)).toEqual(ALL_EVENT_TYPES);
    expect(document.servers.nats.host).toBe(new URL(system.natsUrl).host);
  });
});
