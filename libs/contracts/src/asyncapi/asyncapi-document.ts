import { type EventContext, EVENT_TYPES_BY_CONTEXT } from './event-catalog';
import { EVENT_DATA_SCHEMAS, type EventType } from './event-schemas';
import { type JsonSchema } from './json-schema';

export interface AsyncApiOptions {
  /** host:port of the NATS server partners connect to. */
  natsHost?: string;
  /** The document's version (the contract's, not the software's). */
  version?: string;
}

/** The stream prefixes each context's events come from: the CloudEvent `subject`. */
const STREAMS_OF: Record<EventContext, string> = {
  communities: '^(community|organisation)-',
  partnerships: '^partnership-',
  logistics: '^shipment-',
};

const DESCRIPTION = `Every event of Aid ledger's three contexts, as the relay publishes it to the JetStream stream \
AID_EVENTS: a CloudEvent 1.0 (JSON) on the subject aid.<context>.<EventType>.<communityId>, with Nats-Msg-Id = \
the event id.

The community is the one the event concerns: a community's own events that community, an organisation's its parent \
community, a shipment's its destination, a partnership's its outpost party or else its first Ukrainian party \
(an organisation party counts as its parent community). An event concerning no community is on the token "none". \
A partnership with several Ukrainian communities is also copied onto the subject of each other one (header \
Aid-Primary-Subject names the original, Nats-Msg-Id is <eventId>:<communityId>); the CloudEvent is the same, so a \
reader of several communities drops the second copy by its id. Order within a community follows the stream; across \
communities, the position extension is the global order.

Security: partners connect with the NKey made by \`npm run partner:add\`, in a NATS account of their own that can \
only pull and acknowledge the durable consumers made for them (one per community: partner-<name>-<communityId>, \
filter aid.*.*.<communityId>) through the JetStream domain "aid"; they can publish nothing and subscribe to nothing \
else, and the server refuses it. Only the services user publishes. Without NATS, the same CloudEvents come over HTTP: \
GET /v1/events (Server-Sent Events, id = global position) and signed webhooks (POST /v1/webhooks).`;

/** The AsyncAPI 3.0 document of the partner feed, built from the contracts' event lists and schemas. */
export function buildAsyncApiDocument(options: AsyncApiOptions = {}): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, JsonSchema> = {
    CloudEventEnvelope: CLOUD_EVENT_ENVELOPE,
    RelayHeaders: RELAY_HEADERS,
  };

  for (const [context, types] of Object.entries(EVENT_TYPES_BY_CONTEXT) as Array<
    [EventContext, readonly EventType[]]
  >) {
    for (const type of types) {
      const data = EVENT_DATA_SCHEMAS[type].json;
      schemas[`${type}Data`] = data;
      messages[type] = {
        name: type,
        title: `${type} (${context})`,
        summary: typeof data.description === 'string' ? data.description : type,
        contentType: 'application/json',
        headers: { $ref: '#/components/schemas/RelayHeaders' },
        payload: {
          allOf: [
            { $ref: '#/components/schemas/CloudEventEnvelope' },
            {
              type: 'object',
              properties: {
                source: { const: `/aid/${context}` },
                type: { const: `aid.${context}.${type}.v1` },
                subject: { type: 'string', pattern: STREAMS_OF[context] },
                data: { $ref: `#/components/schemas/${type}Data` },
              },
            },
          ],
        },
      };
      channels[type] = {
        address: `aid.${context}.${type}.{communityId}`,
        title: `${type} events`,
        parameters: { communityId: { $ref: '#/components/parameters/communityId' } },
        messages: { [type]: { $ref: `#/components/messages/${type}` } },
      };
      operations[`receive${type}`] = {
        action: 'receive',
        summary: `A partner receives ${type} events of its communities`,
        channel: { $ref: `#/channels/${type}` },
        messages: [{ $ref: `#/channels/${type}/messages/${type}` }],
      };
    }
  }

  return {
    asyncapi: '3.0.0',
    info: { title: 'Aid ledger events', version: options.version ?? '1.0.0', description: DESCRIPTION },
    defaultContentType: 'application/json',
    servers: {
      nats: {
        host: options.natsHost ?? 'localhost:4222',
        protocol: 'nats',
        description: 'NATS with JetStream: stream AID_EVENTS; partners use the JetStream domain "aid"',
        security: [{ $ref: '#/components/securitySchemes/partnerNKey' }],
      },
    },
    channels,
    operations,
    components: {
      schemas,
      messages,
      parameters: {
        communityId: {
          description: 'Id (UUID) of the community the event concerns, or "none" when it concerns none',
          examples: ['0190a4c2-7d1e-7000-8000-000000000001', 'none'],
        },
      },
      securitySchemes: {
        partnerNKey: {
          type: 'asymmetricEncryption',
          description:
            'NATS NKey challenge: the partner keeps the seed printed by `npm run partner:add`; the server knows only the public key',
        },
      },
    },
  };
}

const CLOUD_EVENT_ENVELOPE: JsonSchema = {
  type: 'object',
  description: 'CloudEvents 1.0, JSON format, with the event store bookkeeping as extensions',
  required: [
    'specversion',
    'id',
    'source',
    'type',
    'subject',
    'time',
    'datacontenttype',
    'data',
    'position',
    'revision',
  ],
  properties: {
    specversion: { const: '1.0' },
    id: {
      type: 'string',
      format: 'uuid',
      description: 'The event id: the same on every copy and redelivery',
    },
    source: { type: 'string', description: '/aid/<context>' },
    type: { type: 'string', description: 'aid.<context>.<EventType>.v1' },
    subject: { type: 'string', description: 'The stream in the event store, e.g. shipment-<id>' },
    time: { type: 'string', format: 'date-time', description: 'Business time: when it happened' },
    datacontenttype: { const: 'application/json' },
    data: { type: 'object' },
    position: { type: 'integer', minimum: 1, description: 'Global position in the event store' },
    revision: { type: 'integer', minimum: 0, description: 'Revision in its stream, from 0' },
    recordedat: {
      type: 'string',
      format: 'date-time',
      description: 'Record time: when the store accepted it',
    },
    correlationid: { type: 'string', description: 'Ties the event to the request that caused it' },
  },
};

const RELAY_HEADERS: JsonSchema = {
  type: 'object',
  properties: {
    'Nats-Msg-Id': {
      type: 'string',
      description:
        'The event id; <eventId>:<communityId> on a copy. JetStream drops a repeat within an hour.',
    },
    'Aid-Primary-Subject': {
      type: 'string',
      description: 'Only on a copy for another concerned community: the subject of the original message',
    },
    'Aid-Store-Id': {
      type: 'string',
      format: 'uuid',
      description:
        'The id of the event store the event was relayed from, on every message. It changes only when the ' +
        'store is replaced (a new database); events under another id are another history, not a continuation.',
    },
  },
};
