import type { EventMetadata, JsonObject, RecordedEvent } from '@aid/event-store';

/** An event as the audit shows it: everything stored, with its place in the hash chain. */
export interface AuditEvent {
  id: string;
  type: string;
  stream: string;
  revision: number;
  position: number;
  data: JsonObject;
  metadata: EventMetadata;
  hash: string;
  prevHash: string;
}

export function toAuditEvent(event: RecordedEvent): AuditEvent {
  return {
    id: event.id,
    type: event.type,
    stream: event.stream,
    revision: event.revision,
    position: event.position,
    data: event.data,
    metadata: event.metadata,
    hash: event.hash,
    prevHash: event.prevHash,
  };
}
