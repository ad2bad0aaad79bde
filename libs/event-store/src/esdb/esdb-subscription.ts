import {
  BACKWARDS,
  END,
  START,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type EventStoreDBClient,
  type Filter,
  type Position,
} from '@eventstore/db-client';
import type { EventBatch, GlobalFilter, RecordedEvent } from '../port';
import { isAfter, laterOf } from './esdb-positions';
import { readEvents } from './esdb-reads';
import { fromEsdbRecord, isSystemEvent, matchesFilter, serverFilter } from './esdb-records';
import {
  isFatalSubscriptionError,
  judgeProbe,
  msUntilProbe,
  resubscribeDelayMs,
  seenBeforeCheckpoint,
  type ProbeEntry,
  type ProbeVerdict,
  type WatchMarks,
} from './watchdog';

export interface FollowOptions {
  /** Resume after this position, or from the first event. */
  from: Position | 'start';
  filter: GlobalFilter;
  batchSize: number;
  signal: AbortSignal;
  /** Silence after which the watchdog checks $all for events that should have arrived. */
  watchdogMs: number;
  /** A batch that is not full is handed out once no event has arrived for this long. */
  idleGapMs: number;
  /** How many of the newest $all events a watchdog probe reads at most. */
  probeLimit: number;
}

/** Wakes the follower loop when something happens; remembers a wake-up that came while it was busy. */
class Waker {
  private woken = false;
  private wakeUp: (() => void) | null = null;

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** True when woken, false when `ms` passed first. */
  wait(ms: number): Promise<boolean> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.wakeUp = null;
          resolve(false);
        },
        Math.max(0, ms),
      );
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.woken = false;
        resolve(true);
      };
    });
  }
}

interface SessionHooks {
  onActivity(): void;
  onCheckpoint(position: Position): void;
  wake(): void;
}

/** One EventStoreDB catch-up subscription; replaced as a whole when it fails. */
class Session {
  private readonly queue: AllStreamResolvedEvent[] = [];
  private readonly subscription: AllStreamSubscription;
  private paused = false;
  private closed = false;
  ended = false;
  error: unknown = undefined;

  private readonly onData = (event: AllStreamResolvedEvent): void => {
    this.queue.push(event);
    this.hooks.onActivity();
    // Stop reading while the consumer is behind; gRPC flow control then holds the server back.
    if (!this.paused && this.queue.length >= this.highWater) {
      this.subscription.pause();
      this.paused = true;
    }
    this.hooks.wake();
  };
  private readonly onError = (error: Error): void => {
    this.error ??= error;
    this.hooks.wake();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.hooks.wake();
  };
  private readonly onActivity = (): void => this.hooks.onActivity();

  constructor(
    client: EventStoreDBClient,
    from: Position | 'start',
    filter: Filter,
    private readonly highWater: number,
    private readonly hooks: SessionHooks,
  ) {
    this.subscription = client.subscribeToAll({
      fromPosition: from === 'start' ? START : from,
      filter: {
        ...filter,
        // Filtered subscriptions report how far the server has scanned; the watchdog uses it as proof of life.
        checkpointReached: (_subscription, position) => {
          if (this.closed) return;
          this.hooks.onCheckpoint(position);
        },
      },
    });
    this.subscription.on('data', this.onData);
    this.subscription.on('error', this.onError);
    this.subscription.on('end', this.onEnd);
    this.subscription.on('close', this.onEnd);
    this.subscription.on('confirmation', this.onActivity);
    this.subscription.on('caughtUp', this.onActivity);
    this.subscription.on('fellBehind', this.onActivity);
  }

  get finished(): boolean {
    return this.ended || this.error !== undefined;
  }

  get queued(): number {
    return this.queue.length;
  }

  take(): AllStreamResolvedEvent | undefined {
    const event = this.queue.shift();
    if (this.paused && this.queue.length <= this.highWater / 2) {
      this.paused = false;
      this.subscription.resume();
    }
    return event;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscription.off('data', this.onData);
    this.subscription.off('error', this.onError);
    this.subscription.off('end', this.onEnd);
    this.subscription.off('close', this.onEnd);
    this.subscription.off('confirmation', this.onActivity);
    this.subscription.off('caughtUp', this.onActivity);
    this.subscription.off('fellBehind', this.onActivity);
    // A dropped subscription can still report a late error; without a listener Node would crash on it.
    this.subscription.on('error', () => undefined);
    await this.subscription.unsubscribe().catch(() => undefined);
    this.subscription.destroy();
  }
}

/**
 * Reads the newest events of $all, back to what we already know, to tell a quiet subscription from
 * a dead one. A failed read counts as a dead subscription too: the server is not answering.
 */
