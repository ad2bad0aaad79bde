import { createHash } from 'node:crypto';
import { type Pool } from 'pg';
import { ConflictError } from '@aid/contracts';
import { AppendBatcher, canonicalJson, type JsonValue } from '@aid/event-store';
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
  /** Told when an answer could not be recorded (recordAnswer does not wait for it). */
  onRecordFailed?: (error: unknown, key: string) => void;
}

const DEFAULT_RETENTION_HOURS = 24;
const PURGE_EVERY_MS = 60 * 60 * 1000;
/**
 * Statements in flight at once for the claims and answers of concurrent requests: one, so that
 * those arriving meanwhile share the next.
 */
const WRITE_LANES = 1;
const MAX_WRITES_PER_STATEMENT = 64;

/** A request's hold on an Idempotency-Key: whose key, which key, and what request it stands for. */
export interface KeyClaim {
  apiKeyId: string;
  key: string;
  /** IdempotencyStore.fingerprint of the request. */
  fingerprint: string;
}

/** A write of the requests' own path: a first claim of a key, or the answer of its owner. */
type RecordWrite = ({ kind: 'claim' } | { kind: 'complete'; answer: StoredAnswer }) & KeyClaim;

/** For a claim: whether it won the key; for an answer, nothing to tell. */
type WriteResult = boolean;

const CLAIM = `INSERT INTO gateway.idempotency_keys (api_key_id, idempotency_key, fingerprint)
  VALUES ($1, $2, $3) ON CONFLICT (api_key_id, idempotency_key) DO NOTHING`;
/**
 * An answer is written as an upsert on the key, not as an UPDATE joined to the answers: the
 * conflict check always goes through the primary key, whereas the join's cached generic plan,
 * made while the table was new and small, kept scanning the whole table on every statement (2 ms
 * each after a minute of load, the largest cost of an HTTP command in PostgreSQL).
 */
const COMPLETE = `INSERT INTO gateway.idempotency_keys AS record
    (api_key_id, idempotency_key, fingerprint, status_code, body, completed_at)
  VALUES ($1, $2, $3, $4, $5, now())
  ON CONFLICT (api_key_id, idempotency_key) DO UPDATE
    SET status_code = EXCLUDED.status_code, body = EXCLUDED.body, completed_at = EXCLUDED.completed_at`;
/**
 * The claims and answers of several requests in one statement: the answers (upserts, as COMPLETE),
 * then the claims, whose returned rows are the keys they won. A retry's claim that shares a
 * statement with its first request's answer finds the key taken and reads the answer afterwards.
 */
export const CLAIM_AND_COMPLETE = `WITH completed AS (
    INSERT INTO gateway.idempotency_keys AS record
        (api_key_id, idempotency_key, fingerprint, status_code, body, completed_at)
    SELECT answer.*, now()
      FROM unnest($4::uuid[], $5::text[], $6::text[], $7::integer[], $8::json[])
           AS answer (api_key_id, idempotency_key, fingerprint, status_code, body)
    ON CONFLICT (api_key_id, idempotency_key) DO UPDATE
      SET status_code = EXCLUDED.status_code, body = EXCLUDED.body, completed_at = EXCLUDED.completed_at
  )
  INSERT INTO gateway.idempotency_keys (api_key_id, idempotency_key, fingerprint)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])
  ON CONFLICT (api_key_id, idempotency_key) DO NOTHING
  RETURNING api_key_id, idempotency_key`;

/**
 * The gateway's Idempotency-Key records, in PostgreSQL (gateway.idempotency_keys), keyed by the
 * API key and the client's key. The first request claims the key (an INSERT that only one
 * request can win), runs, and records its answer; a retry with the same request gets that answer;
 * a concurrent retry waits for it. The same key with another request is refused (422).
 */
export class IdempotencyStore {
  private lastPurge = 0;
  /**
   * A claim and an answer are a statement each on their own; those of the requests running
   * together share one statement instead (group commit, as the event store's appends). Each keeps
   * its own outcome: a claim wins or loses exactly as it would alone.
   */
  private readonly writes: AppendBatcher<RecordWrite, WriteResult>;

  constructor(
    private readonly pool: Pool,
    private readonly options: IdempotencyStoreOptions,
  ) {
    this.writes = new AppendBatcher<RecordWrite, WriteResult>({
      lanes: WRITE_LANES,
      heavyLanes: WRITE_LANES,
      heavyWeight: Number.POSITIVE_INFINITY,
      maxItems: MAX_WRITES_PER_STATEMENT,
      maxWeight: MAX_WRITES_PER_STATEMENT,
      weight: () => 1,
      runInLane: (writes) => (writes.length === 1 ? this.writeAlone(writes) : this.writeTogether(writes)),
      runAlone: (write) => this.writeOne(write),
    });
  }

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

