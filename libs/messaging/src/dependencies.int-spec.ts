import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DependencyUnavailableError } from '@aid/event-store';
import { POSTGRES_ADMIN_URL, TEST_NATS_URL, uniqueName, withAdmin } from '@aid/testing';
import { checkNats, ensurePostgresDatabase, START_COMMANDS } from './dependencies';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function databaseUrl(name: string, base = POSTGRES_ADMIN_URL): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

async function databaseExists(name: string): Promise<boolean> {
  const result = await withAdmin((client) =>
    client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]),
  );
  return result.rowCount === 1;
}

describe('PostgreSQL check', () => {
  const created: string[] = [];
  afterAll(async () => {
    for (const name of created)
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  });

  it('creates the database when the server is up and the database is missing, once', async () => {
    const name = uniqueName('aid_test_created').toLowerCase();
    created.push(name);

    expect(await ensurePostgresDatabase(databaseUrl(name))).toBe(true);
    expect(await databaseExists(name)).toBe(true);
    expect(await ensurePostgresDatabase(databaseUrl(name))).toBe(false);
  });

  it('lets services racing to create the same database all succeed', async () => {
    const name = uniqueName('aid_test_race').toLowerCase();
    created.push(name);

    const results = await Promise.all([1, 2, 3, 4].map(() => ensurePostgresDatabase(databaseUrl(name))));

    expect(results.filter((createdIt) => createdIt)).toHaveLength(1);
    expect(await databaseExists(name)).toBe(true);
  });

  it('names PostgreSQL, the URL without its password, and the start command when it is unreachable', async () => {
    const url = `postgres://postgres:secret@127.0.0.1:${await freePort()}/aid_ledger`;

    const failure = ensurePostgresDatabase(url);

    await expect(failure).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(failure).rejects.toThrow(
      /^PostgreSQL is not reachable at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/aid_ledger/,
    );
    await expect(failure).rejects.toThrow(`Start it with: ${START_COMMANDS.postgres}`);
  });
});

describe('NATS check', () => {
  let plainServer: ChildProcess | undefined;

  afterAll(() => {
    plainServer?.kill();
  });

  it('passes against the machine NATS, which runs JetStream', async () => {
    await expect(checkNats(TEST_NATS_URL)).resolves.toBeUndefined();
  });

  it('names NATS, the URL and the start command when nothing listens there', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;

    const failure = checkNats(url);

    await expect(failure).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(failure).rejects.toThrow(`NATS is not reachable at ${url}`);
    await expect(failure).rejects.toThrow(`Start it with: ${START_COMMANDS.nats}`);
  });

  it('refuses a NATS server running without JetStream', async () => {
    const port = await freePort();
    plainServer = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port)], {
      stdio: 'ignore',
    });
    const url = `nats://127.0.0.1:${port}`;
    await waitUntilListening(port);

    await expect(checkNats(url)).rejects.toThrow(`NATS at ${url} runs without JetStream`);
  });
});

async function waitUntilListening(port: number): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`nats-server did not start listening on port ${port}`);
}
