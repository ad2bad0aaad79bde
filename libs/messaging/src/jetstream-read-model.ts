import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { DEFAULT_EVENTS_STREAM, ensureEventsStream, PRIMARY_SUBJECT_HEADER } from '@aid/relay';
import type { DataSource, EntityManager } from 'typeorm';
import { createLogger, type Logger } from './logging';

/** An event of another bounded context, as the relay published it (a CloudEvent), unwrapped. */
export interface ConsumedEvent {
  id: string;
  /** The event type, e.g. 'CommunityRegistered'. */
  type: string;
  /** The event's stream in the store, e.g. 'community-<id>'. */
  stream: string;
  position: number;
  revision: number;
  /** Business time (the CloudEvent's `time`). */
  occurredAt: string;
  /** The community the subject names (`aid.<context>.<EventType>.<community>`); 'none' when none. */
  community: string;
  data: Record<string, unknown>;
}

export interface ReadModelConsumerOptions {
  /** Durable consumer name, checkpoint row; a lowercase identifier, e.g. 'partnerships_parties'. */
  name: string;
  /** An open connection; the consumer does not close it. */
  nats: NatsConnection;
  /** Where the read model lives (tables already synchronised); the checkpoint table goes there too. */
  dataSource: DataSource;
  /** e.g. ['aid.communities.>']. */
  filterSubjects: string[];
  streamName?: string;
  /** Applied in one transaction with the checkpoint: each event exactly once, in stream order. */
  handle(event: ConsumedEvent, manager: EntityManager): Promise<void>;
  /**
   * Empties the read model, in the transaction that sets its applied sequences back to 0: when
   * the stream was replaced (NATS lost its data), the model is built again from the new stream's
   * first message, and handlers need not cope with events they already applied.
   */
  clear(manager: EntityManager): Promise<void>;
  logger?: Logger;
  /** How long to wait before retrying an event whose handler failed (default 1 s). */
  retryDelayMs?: number;
}

/** Where each durable consumer's applied stream sequence is kept (the audit reads it too). */
export const CONSUMER_CHECKPOINT_TABLE = 'public.jetstream_consumer_checkpoints';

/** The durable consumer of a read model for its index-th filter subject (one durable per subject). */
export function durableConsumerName(name: string, filterSubjects: readonly string[], index: number): string {
  return filterSubjects.length === 1 ? name : `${name}_${index}`;
}
const NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Keeps a read model of another context's events, fed from JetStream by durable pull consumers.
 *
 * Exactly once: the stream sequence of the last applied message is stored in the same
 * transaction as the read-model change, and a redelivered message at or below it is only acked.
 * In order: each consumer allows one unacknowledged message at a time (max_ack_pending 1), so
 * even replicas sharing the durable consumer apply its messages one after another.
 * One durable consumer per filter subject, because nats-server 2.9 takes a single filter subject;
 * the relative order of two different subjects does not matter to a read model of references.
 */
export class JetStreamReadModelConsumer {
  private readonly logger: Logger;
  private readonly streamName: string;
  private readonly loops: Promise<void>[] = [];
  private readonly subscriptions: ConsumerMessages[] = [];
  private stopping = false;

  constructor(private readonly options: ReadModelConsumerOptions) {
    if (!NAME_PATTERN.test(options.name))
      throw new Error(`consumer name ${options.name} must be a lowercase identifier`);
    if (options.filterSubjects.length === 0)
      throw new Error('a read-model consumer needs at least one filter subject');
    this.streamName = options.streamName ?? DEFAULT_EVENTS_STREAM;
    this.logger = (options.logger ?? createLogger('read-model-consumer', 'info')).child({
      consumer: options.name,
    });
  }

