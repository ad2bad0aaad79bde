import type { Checkpoint, EventBatch, EventStore } from '@aid/event-store';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { DataSource, type QueryRunner } from 'typeorm';
import { CheckpointTable } from './checkpoints';
import {
  CheckpointConflictError,
  CheckpointedFollower,
  FollowerNotActiveError,
  type FollowerPosition,
  highestPosition,
  type FollowerState,
} from './follower';
import { findHeadPosition } from './head-position';
import { defaultLogger } from './logger';
import { assertIdentifier, quoteCatalogName, quoteIdentifier } from './postgres-names';
import type { Projection, ProjectionContext } from './projection';
import type { AuditedReadModel } from './read-model-audit';
import { tryAcquireSessionLock } from './session-lock';

export interface ProjectionRunnerOptions {
  projection: Projection;
  store: EventStore;
  /** PostgreSQL holding the read models and the checkpoint table. */
  connectionString: string;
  /** Schema of the live read-model tables; default: the projection's name. */
  schema?: string;
  /** Schema of the shared checkpoint table; default public. */
  checkpointSchema?: string;
  batchSize?: number;
  /** Standby retry interval and pause after a failure, ms; default 3000. */
  standbyRetryMs?: number;
  /** Connections per DataSource (the live one, and a shadow one during a rebuild); default 4. */
  poolSize?: number;
  logger?: Logger;
}

export interface ProjectionStatus {
  name: string;
  schema: string;
  /** This instance: active (holds the lock), standby, or stopped. */
  state: FollowerState;
  /** As stored by whichever instance is active; 'start' before the first batch. */
  checkpoint: Checkpoint;
  lastPosition: number | null;
  /** Newest event the projection follows (after its filter); null for an empty store. */
  headPosition: number | null;
  /** headPosition minus lastPosition: how many positions it is behind. */
  lag: number;
  updatedAt: Date | null;
  /** Events this instance handled since it was created. */
  eventsHandled: number;
  lastError: string | null;
}

/** A projection replayed into a shadow schema, up to `checkpoint`. */
export interface ShadowBuild {
  schema: string;
  checkpoint: Checkpoint;
  lastPosition: number | null;
  eventsReplayed: number;
}

export interface SwapResult {
  schema: string;
  checkpoint: Checkpoint;
  lastPosition: number | null;
  /** Events replayed in the shadow overall, including the catch-up done under the lock. */
  eventsReplayed: number;
}

export class ShadowSchemaExistsError extends Error {
  constructor(schema: string) {
    super(`shadow schema ${schema} already exists; drop it (dropShadow) or pick another name`);
    this.name = 'ShadowSchemaExistsError';
  }
}

/**
 * Keeps one projection's read model up to date: follows the store from its checkpoint and
 * handles each batch in one transaction with the checkpoint's compare-and-set; one active
 * instance per projection (advisory lock), the others stand by. Rebuilds replay the log into a
 * fresh shadow schema with side effects off and swap it in atomically.
 */
