import type { JsonObject, RecordedEvent } from '@aid/event-store';
import { CloudEvent, ValidationError } from 'cloudevents';

/**
 * The relay's message body: a CloudEvent 1.0 (JSON format) carrying the event's data, with the
 * store's bookkeeping as extensions (names must be lowercase alphanumerics, hence `recordedat`).
 * The constructor validates it against the CloudEvents 1.0 schema and throws if invalid.
 */
export function toCloudEvent(event: RecordedEvent, context: string): CloudEvent<JsonObject> {
  // The library would invent a random id for an empty one, and duplicates would then get through.
  if (!event.id) throw new ValidationError(`event at position ${event.position} has no id`);
  return new CloudEvent<JsonObject>({
    specversion: '1.0',
    id: event.id,
    source: `/aid/${context}`,
    type: `aid.${context}.${event.type}.v1`,
    subject: event.stream,
    time: cloudEventTime(event),
    datacontenttype: 'application/json',
    data: event.data,
    position: event.position,
    revision: event.revision,
    recordedat: event.metadata.recordedAt,
    correlationid: event.metadata.correlationId,
  });
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The business time, as CloudEvents requires it (RFC 3339). One malformed event must never stop
 * the relay for every event behind it: a day becomes its start in UTC, anything else falls back
 * to the record time (the original stays in the store, where the audit sees it).
 */
export function cloudEventTime(event: RecordedEvent): string {
  const occurredAt = event.metadata.occurredAt;
  if (RFC3339.test(occurredAt) && !Number.isNaN(Date.parse(occurredAt))) return occurredAt;
  if (/^\d{4}-\d{2}-\d{2}$/.test(occurredAt)) return `${occurredAt}T00:00:00.000Z`;
  return event.metadata.recordedAt;
}
