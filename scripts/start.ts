/**
 * The quick start (`npm start`): checks PostgreSQL and NATS, creates the database and the event
 * store's tables, then runs the four services as child processes with their log lines prefixed,
 * until Ctrl-C. Any service dying stops the rest: a half-running system only misleads.
 *
 * Run from dist/ (after `npm run build`) it starts the compiled services; run from source
 * (`node -r ./libs/testing/register-typescript.js scripts/start.ts`) it starts their TypeScript.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { PostgresEventStore } from '@aid/event-store';
import { DEFAULT_EVENTS_STREAM } from '@aid/relay';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  type AppConfig,
  checkNats,
  ensurePostgresDatabase,
  loadConfig,
  natsConnectionOptions,
  redactUrl,
  SERVICE_NAMES,
  SERVICE_NODE_ARGUMENTS,
  type ServiceName,
} from '@aid/messaging';
import { adminKeyForStart, type AdminKeyChoice, repositoryRoot } from './local-admin-key';

const STARTUP_TIMEOUT_MS = 60_000;
const HEALTH_POLL_INTERVAL_MS = 250;
const STOP_TIMEOUT_MS = 10_000;
const LABEL_WIDTH = Math.max(...SERVICE_NAMES.map((name) => name.length));
const RUNNING_FROM_SOURCE = __filename.endsWith('.ts');

const children = new Map<ServiceName, ChildProcess>();
let stopping = false;

function say(message: string): void {
  process.stdout.write(`${'start'.padEnd(LABEL_WIDTH)} | ${message}\n`);
}

function complain(message: string): void {
  process.stderr.write(`${'start'.padEnd(LABEL_WIDTH)} | ${message}\n`);
}

async function main(): Promise<void> {
  const config = loadConfig();

  await refuseBusyPort(config.port);
  say(`checking PostgreSQL at ${redactUrl(config.databaseUrl)}`);
  const newDatabase = await ensurePostgresDatabase(config.databaseUrl);
  if (newDatabase) say('created the database');
  say(`checking NATS (with JetStream) at ${redactUrl(config.natsUrl)}`);
  await checkNats(config.natsUrl);
  if (newDatabase) await forgetEventsOfAnEarlierDatabase(config);
  await runEventStoreMigrations(config);
  // Only now: a refused start leaves no key file behind.
  const adminKey = adminKeyForStart();

  process.once('SIGINT', () => void stopAll(0, 'SIGINT received'));
  process.once('SIGTERM', () => void stopAll(0, 'SIGTERM received'));
  const env = { ...process.env, AID_ADMIN_KEY: adminKey.key };
  for (const name of SERVICE_NAMES) startService(name, env);

  if (!(await waitUntilHealthy(`http://127.0.0.1:${config.port}/health`))) return;
  printBanner(`http://localhost:${config.port}`, adminKey);
}

/**
 * A new database next to a NATS that still holds AID_EVENTS (the database was dropped, NATS kept
 * its files): those messages are the history of a store that no longer exists, and the read
 * models fed from JetStream would mix them into this one's (the audit's replay reports exactly
 * that). The quick start begins both anew; the relay recreates the stream from this store.
 */
async function forgetEventsOfAnEarlierDatabase(config: AppConfig): Promise<void> {
  const nats = await connect({ ...natsConnectionOptions(config.natsUrl), name: 'aid-start' });
  try {
    const jsm = await jetstreamManager(nats);
    const info = await jsm.streams.info(DEFAULT_EVENTS_STREAM).catch(() => null);
    if (info === null) return;
    await jsm.streams.delete(DEFAULT_EVENTS_STREAM);
    say(
      `deleted the JetStream stream ${DEFAULT_EVENTS_STREAM} (${info.state.messages} messages published from an ` +
        'earlier database), so that everything follows the new database only',
    );
  } finally {
    await nats.close();
  }
}