export class ProjectionRunner {
  readonly name: string;
  readonly schema: string;
  private readonly projection: Projection;
  private readonly checkpoints: CheckpointTable;
  private readonly logger: Logger;
  private readonly follower: CheckpointedFollower;
  private readonly liveDataSource: DataSource;

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.projection = options.projection;
    this.name = assertIdentifier(options.projection.name, 'projection name');
    this.schema = assertIdentifier(options.schema ?? this.name, 'projection schema');
    this.checkpoints = new CheckpointTable(options.checkpointSchema);
    this.logger = (options.logger ?? defaultLogger()).child({ projection: this.name });
    this.liveDataSource = this.createDataSource(this.schema);
    this.follower = new CheckpointedFollower({
      name: this.name,
      store: options.store,
      dataSource: this.liveDataSource,
      connectionString: options.connectionString,
      checkpoints: this.checkpoints,
      filter: options.projection.filter,
      batchSize: options.batchSize,
      standbyRetryMs: options.standbyRetryMs,
      logger: this.logger,
      onActivate: () => this.prepareSchema(this.liveDataSource, this.schema),
      applyBatch: (batch, manager) => this.handleBatch(batch, manager, true),
    });
  }

  /** The live read model's DataSource, for queries (its entities resolve to the live schema). */
  get dataSource(): DataSource {
    return this.liveDataSource;
  }

  get state(): FollowerState {
    return this.follower.state;
  }

  /** Connects and starts following (or standing by); resolves once the first lock attempt settled. */
  async start(): Promise<void> {
    await this.initialise();
    await this.follower.start();
  }

  /** Finishes the batch in hand, releases the lock and closes the connections. */
  async stop(): Promise<void> {
    await this.follower.stop();
    if (this.liveDataSource.isInitialized) await this.liveDataSource.destroy();
  }

  async status(): Promise<ProjectionStatus> {
    await this.initialise();
    const stored = await this.follower.stored();
    const lastPosition = stored?.position ?? null;
    const headPosition = await findHeadPosition(this.options.store, lastPosition, this.projection.filter);
    return {
      name: this.name,
      schema: this.schema,
      state: this.follower.state,
      checkpoint: stored?.checkpoint ?? 'start',
      lastPosition,
      headPosition,
      lag: headPosition === null ? 0 : headPosition - (lastPosition ?? 0),
      updatedAt: stored?.updatedAt ?? null,
      eventsHandled: this.follower.eventsHandled,
      lastError: this.follower.lastError,
    };
  }

  /**
   * Replays the log from the first event into fresh tables in `schema`, with side effects off,
   * up to the newest event at the time of the call (or `untilPosition`), or exactly up to
   * `untilCheckpoint` (a checkpoint the live projection stored: the audit compares the shadow
   * with the live tables as they stood at it). The live read model is untouched and keeps being
   * updated meanwhile; needs no lock, so the audit can call it on any instance. A `disposable`
   * shadow (compared, then dropped; never swapped in) skips the write-ahead log and the indexes
   * that only serve reads (see lightenShadow), and its commits do not wait for a flush.
   */
  async buildShadow(
    schema: string,
    options: { untilPosition?: number; untilCheckpoint?: Checkpoint; disposable?: boolean } = {},
  ): Promise<ShadowBuild> {
    assertIdentifier(schema, 'shadow schema');
    if (schema === this.schema) {
      throw new Error(`the shadow schema must differ from the live one (${schema})`);
    }
    if (await this.schemaExists(schema)) throw new ShadowSchemaExistsError(schema);
    const startedAt = performance.now();
    const shadow = this.createDataSource(schema);
    await shadow.initialize();
    try {
      await this.prepareSchema(shadow, schema);
      if (options.disposable) await this.lightenShadow(shadow, schema);
      const replayed =
        options.untilCheckpoint === undefined
          ? await this.replay(shadow, START, await this.targetPosition(options.untilPosition))
          : await this.replayUntil(shadow, options.untilCheckpoint, options.disposable === true);
      const build: ShadowBuild = { schema, ...replayed };
      this.logger.info(
        {
          shadow: schema,
          events: build.eventsReplayed,
          position: build.lastPosition,
          ms: elapsed(startedAt),
        },
        'shadow built',
      );
      return build;
    } finally {
      await shadow.destroy();
    }
  }

  /** The live read model as the audit sees it: its tables, the checkpoint stored with them, and a rebuild. */
  auditedReadModel(): AuditedReadModel<Checkpoint> {
    return {
      name: this.name,
      schema: this.schema,
      readLiveBound: async (query) => {
        const [table] = await query<{ oid: string | null }>('SELECT to_regclass($1) AS oid', [
          this.checkpoints.qualifiedName,
        ]);
        if (!table?.oid) return 'start';
        const rows = await query<{ checkpoint: string }>(
          `SELECT checkpoint FROM ${this.checkpoints.qualifiedName} WHERE name = $1`,
          [this.name],
        );
        return rows[0]?.checkpoint ?? 'start';
      },
      describeBound: (checkpoint) => ({ checkpoint }),
      replayInto: async (shadowSchema, checkpoint) =>
        (await this.buildShadow(shadowSchema, { untilCheckpoint: checkpoint, disposable: true }))
          .eventsReplayed,
    };
  }

  /**
   * Makes a shadow the live read model: under the projection's lock, with following paused, it
   * catches the shadow up to the live position, then in one transaction renames the live schema
   * away, the shadow to live, drops the old one and moves the checkpoint to the shadow's.
   * Runs here if this instance is active, or takes the lock itself if the runner is not started;
   * on a standby instance it throws FollowerNotActiveError.
   */
  async swapIn(build: ShadowBuild): Promise<SwapResult> {
    await this.initialise();
    const swap = (live: FollowerPosition): Promise<SwapResult> => this.catchUpAndSwap(build, live);
    if (this.follower.state === 'active') return this.follower.whileActive(swap);
    if (this.follower.state === 'standby') throw new FollowerNotActiveError(this.name, 'standby');

    const lock = await tryAcquireSessionLock({
      connectionString: this.options.connectionString,
      name: this.name,
    });
    if (!lock) throw new FollowerNotActiveError(this.name, 'stopped');
    try {
      const stored = await this.withRunner(async (runner) => {
        await this.checkpoints.ensureTable(runner);
        return this.checkpoints.read(runner, this.name);
      });
      return await swap({ checkpoint: stored.checkpoint, position: stored.position });
    } finally {
      await lock.release();
    }
  }

  /** Rebuilds the read model from the first event: buildShadow then swapIn. */
  async rebuild(): Promise<SwapResult> {
    const shadowSchema = `${this.schema.slice(0, 45)}_shadow_${randomBytes(4).toString('hex')}`;
    try {
      return await this.swapIn(await this.buildShadow(shadowSchema));
    } catch (error) {
      await this.dropShadow(shadowSchema);
      throw error;
    }
  }

  /** Drops a shadow schema left by buildShadow (the audit drops its shadow after comparing). */
  async dropShadow(schema: string): Promise<void> {
    assertIdentifier(schema, 'shadow schema');
    if (schema === this.schema) throw new Error(`refusing to drop the live schema ${schema}`);
    await this.initialise();
    await this.withRunner((runner) =>
      runner.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`),
    );
  }

  private async catchUpAndSwap(build: ShadowBuild, live: FollowerPosition): Promise<SwapResult> {
    const startedAt = performance.now();
    const shadow = this.createDataSource(build.schema);
    await shadow.initialize();
    let caughtUp: Omit<ShadowBuild, 'schema'>;
    try {
      // The swap would be consistent without this (tables and checkpoint travel together), but
      // the read model would step back in time until the follower caught up again.
      const more = await this.replay(
        shadow,
        { checkpoint: build.checkpoint, position: build.lastPosition },
        live.position,
      );
      caughtUp = { ...more, eventsReplayed: build.eventsReplayed + more.eventsReplayed };
    } finally {
      await shadow.destroy();
    }

    const retired = `${this.schema.slice(0, 45)}_retired_${randomBytes(4).toString('hex')}`;
    await this.withRunner(async (runner) => {
      await runner.startTransaction();
      try {
        // Readers of the live tables hold locks that DROP must wait for; do not wait forever.
        await runner.query(`SET LOCAL lock_timeout = '10s'`);
        if (await this.schemaExists(this.schema, runner)) {
          await runner.query(
            `ALTER SCHEMA ${quoteIdentifier(this.schema)} RENAME TO ${quoteIdentifier(retired)}`,
          );
        }
        await runner.query(
          `ALTER SCHEMA ${quoteIdentifier(build.schema)} RENAME TO ${quoteIdentifier(this.schema)}`,
        );
        await runner.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(retired)} CASCADE`);
        if (caughtUp.checkpoint !== 'start') {
          const moved = await this.checkpoints.compareAndSet(
            runner,
            this.name,
            live.checkpoint,
            caughtUp.checkpoint,
            caughtUp.lastPosition,
          );
          if (!moved) throw new CheckpointConflictError(this.name);
        } else if (live.checkpoint !== 'start') {
          // An empty shadow replaces a live model that has seen events: only possible if the log
          // lost events, which it must not; refuse rather than reset the checkpoint.
          throw new Error(`shadow ${build.schema} saw no events but ${this.name} has; refusing to swap`);
        }
        await runner.commitTransaction();
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        throw error;
      }
    });
    this.logger.info(
      {
        shadow: build.schema,
        events: caughtUp.eventsReplayed,
        position: caughtUp.lastPosition,
        ms: elapsed(startedAt),
      },
      'shadow swapped in',
    );
    return { schema: this.schema, ...caughtUp };
  }

  /**
   * The newest event that passes the projection's filter: the replay, with the same filter, is
   * sure to deliver it. A position of the caller's may name a filtered-out event, so it only
   * lowers that target.
   */
  private async targetPosition(untilPosition: number | undefined): Promise<number | null> {
    const head = await findHeadPosition(this.options.store, null, this.projection.filter);
    return head === null || untilPosition === undefined ? head : Math.min(head, untilPosition);
  }

  /**
   * Replays from `from` into the shadow DataSource, one transaction per batch, until it has
   * handled an event at or after `target`, which must be the position of an event that passes
   * the projection's filter (or lie before one), or the replay would wait for it forever.
   */
  private async replay(
    shadow: DataSource,
    from: FollowerPosition,
    target: number | null,
  ): Promise<Omit<ShadowBuild, 'schema'>> {
    const progress = { checkpoint: from.checkpoint, lastPosition: from.position, eventsReplayed: 0 };
    const reached = (): boolean =>
      target === null || (progress.lastPosition !== null && progress.lastPosition >= target);
    if (reached()) return progress;
    await this.replayBatches(shadow, { from: progress.checkpoint }, progress, reached, false);
    return progress;
  }

  /** Replays from the first event exactly up to `until`, one transaction per batch. */
  private async replayUntil(
    shadow: DataSource,
    until: Checkpoint,
    disposable: boolean,
  ): Promise<Omit<ShadowBuild, 'schema'>> {
    const progress: Omit<ShadowBuild, 'schema'> = {
      checkpoint: 'start',
      lastPosition: null,
      eventsReplayed: 0,
    };
    if (until === 'start') return progress;
    await this.replayBatches(shadow, { from: 'start', until }, progress, () => false, disposable);
    return progress;
  }

  private async replayBatches(
    shadow: DataSource,
    range: { from: Checkpoint; until?: Checkpoint },
    progress: Omit<ShadowBuild, 'schema'>,
    reached: () => boolean,
    disposable: boolean,
  ): Promise<void> {
    const subscription = new AbortController();
    const batches = this.options.store
      .subscribe({
        ...this.projection.filter,
        ...range,
        batchSize: this.options.batchSize,
        signal: subscription.signal,
      })
      [Symbol.asyncIterator]();
    try {
      if (disposable) {
        await this.replayPipelined(shadow, batches, progress);
        return;
      }
      while (!reached()) {
        const next = await batches.next();
        if (next.done) break;
        await this.withRunner(async (runner) => {
          await runner.startTransaction();
          try {
            await this.handleBatch(next.value, runner.manager, false);
            await runner.commitTransaction();
          } catch (error) {
            if (runner.isTransactionActive) await runner.rollbackTransaction();
            throw error;
          }
        }, shadow);
        progress.checkpoint = next.value.checkpoint;
        progress.lastPosition = highestPosition(next.value.events, progress.lastPosition);
        progress.eventsReplayed += next.value.events.length;
      }
    } finally {
      subscription.abort();
      await batches.return?.();
    }
  }

  /**
   * A disposable shadow's replay, on one connection, each statement committing on its own: a
   * failure ends the replay and the shadow is dropped, so a transaction per batch would protect
   * nothing. A projection with foldBatch folds the next batch while PostgreSQL still writes this
   * one (see Projection.foldBatch); any other gets it when this one is written.
   */
  private async replayPipelined(
    shadow: DataSource,
    batches: AsyncIterator<EventBatch>,
    progress: Omit<ShadowBuild, 'schema'>,
  ): Promise<void> {
    await this.withRunner(async (runner) => {
      await runner.query('SET synchronous_commit = off');
      let writing: Promise<void> = Promise.resolve();
      try {
        for (;;) {
          const next = await batches.next();
          if (next.done) break;
          const previous = writing;
          if (this.projection.foldBatch) {
            const context = { manager: runner.manager, sideEffects: false, previousBatchWritten: previous };
            const write = await this.projection.foldBatch(next.value.events, context);
            writing = previous.then(write);
          } else {
            writing = previous.then(() => this.handleBatch(next.value, runner.manager, false));
          }
          // At most two batches in hand: the one being written and the one being folded.
          await previous;
          progress.checkpoint = next.value.checkpoint;
          progress.lastPosition = highestPosition(next.value.events, progress.lastPosition);
          progress.eventsReplayed += next.value.events.length;
        }
        await writing;
      } finally {
        // After a failure the batch still queued must settle before the connection goes back.
        await writing.catch(() => undefined);
      }
    }, shadow);
  }

  private async handleBatch(
    batch: EventBatch,
    manager: QueryRunner['manager'],
    sideEffects: boolean,
  ): Promise<void> {
    const context: ProjectionContext = { manager, sideEffects };
    if (this.projection.handleBatch) {
      await this.projection.handleBatch(batch.events, context);
      return;
    }
    for (const event of batch.events) {
      await this.projection.handle(event, context);
    }
  }

  /**
   * Read models are disposable (always rebuildable from the log), so their tables are created
   * and altered by TypeORM's synchronize rather than by migrations, inside the projection's own
   * schema. Called under the lock (live) or on a fresh shadow, so never concurrently.
   */
  private async prepareSchema(dataSource: DataSource, schema: string): Promise<void> {
    await this.withRunner(
      (runner) => runner.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`),
      dataSource,
    );
    await dataSource.synchronize();
  }

  /**
   * A shadow that is compared and dropped needs no crash safety and serves no queries: its tables
   * skip the write-ahead log, and lose the indexes that only speed up reads (neither unique nor
   * the primary key, so what the projection writes, and what its upserts match, is unchanged).
   */
  private async lightenShadow(shadow: DataSource, schema: string): Promise<void> {
    await this.withRunner(async (runner) => {
      const tables = (await runner.query('SELECT tablename FROM pg_tables WHERE schemaname = $1', [
        schema,
      ])) as Array<{ tablename: string }>;
      for (const { tablename } of tables) {
        await runner.query(
          `ALTER TABLE ${quoteIdentifier(schema)}.${quoteIdentifier(tablename)} SET UNLOGGED`,
        );
      }
      const readIndexes = (await runner.query(
        `SELECT c.relname AS name FROM pg_index i
           JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND NOT i.indisunique AND NOT i.indisprimary`,
        [schema],
      )) as Array<{ name: string }>;
      for (const { name } of readIndexes) {
        await runner.query(`DROP INDEX ${quoteIdentifier(schema)}.${quoteCatalogName(name)}`);
      }
    }, shadow);
  }

  private async schemaExists(schema: string, runner?: QueryRunner): Promise<boolean> {
    const query = async (r: QueryRunner): Promise<boolean> => {
      const rows = (await r.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])) as unknown[];
      return rows.length > 0;
    };
    if (runner) return query(runner);
    await this.initialise();
    return this.withRunner(query);
  }

  private createDataSource(schema: string): DataSource {
    return new DataSource({
      type: 'postgres',
      url: this.options.connectionString,
      schema,
      entities: this.projection.entities,
      synchronize: false,
      poolSize: this.options.poolSize ?? 4,
      applicationName: `aid-projection:${this.name}`.slice(0, 63),
    });
  }

  private async initialise(): Promise<void> {
    if (!this.liveDataSource.isInitialized) await this.liveDataSource.initialize();
  }

  private async withRunner<T>(
    work: (runner: QueryRunner) => Promise<T>,
    dataSource: DataSource = this.liveDataSource,
  ): Promise<T> {
    const runner = dataSource.createQueryRunner();
    try {
      return await work(runner);
    } finally {
      await runner.release();
    }
  }
}

const START: FollowerPosition = { checkpoint: 'start', position: null };

function elapsed(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}
