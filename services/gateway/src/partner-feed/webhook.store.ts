import { type Pool, type PoolClient } from 'pg';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'parked'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A webhook as its owner sees it (never with its secret). */
export interface Webhook {
  id: string;
  apiKeyId: string;
  url: string;
  /** Event types delivered; empty: every type. */
  types: string[];
  /** The owner key's communities when it was registered; null: every community (an admin key). */
  communityIds: string[] | null;
  createdAt: string;
  /** Global position of the last event the webhook has passed (queued or out of its scope). */
  position: number | null;
  pending: number;
  parked: number;
}

/** What the delivery worker needs. */
export interface WebhookTarget {
  id: string;
  url: string;
  types: string[];
  communityIds: string[] | null;
  secret: string;
  /** The store checkpoint after which the next events are read. */
  cursor: string;
  /** False once deleted, or once its key is revoked: the worker stops. */
  active: boolean;
}

export interface Delivery {
  eventId: string;
  eventType: string;
  position: number;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  /** Order in which deliveries were queued; the `after` of the next page. */
  sequence: number;
}

export interface PendingDelivery {
  eventId: string;
  position: number;
  body: string;
  attempts: number;
  nextAttemptAt: Date;
}

export interface NewWebhook {
  id: string;
  apiKeyId: string;
  url: string;
  types: string[];
  communityIds: string[] | null;
  secret: string;
  cursor: string;
  position: number | null;
}

const MIGRATION_LOCK = 'gateway.webhooks migration';

/**
 * Webhooks and their deliveries in the gateway's PostgreSQL (schema gateway). Each webhook keeps
 * a cursor (the store checkpoint after the last event it passed) and a queue of deliveries; an
 * event is queued and the cursor moved in one transaction, so after a restart the worker goes on
 * with the queued delivery and then after the cursor: nothing lost, nothing skipped.
 */
export class WebhookStore {
  constructor(private readonly pool: Pool) {}