/** A gateway that cannot bind its port dies after the others started; say so before starting any. */
async function refuseBusyPort(port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  probe.listen(port);
  try {
    await Promise.race([
      once(probe, 'listening'),
      once(probe, 'error').then(([error]) => {
        throw new Error(
          `port ${port} is in use (${(error as Error).message}); is Aid ledger already running? ` +
            'Stop it, or choose another port: PORT=3100 npm start',
        );
      }),
    ]);
  } finally {
    probe.close();
  }
}

/** Creates or updates the event store's tables; EventStoreDB needs none. */
async function runEventStoreMigrations(config: AppConfig): Promise<void> {
  if (config.eventStore === 'esdb') {
    say(`event store: EventStoreDB at ${config.eventStoreUrl ?? '?'} (no migrations needed)`);
    return;
  }
  say('event store: PostgreSQL, running migrations');
  const store = new PostgresEventStore({ connectionString: config.databaseUrl });
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
}

function serviceArguments(name: ServiceName): string[] {
  if (!RUNNING_FROM_SOURCE) return [join(__dirname, '..', 'services', name, 'src', 'main.js')];
  const root = repositoryRoot();
  return [
    '-r',
    join(root, 'libs', 'testing', 'register-typescript.js'),
    join(root, 'services', name, 'src', 'main.ts'),
  ];
}

function startService(name: ServiceName, env: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, [...SERVICE_NODE_ARGUMENTS, ...serviceArguments(name)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(name, child);
  forwardLines(child.stdout, name, process.stdout);
  forwardLines(child.stderr, name, process.stderr);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    void stopAll(1, `${name} stopped unexpectedly (${signal ?? `exit code ${code}`})`);
  });
}

function forwardLines(from: NodeJS.ReadableStream, name: string, to: NodeJS.WritableStream): void {
  const prefix = `${name.padEnd(LABEL_WIDTH)} | `;
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => to.write(`${prefix}${line}\n`));
}

/** True once GET /health answers 200; false when the services are being stopped instead. */
async function waitUntilHealthy(healthUrl: string): Promise<boolean> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (stopping) return false;
    try {
      const response = await fetch(healthUrl, { signal: AbortSignal.timeout(5000) });
      if (response.status === 200) return !stopping;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(HEALTH_POLL_INTERVAL_MS);
  }
  await stopAll(
    1,
    `GET ${healthUrl} did not answer 200 within ${STARTUP_TIMEOUT_MS / 1000} s (last: ${last})`,
  );
  return false;
}

function printBanner(url: string, adminKey: AdminKeyChoice): void {
  const keyOrigin = {
    AID_ADMIN_KEY: 'from AID_ADMIN_KEY',
    generated: `generated now and kept in ${adminKey.file}`,
    file: `kept in ${adminKey.file}`,
  }[adminKey.source];
  const lines = [
    'Aid ledger is up. Ctrl-C stops it.',
    `  API          ${url}/v1  (Authorization: Bearer <key>)`,
    `  OpenAPI      ${url}/docs  (JSON: ${url}/docs-json)`,
    `  health       ${url}/health`,
    `  metrics      ${url}/metrics`,
    `  partner feed ${url}/v1/events  (Server-Sent Events)`,
    `  admin key    ${adminKey.key}  (${keyOrigin})`,
    'Record the five source stories with: npm run demo',
  ];
  for (const line of lines) say(line);
}

/** Stops every running service with SIGTERM (SIGKILL after STOP_TIMEOUT_MS), then exits. */
async function stopAll(exitCode: number, reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  (exitCode === 0 ? say : complain)(`${reason}; stopping the services`);
  await Promise.all([...children.values()].map(stop));
  if (exitCode === 0) say('stopped');
  process.exit(exitCode);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

main().catch((error: unknown) => {
  complain(error instanceof Error ? error.message : String(error));
  if (children.size === 0) process.exit(1);
  void stopAll(1, 'start failed');
});
