import type { EventBatch, EventStore, RecordedEvent } from '@aid/event-store';
import {
  CheckpointTable,
  CheckpointedFollower,
  defaultLogger,
  findHeadPosition,
  type FollowerState,
} from '@aid/projections';
import {
  JetStreamApiCodes,
  JetStreamApiError,
  StorageType,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type StreamInfo,
} from '@nats-io/jetstream';
import { headers as natsHeaders, nanos, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { toCloudEvent } from './cloud-event';
import { type CommunityResolver, createConcernedCommunityResolver } from './concerned-community';
import { assertStreamOfStore, STORE_ID_HEADER } from './store-guard';
import { RelayStreamTable, type StreamIncarnationCheck } from './stream-incarnation';
import { KNOWN_STREAM_PREFIXES, contextOfStream, eventSubject } from './subjects';

export const DEFAULT_EVENTS_STREAM = 'AID_EVENTS';

/**
 * JetStream drops a message whose Nats-Msg-Id it saw within this window. The relay republishes
 * only the batch that was in flight when it died, as soon as it (or a standby) takes over, so an
 * hour covers any realistic restart, while the ids JetStream must remember stay few.
 */
export const DEFAULT_DUPLICATE_WINDOW_MS = 60 * 60 * 1000;

export interface RelayOptions {
  /** Names the relay's checkpoint and lock, e.g. 'relay_logistics': one active relay per name. */
  name: string;
  store: EventStore;
  /** PostgreSQL holding the checkpoint table. */
  connectionString: string;
  /** An open connection; the relay does not close it. */
  nats: NatsConnection;
  /** Only streams with these prefixes (each service relays its own); default: every known prefix. */
  streamPrefixes?: string[];
  /** Default AID_EVENTS. */
  streamName?: string;
  /** First subject token; default 'aid'. The JetStream stream captures `<prefix>.>`. */
  subjectPrefix?: string;
  /** Default: the event's data, else its stream's first event (createConcernedCommunityResolver). */
  concernedCommunities?: CommunityResolver;
  duplicateWindowMs?: number;
  batchSize?: number;
  standbyRetryMs?: number;
  checkpointSchema?: string;
  publishTimeoutMs?: number;
  logger?: Logger;
}

export interface RelayStatus {
  name: string;
  state: FollowerState;
  streamName: string;
  checkpoint: string;
  lastPosition: number | null;
  headPosition: number | null;
  lag: number;
  updatedAt: Date | null;
  /** Events published (and checkpointed) by this instance since it was created. */
  eventsPublished: number;
  /** Copies published for the other communities an event concerns (see `toMessages`). */
  copiesPublished: number;
  /** Messages JetStream had already (republished after a crash), so dropped. */
  duplicatesDropped: number;
  lastError: string | null;
}

/**
 * Publishes the store's events to JetStream as CloudEvents. It follows the store from its own
 * checkpoint (the projection runner's follower: advisory lock, compare-and-set), publishes a
 * batch with every ack awaited, and only then moves the checkpoint. A crash in between makes it
 * publish that batch again, and JetStream drops the repeats by Nats-Msg-Id (= event id): each
 * event lands in the stream exactly once.
 */
export class Relay {
  readonly streamName: string;
  private readonly subjectPrefix: string;
  private readonly streamPrefixes: string[];
  private readonly concernedCommunities: CommunityResolver;
  private readonly logger: Logger;
  private readonly dataSource: DataSource;
  private readonly follower: CheckpointedFollower;
  private readonly checkpoints: CheckpointTable;
  private readonly streamIncarnations: RelayStreamTable;
  private readonly js: JetStreamClient;
  private duplicatesDropped = 0;
  private copiesPublished = 0;
  /** The store's id, stamped on every message; read at start. */
  private storeId: string | undefined;

  constructor(private readonly options: RelayOptions) {
    this.streamName = options.streamName ?? DEFAULT_EVENTS_STREAM;
    this.subjectPrefix = options.subjectPrefix ?? 'aid';
    this.streamPrefixes = options.streamPrefixes ?? [...KNOWN_STREAM_PREFIXES];
    for (const prefix of this.streamPrefixes) {
      if (contextOfStream(prefix) === null) {
        throw new Error(`relay ${options.name}: no context is known for streams prefixed "${prefix}"`);
      }
    }
    this.concernedCommunities = options.concernedCommunities ?? createConcernedCommunityResolver();
    this.logger = (options.logger ?? defaultLogger()).child({ relay: options.name });
    this.js = jetstream(options.nats, { timeout: options.publishTimeoutMs ?? 10_000 });
    this.dataSource = new DataSource({
      type: 'postgres',
      url: options.connectionString,
      poolSize: 2,
      applicationName: `aid-relay:${options.name}`.slice(0, 63),
    });
    this.checkpoints = new CheckpointTable(options.checkpointSchema);
    this.streamIncarnations = new RelayStreamTable(options.checkpointSchema);
    this.follower = new CheckpointedFollower({
      name: options.name,
      store: options.store,
      dataSource: this.dataSource,
      connectionString: options.connectionString,
      checkpoints: this.checkpoints,
      filter: { streamPrefixes: this.streamPrefixes },
      batchSize: options.batchSize,
      standbyRetryMs: options.standbyRetryMs,
      logger: this.logger,
      // The checkpoint moves in the transaction opened around this, after every ack came back.
      applyBatch: (batch) => this.publish(batch),
    });
  }

  get state(): FollowerState {
    return this.follower.state;
  }

  /**
   * Creates or updates the JetStream stream, then follows the store (or stands by). Throws
   * ForeignEventsStreamError, having published nothing, when the stream holds another store's
   * messages. When the stream is not the one this relay published into before (NATS lost its
   * data), it publishes every event of its streams again, from the start.
   */
  async start(): Promise<void> {
    this.storeId = await this.options.store.storeId();
    // The stream as ensureStream left it (its state included): the guard reads no info of its own.
    const stream = await this.ensureStream();
    const origin = await assertStreamOfStore(await jetstreamManager(this.options.nats), stream, this.storeId);
    if (origin === 'unstamped') {
      this.logger.warn(
        { stream: this.streamName, storeId: this.storeId },
        `the last message of ${this.streamName} names no event store (relayed before stores had ids, or by ` +
          'something else); publishing into it, stamped from now on',
      );
    }
    if (!this.dataSource.isInitialized) await this.dataSource.initialize();
    await this.republishIntoReplacedStream(stream.created);
    await this.follower.start();
  }

  async stop(): Promise<void> {
    await this.follower.stop();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  async status(): Promise<RelayStatus> {
    if (!this.dataSource.isInitialized) await this.dataSource.initialize();
    const stored = await this.follower.stored();
    const lastPosition = stored?.position ?? null;
    const headPosition = await findHeadPosition(this.options.store, lastPosition, {
      streamPrefixes: this.streamPrefixes,
    });
    return {
      name: this.options.name,
      state: this.follower.state,
      streamName: this.streamName,
      checkpoint: stored?.checkpoint ?? 'start',
      lastPosition,
      headPosition,
      lag: headPosition === null ? 0 : headPosition - (lastPosition ?? 0),
      updatedAt: stored?.updatedAt ?? null,
      eventsPublished: this.follower.eventsHandled,
      copiesPublished: this.copiesPublished,
      duplicatesDropped: this.duplicatesDropped,
      lastError: this.follower.lastError,
    };
  }

  /**
   * The relay's checkpoint says which events the stream holds; a replaced stream holds none of
   * them, so the checkpoint goes back to the start. Republishing is safe: the new stream's
   * duplicate window is empty, and two instances racing still publish each message once.
   */
  private async republishIntoReplacedStream(created: string): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    let check: StreamIncarnationCheck;
    try {
      await this.checkpoints.ensureTable(runner);
      await this.streamIncarnations.ensureTable(runner);
      check = await this.streamIncarnations.check(runner, this.checkpoints, this.options.name, {
        name: this.streamName,
        created,
      });
    } finally {
      await runner.release();
    }
    if (check.outcome !== 'replaced') return;
    this.logger.warn(
      {
        stream: this.streamName,
        created,
        rememberedCreated: check.rememberedCreated,
        previousPosition: check.previous?.position ?? null,
      },
      `JetStream stream ${this.streamName} was replaced (created ${created}; this relay published into the ` +
        `one created ${check.rememberedCreated}): NATS lost its data while the database was kept. Republishing ` +
        `every event of its streams from the start` +
        (check.previous?.position != null ? `, up to global position ${check.previous.position} and on` : ''),
    );
  }

  private async ensureStream(): Promise<StreamInfo> {
    return ensureEventsStream(this.options.nats, {
      streamName: this.streamName,
      subjectPrefix: this.subjectPrefix,
      duplicateWindowMs: this.options.duplicateWindowMs,
      logger: this.logger,
    });
  }

  /**
   * Sends every message of the batch before awaiting any ack (pipelined; the connection keeps
   * them in order, an event's copies right behind it), then requires all acks. If one fails, the
   * batch is retried as a whole and JetStream drops the ones it already stored.
   */
  private async publish(batch: EventBatch): Promise<void> {
    const messages: RelayMessage[] = [];
    // One at a time: events of one stream then share the resolver's cache instead of racing it.
    for (const event of batch.events) messages.push(...(await this.toMessages(event)));
    const acks = messages.map(({ subject, body, id, headers }) =>
      this.js.publish(subject, body, { msgID: id, headers }),
    );
    const results = await Promise.allSettled(acks);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    let duplicates = 0;
    for (const result of results) {
      if (result.status !== 'fulfilled') continue;
      if (result.value.stream !== this.streamName) {
        throw new Error(`published to JetStream stream ${result.value.stream}, expected ${this.streamName}`);
      }
      if (result.value.duplicate) duplicates++;
    }
    // Duplicates are expected only right after a crash or a failed batch: a republished batch.
    if (duplicates > 0) this.logger.info({ duplicates }, 'JetStream dropped republished events');
    this.duplicatesDropped += duplicates;
    this.copiesPublished += messages.length - batch.events.length;
  }

  /**
   * The event on the subject of its primary community, then one copy per other concerned
   * community on that community's subject (a partnership of two hromadas reaches the partners of
   * both). A copy has the same body (CloudEvent id = event id, so a reader of both subjects can
   * drop the second), its own Nats-Msg-Id `<eventId>:<communityId>` (so a republished copy is
   * dropped like the event itself), and the header Aid-Primary-Subject naming the original.
   * Every message carries Aid-Store-Id, which the next start checks (assertStreamOfStore).
   */
  private async toMessages(event: RecordedEvent): Promise<RelayMessage[]> {
    const context = contextOfStream(event.stream);
    if (context === null) throw new Error(`no context for stream ${event.stream}`);
    const { primary, others } = await this.concernedCommunities(event, this.options.store);
    const body = JSON.stringify(toCloudEvent(event, context));
    const subject = eventSubject(this.subjectPrefix, context, event.type, primary);
    const copies = others.map((community) => {
      const headers = this.storeHeaders();
      headers.set(PRIMARY_SUBJECT_HEADER, subject);
      return {
        subject: eventSubject(this.subjectPrefix, context, event.type, community),
        body,
        id: copyMessageId(event.id, community),
        headers,
      };
    });
    return [{ subject, body, id: event.id, headers: this.storeHeaders() }, ...copies];
  }

  /** New for each message: the JetStream client adds Nats-Msg-Id to the headers it is given. */
  private storeHeaders(): MsgHdrs {
    if (this.storeId === undefined) throw new Error(`relay ${this.options.name} publishes before it started`);
    const headers = natsHeaders();
    headers.set(STORE_ID_HEADER, this.storeId);
    return headers;
  }
}

interface RelayMessage {
  subject: string;
  body: string;
  id: string;
  headers: MsgHdrs;
}

/** The header on a copy that names the subject of the original message. */
export const PRIMARY_SUBJECT_HEADER = 'Aid-Primary-Subject';

/** Nats-Msg-Id of the copy of an event for another concerned community. */
export function copyMessageId(eventId: string, communityId: string): string {
  return `${eventId}:${communityId}`;
}

/**
 * Creates the events stream, or adds the subject to it. File storage, because partners replay
 * from any past position after a server restart; no retention limit (nothing is deleted when
 * consumed: the stream is a log, not a queue). Relays and consumers both call it, so whichever
 * starts first creates it. Its `created` tells the callers whether it is the stream they followed.
 */
export async function ensureEventsStream(
  nats: NatsConnection,
  options: { streamName?: string; subjectPrefix?: string; duplicateWindowMs?: number; logger?: Logger } = {},
): Promise<StreamInfo> {
  const jsm = await jetstreamManager(nats);
  const streamName = options.streamName ?? DEFAULT_EVENTS_STREAM;
  const subject = `${options.subjectPrefix ?? 'aid'}.>`;
  const duplicateWindow = nanos(options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS);
  try {
    const info = await jsm.streams.info(streamName);
    const subjects = info.config.subjects.includes(subject)
      ? info.config.subjects
      : [...info.config.subjects, subject];
    return await jsm.streams.update(streamName, { subjects, duplicate_window: duplicateWindow });
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
    try {
      const created = await jsm.streams.add({
        name: streamName,
        subjects: [subject],
        storage: StorageType.File,
        duplicate_window: duplicateWindow,
      });
      options.logger?.info({ stream: streamName, subject }, 'created JetStream stream');
      return created;
    } catch (addError) {
      // Another relay or consumer may have created it a moment ago: that is what we wanted.
      return await jsm.streams.info(streamName).catch(() => {
        throw addError;
      });
    }
  }
}
