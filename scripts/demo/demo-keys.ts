/**
 * The demo's own API keys: a coordinator, a partnerships key and the IRC's partner key.
 *
 * The services derive the ids of what a request creates from its caller and its Idempotency-Key,
 * so a second run replays the first only if it writes as the same keys. A key is shown once and
 * stored only as a hash (and the gateway refuses Idempotency-Key on key creation), so the demo
 * keeps the keys it created in a local file that git ignores, beside the admin key of `npm start`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type AidClient } from '../aid-client';
import { repositoryRoot } from '../local-admin-key';

export const DEMO_KEY_ROLES = ['coordinator', 'partnerships', 'partner'] as const;
export type DemoKeyRole = (typeof DEMO_KEY_ROLES)[number];

export interface DemoKey {
  id: string;
  key: string;
}
export type DemoKeys = Record<DemoKeyRole, DemoKey>;

/** Where the keys of each server are kept between runs; the tests keep them in a temporary file. */
export interface DemoKeyStore {
  load(baseUrl: string): Partial<DemoKeys>;
  save(baseUrl: string, keys: Partial<DemoKeys>): void;
  describe(): string;
}

export const DEMO_KEYS_FILE_NAME = '.aid-demo-keys.json';

/** AID_DEMO_KEYS_FILE, or .aid-demo-keys.json at the repository root; readable by its owner only. */
export function demoKeysFile(path = process.env.AID_DEMO_KEYS_FILE?.trim()): DemoKeyStore {
  const file = path ? resolve(path) : join(repositoryRoot(), DEMO_KEYS_FILE_NAME);
  const readAll = (): Record<string, Partial<DemoKeys>> =>
    existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Partial<DemoKeys>>) : {};
  return {
    load: (baseUrl) => readAll()[baseUrl] ?? {},
    save: (baseUrl, keys) => {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify({ ...readAll(), [baseUrl]: keys }, null, 2)}\n`, { mode: 0o600 });
    },
    describe: () => file,
  };
}

export const DEMO_KEY_NAMES: Record<DemoKeyRole, string> = {
  coordinator: 'demo: logistics coordinator',
  partnerships: 'demo: partnerships officer',
  partner: 'demo: International Rescue Committee (partner feed)',
};

interface KeyListing {
  items: { id: string; revokedAt: string | null }[];
}

/**
 * The stored keys that this server still knows and has not revoked. A key of another database
 * (the server was reset) is simply unknown here, and will be created again.
 */
export async function liveDemoKeys(admin: AidClient, store: DemoKeyStore): Promise<Partial<DemoKeys>> {
  const stored = store.load(admin.baseUrl);
  const { items } = await admin.get<KeyListing>('/v1/api-keys');
  const live = new Set(items.filter((item) => item.revokedAt === null).map((item) => item.id));
  return Object.fromEntries(
    Object.entries(stored).filter(([, key]) => key !== undefined && live.has(key.id)),
  );
}

export async function createDemoKey(
  admin: AidClient,
  role: DemoKeyRole,
  scope: { communityIds?: string[]; organisationId?: string } = {},
): Promise<DemoKey> {
  const { body } = await admin.post<DemoKey>('/v1/api-keys', { name: DEMO_KEY_NAMES[role], role, ...scope });
  return { id: body.id, key: body.key };
}
