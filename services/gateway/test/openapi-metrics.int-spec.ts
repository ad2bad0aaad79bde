import { dispatchBody, planTo, rawicz, zhytomyr, ZHYTOMYR } from './support/fixtures';
import { GatewayHarness } from './support/gateway-harness';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, SchemaObject>; securitySchemes: Record<string, { scheme?: string }> };
}

interface OpenApiOperation {
  parameters?: { name: string; in: string; required?: boolean; schema?: SchemaObject }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  security?: Record<string, unknown>[];
}

interface SchemaObject {
  type?: string;
  format?: string;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, SchemaObject & { $ref?: string; items?: SchemaObject & { $ref?: string } }>;
  minItems?: number;
  maxItems?: number;
}

/** Every call of the HTTP table of DESIGN.md (the public contract), as `METHOD /path`. */
const CONTRACT_ROUTES = [
  'POST /v1/communities',
  'GET /v1/communities',
  'GET /v1/communities/{id}',
  'POST /v1/communities/{id}/frontline-status',
  'POST /v1/organisations',
  'GET /v1/organisations',
  'GET /v1/organisations/{id}',
  'POST /v1/partnerships',
  'POST /v1/partnerships/{id}/approval',
  'POST /v1/partnerships/{id}/memorandum',
  'POST /v1/partnerships/{id}/activities',
  'POST /v1/partnerships/{id}/termination',
  'GET /v1/partnerships',
  'GET /v1/partnerships/{id}',
  'POST /v1/shipments',
  'POST /v1/shipments/{id}/dispatch',
  'POST /v1/shipments/{id}/receipt',
  'POST /v1/shipments/{id}/cancellation',
  'GET /v1/shipments',
  'GET /v1/shipments/{id}',
  'GET /v1/tonnage',
  'GET /v1/audit/events',
  'GET /v1/audit/streams/{stream}',
  'GET /v1/audit/streams/{stream}/state',
  'GET /v1/audit/verify',
  'POST /v1/audit/replay',
  'GET /v1/audit/export',
  'GET /v1/events',
  'POST /v1/api-keys',
  'GET /v1/api-keys',
  'DELETE /v1/api-keys/{id}',
  'GET /health',
  'GET /metrics',
];

/** The routes the gateway adds in the same style (docs/gateway.md). */
const EXTRA_ROUTES = [
  'GET /v1/communities/{id}/status',
  'POST /v1/communities/{id}/hostilities-periods',
  'POST /v1/shipments/{id}/discrepancies',
  'POST /v1/shipments/{id}/receipt-corrections',
  'GET /v1/shortfalls',
];