  async start(): Promise<void> {
    const stream = await ensureEventsStream(this.options.nats, {
      streamName: this.streamName,
      logger: this.logger,
    });
    // CREATE TABLE IF NOT EXISTS is not safe when two services start at once: serialise it.
    await this.options.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [CONSUMER_CHECKPOINT_TABLE]);
      await manager.query(
        `CREATE TABLE IF NOT EXISTS ${CONSUMER_CHECKPOINT_TABLE} (name text PRIMARY KEY, stream_sequence bigint NOT NULL)`,
      );
      // Databases from before streams were told apart have the table without it.
      await manager.query(
        `ALTER TABLE ${CONSUMER_CHECKPOINT_TABLE} ADD COLUMN IF NOT EXISTS stream_created text`,
      );
    });
    const rebuilding = await this.rebuildIfStreamReplaced(stream.created);
    const jsm = await jetstreamManager(this.options.nats);
    const js = jetstream(this.options.nats);
    for (const [index, filter] of this.options.filterSubjects.entries()) {
      const durable = this.durableName(index);
      const applied = await this.appliedSequence(durable);
      const existing = await jsm.consumers.info(this.streamName, durable).catch(() => null);
      // The durable remembers acks; the read model may not (a fresh database, a rebuilt model).
      // Then the server would never redeliver what the model lacks: start again after what it has.
      // A model being rebuilt starts from the first message, whatever a durable of that name says.
      const aheadOfReadModel = existing !== null && (rebuilding || existing.ack_floor.stream_seq > applied);
      if (aheadOfReadModel) {
        this.logger.warn(
          { durable, ackFloor: existing.ack_floor.stream_seq, applied },
          'durable consumer is ahead of the read model; recreating it from the read model checkpoint',
        );
        await jsm.consumers.delete(this.streamName, durable);
      }
      if (existing === null || aheadOfReadModel) {
        await jsm.consumers.add(this.streamName, {
          durable_name: durable,
          filter_subject: filter,
          ack_policy: AckPolicy.Explicit,
          ...(applied > 0
            ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: applied + 1 }
            : { deliver_policy: DeliverPolicy.All }),
          max_ack_pending: 1,
          ack_wait: nanos(30_000),
        });
      }
      const consumer = await js.consumers.get(this.streamName, durable);
      const messages = await consumer.consume({ max_messages: 64 });
      this.subscriptions.push(messages);
      this.loops.push(this.follow(durable, messages));
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.subscriptions.map((messages) => messages.close()));
    await Promise.allSettled(this.loops);
  }

  /**
   * Resolves once nothing matching the filters is pending or unacknowledged: a message is acked
   * only after its transaction committed, so everything published before the call is applied.
   */
  async caughtUp(timeoutMs = 10_000): Promise<void> {
    const jsm = await jetstreamManager(this.options.nats);
    const deadline = Date.now() + timeoutMs;
    for (const index of this.options.filterSubjects.keys()) {
      const durable = this.durableName(index);
      for (;;) {
        const info = await jsm.consumers.info(this.streamName, durable);
        // A filtered consumer's delivered sequence runs ahead over messages it skips, so compare
        // counts, not sequences: nothing pending and nothing unacknowledged means all applied.
        if (info.num_pending === 0 && info.num_ack_pending === 0) break;
        if (Date.now() > deadline) {
          const applied = await this.appliedSequence(durable);
          throw new Error(
            `${durable} has not caught up within ${timeoutMs} ms (${info.num_pending} pending, ` +
              `${info.num_ack_pending} unacknowledged, delivered up to ${info.delivered.stream_seq}, ` +
              `acknowledged up to ${info.ack_floor.stream_seq}, applied up to ${applied})`,
          );
        }
        await sleep(25);
      }
    }
  }

  /**
   * Compares the stream's `created` with the one the model's durables were applied from. A stream
   * created anew numbers its messages from 1 and holds the history again (the relays republish
   * it), so the applied sequences mean nothing in it: the model is cleared and every one of its
   * durables set back to 0 in one transaction, as they share its tables. The model's lock makes a
   * second instance starting at once wait, then find the stream remembered. True when cleared.
   */
  private async rebuildIfStreamReplaced(created: string): Promise<boolean> {
    const durables = this.options.filterSubjects.map((_, index) => this.durableName(index));
    return this.options.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `${CONSUMER_CHECKPOINT_TABLE}:${this.options.name}`,
      ]);
      await manager.query(
        `INSERT INTO ${CONSUMER_CHECKPOINT_TABLE} (name, stream_sequence)
         SELECT unnest($1::text[]), 0 ON CONFLICT (name) DO NOTHING`,
        [durables],
      );
      const rows = await manager.query<
        Array<{ name: string; stream_sequence: string; stream_created: string | null }>
      >(
        `SELECT name, stream_sequence, stream_created FROM ${CONSUMER_CHECKPOINT_TABLE} WHERE name = ANY ($1::text[])`,
        [durables],
      );
      const replaced = rows.filter((row) => row.stream_created !== null && row.stream_created !== created);
      if (replaced.length === 0) {
        // A durable from before this column (or a new one): its sequence counts in this stream.
        await manager.query(
          `UPDATE ${CONSUMER_CHECKPOINT_TABLE} SET stream_created = $2 WHERE name = ANY ($1::text[]) AND stream_created IS NULL`,
          [durables, created],
        );
        return false;
      }
      this.logger.warn(
        {
          stream: this.streamName,
          created,
          rememberedCreated: replaced[0].stream_created,
          applied: Object.fromEntries(rows.map((row) => [row.name, Number(row.stream_sequence)])),
        },
        `JetStream stream ${this.streamName} was replaced (NATS lost its data): clearing the read model and ` +
          'applying the new stream from its first message',
      );
      await this.options.clear(manager);
      await manager.query(
        `UPDATE ${CONSUMER_CHECKPOINT_TABLE} SET stream_sequence = 0, stream_created = $2 WHERE name = ANY ($1::text[])`,
        [durables, created],
      );
      return true;
    });
  }

  private durableName(index: number): string {
    return durableConsumerName(this.options.name, this.options.filterSubjects, index);
  }

  private async appliedSequence(durable: string): Promise<number> {
    const rows = await this.options.dataSource.query<{ stream_sequence: string }[]>(
      `SELECT stream_sequence FROM ${CONSUMER_CHECKPOINT_TABLE} WHERE name = $1`,
      [durable],
    );
    return Number(rows[0]?.stream_sequence ?? 0);
  }

  private async follow(durable: string, messages: ConsumerMessages): Promise<void> {
    for await (const message of messages) {
      if (this.stopping) break;
      if (message.headers?.has(PRIMARY_SUBJECT_HEADER)) {
        // A per-community copy, for partners: this read model follows whole contexts (see
        // storeFilterOf), so the event itself came or comes on its primary subject.
        message.ack();
        continue;
      }
      try {
        await this.apply(durable, message);
        message.ack();
      } catch (error) {
        // Not acked: with one message in flight, nothing after it is applied before it is.
        this.logger.error(
          { err: error, subject: message.subject, sequence: message.seq },
          'read-model event failed; will retry',
        );
        message.nak(this.options.retryDelayMs ?? 1000);
      }
    }
  }

  private async apply(durable: string, message: JsMsg): Promise<void> {
    await this.options.dataSource.transaction(async (manager) => {
      const rows = await manager.query<{ stream_sequence: string }[]>(
        `SELECT stream_sequence FROM ${CONSUMER_CHECKPOINT_TABLE} WHERE name = $1 FOR UPDATE`,
        [durable],
      );
      if (message.seq <= Number(rows[0]?.stream_sequence ?? 0)) return; // applied before a crash, not acked
      await this.options.handle(toConsumedEvent(message), manager);
      await manager.query(`UPDATE ${CONSUMER_CHECKPOINT_TABLE} SET stream_sequence = $2 WHERE name = $1`, [
        durable,
        message.seq,
      ]);
    });
  }
}

interface CloudEventBody {
  id: string;
  type: string;
  subject: string;
  time: string;
  data: Record<string, unknown>;
  position: number | string;
  revision: number | string;
}

export function toConsumedEvent(message: Pick<JsMsg, 'subject' | 'json'>): ConsumedEvent {
  const body = message.json<CloudEventBody>();
  // aid.<context>.<EventType>.v1 -> EventType; the subject's last token is the community.
  const type = body.type.split('.').at(-2) ?? body.type;
  return {
    id: body.id,
    type,
    stream: body.subject,
    position: Number(body.position),
    revision: Number(body.revision),
    occurredAt: body.time,
    community: message.subject.split('.').at(-1) ?? 'none',
    data: body.data,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
