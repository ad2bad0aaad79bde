import type { Checkpoint, EventBatch, EventStore, GlobalFilter } from '@aid/event-store';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { CheckpointTable, type StoredCheckpoint } from './checkpoints';
import { defaultLogger } from './logger';
import { type HeldLock, tryAcquireSessionLock } from './session-lock';

export type FollowerState = 'stopped' | 'standby' | 'active';

export interface FollowerPosition {
  checkpoint: Checkpoint;
  position: number | null;
}

export interface CheckpointedFollowerOptions {
  /** Names the checkpoint row and the advisory lock: one active instance per name. */
  name: string;
  store: EventStore;
  /** Initialised DataSource; every batch runs in one transaction on it. */
  dataSource: DataSource;
  /** For the dedicated lock connection (session-level locks cannot live in a pool). */
  connectionString: string;
  checkpoints?: CheckpointTable;
  filter?: GlobalFilter;
  batchSize?: number;
  /**
   * How long to let new events gather before reading them (SubscribeOptions.gatherMs), default
   * 30 ms: under load, batches of several events instead of a transaction per append.
   */
  gatherMs?: number;
  /** How long a standby waits between attempts to take the lock, and the pause after a failure. */
  standbyRetryMs?: number;
  logger?: Logger;
  /** Runs each time this instance becomes active, under the lock, before it follows the log. */
  onActivate?: () => Promise<void>;
  /**
   * Applies one batch inside the transaction that then moves the checkpoint. Throwing rolls the
   * batch back; the follower retries it from the stored checkpoint.
   */
  applyBatch: (batch: EventBatch, manager: EntityManager) => Promise<void>;
}

const DEFAULT_GATHER_MS = 30;

export class CheckpointConflictError extends Error {
  constructor(name: string) {
    super(`checkpoint of ${name} was moved by another instance; this one stops and stands by`);
    this.name = 'CheckpointConflictError';
  }
}

export class FollowerNotActiveError extends Error {
  constructor(name: string, state: FollowerState) {
    super(`${name} is ${state} here: exclusive work must run on the instance that holds its lock`);
    this.name = 'FollowerNotActiveError';
  }
}

interface ExclusiveTask {
  work: (position: FollowerPosition) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * Follows the store from a checkpoint kept in PostgreSQL, one active instance per name.
 * The projection runner and the relay are both built on it: each batch is applied and the
 * checkpoint moved (compare-and-set) in one transaction, so a crash never loses or repeats
 * an effect that lives in that transaction.
 */
export class CheckpointedFollower {
  private readonly checkpoints: CheckpointTable;
  private readonly logger: Logger;
  private readonly standbyRetryMs: number;
  private currentState: FollowerState = 'stopped';
  private stopController: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private current: FollowerPosition | null = null;
  private interrupt: AbortController | null = null;
  private exclusiveTasks: ExclusiveTask[] = [];
  private eventsApplied = 0;
  private lastErrorMessage: string | null = null;

  constructor(private readonly options: CheckpointedFollowerOptions) {
    this.checkpoints = options.checkpoints ?? new CheckpointTable();
    this.logger = (options.logger ?? defaultLogger()).child({ follower: options.name });
    this.standbyRetryMs = options.standbyRetryMs ?? 3_000;
  }

  get name(): string {
    return this.options.name;
  }

  get state(): FollowerState {
    return this.currentState;
  }

  /** Events applied and committed by this instance since it was created. */
  get eventsHandled(): number {
    return this.eventsApplied;
  }

  get lastError(): string | null {
    return this.lastErrorMessage;
  }

  /**
   * Creates the checkpoint table if needed (so an unreachable database fails here, at once) and
   * starts following; resolves once the first attempt to take the lock has settled.
   */
  async start(): Promise<void> {
    if (this.loop) return;
    await this.withRunner((runner) => this.checkpoints.ensureTable(runner));
    const stop = new AbortController();
    this.stopController = stop;
    let settled!: () => void;
    const firstAttempt = new Promise<void>((resolve) => (settled = resolve));
    this.loop = this.run(stop.signal, settled).finally(() => settled());
    await firstAttempt;
  }

  /** Stops after the batch in hand (which commits or rolls back as a whole) and releases the lock. */
  async stop(): Promise<void> {
    this.stopController?.abort(new Error('stopped'));
    await this.loop;
    this.loop = null;
    this.stopController = null;
  }

  /** The stored checkpoint (written by whichever instance is active), or null before any run. */
  async stored(): Promise<StoredCheckpoint | null> {
    return this.withRunner((runner) => this.checkpoints.peek(runner, this.options.name));
  }

  /**
   * Runs `work` on the active instance with following paused between two batches, still holding
   * the lock; following then resumes from the checkpoint as stored (which `work` may have moved).
   */
  whileActive<T>(work: (position: FollowerPosition) => Promise<T>): Promise<T> {
    if (this.currentState !== 'active') {
      return Promise.reject(new FollowerNotActiveError(this.options.name, this.currentState));
    }
    return new Promise<T>((resolve, reject) => {
      this.exclusiveTasks.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.interrupt?.abort(new Error('exclusive work pending'));
    });
  }

