import {
  type AuditedContext,
  ConflictError,
  type ReadModelReport,
  type RowDifferenceReport,
  type ServiceReplayReply,
  type TableReport,
} from '@aid/contracts';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { defaultLogger } from './logger';
import { assertIdentifier, quoteCatalogName, quoteIdentifier } from './postgres-names';

/** Runs one query in the audit's snapshot transaction and answers its rows. */
export type SnapshotQuery = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

/**
 * A read model the audit can rebuild and compare with its live tables: every table of `schema`
 * is compared with the table of the same name the rebuild makes.
 */
export interface AuditedReadModel<TBound = unknown> {
  /** For reports, e.g. 'logistics_shipments'. */
  name: string;
  /** The schema of the live tables. */
  schema: string;
  /**
   * Runs in the snapshot that copies the live tables: where those tables stand in the history
   * (the checkpoint committed with them), so that the rebuild can stop at exactly that point.
   */
  readLiveBound(query: SnapshotQuery): Promise<TBound>;
  /** How the bound reads in a report (JSON). */
  describeBound(bound: TBound): Record<string, unknown>;
  /**
   * Rebuilds from the first event into the fresh schema `shadowSchema`, with side effects off,
   * exactly up to `bound`; answers the number of events replayed.
   */
  replayInto(shadowSchema: string, bound: TBound): Promise<number>;
}

/** The wire shapes of the audit's answers (libs/contracts): what is compared, and how it differs. */
export type RowDifference = RowDifferenceReport;
export type TableComparison = TableReport;
export type ReadModelComparison = ReadModelReport;

export interface ReadModelAuditOptions {
  connectionString: string;
  /** Differing rows reported per table; default 5. */
  maxDifferences?: number;
  /** How long copying the live tables may wait for a lock (a schema change holding them); default 5 s. */
  lockTimeoutMs?: number;
  logger?: Logger;
}

interface Sums {
  rows: number;
  checksum: string;
}

interface TableShape {
  columns: string[];
  primaryKey: string[];
}

/**
 * Replays read models from the first event into shadow tables and compares them with the live
 * ones, row by row, without disturbing the live system:
 *
 * 1. In one REPEATABLE READ transaction it reads where the live tables stand (their checkpoint,
 *    committed with their rows) and copies them into a schema of its own. The copy takes only
 *    ACCESS SHARE locks, which no projection write waits for, and it is a consistent picture.
 * 2. Meanwhile the rebuild replays into another schema of its own, exactly up to that
 *    checkpoint: the live model may have moved on, but both sides describe the same history.
 * 3. PostgreSQL compares the two copies: a checksum per table (the live side's is summed while
 *    the rebuild runs), then the differing rows by primary key. Both schemas are dropped at the
 *    end, whatever happened.
 *
 * Nothing is written to a live table and no lock is held beyond the copy. While the copy runs,
 * its transaction (which has written its schema, so has a transaction id) holds back the horizon
 * below which subscribers read the log: live followers wait for it, for a fraction of a second
 * per 100,000 rows, and lose nothing.
 */
export class ReadModelAudit {
  private readonly logger: Logger;
  private running = false;

  constructor(private readonly options: ReadModelAuditOptions) {
    this.logger = (options.logger ?? defaultLogger()).child({ component: 'read-model-audit' });
  }

  /**
   * Compares every model (concurrently) and answers one comparison each, in the order given.
   * One run at a time per instance: a second caller is refused rather than doubling the load.
   */
  async compare(models: ReadonlyArray<AuditedReadModel<unknown>>): Promise<ReadModelComparison[]> {
    if (this.running)
      throw new ConflictError('a replay of these read models is already running; try again when it ends');
    this.running = true;
    try {
      const run = randomBytes(4).toString('hex');
      return await Promise.all(models.map((model, index) => this.compareOne(model, `audit_${run}_${index}`)));
    } finally {
      this.running = false;
    }
  }

