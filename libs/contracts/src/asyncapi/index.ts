// The partner feed's AsyncAPI document and the event lists and schemas it is built from. The
// schema builders stay inside: names such as `string` and `object` do not belong in @aid/contracts.
export * from './event-catalog';
export { EVENT_DATA_SCHEMAS, type EventType } from './event-schemas';
export type { JsonSchema, Schema } from './json-schema';
export * from './asyncapi-document';
