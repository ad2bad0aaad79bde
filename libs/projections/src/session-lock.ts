import { Client } from 'pg';
import { ADVISORY_LOCK_NAMESPACE, advisoryLockKey } from './postgres-names';

export interface SessionLockOptions {
  connectionString: string;
  /** The follower's name; the lock key is derived from it. */
  name: string;
  /** How often the held connection is checked; a failed check counts as a lost lock. */
  heartbeatMs?: number;
}

/**
 * A session-level advisory lock held on a connection of its own: PostgreSQL releases it the
 * moment that session ends, so a crashed holder frees it and a standby takes over. The holder
 * must stop working as soon as `lost` aborts, because from then on another instance may hold it.
 */
export class HeldLock {
  private readonly lostController = new AbortController();
  private readonly heartbeat: NodeJS.Timeout;
  private released = false;

  /** Aborts when the lock connection fails; the reason says why. */
  readonly lost: AbortSignal = this.lostController.signal;

  constructor(
    private readonly client: Client,
    private readonly key: number,
    heartbeatMs: number,
  ) {
    client.on('error', (error) => this.markLost(error));
    client.on('end', () => this.markLost(new Error('lock connection ended')));
    this.heartbeat = setInterval(() => {
      // A half-open TCP connection raises no error by itself; a query that fails reveals it.
      client.query('SELECT 1').catch((error: unknown) => this.markLost(error));
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.heartbeat);
    if (!this.lost.aborted) {
      try {
        await this.client.query('SELECT pg_advisory_unlock($1, $2)', [ADVISORY_LOCK_NAMESPACE, this.key]);
      } catch {
        // Closing the session below releases it anyway.
      }
    }
    await this.client.end().catch(() => undefined);
  }

  private markLost(reason: unknown): void {
    if (this.released || this.lost.aborted) return;
    clearInterval(this.heartbeat);
    this.lostController.abort(reason instanceof Error ? reason : new Error(String(reason)));
    // Make sure the session is really gone, so the lock is free for the next holder.
    this.client.end().catch(() => undefined);
  }
}

/** Takes the lock if it is free; null when another session holds it. Never waits. */
export async function tryAcquireSessionLock(options: SessionLockOptions): Promise<HeldLock | null> {
  const key = advisoryLockKey(options.name);
  const client = new Client({
    connectionString: options.connectionString,
    application_name: `aid-lock:${options.name}`.slice(0, 63),
    keepAlive: true,
    query_timeout: 10_000,
  });
  // Until HeldLock takes over, an error on this connection only means the attempt failed.
  const onEarlyError = (): void => undefined;
  client.on('error', onEarlyError);
  try {
    await client.connect();
    const result = await client.query<{ acquired: boolean }>(
      'SELECT pg_try_advisory_lock($1, $2) AS acquired',
      [ADVISORY_LOCK_NAMESPACE, key],
    );
    if (!result.rows[0]?.acquired) {
      await client.end();
      return null;
    }
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  client.off('error', onEarlyError);
  return new HeldLock(client, key, options.heartbeatMs ?? 3_000);
}
