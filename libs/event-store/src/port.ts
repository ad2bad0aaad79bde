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
}

export interface EventBatch {
  events: RecordedEvent[];
  /** Checkpoint after the last event of the batch (also after filtered-out events it skipped). */
  checkpoint: Checkpoint;
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

  /** Walks every stream's hash chain (or those matching the prefix) and names the first broken link of each. */
  verify(options?: { streamPrefix?: string }): Promise<VerifyResult>;

  close(): Promise<void>;
}
