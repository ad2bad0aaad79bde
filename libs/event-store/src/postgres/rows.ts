import type { Checkpoint, EventMetadata, JsonObject, RecordedEvent } from '../port';

/** pg returns bigint as text; a revision or position beyond 2^53 must fail loudly, never round. */
export function toSafeInteger(value: string | number, what: string): number {
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(number)) throw new RangeError(`${what} ${String(value)} is not a safe integer`);
  return number;
}

/** The columns every read selects, in the order `toRecordedEvent` expects. */
export const EVENT_COLUMNS =
  'position, order_xid, id, stream_id, revision, type, data, metadata, hash, prev_hash' as const;

export type EventRow = [
  position: string,
  orderXid: string,
  id: string,
  streamId: string,
  revision: string,
  type: string,
  data: JsonObject,
  metadata: EventMetadata,
  hash: string,
  prevHash: string,
];

export function toRecordedEvent(row: EventRow): RecordedEvent {
  const position = toSafeInteger(row[0], 'position');
  return {
    id: row[2],
    type: row[5],
    stream: row[3],
    revision: toSafeInteger(row[4], 'revision'),
    position,
    data: row[6],
    metadata: row[7],
    hash: row[8],
    prevHash: row[9],
    checkpoint: formatCheckpoint({ orderXid: row[1], position }),
  };
}

/** Where a subscriber stands in the (order_xid, position) order of the log. */
export interface LogCursor {
  /** xid8 as decimal text: it can exceed 2^53, and only PostgreSQL compares it. */
  orderXid: string;
  position: number;
}

export const LOG_START: LogCursor = { orderXid: '0', position: 0 };

export function formatCheckpoint(cursor: LogCursor): Checkpoint {
  return `${cursor.orderXid}:${cursor.position}`;
}

/** Accepts a checkpoint or 'start'. */
export function parseCheckpoint(checkpoint: Checkpoint): LogCursor {
  if (checkpoint === 'start') return LOG_START;
  const match = /^(\d{1,20}):(\d{1,16})$/.exec(checkpoint);
  if (!match) throw new TypeError(`not a PostgreSQL event store checkpoint: ${JSON.stringify(checkpoint)}`);
  return { orderXid: match[1], position: toSafeInteger(match[2], 'checkpoint position') };
}
