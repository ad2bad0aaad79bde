import { createHash } from 'node:crypto';
import { type Pool } from 'pg';
import { ConflictError } from '@aid/contracts';
import { canonicalJson, type JsonValue } from '@aid/event-store';
import { IdempotencyKeyReusedError } from '../http/http-errors';

/** An answer kept for retries: the HTTP status and the JSON body the first request got. */
export interface StoredAnswer {
  statusCode: number;
  body: unknown;
}

/** The outcome of claiming a key: go ahead and record the answer, or give the stored one back. */
export type Claim = { kind: 'owner' } | { kind: 'replay'; answer: StoredAnswer };

export interface IdempotencyStoreOptions {
  /** How long a claimed key stays reserved for its first request before another may take it over. */
  leaseMs: number;
  /** How long a retry waits for the first request's answer before giving up with a 409. */
  waitMs: number;
  /** How long answers are kept; later, a retry runs again (the services' own idempotency still holds). */
  retentionHours?: number;
  pollMs?: number;
}

const DEFAULT_RETENTION_HOURS = 24;
const PURGE_EVERY_MS = 60 * 60 * 1000;

/**
 * The gateway's Idempotency-Key records, in PostgreSQL (gateway.idempotency_keys), keyed by the
 * API key and the client's key. The first request claims the key (an INSERT that only one
 * request can win), runs, and records its answer; a retry with the same request gets that answer;
 * a concurrent retry waits for it. The same key with another request is refused (422).
 */
export class IdempotencyStore {
  private lastPurge = 0;

  constructor(
    private readonly pool: Pool,
    private readonly options: IdempotencyStoreOptions,
  ) {}

  async migrate(): Promise<void> {
    await this.pool.query(`
      CREATE SCHEMA IF NOT EXISTS gateway;
      CREATE TABLE IF NOT EXISTS gateway.idempotency_keys (
        api_key_id uuid NOT NULL,
        idempotency_key text NOT NULL,
        fingerprint text NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        status_code integer NULL,
        body json NULL,
        completed_at timestamptz NULL,
        PRIMARY KEY (api_key_id, idempotency_key)
      );`);
  }

  /** sha256 of what makes two requests "the same": method, path, If-Match and body (keys in any order). */
  static fingerprint(parts: { method: string; path: string; ifMatch?: string; body: unknown }): string {
    return createHash('sha256')
      .update(
        `${parts.method} ${parts.path}\n${parts.ifMatch ?? ''}\n${canonicalJson(parts.body as JsonValue)}`,
      )
      .digest('hex');
  }

  async claim(apiKeyId: string, key: string, fingerprint: string): Promise<Claim> {
    this.purgeOccasionally();
    const deadline = Date.now() + this.options.waitMs;
    for (;;) {
      // Named, so each connection parses and plans the two statements of every write once.
      const inserted = await this.pool.query({
        name: 'idempotency-claim',
        text: `INSERT INTO gateway.idempotency_keys (api_key_id, idempotency_key, fingerprint)
         VALUES ($1, $2, $3) ON CONFLICT (api_key_id, idempotency_key) DO NOTHING`,
        values: [apiKeyId, key, fingerprint],
      });
      if (inserted.rowCount === 1) return { kind: 'owner' };

      const { rows } = await this.pool.query<RecordRow>(
        `SELECT fingerprint, status_code, body, completed_at,
                claimed_at < now() - make_interval(secs => $3::double precision / 1000) AS lease_expired
           FROM gateway.idempotency_keys WHERE api_key_id = $1 AND idempotency_key = $2`,
        [apiKeyId, key, this.options.leaseMs],
      );
      const record = rows[0];
      // Released by a request that failed for a reason worth retrying (e.g. 503): claim it again.
      if (record === undefined) continue;
      if (record.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(key);
      if (record.completed_at !== null && record.status_code !== null) {
        return { kind: 'replay', answer: { statusCode: record.status_code, body: record.body } };
      }
      // The first request died without answering (a crashed gateway): its lease is over, take it.
      if (record.lease_expired && (await this.takeOver(apiKeyId, key))) return { kind: 'owner' };
      if (Date.now() >= deadline) {
        throw new ConflictError(
          'a request with this Idempotency-Key is still in progress; retry it in a moment',
          { idempotencyKey: key },
        );
      }
      await sleep(this.options.pollMs ?? 25);
    }
  }

  /** Records the owner's answer, for every retry from now on. */
  async complete(apiKeyId: string, key: string, answer: StoredAnswer): Promise<void> {
    await this.pool.query({
      name: 'idempotency-complete',
      text: `UPDATE gateway.idempotency_keys SET status_code = $3, body = $4, completed_at = now()
        WHERE api_key_id = $1 AND idempotency_key = $2`,
      values: [apiKeyId, key, answer.statusCode, JSON.stringify(answer.body ?? null)],
    });
  }

  /** Gives the key up without an answer (the service did not answer): a retry runs the request again. */
  async release(apiKeyId: string, key: string): Promise<void> {
    await this.pool.query(
      `DELETE FROM gateway.idempotency_keys
        WHERE api_key_id = $1 AND idempotency_key = $2 AND completed_at IS NULL`,
      [apiKeyId, key],
    );
  }

  private async takeOver(apiKeyId: string, key: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE gateway.idempotency_keys SET claimed_at = now()
        WHERE api_key_id = $1 AND idempotency_key = $2 AND completed_at IS NULL
          AND claimed_at < now() - make_interval(secs => $3::double precision / 1000)`,
      [apiKeyId, key, this.options.leaseMs],
    );
    return result.rowCount === 1;
  }

  private purgeOccasionally(): void {
    if (Date.now() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = Date.now();
    // Best effort, off the request's path: a failed purge is retried an hour later.
    this.pool
      .query(
        `DELETE FROM gateway.idempotency_keys WHERE claimed_at < now() - make_interval(hours => $1::integer)`,
        [this.options.retentionHours ?? DEFAULT_RETENTION_HOURS],
      )
      .catch(() => undefined);
  }
}

interface RecordRow {
  fingerprint: string;
  status_code: number | null;
  body: unknown;
  completed_at: Date | null;
  lease_expired: boolean;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
