import {
  BACKWARDS,
  END,
  FORWARDS,
  START,
  type EventStoreDBClient,
  type Position,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import { matchesLogFilter } from '../log-filter';
import type {
  Checkpoint,
  EventBatch,
  GlobalFilter,
  LogPage,
  LogQuery,
  PositionCheck,
  RecordedEvent,
} from '../port';
import { comparePositions, formatCheckpoint, parseCheckpoint } from './esdb-positions';
import { readEvents } from './esdb-reads';
import { fromEsdbRecord, isSystemEvent, matchesFilter } from './esdb-records';

const DEFAULT_SCAN_LIMIT = 10_000;

/**
 * Our events in $all after `after` (exclusive), in commit order, which is the order subscriptions
 * deliver. EventStoreDB reads $all from a position inclusively, hence the skip.
 */
async function* ourEventsAfter(
  client: EventStoreDBClient,
  after: Position | 'start',
): AsyncGenerator<EsdbRecordedEvent> {
  const read = client.readAll({ direction: FORWARDS, fromPosition: after === 'start' ? START : after });
  for await (const resolved of readEvents(read)) {
    const record = resolved.event;
    if (!record?.position || isSystemEvent(record)) continue;
    if (after !== 'start' && comparePositions(record.position, after) <= 0) continue;
    yield record;
  }
}

/**
 * A subscription with `until`: $all read forwards up to that checkpoint, then done. Everything
 * before a checkpoint the store handed out is already written, so a plain read suffices.
 */
export async function* readUntil(
  client: EventStoreDBClient,
  options: {
    /** A checkpoint, or 'start'. */
    from: Checkpoint;
    until: Checkpoint;
    filter: GlobalFilter;
    batchSize: number;
    signal: AbortSignal;
  },
): AsyncGenerator<EventBatch> {
  const until = parseCheckpoint(options.until);
  let events: RecordedEvent[] = [];
  for await (const record of ourEventsAfter(
    client,
    options.from === 'start' ? 'start' : parseCheckpoint(options.from),
  )) {
    if (options.signal.aborted) return;
    if (comparePositions(record.position!, until) > 0) break;
    if (!matchesFilter(options.filter, record)) continue;
    events.push(fromEsdbRecord(record));
    if (events.length >= options.batchSize) {
      yield { events, checkpoint: events[events.length - 1].checkpoint };
      events = [];
    }
  }
  if (events.length > 0 && !options.signal.aborted)
    yield { events, checkpoint: events[events.length - 1].checkpoint };
}

/** The audit's page: EventStoreDB cannot filter a read of $all on the server, so it is filtered here. */
export async function readLogPage(client: EventStoreDBClient, query: LogQuery): Promise<LogPage> {
  const scanLimit = query.scanLimit ?? DEFAULT_SCAN_LIMIT;
  if (!Number.isSafeInteger(query.limit) || query.limit < 1)
    throw new RangeError('limit must be a positive integer');
  if (!Number.isSafeInteger(scanLimit) || scanLimit < 1)
    throw new RangeError('scanLimit must be a positive integer');
  const events: RecordedEvent[] = [];
  let scanned = 0;
  let lastScanned: Position | undefined;
  for await (const record of ourEventsAfter(
    client,
    query.after === 'start' ? 'start' : parseCheckpoint(query.after),
  )) {
    scanned++;
    lastScanned = record.position;
    const event = fromEsdbRecord(record);
    if (matchesLogFilter(event, query)) {
      events.push(event);
      if (events.length >= query.limit) return { events, next: event.checkpoint };
    }
    if (scanned >= scanLimit) return { events, next: formatCheckpoint(lastScanned!) };
  }
  return { events };
}

export function positionsNotChecked(): PositionCheck {
  return {
    checked: false,
    note:
      'EventStoreDB positions are offsets in its transaction log, not consecutive numbers: a gap ' +
      'between them means nothing, so only the hash chains and stream revisions are checked',
    events: 0,
    first: null,
    last: null,
    gaps: [],
    gapCount: 0,
    missingPositions: 0,
  };
}

/** $all from the start up to the last event there when the export began, in batches. */
export async function* readSnapshotBatches(
  client: EventStoreDBClient,
  batchSize: number,
): AsyncGenerator<RecordedEvent[]> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new RangeError('batchSize must be a positive integer');
  let end: Position | undefined;
  for await (const resolved of readEvents(
    client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }),
  )) {
    end = resolved.event?.position;
  }
  if (!end) return;
  let batch: RecordedEvent[] = [];
  for await (const record of ourEventsAfter(client, 'start')) {
    if (comparePositions(record.position!, end) > 0) break;
    batch.push(fromEsdbRecord(record));
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
