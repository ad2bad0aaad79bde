import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, DatabaseError, Pool, type PoolClient, type QueryArrayConfig } from 'pg';
import { DependencyUnavailableError, IdempotencyMismatchError, WrongExpectedRevisionError } from '../errors';
import type {
  AppendResult,
  Checkpoint,
  EventBatch,
  EventStore,
  ExpectedRevision,
  GlobalFilter,
  JsonObject,
  LogPage,
  LogQuery,
  NewEvent,
  PositionCheck,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  VerifyResult,
} from '../port';
import { AppendBatcher } from './append-batcher';
import { findPositionGaps, readLogPage, readSnapshotBatches } from './audit-reads';
import { canonicalText, canonicalTextWith } from './canonical';
import { MIGRATIONS } from './migrations';
import {
  EVENT_COLUMNS,
  type EventRow,
  formatCheckpoint,
  type LogCursor,
  parseCheckpoint,
  toRecordedEvent,
  toSafeInteger,
} from './rows';
import { verifyChains } from './verify';
import { rememberedOnSuccess } from '../remembered';

export interface PostgresEventStoreOptions {
  connectionString: string;
  /** PostgreSQL schema holding the store's tables (default 'event_store'). */
  schema?: string;
  /** Connections in the pool (default 10). Subscriptions borrow one per batch query. */
  poolSize?: number;
  /** How often a live subscription polls when nothing woke it (default 100 ms). */
  idlePollMs?: number;
  /**
   * Append calls outside a transaction that run at once (default 2, at most poolSize; twice as
   * many for appends of 50 events or more). Callers beyond that wait, and then go together: one
   * round trip and one commit (see AppendBatcher).
   */
  appendLanes?: number;
}

/** Appends inside `PostgresEventStore.transaction`: all or none of them commit. */
export interface EventStoreTransaction {
  append(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
}

type Queryable = Pick<PoolClient, 'query'>;

type AppendAttempt =
  | { kind: 'appended'; result: AppendResult }
  | { kind: 'exists' }
  | { kind: 'conflict'; actual: number | null }
  /** Another transaction created the stream first (a unique violation: an enclosing transaction is aborted). */
  | { kind: 'created-concurrently' }
  /** Another transaction stored one of these ids first (a unique violation, as above). */
  | { kind: 'id-taken' };

/** An append checked and encoded, ready to send. */
interface PendingAppend {
  stream: string;
  events: NewEvent[];
  /** -1 = the stream must not exist. */
  expectedRevision: number;
  /** When the store accepted it: metadata.recordedAt of its events. */
  recordedAt: string;
  ids: string[];
  types: string[];
  /**
   * The canonical JSON of each event's data, and of its metadata with recordedAt set, joined
   * with RECORD_SEPARATOR: sent without escaping, stored as it is, and hashed by append_events
   * (see migrations.ts). Encoded as soon as the append arrives, so that a caller waiting for an
   * append lane spends that time encoding rather than holding up the lane's next call.
   */
  data: string;
  metadata: string;
}

/** Joins the canonical texts sent to append_events; canonical JSON never contains it raw. */
const RECORD_SEPARATOR = '\u001e';

function pendingAppend(stream: string, events: NewEvent[], expected: 'no-stream' | number): PendingAppend {
  if (events.length === 0) throw new TypeError('append needs at least one event');
  if (expected !== 'no-stream' && (!Number.isSafeInteger(expected) || expected < 0)) {
    throw new TypeError(
      `expected revision must be 'no-stream', 'any' or a non-negative integer, got ${expected}`,
    );
  }
  const recordedAt = new Date().toISOString();
  const ids = new Array<string>(events.length);
  const types = new Array<string>(events.length);
  // Joined once rather than appended to piece by piece: pg then encodes flat strings, not ropes.
  const data = new Array<string>(events.length);
  const metadata = new Array<string>(events.length);
  events.forEach((event, index) => {
    ids[index] = event.id;
    types[index] = event.type;
    data[index] = canonicalText(event.data);
    // The stored metadata: the caller's, with recordedAt set by the store.
    metadata[index] = canonicalTextWith(event.metadata as unknown as JsonObject, 'recordedAt', recordedAt);
  });
  return {
    stream,
    events,
    expectedRevision: expected === 'no-stream' ? -1 : expected,
    recordedAt,
    ids,
    types,
    data: data.join(RECORD_SEPARATOR),
    metadata: metadata.join(RECORD_SEPARATOR),
  };
}

/** One read of the log: the matching events, how many rows it scanned, and where it ended. */
interface Batch {
  events: RecordedEvent[];
  scanned: number;
  end: LogCursor | undefined;
}

const DEFAULT_BATCH_SIZE = 2000;
const DEFAULT_APPEND_LANES = 2;
/** How long an append in a lane may wait for a stream head before it runs again on its own. */
const LANE_LOCK_TIMEOUT = '100ms';
const MAX_APPENDS_PER_CALL = 64;
const MAX_EVENTS_PER_CALL = 500;
/** An append of this many events may use twice appendLanes (see AppendBatcher). */
const HEAVY_APPEND_EVENTS = 50;
const NOTIFY_INTERVAL_MS = 10;
const ANY_REVISION_ATTEMPTS = 100;
const START_HINT = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

/**
 * The embedded default event store on PostgreSQL. See `migrations.ts` for the schema and the
 * append function; the design notes are in DESIGN.md ("Event store").
 *
 * Where an append's cost goes, and what keeps it low (measured with bench/store on 2 cores):
 * - One round trip: append_events checks the expected revision and the first id, computes the
 *   hash chain and writes the rows. Node sends each event's data and metadata as canonical JSON
 *   text (canonicalText), which PostgreSQL validates once, stores as `json` and hashes as is.
 * - A one-event append costs far more in its round trip and its durable commit than in its rows.
 *   Outside a caller's transaction, appends therefore go through AppendBatcher: at most
 *   `appendLanes` calls at once, and the callers who arrive meanwhile share the next call, its
 *   round trip and its commit (about half the CPU per event with 16 callers). Each append is
 *   still checked and answered as if alone.
 * - An append is encoded as soon as it arrives, so a caller waiting for a lane encodes while
 *   the lanes talk to PostgreSQL. A call carries at most MAX_EVENTS_PER_CALL events, and heavy
 *   appends (HEAVY_APPEND_EVENTS) get twice the lanes: with 16 callers of 100 events, that kept
 *   both cores busiest, also when other work competes for them.
 * - Reads fetch rows in array mode; the catch-up (a prepared statement) reads the next batch
 *   while the caller handles the current one. It is bound by Node turning rows into events.
 */
export class PostgresEventStore implements EventStore {
  private readonly pool: Pool;
  private readonly schema: string;
  private readonly connectionString: string;
  private readonly idlePollMs: number;
  private readonly channel: string;
  private readonly sql: ReturnType<typeof statements>;
  private readonly appends: AppendBatcher<PendingAppend, AppendAttempt>;

