import { randomUUID } from 'node:crypto';
import { ConflictError, fold, type Decider, type DomainEvent } from '@aid/contracts';
import {
  eventIdFor,
  IdempotencyMismatchError,
  WrongExpectedRevisionError,
  type Actor,
  type AppendResult,
  type EventStore,
  type JsonObject,
  type NewEvent,
  type RecordedEvent,
} from '@aid/event-store';

/** Who asked, and how to trace and deduplicate the request: travels with every command. */
export interface CommandMeta {
  actor: Actor;
  correlationId: string;
  causationId?: string | null;
  /** The client's Idempotency-Key: a retry with the same key appends nothing new. */
  idempotencyKey?: string | null;
  /** The client's If-Match: the revision it last saw. A different current revision is a conflict. */
  expectedRevision?: number | null;
}

export interface CommandOutcome {
  stream: string;
  /** The stream's revision after the command (or after its first run, for a retry); -1: still empty. */
  revision: number;
  /** Global position of the last event the command appended; null when it appended none. */
  position: number | null;
  /** False for a retry of a command already recorded, or a command that changed nothing. */
  appended: boolean;
}

export interface HandleCommandArgs<TCommand, TEvent extends DomainEvent, TState> {
  decider: Decider<TCommand, TEvent, TState>;
  stream: string;
  /** Kebab-case command name, e.g. 'dispatch-shipment': part of the idempotency scope. */
  commandName: string;
  command: TCommand;
  meta: CommandMeta;
  /** Business time of an event (sentAt, signedOn...); the command's arrival time when it has none. */
  occurredAt?: (event: TEvent) => string | undefined;
  schemaVersion?: number;
  /**
   * The command creates its aggregate, on a stream that almost always does not exist yet: decide
   * on an empty stream, as on a remembered one, and read it only if the store says it exists.
   */
  createsStream?: boolean;
}

const CONFLICT_RETRIES = 5;
/** Streams remembered as this handler last wrote them (about a few KiB each). */
const DEFAULT_RECENT_STREAMS = 1000;

/** What deciding needs of a stored event; position is known for the last event of each append. */
type KnownEvent = Pick<RecordedEvent, 'id' | 'type' | 'data' | 'revision'> & { position: number | null };

export interface CommandHandlerOptions {
  now?: () => Date;
  /** How many streams to remember as last written (0: read every stream before every command). */
  recentStreams?: number;
}

/**
 * The one command handler every service uses: load the stream, fold it, decide, append with the
 * revision the decision was based on. Nothing else is written: the store is the only truth.
 *
 * Commands often follow each other on one aggregate (plan, dispatch, receive a shipment), so the
 * handler remembers the streams it appended to last, as they were after its append, and decides
 * the next command on one of them without reading it back. The append still names the revision
 * the decision was based on, so a stream that someone else changed meanwhile (another replica,
 * an importer) is refused by the store, and the handler then reads it and decides again. Only an
 * append that succeeds proves the remembered stream current: any other outcome decided on it (a
 * refusal, nothing to do, an If-Match that does not match) is decided again on the stream as read.
 */
export class CommandHandler {
  private readonly now: () => Date;
  private readonly recent: RecentStreams;

  constructor(
    private readonly store: EventStore,
    private readonly service: string,
    options: CommandHandlerOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.recent = new RecentStreams(options.recentStreams ?? DEFAULT_RECENT_STREAMS);
  }

  async handle<TCommand, TEvent extends DomainEvent, TState>(
    args: HandleCommandArgs<TCommand, TEvent, TState>,
  ): Promise<CommandOutcome> {
    const scope = this.idempotencyScope(args);
    let remembered = this.recent.get(args.stream) ?? (args.createsStream ? [] : undefined);
    for (let conflicts = 0; ;) {
      const history = remembered ?? (await this.store.readStream(args.stream));
      const trusted = remembered === undefined;
      remembered = undefined;
      const current = history.length === 0 ? -1 : history[history.length - 1].revision;

      // Our own earlier events stay true however the stream went on: answered from memory too.
      const earlier =
        scope && args.meta.idempotencyKey ? findRecorded(history, scope, args.meta.idempotencyKey) : null;
      if (earlier)
        return {
          stream: args.stream,
          revision: earlier.revision,
          position: earlier.position,
          appended: false,
        };

      const expectedByClient = args.meta.expectedRevision;
      const pinned = expectedByClient !== undefined && expectedByClient !== null;
      if (pinned && expectedByClient !== current) {
        if (!trusted) continue;
        throw new ConflictError(
          `${args.stream} is at revision ${current}, not ${expectedByClient} (If-Match)`,
          {
            stream: args.stream,
            currentRevision: current,
          },
        );
      }

      let decided: TEvent[];
      try {
        const state = fold(
          args.decider,
          history.map((event) => ({ type: event.type, data: event.data }) as unknown as TEvent),
        );
        decided = args.decider.decide(args.command, state);
      } catch (error) {
        if (!trusted) continue;
        throw error;
      }
      if (decided.length === 0) {
        if (!trusted) continue;
        return { stream: args.stream, revision: current, position: null, appended: false };
      }

      const toAppend = decided.map((event, index) => this.toNewEvent(args, event, index, scope));
      try {
        const result = await this.store.append(args.stream, toAppend, current === -1 ? 'no-stream' : current);
        if (result.appended) this.recent.remember(args.stream, afterAppend(history, toAppend, result));
        else this.recent.forget(args.stream);
        return {
          stream: args.stream,
          revision: result.revision,
          position: result.position,
          appended: result.appended,
        };
      } catch (error) {
        this.recent.forget(args.stream);
        // What we remembered (or took as new) was stale: read the stream and decide again, whatever
        // the client pinned.
        if (
          !trusted &&
          (error instanceof WrongExpectedRevisionError || error instanceof IdempotencyMismatchError)
        )
          continue;
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        // Someone else wrote to the aggregate between our read and our append: decide again on
        // the new state, unless the client pinned the revision it saw.
        conflicts++;
        if (!pinned && conflicts < CONFLICT_RETRIES) continue;
        throw new ConflictError(`${args.stream} changed while the command ran: ${error.message}`, {
          stream: args.stream,
          currentRevision: error.actual,
        });
      }
    }
  }

