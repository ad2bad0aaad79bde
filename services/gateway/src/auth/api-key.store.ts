import { createHash, randomBytes } from 'node:crypto';
import { type Pool } from 'pg';
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import { type ApiKeyRole } from '@aid/contracts';

// The roles are part of the HTTP contract (POST /v1/api-keys validates them), so they live there.
export { API_KEY_ROLES, type ApiKeyRole } from '@aid/contracts';

/** Who is calling: what the gateway knows about a request's key once it is authenticated. */
export interface ApiKeyPrincipal {
  id: string;
  name: string;
  role: ApiKeyRole;
  /** The communities a partner key may see; empty for every other role. */
  communityIds: string[];
  organisationId: string | null;
}

export interface ApiKeyView extends ApiKeyPrincipal {
  createdAt: string;
  revokedAt: string | null;
}

export interface NewApiKey {
  name: string;
  role: ApiKeyRole;
  communityIds?: string[];
  organisationId?: string | null;
}

const KEY_PREFIX = 'aid_';
// Fixed so that the key from AID_ADMIN_KEY always gets the same id across restarts.
const ADMIN_KEY_NAMESPACE = '0b6f6c1e-4f7e-4f43-9d0e-6a8c3d2f5b10';

export interface ApiKeyStoreOptions {
  /**
   * How long an authenticated key is remembered, in ms (0: ask PostgreSQL on every request).
   * Revoking through this store forgets it at once; a key revoked through another gateway
   * replica stays usable here for at most this long.
   */
  cacheMs?: number;
}

// Bounds the memory a flood of distinct valid keys could take; the cache is only a shortcut.
const MAX_CACHED_KEYS = 10_000;

/**
 * API keys, stored only as SHA-256 hashes. A key is 32 random bytes, so a fast hash is enough:
 * there is nothing to brute-force that a slow hash would protect (unlike a password).
 */
export class ApiKeyStore {
  private readonly cache = new Map<string, { principal: ApiKeyPrincipal; expiresAt: number }>();
  private readonly cacheMs: number;

  constructor(
    private readonly pool: Pool,
    options: ApiKeyStoreOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? 0;
  }

  static hash(key: string): Buffer {
    return createHash('sha256').update(key, 'utf8').digest();
  }

  async migrate(): Promise<void> {
    await this.pool.query(`
      CREATE SCHEMA IF NOT EXISTS gateway;
      CREATE TABLE IF NOT EXISTS gateway.api_keys (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        role text NOT NULL,
        community_ids uuid[] NOT NULL DEFAULT '{}',
        organisation_id uuid NULL,
        key_hash bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz NULL
      );`);
  }

  /** Creates a key; the plain key is returned here once and never stored. */
  async create(input: NewApiKey): Promise<{ id: string; key: string }> {
    const key = KEY_PREFIX + randomBytes(32).toString('base64url');
    const id = uuidv7();
    await this.insert(id, input, key);
    return { id, key };
  }

  /** Makes sure the AID_ADMIN_KEY key exists (and is not revoked); returns its id. */
  async ensureAdminKey(key: string): Promise<string> {
    const id = uuidv5(ApiKeyStore.hash(key).toString('hex'), ADMIN_KEY_NAMESPACE);
    await this.pool.query(
      `INSERT INTO gateway.api_keys (id, name, role, key_hash) VALUES ($1, 'admin (AID_ADMIN_KEY)', 'admin', $2)
       ON CONFLICT (id) DO UPDATE SET revoked_at = NULL`,
      [id, ApiKeyStore.hash(key)],
    );
    return id;
  }

  async authenticate(key: string): Promise<ApiKeyPrincipal | null> {
    const hash = ApiKeyStore.hash(key);
    const cacheKey = hash.toString('hex');
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined && cached.expiresAt > Date.now()) return cached.principal;
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM gateway.api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    // Unknown keys are never remembered: a key created a moment ago must work at once.
    if (rows.length === 0) return null;
    const principal = toPrincipal(rows[0]);
    if (this.cacheMs > 0) {
      if (this.cache.size >= MAX_CACHED_KEYS) this.cache.clear();
      this.cache.set(cacheKey, { principal, expiresAt: Date.now() + this.cacheMs });
    }
    return principal;
  }

  async list(): Promise<ApiKeyView[]> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM gateway.api_keys ORDER BY created_at, id`);
    return rows.map(toView);
  }

  /** One key by id; the partner feed asks at every heartbeat of every open stream. */
  async get(id: string): Promise<ApiKeyView | null> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM gateway.api_keys WHERE id = $1`, [id]);
    return rows.length === 0 ? null : toView(rows[0]);
  }

  /** Revokes a key; false when no live key has that id. */
  async revoke(id: string): Promise<boolean> {
    for (const [cacheKey, { principal }] of this.cache) {
      if (principal.id === id) this.cache.delete(cacheKey);
    }
    const { rowCount } = await this.pool.query(
      `UPDATE gateway.api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`,
      [id],
    );
    return (rowCount ?? 0) > 0;
  }

  private async insert(id: string, input: NewApiKey, key: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO gateway.api_keys (id, name, role, community_ids, organisation_id, key_hash)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        id,
        input.name,
        input.role,
        input.communityIds ?? [],
        input.organisationId ?? null,
        ApiKeyStore.hash(key),
      ],
    );
  }
}

interface Row {
  id: string;
  name: string;
  role: ApiKeyRole;
  community_ids: string[];
  organisation_id: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

function toView(row: Row): ApiKeyView {
  return {
    ...toPrincipal(row),
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

function toPrincipal(row: Row): ApiKeyPrincipal {
  // Frozen: one principal may serve many requests from the cache.
  return Object.freeze({
    id: row.id,
    name: row.name,
    role: row.role,
    communityIds: Object.freeze([...row.community_ids]) as string[],
    organisationId: row.organisation_id,
  });
}
