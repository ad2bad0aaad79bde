import { CORRELATION_ID_HEADER } from '@aid/messaging';
import { uniqueName } from '@aid/testing';
import { REQUEST_ID_HEADER } from '../src/http/request-logging.middleware';
import {
  derhachi,
  DERHACHI,
  dispatchBody,
  planTo,
  rawicz,
  receiptBody,
  zhytomyr,
  ZHYTOMYR,
} from './support/fixtures';
import { type CallOptions, GatewayHarness, type HttpAnswer } from './support/gateway-harness';

interface WriteAnswer {
  id: string;
  revision: number;
  position: number;
}

interface ErrorAnswer {
  statusCode: number;
  error: string;
  message: string;
  details?: { field: string; message: string }[] | Record<string, unknown>;
}

const UNKNOWN_ID = '01900000-0000-7000-8000-0000000000ff';

describe('the gateway HTTP API', () => {
  let h: GatewayHarness;
  const keys = {} as Record<'coordinator' | 'partnerships' | 'auditor' | 'partner', string>;
  let rawiczId: string;
  let ircId: string;
  let derhachiCentreId: string;
  let shipmentToZhytomyr: string;
  let shipmentToDerhachi: string;
  let partnershipOfZhytomyr: string;
  let partnershipOfDerhachi: string;

  const as = (role: keyof typeof keys) => ({ key: keys[role] });

  /** Runs a request that must be refused, and checks that it appended nothing. */
  async function refused<T = ErrorAnswer>(run: () => Promise<HttpAnswer<T>>): Promise<HttpAnswer<T>> {
    const before = await h.eventCount();
    const answer = await run();
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(await h.eventCount()).toBe(before);
    return answer;
  }

  async function created(path: string, key: string, body: unknown): Promise<string> {
    const answer = await h.call<WriteAnswer>('POST', path, { key, body });
    if (answer.status !== 201) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.id;
  }

  function proposed(communityId: string): Promise<string> {
    return h.createdOnceKnown('/v1/partnerships', keys.partnerships, {
      kind: 'international',
      parties: [
        { partyId: rawiczId, role: 'partner' },
        { partyId: communityId, role: 'partner' },
      ],
      areas: ['material-humanitarian-aid'],
    });
  }

  async function readable(path: string): Promise<void> {
    await h.eventually(async () =>
      (await h.call('GET', path, as('auditor'))).status === 200 ? true : undefined,
    );
  }

  beforeAll(async () => {
    h = await GatewayHarness.start('httpapi');
    for (const role of ['coordinator', 'partnerships', 'auditor'] as const)
      keys[role] = (await h.keyFor(role)).key;
    keys.partner = (await h.keyFor('partner', [ZHYTOMYR])).key;

    await created('/v1/communities', keys.partnerships, zhytomyr);
    await created('/v1/communities', keys.partnerships, derhachi);
    rawiczId = await created('/v1/communities', keys.partnerships, rawicz);
    ircId = await created('/v1/organisations', keys.partnerships, {
      name: 'International Rescue Committee',
      kind: 'ingo',
      countryCode: 'US',
    });
    derhachiCentreId = await created('/v1/organisations', keys.partnerships, {
      name: 'Дергачівський центр соціальних служб',
      kind: 'institution',
      parentCommunityId: DERHACHI,
    });
    shipmentToZhytomyr = await h.createdOnceKnown(
      '/v1/shipments',
      keys.coordinator,
      planTo(ZHYTOMYR, rawiczId),
    );
    shipmentToDerhachi = await h.createdOnceKnown(
      '/v1/shipments',
      keys.coordinator,
      planTo(DERHACHI, rawiczId),
    );
    partnershipOfZhytomyr = await proposed(ZHYTOMYR);
    partnershipOfDerhachi = await proposed(DERHACHI);
    for (const path of [
      `/v1/shipments/${shipmentToDerhachi}`,
      `/v1/partnerships/${partnershipOfDerhachi}`,
      `/v1/organisations/${derhachiCentreId}`,
      `/v1/communities/${rawiczId}`,
    ]) {
      await readable(path);
    }
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('keys and roles', () => {
    it('answers 401 without a key and with an unknown one, in the error shape', async () => {
      const without = await h.call('GET', '/v1/shipments');
      const wrong = await h.call('GET', '/v1/shipments', { key: 'aid_not-a-key' });

      expect(without).toMatchObject({ status: 401, body: { statusCode: 401, error: 'Unauthorized' } });
      expect((without.body as ErrorAnswer).message).toMatch(/Bearer/);
      expect(wrong).toMatchObject({
        status: 401,
        body: { statusCode: 401, message: 'unknown or revoked API key' },
      });
    });

    it('revokes a key: 204, then the key answers 401, and revoking again is a 404', async () => {
      const { id, key } = await h.keyFor('auditor');
      expect((await h.call('GET', '/v1/shipments', { key })).status).toBe(200);

      const revoked = await h.call('DELETE', `/v1/api-keys/${id}`, { key: h.adminKey });
      const again = await h.call('DELETE', `/v1/api-keys/${id}`, { key: h.adminKey });

      expect(revoked.status).toBe(204);
      expect((await h.call('GET', '/v1/shipments', { key })).status).toBe(401);
      expect(again.status).toBe(404);
      const listed = await h.call<{ items: Record<string, unknown>[] }>('GET', '/v1/api-keys', {
        key: h.adminKey,
      });
      expect(listed.body.items.find((item) => item.id === id)).toMatchObject({
        revokedAt: expect.any(String),
      });
    });

    it.each([
      ['coordinator', 'POST', '/v1/communities', zhytomyr],
      ['coordinator', 'POST', '/v1/partnerships', { kind: 'exchange', parties: [], areas: ['other'] }],
      ['partnerships', 'POST', '/v1/shipments', planTo(ZHYTOMYR, UNKNOWN_ID)],
      ['auditor', 'POST', '/v1/shipments/{zhytomyr-shipment}/dispatch', dispatchBody],
      ['partner', 'POST', '/v1/shipments/{zhytomyr-shipment}/cancellation', { reason: 'no' }],
      ['partner', 'POST', '/v1/organisations', { name: 'x', kind: 'ingo' }],
      ['coordinator', 'GET', '/v1/api-keys', undefined],
      ['partnerships', 'POST', '/v1/api-keys', { name: 'mine', role: 'admin' }],
    ] as const)('refuses %s a %s of %s with 403, appending nothing', async (role, method, path, body) => {
      const answer = await refused(() =>
        h.call(method, path.replace('{zhytomyr-shipment}', shipmentToZhytomyr), { ...as(role), body }),
      );

      expect(answer).toMatchObject({ status: 403, body: { statusCode: 403, error: 'Forbidden' } });
      expect((answer.body as ErrorAnswer).message).toContain(`role ${role} may not call this route`);
    });

    it.each(['coordinator', 'partnerships', 'auditor', 'partner'] as const)(
      'lets a %s key read',
      async (role) => {
        for (const path of ['/v1/shipments', '/v1/communities', '/v1/organisations', '/v1/partnerships']) {
          expect(await h.call('GET', path, as(role))).toMatchObject({
            status: 200,
            body: { items: expect.any(Array) },
          });
        }
        expect((await h.call('GET', '/v1/tonnage?groupBy=destination', as(role))).status).toBe(200);
      },
    );

    it('creates a key shown once, lists keys without secrets, and checks the scope fits the role', async () => {
      const partnerWithout = await h.call('POST', '/v1/api-keys', {
        key: h.adminKey,
        body: { name: 'IRC', role: 'partner' },
      });
      const coordinatorWith = await h.call('POST', '/v1/api-keys', {
        key: h.adminKey,
        body: { name: 'Zhytomyr', role: 'coordinator', communityIds: [ZHYTOMYR] },
      });
      const withIdempotencyKey = await h.call('POST', '/v1/api-keys', {
        key: h.adminKey,
        body: { name: 'IRC', role: 'auditor' },
        headers: { 'Idempotency-Key': uniqueName('k') },
      });
      const made = await h.call<{ id: string; key: string }>('POST', '/v1/api-keys', {
        key: h.adminKey,
        body: { name: 'IRC Ukraine', role: 'partner', communityIds: [ZHYTOMYR], organisationId: ircId },
      });
      const listed = await h.call<{ items: Record<string, unknown>[] }>('GET', '/v1/api-keys', {
        key: h.adminKey,
      });

      expect(partnerWithout).toMatchObject({ status: 400, body: { details: [{ field: 'communityIds' }] } });
      expect(coordinatorWith).toMatchObject({ status: 400, body: { details: [{ field: 'communityIds' }] } });
      expect(withIdempotencyKey).toMatchObject({
        status: 400,
        body: { details: [{ field: 'Idempotency-Key' }] },
      });
      expect(made).toMatchObject({
        status: 201,
        body: { id: expect.any(String), key: expect.stringMatching(/^aid_/) },
      });
      const mine = listed.body.items.find((item) => item.id === made.body.id);
      expect(mine).toEqual({
        id: made.body.id,
        name: 'IRC Ukraine',
        role: 'partner',
        communityIds: [ZHYTOMYR],
        organisationId: ircId,
        createdAt: expect.any(String),
        revokedAt: null,
      });
      expect(JSON.stringify(listed.body)).not.toContain(made.body.key);
    });
  });

  describe('a partner key sees only its communities', () => {
    it('filters every list to its communities', async () => {
      const shipments = await h.call<{ items: { id: string }[] }>('GET', '/v1/shipments', as('partner'));
      const communities = await h.call<{ items: { id: string }[] }>('GET', '/v1/communities', as('partner'));
      const partnerships = await h.call<{ items: { id: string }[] }>(
        'GET',
        '/v1/partnerships',
        as('partner'),
      );
      const organisations = await h.call<{ items: { id: string }[] }>(
        'GET',
        '/v1/organisations',
        as('partner'),
      );
      const tonnage = await h.call<{ items: { key: string }[] }>(
        'GET',
        '/v1/tonnage?groupBy=destination',
        as('partner'),
      );
      const allShipments = await h.call<{ items: { id: string }[] }>('GET', '/v1/shipments', as('auditor'));

      expect(shipments.body.items.map(({ id }) => id)).toEqual([shipmentToZhytomyr]);
      expect(allShipments.body.items.map(({ id }) => id).sort()).toEqual(
        [shipmentToDerhachi, shipmentToZhytomyr].sort(),
      );
      expect(communities.body.items.map(({ id }) => id)).toEqual([ZHYTOMYR]);
      expect(partnerships.body.items.map(({ id }) => id)).toEqual([partnershipOfZhytomyr]);
      // The IRC belongs to no community: it stays visible; Derhachi's own institution does not.
      expect(organisations.body.items.map(({ id }) => id)).toEqual([ircId]);
      expect(tonnage.body.items.every(({ key }) => key === ZHYTOMYR)).toBe(true);
    });

    it('cannot widen its scope through the query string', async () => {
      const answer = await h.call<ErrorAnswer>(
        'GET',
        `/v1/communities?scopeCommunityIds=${DERHACHI}`,
        as('partner'),
      );

      expect(answer).toMatchObject({ status: 400, body: { details: [{ field: 'scopeCommunityIds' }] } });
    });

    it.each([
      ['shipment', '/v1/shipments/{derhachi-shipment}', '/v1/shipments/{unknown}'],
      ['community', `/v1/communities/${DERHACHI}`, '/v1/communities/{unknown}'],
      ['community status', `/v1/communities/${DERHACHI}/status`, '/v1/communities/{unknown}/status'],
      ['partnership', '/v1/partnerships/{derhachi-partnership}', '/v1/partnerships/{unknown}'],
      ['institution', '/v1/organisations/{derhachi-centre}', '/v1/organisations/{unknown}'],
    ])('answers a foreign %s as it answers an unknown id: 404', async (_what, foreignPath, unknownPath) => {
      const fill = (path: string, id: string) =>
        path
          .replace('{derhachi-shipment}', shipmentToDerhachi)
          .replace('{derhachi-partnership}', partnershipOfDerhachi)
          .replace('{derhachi-centre}', derhachiCentreId)
          .replace('{unknown}', id);
      const foreignId = /([0-9a-f-]{36})/.exec(fill(foreignPath, ''))?.[1] ?? '';

      const foreign = await h.call<ErrorAnswer>('GET', fill(foreignPath, ''), as('partner'));
      const unknown = await h.call<ErrorAnswer>('GET', fill(unknownPath, foreignId), as('partner'));
      const auditor = await h.call('GET', fill(foreignPath, ''), as('auditor'));

      expect(auditor.status).toBe(200);
      expect(foreign.status).toBe(404);
      expect(foreign.headers.get('etag')).toBeNull();
      expect(foreign.body.error).toBe('Not Found');
      // Same words as for an id that exists nowhere (the unknown path names the same id).
      expect(unknown.status).toBe(404);
      expect(foreign.body.message).toContain(foreignId);
    });

    it('sees its own community and shipment, with their ETags', async () => {
      const community = await h.call('GET', `/v1/communities/${ZHYTOMYR}`, as('partner'));
      const shipment = await h.call('GET', `/v1/shipments/${shipmentToZhytomyr}`, as('partner'));

      expect(community).toMatchObject({ status: 200, body: { id: ZHYTOMYR } });
      expect(community.headers.get('etag')).toBe('"0"');
      expect(shipment).toMatchObject({ status: 200, body: { id: shipmentToZhytomyr, status: 'planned' } });
      expect(shipment.headers.get('etag')).toBe('"0"');
    });
  });

  describe('refusals', () => {
    it('answers 400 naming each failing field of a body, and appends nothing', async () => {
      const answer = await refused(() =>
        h.call<ErrorAnswer>('POST', '/v1/shipments', {
          ...as('coordinator'),
          body: {
            originPartyId: 'not-a-uuid',
            destinationCommunityId: ZHYTOMYR,
            items: [{ category: 'gold', description: '', quantity: -1, unit: 'bag', weightKg: 1.2345 }],
            colour: 'red',
          },
        }),
      );

      expect(answer.status).toBe(400);
      const fields = (answer.body.details as { field: string }[]).map(({ field }) => field);
      expect(new Set(fields)).toEqual(
        new Set([
          'colour',
          'originPartyId',
          'items.0.category',
          'items.0.description',
          'items.0.quantity',
          'items.0.weightKg',
        ]),
      );
      expect(answer.body.message).toContain('colour');
    });

    it('answers 400 naming each bad query parameter, an unknown one included', async () => {
      const answer = await h.call<ErrorAnswer>(
        'GET',
        '/v1/shipments?status=lost&limit=0&colour=red',
        as('auditor'),
      );

      expect(answer.status).toBe(400);
      const fields = (answer.body.details as { field: string }[]).map(({ field }) => field);
      expect(new Set(fields)).toEqual(new Set(['status', 'limit', 'colour']));
      expect((await h.call('GET', '/v1/tonnage', as('auditor'))).status).toBe(400);
    });

    it.each([
      ['malformed JSON', 400, 'not valid JSON', { rawBody: '{"originPartyId": ' }],
      ['an array', 400, 'must be a JSON object', { body: [planTo(ZHYTOMYR, UNKNOWN_ID)] }],
      ['a string', 400, 'must be a JSON object', { body: 'plan it' }],
      ['null', 400, 'must be a JSON object', { rawBody: 'null' }],
      ['no body', 400, 'must be a JSON object', {}],
      ['a number for an object', 400, 'items', { body: { ...planTo(ZHYTOMYR, UNKNOWN_ID), items: 7 } }],
      [
        'an object for a string',
        400,
        'originPartyId',
        { body: { ...planTo(ZHYTOMYR, { $ne: 1 } as unknown as string) } },
      ],
      ['a huge string', 400, 'originPartyId', { body: { ...planTo(ZHYTOMYR, 'x'.repeat(500_000)) } }],
      [
        'a body over 1 MB',
        413,
        'larger than the limit',
        { rawBody: JSON.stringify({ pad: 'x'.repeat(1_100_000) }) },
      ],
      [
        'text/plain',
        400,
        'must be a JSON object',
        { rawBody: 'hello', headers: { 'content-type': 'text/plain' } },
      ],
    ] as const)(
      'refuses %s with %i, never a 500, appending nothing',
      async (_what, status, message, options) => {
        const answer = await refused(() =>
          h.call<ErrorAnswer>('POST', '/v1/shipments', { ...as('coordinator'), ...(options as CallOptions) }),
        );

        expect(answer.status).toBe(status);
        expect(answer.body).toMatchObject({ statusCode: status, message: expect.stringContaining(message) });
      },
    );

    it.each([
      ['an id that is no UUID', 'GET', '/v1/shipments/not-a-uuid'],
      ['SQL in an id', 'GET', '/v1/communities/1%27%20OR%201=1'],
      ['a path climbing out', 'POST', '/v1/shipments/../../etc/dispatch'],
      ['a 300-digit id', 'POST', `/v1/shipments/${'9'.repeat(300)}/dispatch`],
      ['an exponent for a limit', 'GET', '/v1/shipments?limit=1e9'],
      ['a repeated parameter', 'GET', '/v1/shipments?status=sent&status=planned'],
      ['a 5000-character search', 'GET', `/v1/communities?q=${'x'.repeat(5000)}`],
      ['30 February', 'GET', '/v1/tonnage?groupBy=destination&from=2022-02-30'],
      ['a key id that is no UUID', 'DELETE', '/v1/api-keys/not-a-uuid'],
    ])('answers %s with a 4xx, not a 500', async (_what, method, path) => {
      const key = method === 'DELETE' ? h.adminKey : keys.coordinator;
      const answer = await refused(() =>
        h.call<ErrorAnswer>(method, path, { key, body: method === 'POST' ? dispatchBody : undefined }),
      );

      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.body).toMatchObject({ statusCode: answer.status, message: expect.any(String) });
    });

    it('answers 404 for an unknown shipment, community and key', async () => {
      const dispatch = await refused(() =>
        h.call<ErrorAnswer>('POST', `/v1/shipments/${UNKNOWN_ID}/dispatch`, {
          ...as('coordinator'),
          body: dispatchBody,
        }),
      );
      const community = await h.call<ErrorAnswer>('GET', `/v1/communities/${UNKNOWN_ID}`, as('auditor'));

      expect(dispatch).toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found' } });
      expect(dispatch.body.message).toContain(UNKNOWN_ID);
      expect(community.status).toBe(404);
    });

    it('answers 409 for an illegal transition (a receipt of a planned shipment), appending nothing', async () => {
      const answer = await refused(() =>
        h.call<ErrorAnswer>('POST', `/v1/shipments/${shipmentToDerhachi}/receipt`, {
          ...as('coordinator'),
          body: receiptBody(1200),
        }),
      );

      expect(answer).toMatchObject({ status: 409, body: { statusCode: 409, error: 'Conflict' } });
      expect(answer.body.message).toMatch(/planned/);
    });
  });

  describe('ETag and If-Match', () => {
    it('round-trips: the ETag of a read is the If-Match of the next write; a stale one is a 412', async () => {
      const planned = await h.call<WriteAnswer>('POST', '/v1/shipments', {
        ...as('coordinator'),
        body: planTo(ZHYTOMYR, rawiczId, 500),
      });
      expect(planned.headers.get('etag')).toBe('"0"');
      const id = planned.body.id;
      const read = await h.eventually(async () => {
        const answer = await h.call('GET', `/v1/shipments/${id}`, as('coordinator'));
        return answer.status === 200 ? answer : undefined;
      });
      expect(read.headers.get('etag')).toBe('"0"');

      const stale = await refused(() =>
        h.call<ErrorAnswer>('POST', `/v1/shipments/${id}/dispatch`, {
          ...as('coordinator'),
          body: dispatchBody,
          headers: { 'If-Match': '"3"' },
        }),
      );
      const malformed = await refused(() =>
        h.call<ErrorAnswer>('POST', `/v1/shipments/${id}/dispatch`, {
          ...as('coordinator'),
          body: dispatchBody,
          headers: { 'If-Match': 'yesterday' },
        }),
      );
      const dispatched = await h.call<WriteAnswer>('POST', `/v1/shipments/${id}/dispatch`, {
        ...as('coordinator'),
        body: dispatchBody,
        headers: { 'If-Match': read.headers.get('etag') ?? '' },
      });

      expect(stale).toMatchObject({ status: 412, body: { statusCode: 412, error: 'Precondition Failed' } });
      expect(stale.body.details).toMatchObject({ currentRevision: 0 });
      expect(malformed).toMatchObject({ status: 400, body: { details: [{ field: 'If-Match' }] } });
      expect(dispatched).toMatchObject({
        status: 200,
        body: { id, revision: 1, position: expect.any(Number) },
      });
      expect(dispatched.headers.get('etag')).toBe('"1"');
      const after = await h.eventually(async () => {
        const answer = await h.call<{ revision: number }>('GET', `/v1/shipments/${id}`, as('coordinator'));
        return answer.body.revision === 1 ? answer : undefined;
      });
      expect(after.headers.get('etag')).toBe('"1"');
    });

    it('keeps an illegal transition a 409 even with a matching If-Match', async () => {
      const answer = await refused(() =>
        h.call<ErrorAnswer>('POST', `/v1/shipments/${shipmentToDerhachi}/receipt`, {
          ...as('coordinator'),
          body: receiptBody(1200),
          headers: { 'If-Match': '"0"' },
        }),
      );

      expect(answer.status).toBe(409);
    });
  });

  describe('actor, correlation and causation', () => {
    it('writes the key, its role, the correlation id and the request as cause into the event, and logs them', async () => {
      const correlationId = uniqueName('story-001');
      const { id: coordinatorId, key } = await h.keyFor('coordinator');

      const answer = await h.call<WriteAnswer>('POST', '/v1/shipments', {
        key,
        body: planTo(ZHYTOMYR, rawiczId, 750),
        headers: { [CORRELATION_ID_HEADER]: correlationId },
      });

      expect(answer.status).toBe(201);
      expect(answer.headers.get(CORRELATION_ID_HEADER)).toBe(correlationId);
      const [event] = await h.eventsOf(`shipment-${answer.body.id}`);
      expect(event.type).toBe('ShipmentPlanned');
      expect(event.metadata).toMatchObject({
        actor: { id: coordinatorId, role: 'coordinator' },
        correlationId,
        causationId: answer.headers.get(REQUEST_ID_HEADER),
        service: 'logistics',
      });
      const lines = h.logLines.filter((line) => line.correlationId === correlationId);
      expect(lines.map((line) => line.service).sort()).toEqual(['gateway', 'logistics']);
      expect(lines.find((line) => line.service === 'gateway')).toMatchObject({
        msg: 'request handled',
        actor: { id: coordinatorId, role: 'coordinator' },
        requestId: answer.headers.get(REQUEST_ID_HEADER),
        statusCode: 201,
      });
    });

    it('takes the causation id the client names', async () => {
      const causationId = uniqueName('import-row-17');

      const answer = await h.call<WriteAnswer>('POST', '/v1/shipments', {
        ...as('coordinator'),
        body: planTo(ZHYTOMYR, rawiczId, 10),
        headers: { 'X-Causation-Id': causationId },
      });

      const [event] = await h.eventsOf(`shipment-${answer.body.id}`);
      expect(event.metadata.causationId).toBe(causationId);
    });
  });

  describe('limits and outages', () => {
    it('answers 429 with Retry-After past the per-key rate limit, counting each key apart', async () => {
      const limited = await h.extraGateway({ RATE_LIMIT_PER_MINUTE: '3' });
      const statuses: number[] = [];
      for (let call = 0; call < 3; call++) {
        statuses.push((await h.call('GET', '/v1/communities', as('coordinator'), limited)).status);
      }
      const over = await refused(() =>
        h.call<ErrorAnswer>(
          'POST',
          '/v1/shipments',
          { ...as('coordinator'), body: planTo(ZHYTOMYR, rawiczId) },
          limited,
        ),
      );
      const otherKey = await h.call('GET', '/v1/communities', as('auditor'), limited);

      expect(statuses).toEqual([200, 200, 200]);
      expect(over).toMatchObject({ status: 429, body: { statusCode: 429, error: 'Too Many Requests' } });
      expect(over.body.message).toContain('3 requests per minute');
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(otherKey.status).toBe(200);
    });

    it('answers 503 naming the service when it does not answer, appends nothing, and recovers', async () => {
      await h.stopService('logistics');
      try {
        const dispatch = await refused(() =>
          h.call<ErrorAnswer>('POST', `/v1/shipments/${shipmentToDerhachi}/dispatch`, {
            ...as('coordinator'),
            body: dispatchBody,
          }),
        );
        const list = await h.call<ErrorAnswer>('GET', '/v1/shipments', as('auditor'));
        const health = await h.call<{ status: string }>('GET', '/health');

        expect(dispatch).toMatchObject({
          status: 503,
          body: { statusCode: 503, error: 'Service Unavailable' },
        });
        expect(dispatch.body.message).toContain('logistics service did not answer');
        expect(list.status).toBe(503);
        expect(health).toMatchObject({ status: 503, body: { status: 'error' } });
      } finally {
        await h.startService('logistics');
      }
      // Back within a few seconds: its NATS subscriptions reach the server once it has started.
      let status = 0;
      for (const deadline = Date.now() + 15_000; status !== 200 && Date.now() < deadline;) {
        status = (await h.call('GET', '/v1/shipments', as('auditor'))).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(status).toBe(200);
    });
  });
});