async function probe(
  client: EventStoreDBClient,
  filter: GlobalFilter,
  marks: WatchMarks,
  limit: number,
): Promise<ProbeVerdict> {
  const entries: ProbeEntry[] = [];
  let read = 0;
  try {
    for await (const resolved of readEvents(
      client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: limit }),
    )) {
      read += 1;
      const event = resolved.event;
      if (!event) continue;
      entries.push({
        position: event.position,
        deliverable: !isSystemEvent(event) && matchesFilter(filter, event),
      });
      if (!isAfter(event.position, marks.lastSeen)) break;
    }
  } catch (error) {
    return { kind: 'stale', reason: `reading $all failed: ${String(error)}` };
  }
  return judgeProbe(entries, marks, read < limit);
}

function batchOf(events: RecordedEvent[]): EventBatch {
  return { events, checkpoint: events[events.length - 1].checkpoint };
}

/**
 * Follows $all from a position: catches up, then stays live, in batches. Any failure of the
 * underlying subscription (error, unexpected end, or silence while $all has events for us) replaces
 * it with a new one that resumes after the last event handed out; events at or before that position
 * are dropped, so nothing is delivered twice and nothing is skipped. Ends when the signal aborts.
 */
export async function* followAll(
  client: EventStoreDBClient,
  options: FollowOptions,
): AsyncGenerator<EventBatch> {
  const { signal, batchSize, filter } = options;
  const waker = new Waker();
  const onAbort = (): void => waker.wake();
  signal.addEventListener('abort', onAbort);

  let lastDelivered: Position | null = options.from === 'start' ? null : options.from;
  let lastSeen: Position | null = lastDelivered;
  let lastActivityAt = Date.now();
  let consecutiveFailures = 0;
  let session: Session | null = null;
  let pending: RecordedEvent[] = [];
  const hooks: SessionHooks = {
    onActivity: () => {
      lastActivityAt = Date.now();
    },
    onCheckpoint: (position) => {
      lastActivityAt = Date.now();
      lastSeen = laterOf(lastSeen, seenBeforeCheckpoint(position));
    },
    wake: () => waker.wake(),
  };
  const highWater = Math.max(64, batchSize * 2);
  const esdbFilter = serverFilter(filter);

  try {
    while (!signal.aborted) {
      if (session === null) {
        const delay = resubscribeDelayMs(consecutiveFailures);
        if (delay > 0) {
          await waker.wait(delay);
          if (signal.aborted) break;
        }
        session = new Session(client, lastDelivered ?? 'start', esdbFilter, highWater, hooks);
        lastActivityAt = Date.now();
      }

      for (let resolved = session.take(); resolved !== undefined; resolved = session.take()) {
        const event = resolved.event;
        if (!event || isSystemEvent(event) || !matchesFilter(filter, event)) continue;
        // A new subscription may start at the last delivered event itself.
        if (!isAfter(event.position, lastDelivered)) continue;
        pending.push(fromEsdbRecord(event));
        lastDelivered = event.position;
        lastSeen = laterOf(lastSeen, event.position);
        consecutiveFailures = 0;
        if (pending.length >= batchSize) break;
      }

      if (pending.length >= batchSize) {
        yield batchOf(pending);
        pending = [];
        // Time the consumer spent on the batch is not silence of the subscription.
        lastActivityAt = Date.now();
        continue;
      }

      if (session.finished) {
        if (pending.length > 0) {
          yield batchOf(pending);
          pending = [];
        }
        if (isFatalSubscriptionError(session.error)) throw session.error;
        await session.close();
        session = null;
        consecutiveFailures += 1;
        continue;
      }

      if (pending.length > 0) {
        const more = await waker.wait(options.idleGapMs);
        if (!more && !signal.aborted) {
          yield batchOf(pending);
          pending = [];
          lastActivityAt = Date.now();
        }
        continue;
      }

      const untilProbe = msUntilProbe(lastActivityAt, Date.now(), options.watchdogMs);
      if (untilProbe > 0) {
        await waker.wait(untilProbe);
        continue;
      }

      const verdict = await probe(client, filter, { lastDelivered, lastSeen }, options.probeLimit);
      if (signal.aborted) break;
      // Events may have arrived while probing; they prove the subscription alive.
      if (session.queued > 0 || session.finished) continue;
      if (verdict.kind === 'stale') {
        await session.close();
        session = null;
        continue;
      }
      lastSeen = laterOf(lastSeen, verdict.seenUpTo);
      lastActivityAt = Date.now();
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    await session?.close();
  }
}