  /** A service's answer to `<context>.cmd.replay-read-models`: every one of its read models compared. */
  async replayService(
    service: AuditedContext,
    models: ReadonlyArray<AuditedReadModel<unknown>>,
  ): Promise<ServiceReplayReply> {
    const startedAt = performance.now();
    const readModels = await this.compare(models);
    return {
      service,
      identical: readModels.every((model) => model.identical),
      eventsReplayed: readModels.reduce((sum, model) => sum + model.eventsReplayed, 0),
      readModels,
      durationMs: Math.round(performance.now() - startedAt),
    };
  }

  private async compareOne<TBound>(
    model: AuditedReadModel<TBound>,
    prefix: string,
  ): Promise<ReadModelComparison> {
    const startedAt = performance.now();
    const copySchema = assertIdentifier(`${prefix}_live`, 'audit schema');
    const shadowSchema = assertIdentifier(`${prefix}_replayed`, 'audit schema');
    const since = (mark: number) => Math.round(performance.now() - mark);
    let liveSide: Promise<LiveSide> = Promise.resolve<LiveSide>(new Map());
    try {
      const { bound, copied } = await this.snapshotLiveTables(model, copySchema);
      // The live side is copied, then summed, while the rebuild runs: they share no rows.
      liveSide = copied.then(() =>
        this.withClient((client) => summariseLive(client, model.schema, copySchema)),
      );
      liveSide.catch(() => undefined);
      const eventsReplayed = await model.replayInto(shadowSchema, bound);
      const replayMs = since(startedAt);
      const live = await liveSide;
      const compareStartedAt = performance.now();
      const shadowTables = await this.withClient((client) => tablesOf(client, shadowSchema));
      // A connection per table: the large tables' sums are computed at once.
      const tables = await Promise.all(
        [...new Set([...live.keys(), ...shadowTables])].sort().map((table) =>
          this.withClient((client) =>
            compareTable(client, table, live.get(table), shadowTables.includes(table), {
              liveSchema: model.schema,
              copySchema,
              shadowSchema,
              maxDifferences: this.options.maxDifferences ?? 5,
            }),
          ),
        ),
      );
      const comparison: ReadModelComparison = {
        name: model.name,
        schema: model.schema,
        comparedAt: model.describeBound(bound),
        eventsReplayed,
        identical: tables.every((table) => table.identical),
        tables,
        durationMs: since(startedAt),
        stepsMs: { replay: replayMs, compare: since(compareStartedAt) },
      };
      this.logger.info(
        {
          readModel: model.name,
          identical: comparison.identical,
          events: eventsReplayed,
          ms: comparison.durationMs,
          steps: comparison.stepsMs,
        },
        'read model replayed and compared',
      );
      return comparison;
    } finally {
      await liveSide.catch(() => undefined);
      await this.withClient(async (client) => {
        await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(copySchema)} CASCADE`);
        await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(shadowSchema)} CASCADE`);
      }).catch((error: unknown) =>
        this.logger.error({ err: error, copySchema, shadowSchema }, 'audit schemas not dropped'),
      );
    }
  }

  /**
   * Where the live tables stand, and their copy into `copySchema`, as of one snapshot: answers as
   * soon as the bound is read; `copied` settles when the copy is committed.
   */
  private async snapshotLiveTables<TBound>(
    model: AuditedReadModel<TBound>,
    copySchema: string,
  ): Promise<{ bound: TBound; copied: Promise<void> }> {
    const client = await this.connect();
    const rollBack = async () => {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    };
    let bound: TBound;
    try {
      // Every statement of this transaction sees one snapshot: the bound and the copied rows agree.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await client.query(`SET LOCAL lock_timeout = ${Math.max(1, this.options.lockTimeoutMs ?? 5000)}`);
      bound = await model.readLiveBound(
        async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
      );
    } catch (error) {
      await rollBack();
      throw error;
    }
    const copied = (async () => {
      try {
        await client.query(`CREATE SCHEMA ${quoteIdentifier(copySchema)}`);
        for (const table of await tablesOf(client, model.schema)) {
          await client.query(
            `CREATE TABLE ${quoteIdentifier(copySchema)}.${quoteCatalogName(table)} AS TABLE ${quoteCatalogName(model.schema)}.${quoteCatalogName(table)}`,
          );
        }
        await client.query('COMMIT');
        await client.end();
      } catch (error) {
        await rollBack();
        throw error;
      }
    })();
    // Awaited by the caller; until then, a failure must not count as unhandled.
    copied.catch(() => undefined);
    return { bound, copied };
  }

  private async connect(): Promise<Client> {
    const client = new Client({
      connectionString: this.options.connectionString,
      application_name: 'aid-audit',
    });
    // A connection the server drops fails the query in hand; unheard, the event would end the process.
    client.on('error', (error) => this.logger.warn({ err: error }, 'audit connection lost'));
    await client.connect();
    return client;
  }

  private async withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
}