  private async run(stop: AbortSignal, firstAttemptSettled: () => void): Promise<void> {
    while (!stop.aborted) {
      let lock: HeldLock | null = null;
      try {
        lock = await tryAcquireSessionLock({
          connectionString: this.options.connectionString,
          name: this.options.name,
          heartbeatMs: this.standbyRetryMs,
        });
      } catch (error) {
        this.recordError('cannot take the lock', error);
      }
      if (!lock) {
        if (this.currentState !== 'standby') this.logger.info('standing by: another instance holds the lock');
        this.currentState = 'standby';
        firstAttemptSettled();
        await pause(this.standbyRetryMs, stop);
        continue;
      }

      this.currentState = 'active';
      this.logger.info('active: holding the lock');
      firstAttemptSettled();
      try {
        await this.options.onActivate?.();
        await this.followWhileHolding(lock, stop);
      } catch (error) {
        if (error instanceof CheckpointConflictError) this.recordError('checkpoint conflict', error, 'warn');
        else if (lock.lost.aborted)
          this.recordError('lock lost: stopped processing', lock.lost.reason, 'warn');
        else this.recordError('following failed; retrying from the stored checkpoint', error);
      } finally {
        this.currentState = stop.aborted ? 'stopped' : 'standby';
        this.rejectExclusiveTasks();
        this.current = null;
        await lock.release();
      }
      if (!stop.aborted) await pause(this.standbyRetryMs, stop);
    }
    this.currentState = 'stopped';
  }

  private async followWhileHolding(lock: HeldLock, stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      const stored = await this.withRunner((runner) => this.checkpoints.read(runner, this.options.name));
      this.current = { checkpoint: stored.checkpoint, position: stored.position };
      const interrupt = new AbortController();
      this.interrupt = interrupt;
      if (this.exclusiveTasks.length > 0) interrupt.abort();
      await this.follow(AbortSignal.any([stop, lock.lost, interrupt.signal]), lock.lost);
      this.interrupt = null;
      if (lock.lost.aborted) throw lock.lost.reason;
      await this.runExclusiveTasks();
    }
  }

  private async follow(signal: AbortSignal, lost: AbortSignal): Promise<void> {
    if (signal.aborted || !this.current) return;
    const batches = this.options.store
      .subscribe({
        ...this.options.filter,
        from: this.current.checkpoint,
        batchSize: this.options.batchSize,
        gatherMs: this.options.gatherMs ?? DEFAULT_GATHER_MS,
        signal,
      })
      [Symbol.asyncIterator]();
    try {
      while (!signal.aborted) {
        let next: IteratorResult<EventBatch>;
        try {
          next = await batches.next();
        } catch (error) {
          if (signal.aborted) return;
          throw error;
        }
        if (next.done) {
          if (signal.aborted) return;
          throw new Error('the subscription ended without being asked to');
        }
        await this.applyAndCommit(next.value, lost);
      }
    } finally {
      await batches.return?.();
    }
  }

  private async applyAndCommit(batch: EventBatch, lost: AbortSignal): Promise<void> {
    const current = this.current;
    if (!current) throw new Error('no checkpoint loaded');
    if (batch.events.length === 0 && batch.checkpoint === current.checkpoint) return;
    const startedAt = performance.now();
    // The highest position handled, not the batch's last: the log's order is not position order
    // (a transaction that took an earlier position may commit later), and lag is measured against
    // the newest position.
    const position = highestPosition(batch.events, current.position);
    const runner = this.options.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.startTransaction();
      await this.options.applyBatch(batch, runner.manager);
      // The compare-and-set below would catch a new holder too; stopping here just saves the work.
      if (lost.aborted) throw lost.reason;
      const moved = await this.checkpoints.compareAndSet(
        runner,
        this.options.name,
        current.checkpoint,
        batch.checkpoint,
        position,
      );
      if (!moved) throw new CheckpointConflictError(this.options.name);
      await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
    this.current = { checkpoint: batch.checkpoint, position };
    this.eventsApplied += batch.events.length;
    this.lastErrorMessage = null;
    this.logger.debug(
      { events: batch.events.length, position, ms: Math.round(performance.now() - startedAt) },
      'batch committed',
    );
  }

  private async runExclusiveTasks(): Promise<void> {
    while (this.exclusiveTasks.length > 0) {
      const task = this.exclusiveTasks.shift()!;
      try {
        task.resolve(await task.work({ ...this.current! }));
      } catch (error) {
        task.reject(error);
      }
    }
  }

  private rejectExclusiveTasks(): void {
    const pending = this.exclusiveTasks;
    this.exclusiveTasks = [];
    for (const task of pending) task.reject(new FollowerNotActiveError(this.options.name, this.currentState));
  }

  private recordError(message: string, error: unknown, level: 'warn' | 'error' = 'error'): void {
    this.lastErrorMessage = `${message}: ${error instanceof Error ? error.message : String(error)}`;
    this.logger[level]({ err: error }, message);
  }

  private async withRunner<T>(
    work: (runner: ReturnType<DataSource['createQueryRunner']>) => Promise<T>,
  ): Promise<T> {
    const runner = this.options.dataSource.createQueryRunner();
    try {
      return await work(runner);
    } finally {
      await runner.release();
    }
  }
}

/** Waits, or returns early when `signal` aborts. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // Aborted: the caller checks the signal.
  }
}

/** The highest global position among `events` and `previous` (null when there is none). */
export function highestPosition(
  events: ReadonlyArray<{ position: number }>,
  previous: number | null,
): number | null {
  let highest = previous;
  for (const event of events) if (highest === null || event.position > highest) highest = event.position;
  return highest;
}
