/**
 * The admin key of a developer machine, shared by `npm start` and `npm run demo`. AID_ADMIN_KEY
 * wins; without it `npm start` generates a strong key once and keeps it in a file that git
 * ignores, so that a restart (or the demo, in another terminal) uses the same key.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const ADMIN_KEY_FILE_NAME = '.aid-admin-key';

export interface AdminKeyChoice {
  key: string;
  /** Where it came from, for the start banner. */
  source: 'AID_ADMIN_KEY' | 'generated' | 'file';
  file: string;
}

/** The repository root: where nest-cli.json is, above scripts/ and dist/scripts/ alike. */
export function repositoryRoot(): string {
  for (let directory = __dirname; directory !== dirname(directory); directory = dirname(directory)) {
    if (existsSync(join(directory, 'nest-cli.json'))) return directory;
  }
  throw new Error(`no nest-cli.json above ${__dirname}: run this from the Aid ledger repository`);
}

/** AID_ADMIN_KEY_FILE, or .aid-admin-key at the repository root. */
export function adminKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.AID_ADMIN_KEY_FILE?.trim();
  return configured ? resolve(configured) : join(repositoryRoot(), ADMIN_KEY_FILE_NAME);
}

/** The key a client should use: AID_ADMIN_KEY, else the one `npm start` kept; undefined if neither. */
export function readAdminKey(env: NodeJS.ProcessEnv = process.env): AdminKeyChoice | undefined {
  const file = adminKeyFile(env);
  const fromEnv = env.AID_ADMIN_KEY?.trim();
  if (fromEnv) return { key: fromEnv, source: 'AID_ADMIN_KEY', file };
  if (!existsSync(file)) return undefined;
  const kept = readFileSync(file, 'utf8').trim();
  return kept ? { key: kept, source: 'file', file } : undefined;
}

/** As readAdminKey, but generates and keeps a key (readable by its owner only) when there is none. */
export function adminKeyForStart(env: NodeJS.ProcessEnv = process.env): AdminKeyChoice {
  const existing = readAdminKey(env);
  if (existing) return existing;
  const file = adminKeyFile(env);
  const key = `aid_admin_${randomBytes(32).toString('base64url')}`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, source: 'generated', file };
}
