import type { Pool, PoolClient } from 'pg';
import type { LogPage, LogQuery, PositionCheck, PositionGap, RecordedEvent } from '../port';
import {
  EVENT_COLUMNS,
  type EventRow,
  formatCheckpoint,
  type LogCursor,
  parseCheckpoint,
  toRecordedEvent,
  toSafeInteger,
} from './rows';

const DEFAULT_SCAN_LIMIT = 10_000;
const DEFAULT_SNAPSHOT_BATCH = 1000;
const DEFAULT_MAX_GAPS = 100;

/** metadata.occurredAt as a timestamptz, or null when it is not an RFC 3339 date-time (never an error). */
const OCCURRED_AT = `CASE WHEN e.metadata->>'occurredAt' ~ '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$'
  THEN (e.metadata->>'occurredAt')::timestamptz END`;

/**
 * The audit's page of the log. Like the catch-up (postgres-event-store.ts), it reads in
 * (order_xid, position) order and only rows of transactions that have ended, so a page boundary
 * never passes over an event whose transaction commits later. It examines at most `scanLimit`
 * rows after the cursor (one stream's rows when `stream` is given, through its index), and
 * returns the matches among them, up to `limit`.
 */
export async function readLogPage(pool: Pool, schema: string, query: LogQuery): Promise<LogPage> {
  const scanLimit = query.scanLimit ?? DEFAULT_SCAN_LIMIT;
  if (!Number.isSafeInteger(query.limit) || query.limit < 1)
    throw new RangeError('limit must be a positive integer');
  if (!Number.isSafeInteger(scanLimit) || scanLimit < 1)
    throw new RangeError('scanLimit must be a positive integer');
  const cursor = parseCheckpoint(query.after);
  const result = await pool.query<[...EventRow, boolean, string | null]>({
    text: logPageSql(schema, query.stream !== undefined),
    values: [
      cursor.orderXid,
      cursor.position,
      scanLimit,
      query.limit,
      query.types && query.types.length > 0 ? query.types : null,
      query.recordedFrom?.toISOString() ?? null,
      query.recordedTo?.toISOString() ?? null,
      query.occurredFrom?.toISOString() ?? null,
      query.occurredTo?.toISOString() ?? null,
      query.correlationId ?? null,
      query.stream ?? null,
    ],
    rowMode: 'array',
  });
  const events: RecordedEvent[] = [];
  let windowEnd: LogCursor | undefined;
  let scanned = 0;
  for (const row of result.rows) {
    if (row[10]) {
      windowEnd = { orderXid: row[1], position: toSafeInteger(row[0], 'position') };
      scanned = toSafeInteger(row[11] ?? 0, 'count');
    } else {
      events.push(toRecordedEvent(row.slice(0, 10) as EventRow));
    }
  }
  if (events.length >= query.limit) return { events, next: events[events.length - 1].checkpoint };
  if (scanned >= scanLimit && windowEnd) return { events, next: formatCheckpoint(windowEnd) };
  return { events };
}

function logPageSql(schema: string, oneStream: boolean): string {
  // Within a stream, revision order is (order_xid, position) order: appends to a stream are
  // serialised by its head's lock, and order_xid never decreases along a stream.
  const scanned = oneStream
    ? `SELECT position, order_xid FROM ${schema}.events
       WHERE stream_id = $11 AND order_xid < pg_snapshot_xmin(pg_current_snapshot())
         AND (order_xid, position) > ($1::xid8, $2::bigint)
       ORDER BY revision LIMIT $3`
    : `SELECT position, order_xid FROM ${schema}.events
       WHERE order_xid < pg_snapshot_xmin(pg_current_snapshot())
         AND (order_xid, position) > ($1::xid8, $2::bigint)
       ORDER BY order_xid, position LIMIT $3`;
  const columns = EVENT_COLUMNS.split(', ')
    .map((column) => `e.${column}`)
    .join(', ');
  return `WITH scanned AS MATERIALIZED (${scanned}),
    matched AS MATERIALIZED (
      SELECT e.position, e.order_xid FROM scanned s JOIN ${schema}.events e ON e.position = s.position
      WHERE ($5::text[] IS NULL OR e.type = ANY ($5::text[]))
        AND ($6::timestamptz IS NULL OR e.recorded_at >= $6::timestamptz)
        AND ($7::timestamptz IS NULL OR e.recorded_at <= $7::timestamptz)
        AND (($8::timestamptz IS NULL AND $9::timestamptz IS NULL)
             OR ${OCCURRED_AT} BETWEEN coalesce($8::timestamptz, '-infinity') AND coalesce($9::timestamptz, 'infinity'))
        AND ($10::text IS NULL OR e.metadata->>'correlationId' = $10::text)
        AND ($11::text IS NULL OR e.stream_id = $11::text)
      ORDER BY e.order_xid, e.position LIMIT $4)
    SELECT * FROM (
      SELECT ${columns}, false AS is_window_end, NULL::bigint AS scanned
      FROM matched m JOIN ${schema}.events e ON e.position = m.position
      UNION ALL
      (SELECT position, order_xid, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, true, (SELECT count(*) FROM scanned)
       FROM scanned ORDER BY order_xid DESC, position DESC LIMIT 1)
    ) AS page
    ORDER BY is_window_end, order_xid, position`;
}

