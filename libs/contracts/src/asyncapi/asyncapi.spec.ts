import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Parser } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { COMMUNITIES_EVENT_TYPES } from '../communities/events';
import { LOGISTICS_EVENT_TYPES } from '../logistics/events';
import { PARTNERSHIP_EVENT_TYPES } from '../partnerships/events';
import { buildAsyncApiDocument } from './asyncapi-document';
import { ALL_EVENT_TYPES, EVENT_TYPES_BY_CONTEXT } from './event-catalog';
import { EVENT_DATA_SCHEMAS } from './event-schemas';

type Document = {
  channels: Record<string, { address: string }>;
  operations: Record<string, { action: string }>;
  components: { messages: Record<string, unknown>; schemas: Record<string, object> };
};

describe('the AsyncAPI document of the partner feed', () => {
  const document = buildAsyncApiDocument() as unknown as Document;

  it("has a channel, message, receive operation and data schema for every event type of the contracts' lists", () => {
    // The contexts' own lists, which the compiler checks against their unions (event-catalog.ts).
    const contracts = {
      communities: [...COMMUNITIES_EVENT_TYPES],
      partnerships: [...PARTNERSHIP_EVENT_TYPES],
      logistics: [...LOGISTICS_EVENT_TYPES],
    };
    expect(EVENT_TYPES_BY_CONTEXT).toEqual(contracts);
    const addresses = Object.entries(contracts).flatMap(([context, types]) =>
      types.map((type) => `aid.${context}.${type}.{communityId}`),
    );
    expect(Object.values(document.channels).map((channel) => channel.address)).toEqual(addresses);
    expect(Object.keys(document.components.messages)).toEqual(ALL_EVENT_TYPES);
    expect(Object.keys(document.operations)).toEqual(ALL_EVENT_TYPES.map((type) => `receive${type}`));
    expect(Object.values(document.operations).every((operation) => operation.action === 'receive')).toBe(
      true,
    );
    for (const type of ALL_EVENT_TYPES) expect(document.components.schemas[`${type}Data`]).toBeDefined();
  });

  it('passes @asyncapi/parser validation without errors or warnings', async () => {
    const diagnostics = await new Parser().validate(JSON.stringify(document));
    // Severity 0 is an error, 1 a warning; 2 and 3 are information and hints (such as "3.1.0 exists").
    expect(diagnostics.filter((diagnostic) => Number(diagnostic.severity) <= 1)).toEqual([]);
    const { document: parsed } = await new Parser().parse(JSON.stringify(document));
    expect(parsed?.allMessages().length).toBe(ALL_EVENT_TYPES.length);
    expect(parsed?.channels().get('ShipmentSent')?.address()).toBe(
      'aid.logistics.ShipmentSent.{communityId}',
    );
  });

  it('describes the data of real events, and refuses data that breaks the contract', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const valid = (type: keyof typeof EVENT_DATA_SCHEMAS, data: unknown) =>
      ajv.validate(EVENT_DATA_SCHEMAS[type].json, data);
    const shipment = '0190a4c2-7d1e-7000-8000-000000000001';
    const ochakiv = '0190a4c2-7d1e-7000-8000-000000000002';
    expect(
      valid('ShipmentPlanned', {
        shipmentId: shipment,
        originPartyId: ochakiv,
        destinationCommunityId: ochakiv,
        items: [{ category: 'food', description: 'flour', quantity: 40, unit: 'bag', weightKg: 1000.125 }],
      }),
    ).toBe(true);
    expect(valid('ShipmentSent', { sentAt: '2024-05-01T08:00:00.000Z', totalWeightKg: 1000.125 })).toBe(true);
    expect(
      valid('PartnershipActivityRecorded', {
        type: 'visit',
        date: '2024-06',
        summary: 'Planned visit',
        participants: [ochakiv],
        indicators: { 'women-hosted': 650 },
        planned: true,
      }),
    ).toBe(true);
    expect(valid('ShipmentSent', { sentAt: '2024-05-01T08:00:00.000Z' })).toBe(false);
    expect(valid('ShipmentSent', { sentAt: 'yesterday', totalWeightKg: 1 })).toBe(false);
    expect(valid('ShipmentCancelled', { reason: 'road closed', by: 'someone' })).toBe(false);
    expect(
      valid('FrontlineStatusChanged', { communityId: ochakiv, status: 'front', effectiveFrom: '2024-05-01' }),
    ).toBe(false);
  });

  it('is what docs/asyncapi.json holds (run `npm run asyncapi` after changing an event)', () => {
    const committed: unknown = JSON.parse(
      readFileSync(path.join(__dirname, '..', '..', '..', '..', 'docs', 'asyncapi.json'), 'utf8'),
    );
    expect(committed).toEqual(document);
  });
});
