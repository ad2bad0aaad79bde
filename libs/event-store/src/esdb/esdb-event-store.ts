import {
  AccessDeniedError,
  BACKWARDS,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type Position,
  type ReadPosition,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import { DependencyUnavailableError, IdempotencyMismatchError, WrongExpectedRevisionError } from '../errors';
import type {
  AppendResult,
  Checkpoint,
  EventBatch,
  EventStore,
  ExpectedRevision,
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
import { ChainVerifier } from './chain-verifier';
import { positionsNotChecked, readLogPage, readSnapshotBatches, readUntil } from './esdb-audit-reads';
import {
  describeExpected,
  esdbExpectedRevision,
  formatCheckpoint,
  fromCurrentRevision,
  parseCheckpoint,
  satisfiesExpected,
  toBigInt,
  toSafeNumber,
} from './esdb-positions';
import { readEvents } from './esdb-reads';
import {
  fromEsdbRecord,
  isSystemEvent,
  matchesFilter,
  prepareAppend,
  toEventData,
  type PreparedEvent,
} from './esdb-records';
import { followAll } from './esdb-subscription';
import { firstDuplicateId, judgeRetry, type StoredEventRef } from './idempotency';
import { readOrCreateStoreId } from './store-identity';
import { rememberedOnSuccess } from '../remembered';

export interface EsdbEventStoreOptions {
  /** EventStoreDB connection string (EVENTSTORE_URL), e.g. esdb://localhost:2113?tls=false. */
  connectionString: string;
  /** Silence after which a subscription checks $all for events it should have received. Default 20 s. */
  watchdogMs?: number;
}

/** How to start EventStoreDB on the development machine; it has no native package here. */
export const EVENTSTORE_START_COMMAND = 'docker compose up eventstore';

const DEFAULT_WATCHDOG_MS = 20_000;
const CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_BATCH_SIZE = 100;
const IDLE_GAP_MS = 25;
const PROBE_LIMIT = 1_000;
/** With 'any', each attempt re-reads the head; this many lost races in a row is a real conflict. */
const ANY_REVISION_ATTEMPTS = 10;

function redactCredentials(connectionString: string): string {
  return connectionString.replace(/\/\/[^@/]*@/, '//***@');
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The EventStore port on EventStoreDB (EVENT_STORE=esdb). Streams keep the names they are given;
 * an event's data is its JSON data and its EventStoreDB metadata is ours plus the hash chain.
 */
export class EsdbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly watchdogMs: number;
  private readonly location: string;
  /** Aborts every running subscription when the store closes. */
  private readonly closing = new AbortController();

  constructor(options: EsdbEventStoreOptions) {
    this.location = redactCredentials(options.connectionString);
    this.watchdogMs = options.watchdogMs ?? DEFAULT_WATCHDOG_MS;
    if (!Number.isFinite(this.watchdogMs) || this.watchdogMs <= 0) {
      throw new RangeError(`watchdogMs must be a positive number of milliseconds, got ${this.watchdogMs}`);
    }
    try {
      this.client = EventStoreDBClient.connectionString(options.connectionString);
    } catch (error) {
      throw new Error(
        `EVENTSTORE_URL "${this.location}" is not an EventStoreDB connection string ` +
          `(${redactCredentials(describeError(error))}); ` +
          'expected something like esdb://localhost:2113?tls=false',
        { cause: error },
      );
    }
  }

  /** Creates the store and checks that EventStoreDB answers. */
  static async open(options: EsdbEventStoreOptions): Promise<EsdbEventStore> {
    const store = new EsdbEventStore(options);
    try {
      await store.connect();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /**
   * Fails fast, with DependencyUnavailableError, unless EventStoreDB answers a read of $all. The
   * client connects lazily and would otherwise surface a dead server only at the first append.
   */
  async connect(timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const answered = (async (): Promise<void> => {
      for await (const _resolved of readEvents(read)) {
        // Any answer, even an empty $all, proves the server is there.
      }
    })();
    // After a timeout the read may still fail; that late failure is already reported.
    answered.catch(() => undefined);
    try {
      await Promise.race([answered, timeout]);
    } catch (error) {
      await read.cancel().catch(() => undefined);
      throw new DependencyUnavailableError(
        `EventStoreDB is not reachable at ${this.location} (${describeError(error)}). ` +
          `Start it with: ${EVENTSTORE_START_COMMAND}, then set EVENTSTORE_URL=esdb://localhost:2113?tls=false`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /*
   * Idempotency. EventStoreDB deduplicates event ids only when the append names an exact expected
   * revision and the ids sit right after it; with ANY it merely tries, and with the next revision it
   * appends the duplicate (EventStore/EventStore#1898, #1949). A retried command, however, usually
   * reloads the stream and expects the revision after its own earlier events. So before appending
   * we read the stream and look for the ids ourselves (judgeRetry): the first id found means a
   * repeat, answered with the first append's result; some ids found means a mismatch. That read
   * covers the whole stream, which also yields the head for the hash chain; aggregate streams are
   * short (a shipment holds a handful of events), and EventStoreDB has no index by event id.
   *
   * Between that read and the append another writer may get in. We always append with the exact
   * revision we read, never ANY, so the server then either rejects us (WrongExpectedVersion: we read
   * again and decide again) or, if that writer was an identical retry of ours, deduplicates the ids
   * itself and answers success without writing. The read-back after the append tells these apart:
   * our own write carries our hashes (recordedAt is in them), the other one does not.
   */
  async append(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (stream.length === 0 || stream.startsWith('$')) {
      throw new TypeError(`stream name "${stream}" is empty or reserved for EventStoreDB system streams`);
    }
    if (events.length === 0) throw new TypeError('append needs at least one event');
    if (expected !== 'any' && expected !== 'no-stream' && (!Number.isSafeInteger(expected) || expected < 0)) {
      throw new TypeError(
        `expected revision must be 'no-stream', 'any' or a non-negative integer, got ${expected}`,
      );
    }
    const systemType = events.find((event) => event.type.startsWith('$'));
    if (systemType) {
      throw new TypeError(`event type "${systemType.type}" is reserved for EventStoreDB system events`);
    }
    const ids = events.map((event) => event.id);
    const duplicate = firstDuplicateId(ids);
    if (duplicate) {
      throw new IdempotencyMismatchError(stream, `event id ${duplicate} appears twice in one append`);
    }

    for (let attempt = 1; ; attempt += 1) {
      const stored = await this.storedEventRefs(stream);
      const verdict = judgeRetry(ids, stored);
      if (verdict.kind === 'repeat') {
        return { stream, revision: verdict.last.revision, position: verdict.last.position, appended: false };
      }
      if (verdict.kind === 'mismatch') throw new IdempotencyMismatchError(stream, verdict.detail);

      const head = stored.length > 0 ? stored[stored.length - 1] : null;
      const current = head?.revision ?? null;
      if (!satisfiesExpected(expected, current)) {
        throw new WrongExpectedRevisionError(stream, describeExpected(expected), current);
      }

      const prepared = prepareAppend(stream, events, head, new Date().toISOString());
      try {
        await this.client.appendToStream(stream, prepared.map(toEventData), {
          expectedRevision: esdbExpectedRevision(current),
        });
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        // Another writer got in after our read. The next round re-reads: it finds the revision moved
        // (a conflict unless the caller said 'any') or our own ids (a concurrent retry).
        if (attempt >= ANY_REVISION_ATTEMPTS) {
          throw new WrongExpectedRevisionError(
            stream,
            describeExpected(expected),
            fromCurrentRevision(error.actualVersion),
          );
        }
        await delay(Math.floor(Math.random() * 10 * attempt));
        continue;
      }
      return this.confirmAppend(stream, prepared);
    }
  }

  /** Reads back what the append stored, for its exact $all positions and to see whether it was ours. */
  private async confirmAppend(stream: string, prepared: PreparedEvent[]): Promise<AppendResult> {
    const first = prepared[0];
    const last = prepared[prepared.length - 1];
    const stored = await this.readStream(stream, { fromRevision: first.revision, maxCount: prepared.length });
    const stillOurs =
      stored.length === prepared.length && stored.every((event, index) => event.id === prepared[index].id);
    if (!stillOurs) {
      throw new Error(
        `stream ${stream}: EventStoreDB accepted the append at revisions ${first.revision}..${last.revision} ` +
          'but they do not hold the appended events',
      );
    }
    const storedLast = stored[stored.length - 1];
    return {
      stream,
      revision: storedLast.revision,
      position: storedLast.position,
      appended: storedLast.hash === last.hash,
    };
  }

  /** Every event of the stream, reduced to what the idempotency check and the hash chain need. */
  private async storedEventRefs(stream: string): Promise<StoredEventRef[]> {
    const events = await this.readStream(stream);
    return events.map(({ id, revision, position, hash }) => ({ id, revision, position, hash }));
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { direction = 'forwards', fromRevision, toRevision, recordedUntil, maxCount } = options;
    if (maxCount !== undefined && (!Number.isSafeInteger(maxCount) || maxCount < 0)) {
      throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
    }
    if (maxCount === 0) return [];
    const forwards = direction === 'forwards';
    const from = fromRevision ?? (forwards ? 0 : undefined);
    const inRange = (revision: number): boolean =>
      toRevision === undefined || (forwards ? revision <= toRevision : revision >= toRevision);

    // Ask the server for no more events than can qualify; record time is checked here, so with
    // recordedUntil the whole range is read and maxCount applied after filtering.
    let limit = recordedUntil === undefined ? maxCount : undefined;
    if (from !== undefined && toRevision !== undefined) {
      const span = forwards ? toRevision - from + 1 : from - toRevision + 1;
      if (span <= 0) return [];
      limit = limit === undefined ? span : Math.min(limit, span);
    }

    const read = this.client.readStream(stream, {
      direction: forwards ? FORWARDS : BACKWARDS,
      fromRevision: from === undefined ? END : toBigInt(from, 'fromRevision'),
      ...(limit === undefined ? {} : { maxCount: limit }),
    });
    const until = recordedUntil?.getTime();
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of readEvents(read)) {
        if (!resolved.event) continue;
        const event = fromEsdbRecord(resolved.event);
        if (!inRange(event.revision)) break;
        if (until !== undefined && Date.parse(event.metadata.recordedAt) > until) continue;
        events.push(event);
        if (maxCount !== undefined && events.length >= maxCount) break;
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  async streamRevision(stream: string): Promise<number | null> {
    const read = this.client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
    try {
      for await (const resolved of readEvents(read)) {
        if (resolved.event) return toSafeNumber(resolved.event.revision, 'stream revision');
      }
      return null;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw error;
    }
  }

  /**
   * $all in position order without EventStoreDB's system events. The client (6.x) cannot filter a
   * read of $all on the server, only a subscription, so filters apply here as the events stream by.
   */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const { afterPosition, maxCount } = options;
    if (maxCount !== undefined && (!Number.isSafeInteger(maxCount) || maxCount < 0)) {
      throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
    }
    if (afterPosition !== undefined && !Number.isSafeInteger(afterPosition)) {
      throw new RangeError(`afterPosition must be an integer, got ${afterPosition}`);
    }
    if (maxCount === 0) return [];
    const fromPosition = afterPosition === undefined ? START : await this.readStartFor(afterPosition);
    const events: RecordedEvent[] = [];
    for await (const resolved of readEvents(this.client.readAll({ direction: FORWARDS, fromPosition }))) {
      const record = resolved.event;
      if (!record || isSystemEvent(record) || !matchesFilter(options, record)) continue;
      const event = fromEsdbRecord(record);
      if (afterPosition !== undefined && event.position <= afterPosition) continue;
      events.push(event);
      if (maxCount !== undefined && events.length >= maxCount) break;
    }
    return events;
  }

  /**
   * Where to start reading $all to get the events after `position`. EventStoreDB only reads from
   * the exact start of a record and refuses anything else, and a caller may hand us any number
   * (say, one less than an event's position). An event's own position is such a start; otherwise
   * we start at the last event before it, found by reading back from the end.
   */
  private async readStartFor(position: number): Promise<ReadPosition> {
    if (position <= 0) return START;
    const exact = await this.eventPositionAt(position);
    if (exact) return exact;
    const mark = BigInt(position);
    for await (const resolved of readEvents(
      this.client.readAll({ direction: BACKWARDS, fromPosition: END }),
    )) {
      if (resolved.event && resolved.event.position.commit <= mark) return resolved.event.position;
    }
    return START;
  }

  /** The $all position of the event whose global position is `position`, or null when no event starts there. */
  private async eventPositionAt(position: number): Promise<Position | null> {
    const commit = toBigInt(position, 'position');
    try {
      const read = this.client.readAll({
        direction: FORWARDS,
        fromPosition: { commit, prepare: commit },
        maxCount: 1,
      });
      for await (const resolved of readEvents(read)) {
        const found = resolved.event?.position;
        return found && found.commit === commit ? found : null;
      }
      return null;
    } catch (error) {
      // The server rejects a read that does not start at a record, which means no event is there.
      // Errors that say nothing about the position must still reach the caller.
      if (
        error instanceof UnavailableError ||
        error instanceof DeadlineExceededError ||
        error instanceof AccessDeniedError
      ) {
        throw error;
      }
      return null;
    }
  }

  subscribe(options: SubscribeOptions): AsyncIterable<EventBatch> {
    const from = options.from === 'start' ? 'start' : parseCheckpoint(options.from);
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1)
      throw new TypeError('batchSize must be a positive integer');
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.closing.signal])
      : this.closing.signal;
    if (options.until !== undefined) {
      return readUntil(this.client, {
        from: options.from,
        until: options.until,
        filter: { streamPrefixes: options.streamPrefixes, types: options.types },
        batchSize,
        signal,
      });
    }
    return followAll(this.client, {
      from,
      filter: { streamPrefixes: options.streamPrefixes, types: options.types },
      batchSize,
      signal,
      watchdogMs: this.watchdogMs,
      idleGapMs: IDLE_GAP_MS,
      probeLimit: PROBE_LIMIT,
    });
  }

  async checkpointAfter(position: number): Promise<Checkpoint> {
    if (!Number.isSafeInteger(position) || position < 0) {
      throw new RangeError(`position must be a non-negative integer, got ${position}`);
    }
    if (position === 0) return formatCheckpoint({ commit: 0n, prepare: 0n });
    const exact = await this.eventPositionAt(position);
    if (!exact) throw new RangeError(`no event at position ${position}`);
    return formatCheckpoint(exact);
  }

  /** Walks $all once; EventStoreDB keeps no other index of all streams. */
  async verify(options: { streamPrefix?: string } = {}): Promise<VerifyResult> {
    const prefix = options.streamPrefix ?? '';
    const verifier = new ChainVerifier();
    for await (const resolved of readEvents(
      this.client.readAll({ direction: FORWARDS, fromPosition: START }),
    )) {
      const record = resolved.event;
      if (!record || isSystemEvent(record) || !record.streamId.startsWith(prefix)) continue;
      const event = this.readableEvent(record);
      if (typeof event === 'string') {
        verifier.addUnreadable(record.streamId, toSafeNumber(record.revision, 'stream revision'), event);
      } else {
        verifier.add(event);
      }
    }
    return verifier.result();
  }

  readLog(query: LogQuery): Promise<LogPage> {
    return readLogPage(this.client, query);
  }

  checkPositions(): Promise<PositionCheck> {
    return Promise.resolve(positionsNotChecked());
  }

  readSnapshot(options: { batchSize?: number } = {}): AsyncIterable<RecordedEvent[]> {
    return readSnapshotBatches(this.client, options.batchSize ?? 1000);
  }

  /** Read (or written, on a new server) once; see readOrCreateStoreId. */
  readonly storeId = rememberedOnSuccess(() => readOrCreateStoreId(this.client));

  private readableEvent(record: EsdbRecordedEvent): RecordedEvent | string {
    try {
      return fromEsdbRecord(record);
    } catch (error) {
      return describeError(error);
    }
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.client.dispose();
  }
}
