import { createHmac, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { eventually } from '../../../libs/projections/test/support/helpers';
import { WEBHOOK_HEADERS } from '../src/partner-feed/webhook-signature';
import { FeedTestSystem } from './partner-feed.support';

jest.setTimeout(30_000);

/** The JSON answers these tests read: webhooks, pages of them or of deliveries, errors. */
type AnswerBody = Record<string, unknown> & {
  id: string;
  secret?: string;
  items: Array<Record<string, unknown> & { id: string; status: string; attempts: number }>;
  details?: Array<{ field: string }>;
};

interface Received {
  eventId: string;
  body: { id: string; type: string; position: number };
  attempt: number;
  at: number;
  validSignature: boolean;
  answered: number;
}

/** A partner's endpoint: answers each delivery with what `answer` says, and keeps them all. */
class Receiver {
  readonly received: Received[] = [];
  secret = '';
  answer: (delivery: { attempt: number; index: number }) => number = () => 200;
  private readonly server = http.createServer((request, response) => {
    let raw = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (raw += chunk));
    request.on('end', () => {
      const header = (name: string) => request.headers[name] as string | undefined;
      const status = this.answer({
        attempt: Number(header(WEBHOOK_HEADERS.attempt)),
        index: this.received.length,
      });
      this.received.push({
        eventId: header(WEBHOOK_HEADERS.eventId) ?? '',
        body: JSON.parse(raw) as Received['body'],
        attempt: Number(header(WEBHOOK_HEADERS.attempt)),
        at: Date.now(),
        // Checked as a partner would, from the documented scheme, not with the gateway's own code.
        validSignature:
          header('aid-webhook-signature') ===
          `v1=${createHmac('sha256', this.secret)
            .update(`${header('aid-webhook-timestamp')}.${raw}`)
            .digest('hex')}`,
        answered: status,
      });
      response.writeHead(status).end();
    });
  });

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/aid-events`;
  }

  /** Event ids of the deliveries answered with success, in arrival order. */
  delivered(): string[] {
    return this.received.filter((each) => each.answered < 300).map((each) => each.eventId);
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('webhooks: signed deliveries, in order, retried, parked, surviving restarts', () => {
  const system = new FeedTestSystem();
  const receivers: Receiver[] = [];
  const [ochakiv, lviv, mykolaiv, sumy] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const keys = { irc: '', ulead: '', unicef: '', coordinator: '' };

  async function receiver(): Promise<{ receiver: Receiver; url: string }> {
    const created = new Receiver();
    receivers.push(created);
    return { receiver: created, url: await created.start() };
  }

  async function call(method: string, path: string, key: string, body?: unknown) {
    const response = await fetch(`${system.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as AnswerBody };
  }

  async function register(key: string, target: Receiver, url: string, body: Record<string, unknown> = {}) {
    const { status, body: webhook } = await call('POST', '/v1/webhooks', key, { url, ...body });
    expect(status).toBe(201);
    target.secret = webhook.secret!;
    return webhook;
  }

  const frontline = (communityId: string) =>
    system.append(`community-${communityId}`, 'FrontlineStatusChanged', { communityId, status: 'outpost' });

  beforeAll(async () => {
    await system.start('webhooks', {
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_RETRY_BASE_MS: '40',
      WEBHOOK_MAX_ATTEMPTS: '4',
      WEBHOOK_POLL_MS: '100',
      WEBHOOK_TIMEOUT_MS: '2000',
    });
    keys.irc = await system.key({ name: 'IRC', role: 'partner', communityIds: [ochakiv] });
    keys.ulead = await system.key({ name: 'U-LEAD', role: 'partner', communityIds: [lviv] });
    keys.unicef = await system.key({ name: 'UNICEF', role: 'partner', communityIds: [mykolaiv] });
    keys.coordinator = await system.key({ name: 'logistics', role: 'coordinator' });
    for (const id of [ochakiv, lviv, mykolaiv, sumy]) await system.community(id);
  });

  afterAll(async () => {
    for (const each of receivers) await each.stop();
    await system.stop();
  });

  it('delivers every event once, in order, with valid signatures, to a receiver that fails three times first', async () => {
    const { receiver: irc, url } = await receiver();
    irc.answer = ({ index }) => (index < 3 ? 500 : 200);
    await system.community(randomUUID()); // another community's: never delivered
    const webhook = await register(keys.irc, irc, url);
    const partnership = `partnership-${randomUUID()}`;
    const proposed = await system.append(partnership, 'PartnershipProposed', {
      parties: [
        { partyId: lviv, role: 'partner' },
        { partyId: ochakiv, role: 'outpost' },
      ],
    });
    await frontline(sumy);
    const shipment = `shipment-${randomUUID()}`;
    const planned = await system.append(shipment, 'ShipmentPlanned', { destinationCommunityId: ochakiv });
    await frontline(lviv);
    const sent = await system.append(shipment, 'ShipmentSent', { sentAt: '2024-05-02T08:00:00.000Z' });
    const status = await frontline(ochakiv);
    const expected = [proposed.id, planned.id, sent.id, status.id];

    await eventually('five deliveries', () => (irc.delivered().length >= 5 ? true : undefined));
    // The community registration of Ochakiv (from before the webhook) comes first: it starts at the first event.
    const registered = irc.received.find(
      (each) => each.body.type === 'aid.communities.CommunityRegistered.v1',
    );
    expect(registered).toBeDefined();
    expect(irc.delivered()).toEqual([registered!.eventId, ...expected]);
    expect(irc.received.map((each) => each.attempt)).toEqual([1, 2, 3, 4, 1, 1, 1, 1]);
    expect(irc.received.slice(0, 4).every((each) => each.eventId === registered!.eventId)).toBe(true);
    expect(irc.received.every((each) => each.validSignature && each.body.id === each.eventId)).toBe(true);
    // Exponential backoff: 40, 80, 160 ms between the attempts.
    const gaps = irc.received.slice(1, 4).map((each, index) => each.at - irc.received[index].at);
    gaps.forEach((gap, index) => expect(gap).toBeGreaterThanOrEqual(40 * 2 ** index - 5));

    const { body: deliveries } = await call('GET', `/v1/webhooks/${webhook.id}/deliveries`, keys.irc);
    expect(
      deliveries.items.map((each: { status: string; attempts: number }) => [each.status, each.attempts]),
    ).toEqual([
      ['delivered', 4],
      ['delivered', 1],
      ['delivered', 1],
      ['delivered', 1],
      ['delivered', 1],
    ]);
  });

  it('parks a delivery after the last attempt, shows it, and delivers it again on replay', async () => {
    const { receiver: ulead, url } = await receiver();
    ulead.answer = () => 503;
    const webhook = await register(keys.ulead, ulead, url, {
      types: ['FrontlineStatusChanged'],
      after: 'now',
    });
    const first = await frontline(lviv);
    const second = await frontline(lviv);

    const parked = await eventually('both deliveries parked', async () => {
      const { body } = await call('GET', `/v1/webhooks/${webhook.id}/deliveries?status=parked`, keys.ulead);
      return body.items.length === 2 ? body.items : undefined;
    });
    expect(parked).toMatchObject([
      { eventId: first.id, status: 'parked', attempts: 4, lastStatusCode: 503, lastError: 'HTTP 503' },
      { eventId: second.id, status: 'parked', attempts: 4, lastStatusCode: 503 },
    ]);
    expect(ulead.received.map((each) => each.eventId)).toEqual([
      ...Array(4).fill(first.id),
      ...Array(4).fill(second.id),
    ]);
    const { body: listed } = await call('GET', '/v1/webhooks', keys.ulead);
    expect(listed.items).toEqual([expect.objectContaining({ id: webhook.id, parked: 2, pending: 0 })]);
    expect(listed.items[0].secret).toBeUndefined();

    ulead.answer = () => 204;
    expect(await call('POST', `/v1/webhooks/${webhook.id}/replay`, keys.ulead)).toEqual({
      status: 200,
      body: { requeued: 2 },
    });
    await eventually('the replayed deliveries', () => (ulead.delivered().length === 2 ? true : undefined));
    expect(ulead.delivered()).toEqual([first.id, second.id]);
    const { body: after } = await call(
      'GET',
      `/v1/webhooks/${webhook.id}/deliveries?status=parked`,
      keys.ulead,
    );
    expect(after.items).toEqual([]);
  });

  it('loses nothing across a gateway restart mid-delivery, with two replicas delivering each event once', async () => {
    const { receiver: unicef, url } = await receiver();
    unicef.answer = () => 500;
    const webhook = await register(keys.unicef, unicef, url, { after: 'now' });
    const before = [await frontline(mykolaiv), await frontline(mykolaiv), await frontline(mykolaiv)];
    await eventually('a second failed attempt', () => (unicef.received.length >= 2 ? true : undefined));

    for (const gateway of [...system.gateways]) await system.stopGateway(gateway);
    const whileDown = [await frontline(mykolaiv), await frontline(mykolaiv)];
    unicef.answer = () => 200;
    await Promise.all([system.startGateway(), system.startGateway()]);

    const expected = [...before, ...whileDown].map((event) => event.id);
    await eventually('every event delivered', () => (unicef.delivered().length >= 5 ? true : undefined));
    // Give a second worker, if there were one, the time to deliver something twice.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(unicef.delivered()).toEqual(expected);
    expect(unicef.received.every((each) => each.validSignature)).toBe(true);
    const { body } = await call('GET', `/v1/webhooks/${webhook.id}`, keys.unicef);
    expect(body).toMatchObject({ pending: 0, parked: 0 });
  });

  it('refuses bad registrations naming the field, and keeps webhooks to the key that made them', async () => {
    const bad = [
      [{ url: 'ftp://example.org/hook' }, 'url'],
      [{ url: 'not a url' }, 'url'],
      [{ url: 'https://user:secret@example.org/hook' }, 'url'],
      [{ url: 'https://example.org/hook', types: ['ShipmentTeleported'] }, 'types'],
      [{ url: 'https://example.org/hook', after: 99_999_999 }, 'after'],
      [{ url: 'https://example.org/hook', after: 'yesterday' }, 'after'],
      [{ url: 'https://example.org/hook', secret: 'mine' }, 'secret'],
    ] as const;
    for (const [body, field] of bad) {
      const { status, body: error } = await call('POST', '/v1/webhooks', keys.irc, body);
      expect([status, error.details?.[0]?.field]).toEqual([400, field]);
    }
    expect(
      (await call('POST', '/v1/webhooks', keys.coordinator, { url: 'https://example.org/h' })).status,
    ).toBe(403);

    const { receiver: irc, url } = await receiver();
    const mine = await register(keys.irc, irc, url, { after: 'now' });
    expect((await call('GET', `/v1/webhooks/${mine.id}`, keys.ulead)).status).toBe(404);
    expect((await call('DELETE', `/v1/webhooks/${mine.id}`, keys.ulead)).status).toBe(404);
    expect((await call('POST', `/v1/webhooks/${mine.id}/replay`, keys.ulead)).status).toBe(404);
    const { body: uleadHooks } = await call('GET', '/v1/webhooks', keys.ulead);
    expect(uleadHooks.items.map((each) => each.id)).not.toContain(mine.id);
    expect((await call('GET', `/v1/webhooks/${mine.id}/deliveries?status=lost`, keys.irc)).status).toBe(400);

    expect((await call('DELETE', `/v1/webhooks/${mine.id}`, keys.irc)).status).toBe(204);
    await frontline(ochakiv);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(irc.received).toEqual([]);
    expect((await call('GET', `/v1/webhooks/${mine.id}`, keys.irc)).status).toBe(404);
  });
});