async function tablesOf(client: Client, schema: string): Promise<string[]> {
  const result = await client.query<{ tablename: string }>(
    'SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename',
    [schema],
  );
  return result.rows.map((row) => row.tablename);
}

/** Each live table's shape (from the live schema: the copy has no primary key) and the sums of its copy. */
type LiveSide = Map<string, { shape: TableShape; sums: Sums }>;

async function summariseLive(client: Client, liveSchema: string, copySchema: string): Promise<LiveSide> {
  const side: LiveSide = new Map();
  for (const table of await tablesOf(client, copySchema)) {
    // The copy's columns, in the live table's order; the key from the live table.
    const shape = {
      ...(await shapeOf(client, copySchema, table)),
      primaryKey: (await shapeOf(client, liveSchema, table)).primaryKey,
    };
    side.set(table, {
      shape,
      sums: await checksumOf(client, `${quoteIdentifier(copySchema)}.${quoteCatalogName(table)}`, shape),
    });
  }
  return side;
}

/** One table of either side, compared; reported under the live schema's name. */
async function compareTable(
  client: Client,
  table: string,
  liveTable: { shape: TableShape; sums: Sums } | undefined,
  replayed: boolean,
  schemas: { liveSchema: string; copySchema: string; shadowSchema: string; maxDifferences: number },
): Promise<TableComparison> {
  const shadow = `${quoteIdentifier(schemas.shadowSchema)}.${quoteCatalogName(table)}`;
  const summary = (liveSums: Sums, replayedSums: Sums) => ({
    name: `${schemas.liveSchema}.${table}`,
    rows: liveSums.rows,
    checksum: liveSums.checksum,
    replayedRows: replayedSums.rows,
    replayedChecksum: replayedSums.checksum,
  });
  const missing = { rows: 0, checksum: EMPTY_CHECKSUM };
  if (!liveTable) {
    const sums = await checksumOf(client, shadow, await shapeOf(client, schemas.shadowSchema, table));
    return { ...summary(missing, sums), identical: false, problem: 'the live read model has no such table' };
  }
  if (!replayed) {
    return {
      ...summary(liveTable.sums, missing),
      identical: false,
      problem: 'the rebuild has no such table',
    };
  }
  const { shape } = liveTable;
  const replayedColumns = (await shapeOf(client, schemas.shadowSchema, table)).columns;
  const missingColumns = replayedColumns.filter((column) => !shape.columns.includes(column));
  const extraColumns = shape.columns.filter((column) => !replayedColumns.includes(column));
  if (missingColumns.length > 0 || extraColumns.length > 0) {
    const replayedSums = await checksumOf(client, shadow, { ...shape, columns: replayedColumns });
    return {
      ...summary(liveTable.sums, replayedSums),
      identical: false,
      problem: `columns differ: live lacks [${missingColumns.join(', ')}], rebuild lacks [${extraColumns.join(', ')}]`,
    };
  }
  // Summed with the live table's column order and key: equal tables give equal sums.
  const replayedSums = await checksumOf(client, shadow, shape);
  const identical =
    liveTable.sums.rows === replayedSums.rows && liveTable.sums.checksum === replayedSums.checksum;
  const copy = `${quoteIdentifier(schemas.copySchema)}.${quoteCatalogName(table)}`;
  return {
    ...summary(liveTable.sums, replayedSums),
    identical,
    ...(!identical && (await differencesOf(client, copy, shadow, shape, schemas.maxDifferences))),
  };
}

