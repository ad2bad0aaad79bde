import { randomUUID } from 'node:crypto';
import { ConflictError, fold, type Decider, type DomainEvent } from '@aid/contracts';
import {
  eventIdFor,
  WrongExpectedRevisionError,
  type Actor,
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
}

const CONFLICT_RETRIES = 5;

/**
 * The one command handler every service uses: load the stream, fold it, decide, append with the
 * revision the decision was based on. Nothing else is written: the store is the only truth.
 */
export class CommandHandler {
  constructor(
    private readonly store: EventStore,
    private readonly service: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async handle<TCommand, TEvent extends DomainEvent, TState>(
    args: HandleCommandArgs<TCommand, TEvent, TState>,
  ): Promise<CommandOutcome> {
    const scope = this.idempotencyScope(args);
    for (let attempt = 1; ; attempt++) {
      const history = await this.store.readStream(args.stream);
      const current = history.length === 0 ? -1 : history[history.length - 1].revision;

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
      if (expectedByClient !== undefined && expectedByClient !== null && expectedByClient !== current) {
        throw new ConflictError(
          `${args.stream} is at revision ${current}, not ${expectedByClient} (If-Match)`,
          {
            stream: args.stream,
            currentRevision: current,
          },
        );
      }

      const state = fold(
        args.decider,
        history.map((event) => ({ type: event.type, data: event.data }) as unknown as TEvent),
      );
      const decided = args.decider.decide(args.command, state);
      if (decided.length === 0)
        return { stream: args.stream, revision: current, position: null, appended: false };

      const toAppend = decided.map((event, index) => this.toNewEvent(args, event, index, scope));
      try {
        const result = await this.store.append(args.stream, toAppend, current === -1 ? 'no-stream' : current);
        return {
          stream: args.stream,
          revision: result.revision,
          position: result.position,
          appended: result.appended,
        };
      } catch (error) {
        // Someone else wrote to the aggregate between our read and our append: decide again on
        // the new state, unless the client pinned the revision it saw.
        const pinned = expectedByClient !== undefined && expectedByClient !== null;
        if (error instanceof WrongExpectedRevisionError && !pinned && attempt < CONFLICT_RETRIES) continue;
        if (error instanceof WrongExpectedRevisionError) {
          throw new ConflictError(`${args.stream} changed while the command ran: ${error.message}`, {
            stream: args.stream,
            currentRevision: error.actual,
          });
        }
        throw error;
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

/** The last event an earlier run of the same request appended, if it did. */
function findRecorded(history: RecordedEvent[], scope: string, key: string): RecordedEvent | null {
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
