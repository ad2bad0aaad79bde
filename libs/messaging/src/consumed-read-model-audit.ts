import type { Checkpoint, EventStore, GlobalFilter, RecordedEvent } from '@aid/event-store';
import type { AuditedReadModel } from '@aid/projections';
import {
  createConcernedCommunityResolver,
  DEFAULT_EVENTS_STREAM,
  eventSubject,
  STREAM_CONTEXTS,
  contextOfStream,
  toCloudEvent,
} from '@aid/relay';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { DataSource, type EntityManager, type EntitySchema } from 'typeorm';
import { natsConnectionOptions } from './config';
import {
  type ConsumedEvent,
  CONSUMER_CHECKPOINT_TABLE,
  durableConsumerName,
  toConsumedEvent,
} from './jetstream-read-model';

const REPLAY_BATCH_SIZE = 1000;

export interface ConsumedReadModelAuditOptions {
  /** As given to ConsumedReadModel: the schema of the live tables and the durable consumers' name. */
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM takes entity classes of any shape
  entities: Array<Function | EntitySchema>;
  filterSubjects: string[];
  /** The read model's own handler, as ConsumedReadModel runs it. */
  handle(event: ConsumedEvent, manager: EntityManager): Promise<void>;
  store: EventStore;
  connectionString: string;
  natsUrl: string;
  streamName?: string;
}

/** Per durable consumer: the stream sequence it had applied, and the store checkpoint of that message's event. */
type ConsumedBound = Array<{ durable: string; filter: GlobalFilter; sequence: number; until: Checkpoint }>;

/**
 * A read model fed from JetStream (ConsumedReadModel), as the audit rebuilds it: from the event
 * store's events, not from JetStream, with the read model's own handler. Its live tables stand
 * at a stream sequence per durable consumer (committed with them); the message at that sequence
 * carries its event's position, and the rebuild replays each consumer's events up to that
 * event's checkpoint. The relay publishes in the store's order, so those are exactly the events
 * the consumer had applied. Consumers of different subjects are replayed one after the other,
 * as their relative order does not matter to such a read model (see JetStreamReadModelConsumer).
 */
export function consumedReadModelAudit(
  options: ConsumedReadModelAuditOptions,
): AuditedReadModel<ConsumedBound> {
  const durables = options.filterSubjects.map((subject, index) => ({
    durable: durableConsumerName(options.name, options.filterSubjects, index),
    filter: storeFilterOf(subject),
  }));
  return {
    name: options.name,
    schema: options.name,
    readLiveBound: async (query) => {
      const [table] = await query<{ oid: string | null }>('SELECT to_regclass($1) AS oid', [
        CONSUMER_CHECKPOINT_TABLE,
      ]);
      const applied = new Map<string, number>();
      if (table?.oid) {
        const rows = await query<{ name: string; stream_sequence: string }>(
          `SELECT name, stream_sequence FROM ${CONSUMER_CHECKPOINT_TABLE} WHERE name = ANY ($1::text[])`,
          [durables.map(({ durable }) => durable)],
        );
        for (const row of rows) applied.set(row.name, Number(row.stream_sequence));
      }
      const sequences = durables.map((durable) => ({
        ...durable,
        sequence: applied.get(durable.durable) ?? 0,
      }));
      return resolveCheckpoints(options, sequences);
    },
    describeBound: (bound) => ({
      consumers: bound.map(({ durable, sequence, until }) => ({
        durable,
        streamSequence: sequence,
        checkpoint: until,
      })),
    }),
    replayInto: (shadowSchema, bound) => replayConsumed(options, shadowSchema, bound),
  };
}

/** The store checkpoint of the event each durable's applied message carries ('start' for none). */
async function resolveCheckpoints(
  options: ConsumedReadModelAuditOptions,
  sequences: Array<{ durable: string; filter: GlobalFilter; sequence: number }>,
): Promise<ConsumedBound> {
  if (sequences.every(({ sequence }) => sequence === 0)) {
    return sequences.map((entry) => ({ ...entry, until: 'start' }));
  }
  const nats = await connect({ ...natsConnectionOptions(options.natsUrl), name: `audit-${options.name}` });
  try {
    const jsm = await jetstreamManager(nats);
    const streamName = options.streamName ?? DEFAULT_EVENTS_STREAM;
    return await Promise.all(
      sequences.map(async (entry) => {
        if (entry.sequence === 0) return { ...entry, until: 'start' };
        const message = await jsm.streams.getMessage(streamName, { seq: entry.sequence }).catch(() => null);
        if (!message) {
          throw new Error(
            `${entry.durable} applied JetStream message ${entry.sequence} of ${streamName}, which the stream no longer ` +
              'holds, so the point its read model stands at cannot be found',
          );
        }
        const position = Number(message.json<{ position: number | string }>().position);
        return { ...entry, until: await options.store.checkpointAfter(position) };
      }),
    );
  } finally {
    await nats.close();
  }
}

async function replayConsumed(
  options: ConsumedReadModelAuditOptions,
  shadowSchema: string,
  bound: ConsumedBound,
): Promise<number> {
  const shadow = new DataSource({
    type: 'postgres',
    url: options.connectionString,
    schema: shadowSchema,
    entities: options.entities,
    poolSize: 2,
    applicationName: `aid-audit-${options.name}`.slice(0, 63),
  });
  await shadow.initialize();
  try {
    await shadow.query(`CREATE SCHEMA "${shadowSchema}"`);
    await shadow.synchronize();
    const communities = createConcernedCommunityResolver();
    let replayed = 0;
    for (const { filter, until } of bound) {
      if (until === 'start') continue;
      for await (const batch of options.store.subscribe({
        ...filter,
        from: 'start',
        until,
        batchSize: REPLAY_BATCH_SIZE,
      })) {
        const consumed: ConsumedEvent[] = [];
        for (const event of batch.events) {
          consumed.push(asConsumed(event, (await communities(event, options.store)).primary));
        }
        await shadow.transaction(async (manager) => {
          for (const event of consumed) await options.handle(event, manager);
        });
        replayed += consumed.length;
      }
    }
    return replayed;
  } finally {
    await shadow.destroy();
  }
}

/** The event as the consumer would have received it: the relay's CloudEvent, unwrapped by the consumer's code. */
function asConsumed(event: RecordedEvent, community: string | null): ConsumedEvent {
  const context = contextOfStream(event.stream);
  if (context === null) throw new Error(`no context for stream ${event.stream}`);
  const body: unknown = JSON.parse(JSON.stringify(toCloudEvent(event, context)));
  return toConsumedEvent({
    subject: eventSubject('aid', context, event.type, community),
    json: <T>() => body as T,
  });
}

/**
 * The store's filter for a consumer's subject `aid.<context>.<EventType or * or >>[.<community>]`:
 * the context's stream prefixes, and the type when the subject names one. A subject naming one
 * community is refused: a read model of references follows all of them.
 */
export function storeFilterOf(subject: string): GlobalFilter {
  const [, context, type, community] = subject.split('.');
  const streamPrefixes = Object.entries(STREAM_CONTEXTS)
    .filter(([, owner]) => owner === context)
    .map(([prefix]) => prefix);
  if (streamPrefixes.length === 0) throw new Error(`subject ${subject} names no context the relay publishes`);
  if (community !== undefined && community !== '>' && community !== '*') {
    throw new Error(
      `subject ${subject} names one community; the audit rebuilds only read models of every community`,
    );
  }
  return type === undefined || type === '>' || type === '*'
    ? { streamPrefixes }
    : { streamPrefixes, types: [type] };
}
