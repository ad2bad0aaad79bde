import { uniqueName } from '@aid/testing';
import { derhachi, DERHACHI, dispatchBody, planTo, rawicz, zhytomyr, ZHYTOMYR } from './support/fixtures';
import { GatewayHarness, type HttpAnswer } from './support/gateway-harness';

interface WriteAnswer {
  id: string;
  revision: number;
  position: number;
}

describe('concurrent and retried writes through the gateway', () => {
  let h: GatewayHarness;
  let coordinator: string;
  let partnerships: string;
  let rawiczId: string;

  const post = <T = WriteAnswer>(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
    key = coordinator,
  ) => h.call<T>('POST', path, { key, body, headers });

  /** Shipment events appended so far (the Idempotency-Key appears in their metadata). */
  async function eventsWithKey(key: string): Promise<number> {
    const [row] = await h.query<{ count: string }>(
      `SELECT count(*) FROM event_store.events WHERE metadata->>'idempotencyKey' = $1`,
      [key],
    );
    return Number(row.count);
  }

  async function planned(): Promise<string> {
    const answer = await post('/v1/shipments', planTo(ZHYTOMYR, rawiczId));
    expect(answer.status).toBe(201);
    return answer.body.id;
  }

  beforeAll(async () => {
    h = await GatewayHarness.start('idempotency');
    coordinator = (await h.keyFor('coordinator')).key;
    partnerships = (await h.keyFor('partnerships')).key;
    await post('/v1/communities', zhytomyr, {}, partnerships);
    rawiczId = (await post('/v1/communities', rawicz, {}, partnerships)).body.id;
    // From here on, logistics knows the destination: every plan below is accepted at once.
    await h.createdOnceKnown('/v1/shipments', coordinator, planTo(ZHYTOMYR, rawiczId));
  });

  afterAll(async () => {
    await h?.close();
  });

  it('lets one of 20 concurrent dispatches of a shipment through; the other 19 get 409', async () => {
    const id = await planned();

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => post(`/v1/shipments/${id}/dispatch`, dispatchBody)),
    );

    const statuses = answers.map(({ status }) => status).sort();
    expect(statuses).toEqual([200, ...Array<number>(19).fill(409)]);
    const events = await h.eventsOf(`shipment-${id}`);
    expect(events.map(({ type }) => type)).toEqual(['ShipmentPlanned', 'ShipmentSent']);
    const winner = answers.find(({ status }) => status === 200);
    expect(winner?.body).toMatchObject({ id, revision: 1 });
  });

  it('answers a retried create with the same Idempotency-Key as the first time, and plans one shipment', async () => {
    const key = uniqueName('plan');
    const body = planTo(ZHYTOMYR, rawiczId, 800);

    const first = await post('/v1/shipments', body, { 'Idempotency-Key': key });
    const retry = await post('/v1/shipments', body, { 'Idempotency-Key': key });

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await eventsWithKey(key)).toBe(1);
  });

  it('treats the same body with its keys in another order as the same request', async () => {
    const key = uniqueName('plan');
    const body = planTo(ZHYTOMYR, rawiczId, 801);
    const reordered = Object.fromEntries(Object.entries(body).reverse());

    const first = await post('/v1/shipments', body, { 'Idempotency-Key': key });
    const retry = await post('/v1/shipments', reordered, { 'Idempotency-Key': key });

    expect(retry).toMatchObject({ status: 201, body: first.body });
    expect(await eventsWithKey(key)).toBe(1);
  });

  it('answers 10 identical creates sent at once with one shipment and the same answer', async () => {
    const key = uniqueName('plan');
    const body = planTo(ZHYTOMYR, rawiczId, 900);

    const answers = await Promise.all(
      Array.from({ length: 10 }, () => post('/v1/shipments', body, { 'Idempotency-Key': key })),
    );

    expect(answers.map(({ status }) => status)).toEqual(Array<number>(10).fill(201));
    expect(new Set(answers.map(({ body: answer }) => JSON.stringify(answer))).size).toBe(1);
    expect(await eventsWithKey(key)).toBe(1);
  });

  it('refuses the same key with another body with 422, appending nothing', async () => {
    const key = uniqueName('plan');
    await post('/v1/shipments', planTo(ZHYTOMYR, rawiczId, 100), { 'Idempotency-Key': key });
    const before = await h.eventCount();

    const other = await post<{ statusCode: number; error: string; details: unknown }>(
      '/v1/shipments',
      planTo(ZHYTOMYR, rawiczId, 200),
      { 'Idempotency-Key': key },
    );
    const otherRoute = await post(`/v1/shipments/${rawiczId}/dispatch`, dispatchBody, {
      'Idempotency-Key': key,
    });

    expect(other).toMatchObject({
      status: 422,
      body: { statusCode: 422, error: 'Unprocessable Entity', details: [{ field: 'Idempotency-Key' }] },
    });
    expect(otherRoute.status).toBe(422);
    expect(await h.eventCount()).toBe(before);
  });

  it('replays a refusal too: a retried illegal dispatch answers the same 409', async () => {
    const id = await planned();
    await post(`/v1/shipments/${id}/dispatch`, dispatchBody);
    const key = uniqueName('dispatch');

    const first = await post(`/v1/shipments/${id}/dispatch`, dispatchBody, { 'Idempotency-Key': key });
    const retry = await post(`/v1/shipments/${id}/dispatch`, dispatchBody, { 'Idempotency-Key': key });

    expect(first.status).toBe(409);
    expect(retry).toEqual(expect.objectContaining({ status: 409, body: first.body }));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it("does not keep a service's 400: once the destination is known, a retry with the same key plans it", async () => {
    const key = uniqueName('plan');
    const body = planTo(DERHACHI, rawiczId, 150);

    const early = await post('/v1/shipments', body, { 'Idempotency-Key': key });
    await post('/v1/communities', derhachi, {}, partnerships);
    await h.createdOnceKnown('/v1/shipments', coordinator, planTo(DERHACHI, rawiczId, 1));
    const retry = await post('/v1/shipments', body, { 'Idempotency-Key': key });

    expect(early).toMatchObject({ status: 400, body: { details: [{ field: 'destinationCommunityId' }] } });
    expect(retry.status).toBe(201);
    expect(await eventsWithKey(key)).toBe(1);
  });

  it('keeps the keys of two API keys apart: the same key from another caller is another request', async () => {
    const other = (await h.keyFor('coordinator')).key;
    const key = uniqueName('plan');
    const body = planTo(ZHYTOMYR, rawiczId, 300);

    const mine = await post('/v1/shipments', body, { 'Idempotency-Key': key });
    const theirs = await post('/v1/shipments', body, { 'Idempotency-Key': key }, other);

    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(await eventsWithKey(key)).toBe(2);
  });

  it('does not keep a 503: once the service is back, a retry with the same key runs', async () => {
    const key = uniqueName('plan');
    const body = planTo(ZHYTOMYR, rawiczId, 400);
    await h.stopService('logistics');
    let during: HttpAnswer<WriteAnswer>;
    try {
      during = await post('/v1/shipments', body, { 'Idempotency-Key': key });
    } finally {
      await h.startService('logistics');
    }

    const after = await post('/v1/shipments', body, { 'Idempotency-Key': key });

    expect(during.status).toBe(503);
    expect(after.status).toBe(201);
    expect(await eventsWithKey(key)).toBe(1);
  });

  it('refuses a malformed Idempotency-Key with 400', async () => {
    const answer = await post('/v1/shipments', planTo(ZHYTOMYR, rawiczId), {
      'Idempotency-Key': 'x'.repeat(201),
    });

    expect(answer).toMatchObject({ status: 400, body: { details: [{ field: 'Idempotency-Key' }] } });
  });
});
