import {
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type EventData,
  type Filter,
  type Position,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import { GENESIS_HASH, canonicalEventText, chainHash } from '../hash-chain';
import type { EventMetadata, GlobalFilter, JsonObject, NewEvent, RecordedEvent } from '../port';
import { formatCheckpoint, globalPositionOf, toSafeNumber } from './esdb-positions';

/** The stream's last event as far as the hash chain cares. */
export interface ChainHead {
  revision: number;
  hash: string;
}

/** An event ready to append: revision assigned, record time set, hash computed. */
export interface PreparedEvent {
  id: string;
  type: string;
  stream: string;
  revision: number;
  data: JsonObject;
  metadata: EventMetadata;
  hash: string;
  prevHash: string;
}

/** What EventStoreDB stores as an event's metadata: ours plus the two links of the chain. */
export type StoredMetadata = EventMetadata & { hash: string; prevHash: string };

/**
 * Assigns revisions after `head` and links each event to the previous one. recordedAt is part of
 * the hashed metadata, so it is fixed here, once for the whole append.
 */
export function prepareAppend(
  stream: string,
  events: NewEvent[],
  head: ChainHead | null,
  recordedAt: string,
): PreparedEvent[] {
  let prevHash = head?.hash ?? GENESIS_HASH;
  let revision = head === null ? 0 : head.revision + 1;
  return events.map((event) => {
    const metadata: EventMetadata = { ...event.metadata, recordedAt };
    const content = { id: event.id, type: event.type, stream, revision, data: event.data, metadata };
    const hash = chainHash(prevHash, canonicalEventText(content));
    const prepared: PreparedEvent = { ...content, hash, prevHash };
    prevHash = hash;
    revision += 1;
    return prepared;
  });
}

export function toEventData(event: PreparedEvent): EventData {
  const metadata: StoredMetadata = { ...event.metadata, hash: event.hash, prevHash: event.prevHash };
  return jsonEvent({ id: event.id, type: event.type, data: event.data, metadata });
}

/** System streams and system event types ($stats, $metadata, projection links) are EventStoreDB's, not ours. */
export function isSystemEvent(event: { streamId: string; type: string }): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/**
 * The first log position of an EventStoreDB database holds its epoch record, never an event, and
 * 2^64-1 is what older servers send when they do not know the position. Either means the server
 * did not tell us where the event is.
 */
const UNKNOWN_POSITION = 2n ** 64n - 1n;

function knownPosition(record: EsdbRecordedEvent): Position {
  const position = record.position;
  if (!position || position.commit <= 0n || position.commit >= UNKNOWN_POSITION) {
    throw new Error(
      `EventStoreDB returned event ${record.id} of ${record.streamId} without its $all position; ` +
        'stream reads carry it from EventStoreDB 22.10 on, so upgrade the server',
    );
  }
  return position;
}

/** Maps an event written by this adapter back to the port's shape; refuses anything else loudly. */
export function fromEsdbRecord(record: EsdbRecordedEvent): RecordedEvent {
  const where = `event ${record.id} at ${record.streamId}@${record.revision}`;
  if (!record.isJson || !isPlainObject(record.data)) {
    throw new Error(`${where} is not a JSON object event written by the aid ledger event store`);
  }
  const stored = record.metadata;
  if (!isPlainObject(stored) || typeof stored.hash !== 'string' || typeof stored.prevHash !== 'string') {
    throw new Error(`${where} has no hash chain metadata; it was not written by the aid ledger event store`);
  }
  const { hash, prevHash, ...metadata } = stored;
  const position = knownPosition(record);
  return {
    id: record.id,
    type: record.type,
    stream: record.streamId,
    revision: toSafeNumber(record.revision, 'stream revision'),
    position: globalPositionOf(position),
    data: record.data as JsonObject,
    metadata: metadata as unknown as EventMetadata,
    hash,
    prevHash,
    checkpoint: formatCheckpoint(position),
  };
}

/** Filters with empty lists constrain nothing, the same as leaving them out. */
export function normalizeFilter(filter: GlobalFilter): GlobalFilter {
  return {
    streamPrefixes: filter.streamPrefixes?.length ? filter.streamPrefixes : undefined,
    types: filter.types?.length ? filter.types : undefined,
  };
}

export function matchesFilter(filter: GlobalFilter, event: { streamId: string; type: string }): boolean {
  const { streamPrefixes, types } = normalizeFilter(filter);
  if (streamPrefixes && !streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))) return false;
  if (types && !types.includes(event.type)) return false;
  return true;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The server-side filter for a subscription. EventStoreDB filters on one thing only, stream name
 * or event type, so with both given the stream prefixes go to the server and the types are checked
 * here too (matchesFilter runs on every delivered event anyway). Types are matched exactly, hence a
 * regex rather than prefixes, which would let "ShipmentSent" admit "ShipmentSentCorrected".
 */
export function serverFilter(filter: GlobalFilter): Filter {
  const { streamPrefixes, types } = normalizeFilter(filter);
  if (streamPrefixes) return streamNameFilter({ prefixes: streamPrefixes });
  if (types) return eventTypeFilter({ regex: `^(?:${types.map(escapeRegex).join('|')})$` });
  return excludeSystemEvents();
}