  async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      // Gateways starting together would race on CREATE ... IF NOT EXISTS.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [MIGRATION_LOCK]);
      await client.query(`
        CREATE SCHEMA IF NOT EXISTS gateway;
        CREATE TABLE IF NOT EXISTS gateway.webhooks (
          id uuid PRIMARY KEY,
          api_key_id uuid NOT NULL,
          url text NOT NULL,
          types text[] NOT NULL DEFAULT '{}',
          community_ids uuid[] NULL,
          secret text NOT NULL,
          cursor text NOT NULL,
          cursor_position bigint NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          deleted_at timestamptz NULL
        );
        CREATE INDEX IF NOT EXISTS webhooks_by_key ON gateway.webhooks (api_key_id);
        CREATE TABLE IF NOT EXISTS gateway.webhook_deliveries (
          sequence bigserial PRIMARY KEY,
          webhook_id uuid NOT NULL REFERENCES gateway.webhooks (id),
          event_id uuid NOT NULL,
          event_type text NOT NULL,
          position bigint NOT NULL,
          body text NULL,
          status text NOT NULL CHECK (status IN ('pending', 'delivered', 'parked')),
          attempts integer NOT NULL DEFAULT 0,
          next_attempt_at timestamptz NULL,
          last_attempt_at timestamptz NULL,
          last_status_code integer NULL,
          last_error text NULL,
          delivered_at timestamptz NULL,
          UNIQUE (webhook_id, event_id)
        );
        CREATE INDEX IF NOT EXISTS webhook_deliveries_pending
          ON gateway.webhook_deliveries (webhook_id, sequence) WHERE status = 'pending';`);
    });
  }

  async create(webhook: NewWebhook): Promise<void> {
    await this.pool.query(
      `INSERT INTO gateway.webhooks (id, api_key_id, url, types, community_ids, secret, cursor, cursor_position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        webhook.id,
        webhook.apiKeyId,
        webhook.url,
        webhook.types,
        webhook.communityIds,
        webhook.secret,
        webhook.cursor,
        webhook.position,
      ],
    );
  }

  /** The live webhooks of one key, or of every key when `apiKeyId` is null. */
  async list(apiKeyId: string | null): Promise<Webhook[]> {
    const { rows } = await this.pool.query<WebhookRow>(
      `${WEBHOOK_VIEW} WHERE w.deleted_at IS NULL AND ($1::uuid IS NULL OR w.api_key_id = $1)
       ORDER BY w.created_at, w.id`,
      [apiKeyId],
    );
    return rows.map(toWebhook);
  }

  /** A live webhook, if `apiKeyId` owns it (or is null: any owner). */
  async find(id: string, apiKeyId: string | null): Promise<Webhook | null> {
    const { rows } = await this.pool.query<WebhookRow>(
      `${WEBHOOK_VIEW} WHERE w.id = $1 AND w.deleted_at IS NULL AND ($2::uuid IS NULL OR w.api_key_id = $2)`,
      [id, apiKeyId],
    );
    return rows.length === 0 ? null : toWebhook(rows[0]);
  }

  async delete(id: string): Promise<void> {
    await this.pool.query(`UPDATE gateway.webhooks SET deleted_at = now() WHERE id = $1`, [id]);
  }

  /** Ids of the webhooks a worker should run for: not deleted, their key not revoked. */
  async activeIds(): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT w.id FROM gateway.webhooks w JOIN gateway.api_keys k ON k.id = w.api_key_id
        WHERE w.deleted_at IS NULL AND k.revoked_at IS NULL ORDER BY w.created_at`,
    );
    return rows.map((row) => row.id);
  }

  async target(id: string): Promise<WebhookTarget | null> {
    const { rows } = await this.pool.query<{
      id: string;
      url: string;
      types: string[];
      community_ids: string[] | null;
      secret: string;
      cursor: string;
      active: boolean;
    }>(
      `SELECT w.id, w.url, w.types, w.community_ids, w.secret, w.cursor,
              (w.deleted_at IS NULL AND k.revoked_at IS NULL) AS active
         FROM gateway.webhooks w LEFT JOIN gateway.api_keys k ON k.id = w.api_key_id
        WHERE w.id = $1`,
      [id],
    );
    if (rows.length === 0) return null;
    const row = rows[0];
    return { ...row, communityIds: row.community_ids, active: row.active === true };
  }

  /** The first delivery waiting (in queue order), if any: it blocks the ones after it. */
  async nextPending(webhookId: string): Promise<PendingDelivery | null> {
    const { rows } = await this.pool.query<{
      event_id: string;
      position: string;
      body: string;
      attempts: number;
      next_attempt_at: Date | null;
    }>(
      `SELECT event_id, position, body, attempts, next_attempt_at FROM gateway.webhook_deliveries
        WHERE webhook_id = $1 AND status = 'pending' ORDER BY sequence LIMIT 1`,
      [webhookId],
    );
    if (rows.length === 0) return null;
    const row = rows[0];
    return {
      eventId: row.event_id,
      position: Number(row.position),
      body: row.body,
      attempts: row.attempts,
      nextAttemptAt: row.next_attempt_at ?? new Date(0),
    };
  }

  /** Queues an event and moves the cursor past it, atomically. A repeat of a queued event is a no-op. */
  async queue(
    webhookId: string,
    event: { id: string; type: string; position: number; body: string },
    cursor: string,
  ): Promise<void> {
    await this.transaction(async (client) => {
      await client.query(
        `INSERT INTO gateway.webhook_deliveries (webhook_id, event_id, event_type, position, body, status, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', now())
         ON CONFLICT (webhook_id, event_id) DO NOTHING`,
        [webhookId, event.id, event.type, event.position, event.body],
      );
      await client.query(`UPDATE gateway.webhooks SET cursor = $2, cursor_position = $3 WHERE id = $1`, [
        webhookId,
        cursor,
        event.position,
      ]);
    });
  }

  /** Moves the cursor past events outside the webhook's scope. */
  async advance(webhookId: string, cursor: string, position: number | null): Promise<void> {
    await this.pool.query(
      `UPDATE gateway.webhooks SET cursor = $2, cursor_position = COALESCE($3, cursor_position) WHERE id = $1`,
      [webhookId, cursor, position],
    );
  }

  async markDelivered(webhookId: string, eventId: string, statusCode: number): Promise<void> {
    // The body is no longer needed once delivered; the row stays as the record of the delivery.
    await this.pool.query(
      `UPDATE gateway.webhook_deliveries
          SET status = 'delivered', attempts = attempts + 1, last_attempt_at = now(), delivered_at = now(),
              last_status_code = $3, last_error = NULL, next_attempt_at = NULL, body = NULL
        WHERE webhook_id = $1 AND event_id = $2`,
      [webhookId, eventId, statusCode],
    );
  }

  /** Records a failed attempt: retried at `retryAt`, or parked when that is null. */
  async markFailed(
    webhookId: string,
    eventId: string,
    failure: { statusCode: number | null; error: string; retryAt: Date | null },
  ): Promise<void> {
    await this.pool.query(
      `UPDATE gateway.webhook_deliveries
          SET status = CASE WHEN $5::timestamptz IS NULL THEN 'parked' ELSE 'pending' END,
              attempts = attempts + 1, last_attempt_at = now(), last_status_code = $3, last_error = $4,
              next_attempt_at = $5
        WHERE webhook_id = $1 AND event_id = $2`,
      [webhookId, eventId, failure.statusCode, failure.error.slice(0, 500), failure.retryAt],
    );
  }

  /** Puts parked deliveries back in the queue, in their first order, with fresh attempts. */
  async replayParked(webhookId: string): Promise<number> {
    const { rowCount } = await this.pool.query(
      `UPDATE gateway.webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now()
        WHERE webhook_id = $1 AND status = 'parked'`,
      [webhookId],
    );
    return rowCount ?? 0;
  }

  async deliveries(
    webhookId: string,
    query: { status?: DeliveryStatus; after?: number; limit: number },
  ): Promise<Delivery[]> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `SELECT sequence, event_id, event_type, position, status, attempts, next_attempt_at, last_attempt_at,
              last_status_code, last_error, delivered_at
         FROM gateway.webhook_deliveries
        WHERE webhook_id = $1 AND ($2::text IS NULL OR status = $2) AND sequence > $3
        ORDER BY sequence LIMIT $4`,
      [webhookId, query.status ?? null, query.after ?? 0, query.limit],
    );
    return rows.map((row) => ({
      eventId: row.event_id,
      eventType: row.event_type,
      position: Number(row.position),
      status: row.status,
      attempts: row.attempts,
      nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
      lastAttemptAt: row.last_attempt_at?.toISOString() ?? null,
      lastStatusCode: row.last_status_code,
      lastError: row.last_error,
      deliveredAt: row.delivered_at?.toISOString() ?? null,
      sequence: Number(row.sequence),
    }));
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

const WEBHOOK_VIEW = `
  SELECT w.id, w.api_key_id, w.url, w.types, w.community_ids, w.created_at, w.cursor_position,
         (SELECT count(*) FROM gateway.webhook_deliveries d WHERE d.webhook_id = w.id AND d.status = 'pending') AS pending,
         (SELECT count(*) FROM gateway.webhook_deliveries d WHERE d.webhook_id = w.id AND d.status = 'parked') AS parked
    FROM gateway.webhooks w`;

interface WebhookRow {
  id: string;
  api_key_id: string;
  url: string;
  types: string[];
  community_ids: string[] | null;
  created_at: Date;
  cursor_position: string | null;
  pending: string;
  parked: string;
}

function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    apiKeyId: row.api_key_id,
    url: row.url,
    types: row.types,
    communityIds: row.community_ids,
    createdAt: row.created_at.toISOString(),
    position: row.cursor_position === null ? null : Number(row.cursor_position),
    pending: Number(row.pending),
    parked: Number(row.parked),
  };
}

interface DeliveryRow {
  sequence: string;
  event_id: string;
  event_type: string;
  position: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
}