  private closed = false;
  /** Subscriptions waiting for an append, with the stream prefixes they follow (null: every stream). */
  private readonly wakeUps = new Map<() => void, string[] | null>();
  /** Categories of the streams appended to since the last pg_notify (see announceAppend). */
  private readonly unannounced = new Set<string>();
  private readonly subscriptionAborts = new Set<AbortController>();
  private listener: Promise<Client | undefined> | undefined;
  private listenerUsers = 0;
  private notifyTimer: NodeJS.Timeout | undefined;
  private lastNotifyAt = 0;

  constructor(options: PostgresEventStoreOptions) {
    const schema = options.schema ?? 'event_store';
    if (!/^[a-z_][a-z0-9_]{0,50}$/.test(schema)) throw new TypeError(`invalid schema name: ${schema}`);
    this.schema = schema;
    this.connectionString = options.connectionString;
    this.idlePollMs = options.idlePollMs ?? 100;
    this.channel = `${schema}_appended`;
    this.sql = statements(`"${schema}"`);
    const poolSize = options.poolSize ?? 10;
    this.pool = new Pool({ connectionString: options.connectionString, max: poolSize });
    this.appends = new AppendBatcher({
      lanes: Math.max(1, Math.min(options.appendLanes ?? DEFAULT_APPEND_LANES, poolSize)),
      heavyLanes: Math.max(1, Math.min(2 * (options.appendLanes ?? DEFAULT_APPEND_LANES), poolSize)),
      heavyWeight: HEAVY_APPEND_EVENTS,
      maxItems: MAX_APPENDS_PER_CALL,
      maxWeight: MAX_EVENTS_PER_CALL,
      weight: (append) => append.events.length,
      runInLane: async (appends) =>
        appends.length === 1
          ? [await this.runAppend(this.pool, appends[0], LANE_LOCK_TIMEOUT)]
          : this.runAppendGroup(appends),
      runAlone: (append) => this.runAppend(this.pool, append),
    });
    // A broken idle connection is dropped by the pool and the next query reports the failure;
    // without a listener, the 'error' event would crash the process.
    this.pool.on('error', () => undefined);
  }