const EMPTY_CHECKSUM = 'd41d8cd98f00b204e9800998ecf8427e';

async function shapeOf(client: Client, schema: string, table: string): Promise<TableShape> {
  const columns = await client.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  const primaryKey = await client.query<{ attname: string }>(
    `SELECT a.attname FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
     WHERE i.indrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass AND i.indisprimary
     ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    [schema, table],
  );
  return {
    columns: columns.rows.map((row) => row.column_name),
    primaryKey: primaryKey.rows.map((row) => row.attname),
  };
}

/** The row's values in a fixed column order, as PostgreSQL prints them. */
function rowText(alias: string, columns: string[]): string {
  return `ROW(${columns.map((column) => `${alias}.${quoteCatalogName(column)}`).join(', ')})::text`;
}

/** Ordered by primary key (or, without one, by the row text), so equal tables give equal sums. */
async function checksumOf(client: Client, table: string, shape: TableShape): Promise<Sums> {
  const order =
    shape.primaryKey.length > 0
      ? shape.primaryKey.map((column) => `t.${quoteCatalogName(column)}`).join(', ')
      : rowText('t', shape.columns);
  const result = await client.query<{ rows: string; checksum: string }>(
    `SELECT count(*) AS rows, md5(coalesce(string_agg(md5(${rowText('t', shape.columns)}), '' ORDER BY ${order}), '')) AS checksum
     FROM ${table} t`,
  );
  return { rows: Number(result.rows[0].rows), checksum: result.rows[0].checksum };
}

async function differencesOf(
  client: Client,
  copy: string,
  shadow: string,
  shape: TableShape,
  maxDifferences: number,
): Promise<Pick<TableComparison, 'differingRows' | 'differences'>> {
  // Without a primary key, rows can only be matched whole: a changed row is one missing and one extra.
  const key = shape.primaryKey.length > 0 ? shape.primaryKey : shape.columns;
  const join = key
    .map((column) => `l.${quoteCatalogName(column)} = r.${quoteCatalogName(column)}`)
    .join(' AND ');
  const keyObject = `jsonb_build_object(${key.map((column) => `'${column.replace(/'/g, "''")}', coalesce(l.${quoteCatalogName(column)}, r.${quoteCatalogName(column)})`).join(', ')})`;
  const rowObject = (alias: string) =>
    `CASE WHEN ${alias}.${quoteCatalogName(key[0])} IS NULL THEN NULL ELSE jsonb_build_object(${shape.columns.map((column) => `'${column.replace(/'/g, "''")}', ${alias}.${quoteCatalogName(column)}`).join(', ')}) END`;
  const differing = `FROM ${copy} l FULL JOIN ${shadow} r ON ${join}
     WHERE ${rowText('l', shape.columns)} IS DISTINCT FROM ${rowText('r', shape.columns)}
        OR l.${quoteCatalogName(key[0])} IS NULL OR r.${quoteCatalogName(key[0])} IS NULL`;
  const count = await client.query<{ count: string }>(`SELECT count(*) AS count ${differing}`);
  const rows = await client.query<{
    key: Record<string, unknown>;
    live: Record<string, unknown> | null;
    replayed: Record<string, unknown> | null;
  }>(
    `SELECT ${keyObject} AS key, ${rowObject('l')} AS live, ${rowObject('r')} AS replayed ${differing}
     ORDER BY ${key.map((column) => `coalesce(l.${quoteCatalogName(column)}, r.${quoteCatalogName(column)})`).join(', ')}
     LIMIT $1`,
    [maxDifferences],
  );
  return {
    differingRows: Number(count.rows[0].count),
    differences: rows.rows.map((row) => ({
      key: row.key,
      columns: shape.columns.filter(
        (column) => JSON.stringify(row.live?.[column]) !== JSON.stringify(row.replayed?.[column]),
      ),
      live: row.live,
      replayed: row.replayed,
    })),
  };
}
