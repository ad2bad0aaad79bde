import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import {
  createTestDatabase,
  freeTcpPort,
  REGISTER_TYPESCRIPT,
  startNatsServer,
  type TestDatabase,
  type TestNatsServer,
} from '@aid/testing';

/*
 * `npm start` is scripts/start.ts compiled; here it runs from source (it then starts the services'
 * TypeScript), as a process of its own, the way a developer runs it.
 */

// Processes start slowly on a busy 2-core machine; Jest's 5 s default is not enough there.
jest.setTimeout(30_000);

const START_SCRIPT = join(__dirname, '..', '..', 'scripts', 'start.ts');

interface StartRun {
  process: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
  /** Resolves with the first stdout line matching pattern. */
  lineMatching(pattern: RegExp): Promise<string>;
}

function runStart(env: Record<string, string>): StartRun {
  const { AID_ADMIN_KEY: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, ['-r', REGISTER_TYPESCRIPT, START_SCRIPT], {
    env: { ...inherited, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: StartRun = {
    process: child,
    stdout: [],
    stderr: [],
    exited: once(child, 'exit').then(([code]) => code as number | null),
    lineMatching: (pattern) =>
      new Promise((resolve, reject) => {
        const seen = run.stdout.find((line) => pattern.test(line));
        if (seen) return resolve(seen);
        lines.on('line', (line: string) => {
          if (pattern.test(line)) resolve(line);
        });
        void run.exited.then((code) =>
          reject(new Error(`start exited (${code}) before printing ${pattern}:\n${run.stderr.join('\n')}`)),
        );
      }),
  };
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => run.stdout.push(line));
  createInterface({ input: child.stderr }).on('line', (line) => run.stderr.push(line));
  return run;
}

/** The process ids the services logged (every pino line carries pid). */
function servicePids(lines: string[]): number[] {
  const pids = lines
    .map((line) => /^(communities|partnerships|logistics|gateway)\s*\| (\{.*\})$/.exec(line)?.[2])
    .filter((json): json is string => json !== undefined)
    .map((json) => (JSON.parse(json) as { pid: number }).pid);
  return [...new Set(pids)];
}

describe('npm start (scripts/start.ts)', () => {
  let database: TestDatabase;
  let nats: TestNatsServer;
  let keyDirectory: string;

  beforeAll(async () => {
    database = await createTestDatabase('start');
    nats = await startNatsServer();
    keyDirectory = mkdtempSync(join(tmpdir(), 'aid-start-'));
  });

  afterAll(async () => {
    await nats?.stop();
    await database?.drop();
    rmSync(keyDirectory, { recursive: true, force: true });
  });

  it.each([
    {
      dependency: 'NATS',
      env: { NATS_URL: 'nats://127.0.0.1:1' },
      says: ['NATS is not reachable at nats://127.0.0.1:1', 'Start it with: start-stop-daemon'],
    },
    {
      dependency: 'PostgreSQL',
      env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/aid_ledger' },
      says: ['PostgreSQL is not reachable at postgres://postgres@127.0.0.1:1/aid_ledger', 'pg_ctlcluster'],
    },
  ])(
    'refuses to start when $dependency is unreachable: says which, where and how to start it, exits 1',
    async ({ env, says }) => {
      const keyFile = join(keyDirectory, `refused-${Date.now()}`);
      const startedAt = Date.now();
      const run = runStart({
        DATABASE_URL: database.url,
        NATS_URL: nats.url,
        PORT: '0',
        AID_ADMIN_KEY_FILE: keyFile,
        ...env,
      });

      expect(await run.exited).toBe(1);
      // It gives up after its 3 s connection timeout; the rest is starting Node and compiling TypeScript.
      expect(Date.now() - startedAt).toBeLessThan(20_000);
      const complaint = run.stderr.join('\n');
      for (const text of says) expect(complaint).toContain(text);
      expect(servicePids(run.stdout)).toEqual([]);
      expect(existsSync(keyFile)).toBe(false);
    },
  );

  it('refuses a bad variable, naming it', async () => {
    const run = runStart({ DATABASE_URL: database.url, NATS_URL: nats.url, LOG_LEVEL: 'chatty' });

    expect(await run.exited).toBe(1);
    expect(run.stderr.join('\n')).toContain('LOG_LEVEL must be one of');
  });

  it('starts the four services, prints the URLs and a generated admin key, keeps the key for the next start, and stops cleanly on Ctrl-C', async () => {
    const keyFile = join(keyDirectory, 'admin-key');
    const port = await freeTcpPort();
    const env = {
      DATABASE_URL: database.url,
      NATS_URL: nats.url,
      PORT: String(port),
      AID_ADMIN_KEY_FILE: keyFile,
    };
    const first = runStart(env);

    const keyLine = await first.lineMatching(/admin key {4}(\S+)/);
    const key = /admin key {4}(\S+)/.exec(keyLine)![1];
    expect(keyLine).toContain(`generated now and kept in ${keyFile}`);
    expect(key).toMatch(/^aid_admin_[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(key);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const banner = first.stdout.join('\n');
    for (const path of ['/v1 ', '/docs ', '/health', '/metrics', '/v1/events']) {
      expect(banner).toContain(`http://localhost:${port}${path}`);
    }
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    const pids = servicePids(first.stdout);
    expect(pids).toHaveLength(4);

    first.process.kill('SIGINT');

    expect(await first.exited).toBe(0);
    expect(first.stdout.at(-1)).toMatch(/stopped$/);
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();

    const second = runStart(env);
    const secondKeyLine = await second.lineMatching(/admin key {4}/);
    second.process.kill('SIGINT');
    expect(await second.exited).toBe(0);
    expect(secondKeyLine).toContain(`${key}  (kept in ${keyFile})`);
  }, 60_000);

  it('with a database it had to create, deletes the AID_EVENTS of an earlier database before the services start', async () => {
    const earlier = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(earlier);
    // The full start above left this server a stream of its own; the earlier database's is made here.
    await jsm.streams.delete('AID_EVENTS').catch(() => false);
    await jsm.streams.add({ name: 'AID_EVENTS', subjects: ['aid.>'] });
    earlier.publish('aid.communities.CommunityRegistered.none', '{"from":"an earlier database"}');
    await earlier.flush();
    const newDatabaseUrl = database.url.replace(/\/([^/]+)$/, '/$1_fresh');
    const port = await freeTcpPort();
    const run = runStart({
      DATABASE_URL: newDatabaseUrl,
      NATS_URL: nats.url,
      PORT: String(port),
      AID_ADMIN_KEY_FILE: join(keyDirectory, 'fresh-key'),
    });
    try {
      const deleted = await run.lineMatching(/deleted the JetStream stream AID_EVENTS/);
      expect(deleted).toContain('1 messages published from an earlier database');
      await run.lineMatching(/Aid ledger is up/);
      // The relay made the stream again for the new store, which holds no events yet.
      const info = await jsm.streams.info('AID_EVENTS');
      expect(info.state.messages).toBe(0);
    } finally {
      run.process.kill('SIGINT');
      await run.exited;
      await earlier.close();
      const admin = new Client({ connectionString: database.url });
      await admin.connect();
      await admin.query(
        `DROP DATABASE IF EXISTS "${new URL(newDatabaseUrl).pathname.slice(1)}" WITH (FORCE)`,
      );
      await admin.end();
    }
  }, 60_000);
});