  /** Creates or upgrades the schema. Idempotent; safe when several services start at once. */
  async migrate(): Promise<void> {
    const client = await this.connectOrExplain();
    try {
      // Session lock: the migrations below commit one by one.
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [
        `aid-event-store-migrations:${this.schema}`,
      ]);
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS "${this.schema}".schema_migrations (
             version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
             checksum text)`,
        );
        const applied = await client.query<{ version: number; checksum: string | null }>(
          `SELECT version, checksum FROM "${this.schema}".schema_migrations`,
        );
        const done = new Map(applied.rows.map((row) => [row.version, row.checksum]));
        for (const migration of MIGRATIONS) {
          if (done.has(migration.version)) {
            if (done.get(migration.version) !== migrationChecksum(migration)) {
              throw new Error(
                `event store schema "${this.schema}" applied migration ${migration.version} (${migration.name}) ` +
                  'in a form this version does not have. Applied migrations are never edited, so this is a ' +
                  'database from a development build: if it holds nothing you need, reset it with ' +
                  `DROP SCHEMA "${this.schema}" CASCADE`,
              );
            }
            continue;
          }
          await client.query('BEGIN');
          try {
            await client.query(migration.sql(`"${this.schema}"`));
            await client.query(
              `INSERT INTO "${this.schema}".schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`,
              [migration.version, migration.name, migrationChecksum(migration)],
            );
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK');
            throw error;
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [
          `aid-event-store-migrations:${this.schema}`,
        ]);
      }
    } finally {
      client.release();
    }
  }

  async append(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const result =
      expected === 'any'
        ? await this.appendAtAnyRevision(stream, events)
        : await this.appendOutsideTransaction(stream, events, expected);
    if (result.appended) this.announceAppend([stream]);
    return result;
  }

  /**
   * Runs `work` in one database transaction: its appends, to any streams, commit together or not
   * at all. A conflict refuses that append and leaves the transaction usable, except when another
   * transaction created the same new stream first (a unique violation aborts the transaction).
   */
  async transaction<T>(work: (tx: EventStoreTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const appended: string[] = [];
    let broken = false;
    try {
      await client.query('BEGIN');
      const tx: EventStoreTransaction = {
        append: async (stream, events, expected) => {
          const result = await this.appendInTransaction(client, stream, events, expected);
          if (result.appended) appended.push(stream);
          return result;
        },
      };
      const value = await work(tx);
      // COMMIT of a transaction that failed (say the work caught an append's error and went
      // on) rolls back without an error; it must not look like success.
      const commit = await client.query('COMMIT');
      if (commit.command !== 'COMMIT')
        throw new Error('the event store transaction failed and was rolled back');
      if (appended.length > 0) this.announceAppend(appended);
      return value;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const last = Number.MAX_SAFE_INTEGER;
    const [low, high] = backwards
      ? [options.toRevision ?? 0, options.fromRevision ?? last]
      : [options.fromRevision ?? 0, options.toRevision ?? last];
    const recordedUntil = options.recordedUntil ? options.recordedUntil.toISOString() : 'infinity';
    const result = await this.pool.query<EventRow>(
      arrayQuery(backwards ? this.sql.readStreamBackwards : this.sql.readStreamForwards, [
        stream,
        low,
        high,
        recordedUntil,
        options.maxCount ?? null,
      ]),
    );
    return result.rows.map(toRecordedEvent);
  }

  async streamRevision(stream: string): Promise<number | null> {
    return this.currentRevision(this.pool, stream);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const result = await this.pool.query<EventRow>(
      arrayQuery(this.sql.readAll, [
        options.afterPosition ?? 0,
        filterArray(options.streamPrefixes),
        filterArray(options.types),
        options.maxCount ?? null,
      ]),
    );
    return result.rows.map(toRecordedEvent);
  }

  async *subscribe(options: SubscribeOptions): AsyncGenerator<EventBatch> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1)
      throw new TypeError('batchSize must be a positive integer');
    let cursor = parseCheckpoint(options.from);
    const until = options.until === undefined ? undefined : parseCheckpoint(options.until);
    const stop = new AbortController();
    const onOuterAbort = () => stop.abort();
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    if (options.signal?.aborted) stop.abort();
    this.subscriptionAborts.add(stop);
    await this.useListener();
    let next: Promise<Batch> | undefined;
    try {
      while (!stop.signal.aborted) {
        const batch = await (next ?? this.readBatch(cursor, batchSize, options));
        next = undefined;
        cursor = batch.end ?? cursor;
        // A full batch means more is waiting: while the consumer handles this one, the
        // database already reads the next (the two run on different cores).
        const catchingUp = batch.scanned >= batchSize;
        if (until) {
          // Done only once the log has been read up to `until`. A batch that is not full yet stops
          // short of it means `until` is still above the visibility horizon (a transaction anywhere
          // in the cluster holds pg_snapshot_xmin back): wait and read again, never end early.
          const upToUntil = yieldUntil(batch.events, until);
          const done = compareCursors(cursor, until) >= 0;
          if (!done && catchingUp) next = this.readBatch(cursor, batchSize, options);
          if (upToUntil.events.length > 0) yield upToUntil;
          if (done) return;
          if (!catchingUp) await this.waitForAppend(stop.signal, options.streamPrefixes);
          continue;
        }
        if (catchingUp) next = this.readBatch(cursor, batchSize, options);
        if (batch.events.length > 0) {
          yield { events: batch.events, checkpoint: formatCheckpoint(cursor) };
        }
        if (!catchingUp) {
          await this.waitForAppend(stop.signal, options.streamPrefixes);
          if (options.gatherMs)
            await delay(options.gatherMs, undefined, { signal: stop.signal }).catch(() => undefined);
        }
      }
    } finally {
      options.signal?.removeEventListener('abort', onOuterAbort);
      this.subscriptionAborts.delete(stop);
      // A read still running would use the pool after the caller moved on (or closed the store).
      await next?.catch(() => undefined);
      await this.releaseListener();
    }
  }

  async checkpointAfter(position: number): Promise<Checkpoint> {
    if (position === 0) return formatCheckpoint({ orderXid: '0', position: 0 });
    const result = await this.pool.query<{ order_xid: string }>({
      name: 'aid_checkpoint_after',
      text: this.sql.orderXidAt,
      values: [position],
    });
    if (result.rows.length === 0) throw new RangeError(`no event at position ${position}`);
    return formatCheckpoint({ orderXid: result.rows[0].order_xid, position });
  }

  /** In one snapshot: appends committing meanwhile must not look like a head that ran ahead of its events. */
  async verify(options: { streamPrefix?: string } = {}): Promise<VerifyResult> {
    return this.inSnapshot((client) => verifyChains(client, `"${this.schema}"`, options.streamPrefix));
  }

  async readLog(query: LogQuery): Promise<LogPage> {
    return readLogPage(this.pool, `"${this.schema}"`, query);
  }

  async checkPositions(options: { maxGaps?: number } = {}): Promise<PositionCheck> {
    return this.inSnapshot((client) => findPositionGaps(client, `"${this.schema}"`, options.maxGaps));
  }

  readSnapshot(options: { batchSize?: number } = {}): AsyncIterable<RecordedEvent[]> {
    return readSnapshotBatches(this.pool, `"${this.schema}"`, options.batchSize);
  }

  /** Read once: the row never changes (migration 2 wrote it). */
  readonly storeId = rememberedOnSuccess(() => this.readStoreId());

  private async readStoreId(): Promise<string> {
    const result = await this.pool.query<{ id: string }>(`SELECT id FROM "${this.schema}".store_identity`);
    if (result.rows.length === 0) {
      throw new Error(`event store schema "${this.schema}" has no store_identity row: run migrate() first`);
    }
    return result.rows[0].id;
  }

  /** A read-only REPEATABLE READ transaction: every query of `work` sees the same moment. */
  private async inSnapshot<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      return await work(client);
    } finally {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.notifyTimer);
    for (const stop of this.subscriptionAborts) stop.abort();
    for (const wake of this.wakeUps.keys()) wake();
    const listener = this.listener;
    this.listener = undefined;
    const client = await listener;
    await client?.end().catch(() => undefined);
    await this.pool.end();
  }

  // --- appending ---

  private async appendOutsideTransaction(
    stream: string,
    events: NewEvent[],
    expected: 'no-stream' | number,
  ): Promise<AppendResult> {
    const attempt = await this.appends.submit(pendingAppend(stream, events, expected));
    return this.settle(this.pool, stream, events, expected, attempt);
  }

  /** 'any' reads the revision and appends at it, so ids and the hash chain work as for an exact append. */
  private async appendAtAnyRevision(stream: string, events: NewEvent[]): Promise<AppendResult> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.currentRevision(this.pool, stream);
      try {
        return await this.appendOutsideTransaction(stream, events, current ?? 'no-stream');
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= ANY_REVISION_ATTEMPTS) throw error;
      }
    }
  }

  private async appendInTransaction(
    client: PoolClient,
    stream: string,
    events: NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    if (expected !== 'any') {
      const attempt = await this.tryAppend(client, stream, events, expected);
      return this.settleInTransaction(client, stream, events, expected, attempt);
    }
    for (;;) {
      // Holding the head's lock, the exact append below cannot conflict.
      const locked = await client.query<{ revision: string }>(this.sql.lockHead, [stream]);
      if (locked.rows.length > 0) {
        const revision = toSafeInteger(locked.rows[0].revision, 'revision');
        const attempt = await this.tryAppend(client, stream, events, revision);
        return this.settleInTransaction(client, stream, events, revision, attempt);
      }
      // A new stream: a concurrent creator must not abort our transaction, so try under a savepoint.
      await client.query('SAVEPOINT aid_append_any');
      const attempt = await this.tryAppend(client, stream, events, 'no-stream');
      if (attempt.kind === 'created-concurrently') {
        await client.query('ROLLBACK TO SAVEPOINT aid_append_any');
        continue;
      }
      await client.query('RELEASE SAVEPOINT aid_append_any');
      // Created and committed by another transaction since we looked: lock it and append there.
      if (attempt.kind === 'conflict') continue;
      return this.settleInTransaction(client, stream, events, 'no-stream', attempt);
    }
  }

  /** As settle, but a unique violation has aborted the transaction, so it always fails the append. */
  private async settleInTransaction(
    client: PoolClient,
    stream: string,
    events: NewEvent[],
    expected: 'no-stream' | number,
    attempt: AppendAttempt,
  ): Promise<AppendResult> {
    switch (attempt.kind) {
      case 'created-concurrently':
        // Ask outside the aborted transaction what won, for the error.
        throw new WrongExpectedRevisionError(
          stream,
          String(expected),
          await this.currentRevision(this.pool, stream),
        );
      case 'id-taken':
        throw new IdempotencyMismatchError(
          stream,
          'some of these event ids were stored by another append at the same time; the transaction is rolled back',
        );
      default:
        return this.settle(client, stream, events, expected, attempt);
    }
  }

  /** One append on its own, in the caller's transaction or in its own. */
  private async tryAppend(
    db: Queryable,
    stream: string,
    events: NewEvent[],
    expected: 'no-stream' | number,
  ): Promise<AppendAttempt> {
    return this.runAppend(db, pendingAppend(stream, events, expected));
  }

  private async runAppend(
    db: Queryable,
    append: PendingAppend,
    lockTimeout: string | null = null,
  ): Promise<AppendAttempt> {
    try {
      return (await this.runAppends(db, [append], lockTimeout))[0];
    } catch (error) {
      if (error instanceof DatabaseError && error.code === '23505') {
        if (error.constraint === 'streams_pkey') return { kind: 'created-concurrently' };
        // A later id of this append, or ids stored concurrently, possibly by this very append retried.
        if (error.constraint === 'events_id_unique') return { kind: 'id-taken' };
      }
      throw error;
    }
  }

  /** Several appends in one call of append_events, so in one transaction; an error fails them all. */
  private async runAppends(
    db: Queryable,
    appends: PendingAppend[],
    lockTimeout: string | null,
  ): Promise<AppendAttempt[]> {
    const one = appends.length === 1 ? appends[0] : undefined;
    const values = one
      ? [
          [one.stream],
          [one.expectedRevision],
          [one.events.length],
          one.ids,
          one.types,
          one.data,
          one.metadata,
          [one.recordedAt],
          lockTimeout,
        ]
      : [
          appends.map((append) => append.stream),
          appends.map((append) => append.expectedRevision),
          appends.map((append) => append.events.length),
          appends.flatMap((append) => append.ids),
          appends.flatMap((append) => append.types),
          appends.map((append) => append.data).join(RECORD_SEPARATOR),
          appends.map((append) => append.metadata).join(RECORD_SEPARATOR),
          appends.map((append) => append.recordedAt),
          lockTimeout,
        ];
    const result = await db.query<{
      outcome: string;
      last_revision: string | null;
      last_position: string | null;
    }>({
      name: 'aid_append_events',
      text: this.sql.append,
      values,
    });
    if (result.rows.length !== appends.length)
      throw new Error(`append_events answered ${result.rows.length} of ${appends.length} appends`);
    return result.rows.map((row, index): AppendAttempt => {
      switch (row.outcome) {
        case 'appended':
          return {
            kind: 'appended',
            result: {
              stream: appends[index].stream,
              revision: toSafeInteger(row.last_revision!, 'revision'),
              position: toSafeInteger(row.last_position!, 'position'),
              appended: true,
            },
          };
        case 'exists':
          return { kind: 'exists' };
        case 'conflict':
          return {
            kind: 'conflict',
            actual: row.last_revision === null ? null : toSafeInteger(row.last_revision, 'revision'),
          };
        default:
          throw new Error(`append_events returned an unknown outcome: ${row.outcome}`);
      }
    });
  }

  /**
   * A group of appends from different callers (AppendBatcher), in one transaction. Taken in
   * stream order (and, within a stream, in the callers' order), so that two groups lock the
   * stream heads they share in the same order.
   */
  private async runAppendGroup(appends: PendingAppend[]): Promise<AppendAttempt[]> {
    const order = appends
      .map((append, index) => ({ append, index }))
      .sort((a, b) =>
        a.append.stream < b.append.stream ? -1 : a.append.stream > b.append.stream ? 1 : a.index - b.index,
      );
    const attempts = await this.runAppends(
      this.pool,
      order.map((entry) => entry.append),
      LANE_LOCK_TIMEOUT,
    );
    const byIndex = new Array<AppendAttempt>(appends.length);
    order.forEach((entry, position) => (byIndex[entry.index] = attempts[position]));
    return byIndex;
  }

  /** Turns an attempt into the caller's answer: the result, the first result of a retry, or the typed error. */
  private async settle(
    db: Queryable,
    stream: string,
    events: NewEvent[],
    expected: 'no-stream' | number,
    attempt: AppendAttempt,
  ): Promise<AppendResult> {
    switch (attempt.kind) {
      case 'appended':
        return attempt.result;
      case 'exists':
      case 'id-taken':
        return this.firstResult(db, stream, events);
      case 'conflict':
        throw new WrongExpectedRevisionError(stream, String(expected), attempt.actual);
      case 'created-concurrently': {
        // The winner may have been this very append, retried concurrently.
        const stored = await db.query(this.sql.findIds, [events.map((event) => event.id)]);
        if (stored.rows.length > 0) return this.firstResult(db, stream, events);
        throw new WrongExpectedRevisionError(
          stream,
          String(expected),
          await this.currentRevision(db, stream),
        );
      }
    }
  }

  /** The result of the append that first stored these ids, or the mismatch when it stored other ones. */
  private async firstResult(db: Queryable, stream: string, events: NewEvent[]): Promise<AppendResult> {
    const ids = events.map((event) => event.id);
    const stored = await db.query<{ id: string; stream_id: string; revision: string; position: string }>(
      this.sql.findIds,
      [ids],
    );
    const elsewhere = stored.rows.find((row) => row.stream_id !== stream);
    if (elsewhere) {
      throw new IdempotencyMismatchError(
        stream,
        `event id ${elsewhere.id} is already stored in stream ${elsewhere.stream_id}`,
      );
    }
    if (stored.rows.length !== ids.length) {
      throw new IdempotencyMismatchError(
        stream,
        `${stored.rows.length} of the ${ids.length} event ids are already stored: a retry must repeat the same events`,
      );
    }
    const last = stored.rows.reduce((a, b) =>
      toSafeInteger(a.revision, 'revision') > toSafeInteger(b.revision, 'revision') ? a : b,
    );
    return {
      stream,
      revision: toSafeInteger(last.revision, 'revision'),
      position: toSafeInteger(last.position, 'position'),
      appended: false,
    };
  }

  private async currentRevision(db: Queryable, stream: string): Promise<number | null> {
    const result = await db.query<{ revision: string }>(this.sql.streamRevision, [stream]);
    return result.rows.length === 0 ? null : toSafeInteger(result.rows[0].revision, 'revision');
  }

  // --- following the log ---

  private async readBatch(cursor: LogCursor, batchSize: number, filter: GlobalFilter): Promise<Batch> {
    const prefixes = filterArray(filter.streamPrefixes);
    const types = filterArray(filter.types);
    if (prefixes === null && types === null) {
      const result = await this.pool.query<EventRow>(
        arrayQuery(this.sql.catchUp, [cursor.orderXid, cursor.position, batchSize], 'aid_catch_up'),
      );
      const events = result.rows.map(toRecordedEvent);
      const last = result.rows.at(-1);
      return {
        events,
        scanned: events.length,
        end: last ? { orderXid: last[1], position: events[events.length - 1].position } : undefined,
      };
    }
    // Filtered: scan a window of the log, return only the matches plus where the window ended,
    // so the checkpoint moves past events the filter skipped.
    const result = await this.pool.query<[...EventRow, boolean, string]>(
      arrayQuery(
        this.sql.catchUpFiltered,
        [cursor.orderXid, cursor.position, batchSize, prefixes, types],
        'aid_catch_up_filtered',
      ),
    );
    const events: RecordedEvent[] = [];
    let end: LogCursor | undefined;
    let scanned = 0;
    for (const row of result.rows) {
      if (row[10]) {
        end = { orderXid: row[1], position: toSafeInteger(row[0], 'position') };
        scanned = toSafeInteger(row[11], 'count');
      } else {
        events.push(toRecordedEvent(row.slice(0, 10) as EventRow));
      }
    }
    return { events, scanned, end };
  }

  /**
   * Resolves after idlePollMs, or sooner when an append to a stream it follows was announced, or
   * when stopped.
   */
  private waitForAppend(signal: AbortSignal, streamPrefixes: string[] | undefined): Promise<void> {
    if (signal.aborted || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUps.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.idlePollMs);
      this.wakeUps.set(done, filterArray(streamPrefixes));
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * After a committed append: wake this process's subscribers at once, and others through
   * pg_notify, at most once per NOTIFY_INTERVAL_MS and outside any append transaction (NOTIFY
   * serialises committing transactions). Only a hint: subscribers poll regardless.
   *
   * The notification names the categories of the streams appended to (see streamCategory), so a
   * subscription to other streams sleeps on: every service follows its own streams, and a
   * service that had to read the log at every append of another, busier one spent more on it
   * (in its own CPU and in PostgreSQL's) than on its own work.
   */
  private announceAppend(streams: string[]): void {
    const categories = [...new Set(streams.map(streamCategory))];
    this.wake(categories);
    if (this.closed) return;
    for (const category of categories) this.unannounced.add(category);
    if (this.notifyTimer) return;
    const wait = Math.max(0, this.lastNotifyAt + NOTIFY_INTERVAL_MS - Date.now());
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined;
      this.lastNotifyAt = Date.now();
      const payload = JSON.stringify([...this.unannounced]);
      this.unannounced.clear();
      // Too long for a notification (8000 bytes): no payload, which wakes every subscription.
      const sent = Buffer.byteLength(payload) <= MAX_NOTIFY_PAYLOAD ? payload : null;
      this.pool.query('SELECT pg_notify($1, $2)', [this.channel, sent]).catch(() => undefined);
    }, wait);
  }

  /** Wakes the subscriptions that follow a stream of these categories (null: every subscription). */
  private wake(categories: string[] | null): void {
    for (const [wake, prefixes] of [...this.wakeUps]) {
      if (categories === null || prefixes === null || categories.some((c) => followsCategory(prefixes, c)))
        wake();
    }
  }

  /** One LISTEN connection per store, shared by its subscriptions, open while any is running. */
  private async useListener(): Promise<void> {
    this.listenerUsers++;
    this.listener ??= this.startListener();
    await this.listener;
  }

  private async releaseListener(): Promise<void> {
    this.listenerUsers--;
    if (this.listenerUsers > 0 || !this.listener) return;
    const listener = this.listener;
    this.listener = undefined;
    const client = await listener;
    await client?.end().catch(() => undefined);
  }

  private async startListener(): Promise<Client | undefined> {
    const client = new Client({ connectionString: this.connectionString });
    client.on('notification', (notification) => this.wake(announcedCategories(notification.payload)));
    // Losing the hint only slows subscribers down to polling; the next subscription reconnects.
    client.on('error', () => {
      if (this.listener === started) this.listener = undefined;
    });
    const started = client
      .connect()
      .then(() => client.query(`LISTEN "${this.channel}"`))
      .then(() => client)
      .catch(async () => {
        await client.end().catch(() => undefined);
        return undefined;
      });
    return started;
  }

  private async connectOrExplain(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw new DependencyUnavailableError(
        `PostgreSQL (event store) is not reachable at ${redact(this.connectionString)}: ${
          error instanceof Error ? error.message : String(error)
        }. Start it with: ${START_HINT} (and create the database if it does not exist).`,
      );
    }
  }
}

function statements(schema: string) {
  const columns = EVENT_COLUMNS;
  const qualifiedColumns = EVENT_COLUMNS.split(', ')
    .map((column) => `e.${column}`)
    .join(', ');
  const prefixMatch = `($2::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest($2::text[]) AS p WHERE starts_with(stream_id, p)))`;
  const typeMatch = `($3::text[] IS NULL OR type = ANY ($3::text[]))`;
  return {
    append: `SELECT outcome, last_revision, last_position
      FROM ${schema}.append_events($1::text[], $2::bigint[], $3::int[], $4::uuid[], $5::text[], $6::text, $7::text, $8::timestamptz[], $9::text)`,
    streamRevision: `SELECT revision FROM ${schema}.streams WHERE stream_id = $1`,
    lockHead: `SELECT revision FROM ${schema}.streams WHERE stream_id = $1 FOR UPDATE`,
    findIds: `SELECT id, stream_id, revision, position FROM ${schema}.events WHERE id = ANY ($1::uuid[])`,
    orderXidAt: `SELECT order_xid FROM ${schema}.events WHERE position = $1`,
    readStreamForwards: `SELECT ${columns} FROM ${schema}.events
      WHERE stream_id = $1 AND revision BETWEEN $2 AND $3 AND recorded_at <= $4::timestamptz
      ORDER BY revision LIMIT $5`,
    readStreamBackwards: `SELECT ${columns} FROM ${schema}.events
      WHERE stream_id = $1 AND revision BETWEEN $2 AND $3 AND recorded_at <= $4::timestamptz
      ORDER BY revision DESC LIMIT $5`,
    readAll: `SELECT ${columns} FROM ${schema}.events
      WHERE position > $1 AND ${prefixMatch} AND ${typeMatch}
      ORDER BY position LIMIT $4`,
    // Only rows of transactions that have ended (below the snapshot's xmin) and past the cursor.
    catchUp: `SELECT ${columns} FROM ${schema}.events
      WHERE order_xid < pg_snapshot_xmin(pg_current_snapshot()) AND (order_xid, position) > ($1::xid8, $2::bigint)
      ORDER BY order_xid, position LIMIT $3`,
    catchUpFiltered: `WITH scanned AS MATERIALIZED (
        SELECT position, order_xid, stream_id, type FROM ${schema}.events
        WHERE order_xid < pg_snapshot_xmin(pg_current_snapshot()) AND (order_xid, position) > ($1::xid8, $2::bigint)
        ORDER BY order_xid, position LIMIT $3
      )
      SELECT * FROM (
        SELECT ${qualifiedColumns}, false AS is_window_end, NULL::bigint AS scanned
        FROM scanned s JOIN ${schema}.events e ON e.position = s.position
        WHERE ($4::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest($4::text[]) AS p WHERE starts_with(s.stream_id, p)))
          AND ($5::text[] IS NULL OR s.type = ANY ($5::text[]))
        UNION ALL
        (SELECT position, order_xid, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, true, (SELECT count(*) FROM scanned)
         FROM scanned ORDER BY order_xid DESC, position DESC LIMIT 1)
      ) AS batch
      ORDER BY is_window_end, order_xid, position`,
  };
}

const MAX_NOTIFY_PAYLOAD = 7900;

/** A stream's category: its name up to its first '-' ('shipment-' of 'shipment-<id>'), or all of it. */
function streamCategory(stream: string): string {
  const dash = stream.indexOf('-');
  return dash === -1 ? stream : stream.slice(0, dash + 1);
}

/** Whether streams of this category may start with one of the prefixes (when in doubt, they may). */
function followsCategory(prefixes: string[], category: string): boolean {
  return prefixes.some((prefix) => prefix.startsWith(category) || category.startsWith(prefix));
}

/** The categories a notification names; null (every one) for a notification without a list. */
function announcedCategories(payload: string | undefined): string[] | null {
  if (!payload) return null;
  try {
    const categories: unknown = JSON.parse(payload);
    return Array.isArray(categories) && categories.every((c) => typeof c === 'string') ? categories : null;
  } catch {
    return null;
  }
}

/** (order_xid, position) order; xids are compared as the bigints they are. */
function compareCursors(a: LogCursor, b: LogCursor): number {
  const byXid = BigInt(a.orderXid) - BigInt(b.orderXid);
  if (byXid !== 0n) return byXid < 0n ? -1 : 1;
  return a.position - b.position;
}

/** The events of a batch up to `until`, with the checkpoint after the last of them. */
function yieldUntil(events: RecordedEvent[], until: LogCursor): EventBatch {
  const beyond = (event: RecordedEvent) => compareCursors(parseCheckpoint(event.checkpoint), until) > 0;
  // Events come in cursor order: a batch whose last event is not beyond `until` is kept whole.
  const last = events.at(-1);
  const kept = last === undefined || !beyond(last) ? events : events.filter((event) => !beyond(event));
  return {
    events: kept,
    checkpoint: kept.length > 0 ? kept[kept.length - 1].checkpoint : formatCheckpoint(until),
  };
}

function arrayQuery(text: string, values: unknown[], name?: string): QueryArrayConfig {
  return { text, values, rowMode: 'array', ...(name ? { name } : {}) };
}

function filterArray(values: string[] | undefined): string[] | null {
  return values && values.length > 0 ? values : null;
}

function redact(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    url.password = '';
    return url.toString();
  } catch {
    return '(unparseable connection string)';
  }
}

/** Fingerprint of a migration's SQL, independent of the schema it is applied to. */
function migrationChecksum(migration: { sql: (schema: string) => string }): string {
  return createHash('sha256').update(migration.sql('"<schema>"')).digest('hex');
}
