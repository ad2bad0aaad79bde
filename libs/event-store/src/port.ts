/**
 * The EventStore port. Both adapters (PostgreSQL, EventStoreDB) implement it and must pass
 * the same contract suite (`contract/event-store.contract.ts`).
 *
 * Revisions and positions are JavaScript numbers: exact up to 2^53, which is more events than
 * this system will ever hold. Adapters convert their native bigints and refuse values that are
 * not safe integers rather than round them.
 */

/** What the writer expects the stream's current revision to be. Revisions start at 0. */
export type ExpectedRevision = 'no-stream' | 'any' | number;

export interface Actor {
  /** API key id, service name, or importer name. */
  id: string;
  role: string;
}

export interface EventMetadata {
  /** Business time: when it happened in the world (ISO 8601). */
  occurredAt: string;
  /** Record time: when the store accepted it (ISO 8601). Set by the store, never by the caller. */
  recordedAt: string;
  actor: Actor;
  correlationId: string;
  causationId: string | null;
  idempotencyKey: string | null;
  schemaVersion: number;
  service: string;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface NewEvent<TData extends JsonObject = JsonObject> {
  /** UUID. Derive it from the command's idempotency key (see `eventIdFor`) so a retry is a no-op. */
  id: string;
  type: string;
  data: TData;
  metadata: Omit<EventMetadata, 'recordedAt'>;
}

export interface RecordedEvent<TData extends JsonObject = JsonObject> {
  id: string;
  type: string;
  stream: string;
  /** Revision in its stream, from 0, without gaps. */
  revision: number;
  /** Position in the global log: unique and increasing in append order of each writer. */
  position: number;
  data: TData;
  metadata: EventMetadata;
  /** sha256(prevHash + canonical JSON of {id, type, stream, revision, data, metadata}), hex. */
  hash: string;
  /** The hash of the previous event in the stream; GENESIS_HASH for revision 0. */
  prevHash: string;
  /** Opaque resume token: subscribing from it delivers the events after this one. */
  checkpoint: Checkpoint;
}

export interface AppendResult {
  stream: string;
  /** Revision of the last event appended (or, for a repeated append, of the first time). */
  revision: number;
  /** Global position of the last event appended. */
  position: number;
  /** False when every event id was already stored: nothing was appended. */
  appended: boolean;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Forwards: first revision to read (default 0). Backwards: revision to start from (default: the last). */
  fromRevision?: number;
  /** Stop after this revision (forwards) or at it (backwards). */
  toRevision?: number;
  /** Only events recorded at or before this instant (record time). */
  recordedUntil?: Date;
  maxCount?: number;
}

export interface GlobalFilter {
  /** Stream name prefixes, e.g. ['shipment-']; an event matches if its stream starts with any. */
  streamPrefixes?: string[];
  /** Event types; an event matches if its type is one of them. */
  types?: string[];
}

export interface ReadAllOptions extends GlobalFilter {
  /** Events strictly after this global position (default: from the first). */
  afterPosition?: number;
  maxCount?: number;
}

/** Opaque, adapter-specific, serialisable as a string; store it as-is. */
export type Checkpoint = string;

export interface SubscribeOptions extends GlobalFilter {
  /** 'start' = from the first event; a checkpoint = the events after it. */
  // eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents -- 'start' documents the sentinel
  from: Checkpoint | 'start';
  batchSize?: number;
  signal?: AbortSignal;
  /**
   * End the subscription once every event at or before this checkpoint has been delivered, and
   * deliver none after it. It must be a checkpoint this store handed out (a batch's or an
   * event's), so that everything before it is already committed. For replays that must stop
   * exactly where a follower stood.
   */
  until?: Checkpoint;
  /**
   * Once caught up and woken by a new event, wait this much longer (ms) before reading: events
   * appended close together are then read, handled and checkpointed as one batch, at the cost of
   * at most this much more lag. Under load a follower otherwise handles every append on its own,
   * with a transaction of its own. Default 0; EventStoreDB's pushed subscriptions ignore it.
   */
  gatherMs?: number;
}

export interface EventBatch {
  events: RecordedEvent[];
  /** Checkpoint after the last event of the batch (also after filtered-out events it skipped). */
  checkpoint: Checkpoint;
}

/** What the audit may ask of the log beyond prefixes: every field given must match. */
export interface LogFilter {
  /** Exactly this stream. */
  stream?: string;
  types?: string[];
  /** Record time (metadata.recordedAt), inclusive bounds. */
  recordedFrom?: Date;
  recordedTo?: Date;
  /** Business time (metadata.occurredAt), inclusive bounds. */
  occurredFrom?: Date;
  occurredTo?: Date;
  correlationId?: string;
}

export interface LogQuery extends LogFilter {
  /** Events after this checkpoint (or 'start': from the first), in the order subscribe delivers them. */
  after: Checkpoint;
  /** At most this many events in the page. */
  limit: number;
  /**
   * At most this many events are examined (default 10,000), so that a rare filter answers
   * quickly: a page may then hold fewer than `limit` events, and `next` says where to go on.
   */
  scanLimit?: number;
}

export interface LogPage {
  events: RecordedEvent[];
  /** Where the next page starts; absent when the examination reached the newest committed event. */
  next?: Checkpoint;
}

/** Global positions missing between two stored events (or after the last one the store handed out). */
export interface PositionGap {
  /** The stored position before the gap (0 before the first event). */
  after: number;
  /** The stored position after the gap, or, for a gap at the end, the next position the store would give. */
  before: number;
  missing: number;
}

export interface PositionCheck {
  /** False when the adapter's positions are not consecutive numbers (EventStoreDB); `note` says why. */
  checked: boolean;
  note?: string;
  events: number;
  first: number | null;
  last: number | null;
  /** The first gaps, in position order (at most `maxGaps`). */
  gaps: PositionGap[];
  gapCount: number;
  missingPositions: number;
}

export interface StreamBreak {
  stream: string;
  revision: number;
  reason: string;
}

export interface VerifyResult {
  ok: boolean;
  streamsChecked: number;
  eventsChecked: number;
  broken: StreamBreak[];
}

export interface EventStore {
  /**
   * Appends atomically. Throws WrongExpectedRevisionError when the stream's revision differs from
   * `expected`. If the first event's id is already stored, appends nothing and returns the first
   * result (`appended: false`); if only some ids are stored, throws IdempotencyMismatchError.
   */
  append(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;

  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /** Current revision of a stream, or null when it has no events. */
  streamRevision(stream: string): Promise<number | null>;

  /** The global log in position order: the audit view of history. For following the log, use subscribe. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  /**
   * Catch up from `from` in batches, then follow live. Never skips an event, even one whose
   * transaction commits after later positions were visible; never delivers one twice within a
   * subscription; keeps each stream in revision order. Ends when `signal` aborts.
   */
  subscribe(options: SubscribeOptions): AsyncIterable<EventBatch>;

  /** The checkpoint just after the event at this global position (to resume by position). */
  checkpointAfter(position: number): Promise<Checkpoint>;

  /**
   * Walks every stream's hash chain (or those matching the prefix) and names the first broken
   * link of each; also checks that each stream's positions grow with its revisions.
   */
  verify(options?: { streamPrefix?: string }): Promise<VerifyResult>;

  /**
   * One page of the log for the audit, in the order subscribe delivers it (never skipping an event
   * that commits late, so paging at the live end is safe), with more filters than readAll.
   */
  readLog(query: LogQuery): Promise<LogPage>;

  /**
   * Looks for global positions missing between stored events. A gap is not by itself tampering:
   * a transaction that rolled back after taking positions leaves one (see docs/audit.md).
   */
  checkPositions(options?: { maxGaps?: number }): Promise<PositionCheck>;

  /** Every event in position order as of one moment, in batches, without holding them all (exports). */
  readSnapshot(options?: { batchSize?: number }): AsyncIterable<RecordedEvent[]>;

  /**
   * The id (a UUID) given to this store when it was created: the same for every connection and
   * process using it, another for another store. A replaced database is another store, even if it
   * holds the same events again. Copies of the log elsewhere (the relay's JetStream stream) carry
   * it, so that history of another store is not taken for this one's.
   */
  storeId(): Promise<string>;

  close(): Promise<void>;
}
