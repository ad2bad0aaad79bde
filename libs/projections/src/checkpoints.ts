import type { Checkpoint } from '@aid/event-store';
import type { QueryRunner } from 'typeorm';
import { ADVISORY_LOCK_NAMESPACE, assertIdentifier, quoteIdentifier } from './postgres-names';

/** Where a follower (projection or relay) is in the log. */
export interface StoredCheckpoint {
  /** 'start' until the first batch is committed. */
  checkpoint: Checkpoint;
  /** Global position of the last event handled, for display and lag; null before the first. */
  position: number | null;
  updatedAt: Date | null;
}

interface CheckpointRow {
  checkpoint: string;
  position: string | null;
  updated_at: Date | null;
}

/** Serialises the CREATE TABLE IF NOT EXISTS of every follower starting at once (it is not concurrency-safe). */
const CREATE_TABLE_LOCK = -1;

/**
 * One row per follower. The row is only ever moved with compare-and-set inside the transaction
 * that applied the batch, so the row and the follower's effects always agree.
 */
export class CheckpointTable {
  readonly qualifiedName: string;

  constructor(
    readonly schema = 'public',
    readonly table = 'follower_checkpoints',
  ) {
    this.qualifiedName = `${quoteIdentifier(assertIdentifier(schema, 'checkpoint schema'))}.${quoteIdentifier(table)}`;
  }

  async ensureTable(runner: QueryRunner): Promise<void> {
    await runner.startTransaction();
    try {
      await runner.query('SELECT pg_advisory_xact_lock($1, $2)', [
        ADVISORY_LOCK_NAMESPACE,
        CREATE_TABLE_LOCK,
      ]);
      await runner.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(this.schema)}`);
      await runner.query(
        `CREATE TABLE IF NOT EXISTS ${this.qualifiedName} (
           name text PRIMARY KEY,
           checkpoint text NOT NULL,
           position bigint,
           updated_at timestamptz
         )`,
      );
      await runner.commitTransaction();
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    }
  }

  /** Reads the follower's row, creating it at 'start' the first time. */
  async read(runner: QueryRunner, name: string): Promise<StoredCheckpoint> {
    // Creating the row is idempotent on purpose: a second instance must not reset a row that exists.
    await runner.query(
      `INSERT INTO ${this.qualifiedName} (name, checkpoint) VALUES ($1, 'start') ON CONFLICT (name) DO NOTHING`,
      [name],
    );
    const rows = (await runner.query(
      `SELECT checkpoint, position, updated_at FROM ${this.qualifiedName} WHERE name = $1`,
      [name],
    )) as CheckpointRow[];
    const row = rows[0];
    if (!row) throw new Error(`checkpoint row for ${name} vanished while being read`);
    return {
      checkpoint: row.checkpoint,
      position: row.position === null ? null : Number(row.position),
      updatedAt: row.updated_at,
    };
  }

  /** Reads without creating: for status pages, which must not write. Null when the follower never ran. */
  async peek(runner: QueryRunner, name: string): Promise<StoredCheckpoint | null> {
    const [table] = (await runner.query('SELECT to_regclass($1) AS oid', [this.qualifiedName])) as Array<{
      oid: string | null;
    }>;
    if (!table?.oid) return null;
    const rows = (await runner.query(
      `SELECT checkpoint, position, updated_at FROM ${this.qualifiedName} WHERE name = $1`,
      [name],
    )) as CheckpointRow[];
    const row = rows[0];
    if (!row) return null;
    return {
      checkpoint: row.checkpoint,
      position: row.position === null ? null : Number(row.position),
      updatedAt: row.updated_at,
    };
  }

  /**
   * Sets the follower's row back to 'start' (its next run handles every event again) and returns
   * where it stood. For a follower whose effects were lost outside PostgreSQL (the relay's stream
   * replaced): call it before this instance follows, in a transaction. An instance following
   * elsewhere meanwhile fails its next compare-and-set and reads the row again.
   */
  async resetToStart(runner: QueryRunner, name: string): Promise<StoredCheckpoint | null> {
    const rows = (await runner.query(
      `SELECT checkpoint, position, updated_at FROM ${this.qualifiedName} WHERE name = $1 FOR UPDATE`,
      [name],
    )) as CheckpointRow[];
    const row = rows[0];
    if (!row) return null;
    await runner.query(
      `UPDATE ${this.qualifiedName} SET checkpoint = 'start', position = NULL, updated_at = now() WHERE name = $1`,
      [name],
    );
    return {
      checkpoint: row.checkpoint,
      position: row.position === null ? null : Number(row.position),
      updatedAt: row.updated_at,
    };
  }

  /**
   * Moves the row from `expected` to `next`; false when the row no longer holds `expected`
   * (another instance moved it), in which case the caller must roll back its transaction.
   */
  async compareAndSet(
    runner: QueryRunner,
    name: string,
    expected: Checkpoint,
    next: Checkpoint,
    position: number | null,
  ): Promise<boolean> {
    const result = await runner.query(
      `UPDATE ${this.qualifiedName}
          SET checkpoint = $3, position = $4, updated_at = now()
        WHERE name = $1 AND checkpoint = $2`,
      [name, expected, next, position],
      true,
    );
    return result.affected === 1;
  }
}