describe('the OpenAPI document and the metrics', () => {
  let h: GatewayHarness;
  let document: OpenApiDocument;

  beforeAll(async () => {
    h = await GatewayHarness.start('openapi');
    document = (await h.call<OpenApiDocument>('GET', '/docs-json')).body;
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('GET /docs-json', () => {
    const listed = () =>
      Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      );

    it('lists every route of the contract table, and the extra ones', () => {
      const routes = listed();

      expect(CONTRACT_ROUTES.filter((route) => !routes.includes(route))).toEqual([]);
      expect(EXTRA_ROUTES.filter((route) => !routes.includes(route))).toEqual([]);
    });

    it('declares bearer authentication on the routes that need a key, and none on health', () => {
      expect(document.components.securitySchemes.bearer).toMatchObject({ scheme: 'bearer' });
      expect(document.paths['/v1/shipments'].post.security).toEqual([{ bearer: [] }]);
      expect(document.paths['/health'].get.security).toBeUndefined();
    });

    it('describes bodies from the class-validator rules of the contract DTOs', () => {
      const plan = document.components.schemas.PlanShipment;
      const item = document.components.schemas.ShipmentItemInput;
      const dispatch = document.components.schemas.DispatchShipmentBody;

      expect(document.paths['/v1/shipments'].post.requestBody?.content['application/json'].schema.$ref).toBe(
        '#/components/schemas/PlanShipment',
      );
      expect(plan.required?.sort()).toEqual(['destinationCommunityId', 'items', 'originPartyId']);
      expect(plan.properties?.originPartyId).toMatchObject({ type: 'string', format: 'uuid' });
      expect(plan.properties?.items).toMatchObject({
        type: 'array',
        minItems: 1,
        items: { $ref: '#/components/schemas/ShipmentItemInput' },
      });
      expect(item.properties?.category.enum).toContain('medical');
      // The path names the shipment: the body of a dispatch has no shipmentId.
      expect(Object.keys(dispatch.properties ?? {}).sort()).toEqual([
        'carrier',
        'sentAt',
        'totalWeightKg',
        'waybillNumber',
      ]);
      expect(dispatch.properties?.sentAt).toMatchObject({ type: 'string', format: 'date-time' });
    });

    it('describes query parameters, with their allowed values', () => {
      const parameters = document.paths['/v1/tonnage'].get.parameters ?? [];
      const groupBy = parameters.find(({ name }) => name === 'groupBy');

      expect(groupBy).toMatchObject({ in: 'query', required: true });
      expect(groupBy?.schema?.enum).toEqual(['destination', 'origin', 'partnership', 'month', 'category']);
      expect(parameters.map(({ name }) => name)).toEqual(
        expect.arrayContaining(['from', 'to', 'destinationCommunityId']),
      );
    });

    it('serves the interactive page at /docs without a key', async () => {
      const page = await h.call<string>('GET', '/docs');

      expect(page.status).toBe(200);
      expect(page.body).toContain('swagger-ui');
    });
  });

  describe('GET /metrics', () => {
    let text: string;

    beforeAll(async () => {
      const partnerships = (await h.keyFor('partnerships')).key;
      const coordinator = (await h.keyFor('coordinator')).key;
      await h.call('POST', '/v1/communities', { key: partnerships, body: zhytomyr });
      const origin = await h.call<{ id: string }>('POST', '/v1/communities', {
        key: partnerships,
        body: rawicz,
      });
      const shipment = await h.createdOnceKnown(
        '/v1/shipments',
        coordinator,
        planTo(ZHYTOMYR, origin.body.id),
      );
      await h.call('POST', `/v1/shipments/${shipment}/dispatch`, { key: coordinator, body: dispatchBody });
      await h.call('POST', `/v1/shipments/${shipment}/dispatch`, { key: coordinator, body: dispatchBody });
      const answer = await h.call<string>('GET', '/metrics');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toContain('text/plain');
      text = answer.body;
    });

    const sample = (pattern: RegExp) => text.split('\n').find((line) => pattern.test(line));

    it('times requests by method, route pattern and status', () => {
      expect(
        sample(
          /^aid_http_request_duration_seconds_count\{method="POST",route="\/v1\/shipments\/:id\/dispatch",status="200"\} 1$/,
        ),
      ).toBeDefined();
      expect(
        sample(/^aid_http_request_duration_seconds_bucket\{.*route="\/v1\/shipments",status="201"/),
      ).toBeDefined();
    });

    it('counts commands by outcome', () => {
      expect(sample(/^aid_commands_total\{command="plan-shipment",outcome="appended"\} 1$/)).toBeDefined();
      expect(
        sample(/^aid_commands_total\{command="dispatch-shipment",outcome="conflict"\} 1$/),
      ).toBeDefined();
    });

    it('reports the lag of every projection and relay', () => {
      for (const projection of ['communities', 'partnerships', 'logistics_shipments']) {
        expect(
          sample(new RegExp(`^aid_projection_lag_seconds\\{projection="${projection}"\\} [0-9.e-]+$`)),
        ).toBeDefined();
        expect(
          sample(new RegExp(`^aid_projection_lag_positions\\{projection="${projection}"\\} \\d+$`)),
        ).toBeDefined();
      }
      for (const relay of ['relay_communities', 'relay_partnerships', 'relay_logistics']) {
        expect(sample(new RegExp(`^aid_relay_lag_seconds\\{relay="${relay}"\\} [0-9.e-]+$`))).toBeDefined();
      }
    });

    it('shows a caught-up projection with no lag', async () => {
      const caughtUp = await h.eventually(async () => {
        const answer = await h.call<string>('GET', '/metrics');
        const line = answer.body
          .split('\n')
          .find((l) => l.startsWith('aid_projection_lag_positions{projection="logistics_shipments"}'));
        return line?.endsWith(' 0') ? line : undefined;
      });

      expect(caughtUp).toBeDefined();
    });

    it('includes the default process metrics', () => {
      expect(sample(/^process_cpu_seconds_total /)).toBeDefined();
      expect(sample(/^nodejs_eventloop_lag_seconds /)).toBeDefined();
    });
  });
});