/**
 * Gaps between stored positions, found by the server in one pass over the primary key (only the
 * gaps come back), and after the last stored event up to what the position sequence has handed
 * out. Runs in the caller's snapshot when given a client inside a transaction.
 */
export async function findPositionGaps(
  db: Pick<PoolClient, 'query'>,
  schema: string,
  maxGaps = DEFAULT_MAX_GAPS,
): Promise<PositionCheck> {
  const summary = await db.query<{
    events: string;
    first: string | null;
    last: string | null;
    sequence_last: string;
    sequence_called: boolean;
  }>(
    `SELECT count(*) AS events, min(position) AS first, max(position) AS last,
            (SELECT last_value FROM ${schema}.events_position_seq) AS sequence_last,
            (SELECT is_called FROM ${schema}.events_position_seq) AS sequence_called
     FROM ${schema}.events`,
  );
  const inner = await db.query<{ gap_count: string; missing: string | null; gaps: PositionGap[] | null }>(
    `WITH gaps AS MATERIALIZED (
       SELECT previous AS after, position AS before, position - previous - 1 AS missing
       FROM (SELECT position, lag(position, 1, 0::bigint) OVER (ORDER BY position) AS previous
             FROM ${schema}.events) AS neighbours
       WHERE position - previous > 1)
     SELECT (SELECT count(*) FROM gaps) AS gap_count, (SELECT sum(missing) FROM gaps) AS missing,
            (SELECT json_agg(first_gaps ORDER BY first_gaps.before)
               FROM (SELECT * FROM gaps ORDER BY before LIMIT $1) AS first_gaps) AS gaps`,
    [maxGaps],
  );
  const { events, first, last, sequence_last: sequenceLast, sequence_called: called } = summary.rows[0];
  const lastStored = last === null ? 0 : toSafeInteger(last, 'position');
  const handedOut = called ? toSafeInteger(sequenceLast, 'position') : 0;
  const gaps = (inner.rows[0].gaps ?? []).map((gap) => ({
    after: Number(gap.after),
    before: Number(gap.before),
    missing: Number(gap.missing),
  }));
  let gapCount = toSafeInteger(inner.rows[0].gap_count, 'count');
  let missingPositions = inner.rows[0].missing === null ? 0 : toSafeInteger(inner.rows[0].missing, 'count');
  if (handedOut > lastStored) {
    // Positions handed out after the newest stored event: a rolled-back append, or a deleted tail.
    gapCount++;
    missingPositions += handedOut - lastStored;
    if (gaps.length < maxGaps) {
      gaps.push({ after: lastStored, before: handedOut + 1, missing: handedOut - lastStored });
    }
  }
  return {
    checked: true,
    events: toSafeInteger(events, 'count'),
    first: first === null ? null : toSafeInteger(first, 'position'),
    last: last === null ? null : lastStored,
    gaps,
    gapCount,
    missingPositions,
  };
}

/**
 * Every event in position order as of one snapshot (a read-only REPEATABLE READ transaction on
 * one connection), a batch at a time: the caller's pace sets the reading pace, and an early
 * return rolls the transaction back and frees the connection.
 */
export async function* readSnapshotBatches(
  pool: Pool,
  schema: string,
  batchSize = DEFAULT_SNAPSHOT_BATCH,
): AsyncGenerator<RecordedEvent[]> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new RangeError('batchSize must be a positive integer');
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    let after = 0;
    for (;;) {
      const result = await client.query<EventRow>({
        text: `SELECT ${EVENT_COLUMNS} FROM ${schema}.events WHERE position > $1 ORDER BY position LIMIT $2`,
        values: [after, batchSize],
        rowMode: 'array',
      });
      if (result.rows.length === 0) break;
      const events = result.rows.map(toRecordedEvent);
      after = events[events.length - 1].position;
      yield events;
      if (result.rows.length < batchSize) break;
    }
  } finally {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    client.release(broken);
  }
}