  private idempotencyScope(
    args: Pick<HandleCommandArgs<unknown, DomainEvent, unknown>, 'meta' | 'commandName' | 'stream'>,
  ): string | null {
    if (!args.meta.idempotencyKey) return null;
    // The same key from another caller, or for another command or aggregate, is another request.
    return `${this.service}/${args.commandName}/${args.stream}/${args.meta.actor.id}`;
  }

  private toNewEvent<TEvent extends DomainEvent>(
    args: HandleCommandArgs<unknown, TEvent, unknown>,
    event: TEvent,
    index: number,
    scope: string | null,
  ): NewEvent {
    const { meta } = args;
    return {
      id: scope && meta.idempotencyKey ? eventIdFor(scope, meta.idempotencyKey, index) : randomUUID(),
      type: event.type,
      data: event.data as JsonObject,
      metadata: {
        occurredAt: businessTime(args.occurredAt?.(event)) ?? this.now().toISOString(),
        actor: meta.actor,
        correlationId: meta.correlationId,
        causationId: meta.causationId ?? null,
        idempotencyKey: meta.idempotencyKey ?? null,
        schemaVersion: args.schemaVersion ?? 1,
        service: this.service,
      },
    };
  }
}

/** The stream as it is after our append: the events read or remembered, then ours. */
function afterAppend(history: KnownEvent[], appended: NewEvent[], result: AppendResult): KnownEvent[] {
  const first = result.revision - appended.length + 1;
  const last = appended.length - 1;
  return [
    ...history,
    ...appended.map((event, index) => ({
      id: event.id,
      type: event.type,
      data: event.data,
      revision: first + index,
      position: index === last ? result.position : null,
    })),
  ];
}

/**
 * The streams this handler appended to last, as they were after its append, the least recently
 * used forgotten first.
 */
class RecentStreams {
  private readonly streams = new Map<string, KnownEvent[]>();

  constructor(private readonly capacity: number) {}

  get(stream: string): KnownEvent[] | undefined {
    return this.streams.get(stream);
  }

  remember(stream: string, events: KnownEvent[]): void {
    if (this.capacity <= 0) return;
    this.streams.delete(stream);
    this.streams.set(stream, events);
    if (this.streams.size > this.capacity) {
      const oldest = this.streams.keys().next().value;
      if (oldest !== undefined) this.streams.delete(oldest);
    }
  }

  forget(stream: string): void {
    this.streams.delete(stream);
  }
}

/** The last event an earlier run of the same request appended, if it did. */
function findRecorded(history: KnownEvent[], scope: string, key: string): KnownEvent | null {
  const firstId = eventIdFor(scope, key, 0);
  const start = history.findIndex((event) => event.id === firstId);
  if (start === -1) return null;
  let last = history[start];
  for (let index = 1; start + index < history.length; index++) {
    const next = history[start + index];
    if (next.id !== eventIdFor(scope, key, index)) break;
    last = next;
  }
  return last;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Metadata keeps business time as an RFC 3339 date-time (CloudEvents' `time` requires one). Many
 * facts happen on a day (a memorandum signed on 2025-03-25): that day starts at 00:00 UTC here,
 * while the event's own data keeps the day exactly as given.
 */
export function businessTime(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (DATE_ONLY.test(value)) return `${value}T00:00:00.000Z`;
  if (DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))) return value;
  throw new TypeError(`business time ${JSON.stringify(value)} is neither a date nor an RFC 3339 date-time`);
}
