import {
  ADVISORY_LOCK_NAMESPACE,
  advisoryLockKey,
  quoteIdentifier,
  type CheckpointTable,
  type StoredCheckpoint,
} from '@aid/projections';
import type { QueryRunner } from 'typeorm';

/**
 * What a relay found at start when it compared the stream's incarnation (`StreamInfo.created`)
 * with the one it published into before: 'first' when it remembered none (its first run, or a
 * database from before this table), 'same', or 'replaced' (its checkpoint was set back to the
 * start; `previous` is where it stood).
 */
export type StreamIncarnationCheck =
  | { outcome: 'first' | 'same' }
  | { outcome: 'replaced'; rememberedCreated: string; previous: StoredCheckpoint | null };

/**
 * Per relay name, the `created` time of the JetStream stream it publishes into. The server sets it
 * when a stream is created and keeps it through updates and restarts; a stream deleted and created
 * again (NATS lost its data) gets a new one, and the relay's checkpoint in PostgreSQL then says
 * "published" for events the new stream never received.
 */
export class RelayStreamTable {
  readonly qualifiedName: string;

  constructor(
    readonly schema = 'public',
    readonly table = 'relay_streams',
  ) {
    this.qualifiedName = `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
  }

  async ensureTable(runner: QueryRunner): Promise<void> {
    await runner.startTransaction();
    try {
      // CREATE TABLE IF NOT EXISTS is not safe when several services start at once.
      await runner.query('SELECT pg_advisory_xact_lock($1, $2)', [
        ADVISORY_LOCK_NAMESPACE,
        advisoryLockKey(this.qualifiedName),
      ]);
      await runner.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(this.schema)}`);
      await runner.query(
        `CREATE TABLE IF NOT EXISTS ${this.qualifiedName} (
           name text PRIMARY KEY,
           stream_name text NOT NULL,
           stream_created text NOT NULL,
           updated_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      await runner.commitTransaction();
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    }
  }

  /**
   * Remembers `created` for the relay `name`, and when it remembered another one, sets the
   * relay's checkpoint back to the start in the same transaction. The relay's row stays locked
   * until then, so a second instance starting at the same moment waits and finds it the same:
   * one of them resets, never both, and none misses it.
   */
  async check(
    runner: QueryRunner,
    checkpoints: CheckpointTable,
    name: string,
    stream: { name: string; created: string },
  ): Promise<StreamIncarnationCheck> {
    await runner.startTransaction();
    try {
      const inserted = (await runner.query(
        `INSERT INTO ${this.qualifiedName} (name, stream_name, stream_created) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO NOTHING RETURNING name`,
        [name, stream.name, stream.created],
      )) as unknown[];
      let result: StreamIncarnationCheck = { outcome: 'first' };
      if (inserted.length === 0) {
        const [row] = (await runner.query(
          `SELECT stream_created FROM ${this.qualifiedName} WHERE name = $1 FOR UPDATE`,
          [name],
        )) as Array<{ stream_created: string }>;
        if (row.stream_created === stream.created) {
          result = { outcome: 'same' };
        } else {
          const previous = await checkpoints.resetToStart(runner, name);
          await runner.query(
            `UPDATE ${this.qualifiedName} SET stream_name = $2, stream_created = $3, updated_at = now() WHERE name = $1`,
            [name, stream.name, stream.created],
          );
          result = { outcome: 'replaced', rememberedCreated: row.stream_created, previous };
        }
      }
      await runner.commitTransaction();
      return result;
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    }
  }
}