  async claim(claim: KeyClaim): Promise<Claim> {
    const { apiKeyId, key, fingerprint } = claim;
    this.purgeOccasionally();
    const deadline = Date.now() + this.options.waitMs;
    for (;;) {
      if (await this.writes.submit({ kind: 'claim', ...claim })) return { kind: 'owner' };

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

  /**
   * Records the owner's answer for every retry, without holding the answer back until it is
   * stored: it goes with the next statement of claims. A retry that comes before it is stored
   * waits for it as for a request still running. Should the gateway stop before, the claim's
   * lease runs out and a retry runs the command again, which the service answers as the first
   * time without appending (the records' commits do not wait for the disk either).
   */
  recordAnswer(claim: KeyClaim, answer: StoredAnswer): void {
    this.writes
      .submit({ kind: 'complete', ...claim, answer })
      .catch((error: unknown) => this.options.onRecordFailed?.(error, claim.key));
  }

  /** Gives the key up without an answer (the service did not answer): a retry runs the request again. */
  async release({ apiKeyId, key }: KeyClaim): Promise<void> {
    await this.pool.query(
      `DELETE FROM gateway.idempotency_keys
        WHERE api_key_id = $1 AND idempotency_key = $2 AND completed_at IS NULL`,
      [apiKeyId, key],
    );
  }

  /** A write on its own: named, so each connection parses and plans the statement once. */
  private async writeOne(write: RecordWrite): Promise<WriteResult> {
    if (write.kind === 'claim') {
      const inserted = await this.pool.query({
        name: 'idempotency-claim',
        text: CLAIM,
        values: [write.apiKeyId, write.key, write.fingerprint],
      });
      return inserted.rowCount === 1;
    }
    await this.pool.query({
      name: 'idempotency-complete',
      text: COMPLETE,
      values: [write.apiKeyId, write.key, write.fingerprint, write.answer.statusCode, bodyJson(write.answer)],
    });
    return false;
  }

  private async writeAlone([write]: RecordWrite[]): Promise<WriteResult[]> {
    return [await this.writeOne(write)];
  }

  private async writeTogether(writes: RecordWrite[]): Promise<WriteResult[]> {
    const claims = { apiKeyIds: [] as string[], keys: [] as string[], fingerprints: [] as string[] };
    const answers = {
      apiKeyIds: [] as string[],
      keys: [] as string[],
      fingerprints: [] as string[],
      statusCodes: [] as number[],
      bodies: [] as string[],
    };
    // Two claims of one key in one statement: only the first may win it, the other waits as a retry.
    const claimed = new Set<string>();
    // An upsert may not touch a row twice in one statement: of two answers of one key (a request
    // that outlived its lease, and the one that took the key over), the later goes next time.
    const answered = new Set<string>();
    const later: RecordWrite[] = [];
    const sent = writes.map((write) => {
      const id = recordId(write.apiKeyId, write.key);
      if (write.kind === 'complete') {
        if (answered.has(id)) {
          later.push(write);
          return false;
        }
        answered.add(id);
        answers.apiKeyIds.push(write.apiKeyId);
        answers.keys.push(write.key);
        answers.fingerprints.push(write.fingerprint);
        answers.statusCodes.push(write.answer.statusCode);
        answers.bodies.push(bodyJson(write.answer));
        return false;
      }
      if (claimed.has(id)) return false;
      claimed.add(id);
      claims.apiKeyIds.push(write.apiKeyId);
      claims.keys.push(write.key);
      claims.fingerprints.push(write.fingerprint);
      return true;
    });
    const { rows } = await this.pool.query<{ api_key_id: string; idempotency_key: string }>({
      name: 'idempotency-claim-and-complete',
      text: CLAIM_AND_COMPLETE,
      values: [
        claims.apiKeyIds,
        claims.keys,
        claims.fingerprints,
        answers.apiKeyIds,
        answers.keys,
        answers.fingerprints,
        answers.statusCodes,
        answers.bodies,
      ],
    });
    const won = new Set(rows.map((row) => recordId(row.api_key_id, row.idempotency_key)));
    for (const write of later) await this.writeOne(write);
    return writes.map(
      (write, index) => sent[index] && write.kind === 'claim' && won.has(recordId(write.apiKeyId, write.key)),
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

function recordId(apiKeyId: string, key: string): string {
  return `${apiKeyId.toLowerCase()}\n${key}`;
}

function bodyJson(answer: StoredAnswer): string {
  return JSON.stringify(answer.body ?? null);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
