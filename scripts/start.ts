/**
 * The quick start (`npm start`): checks PostgreSQL and NATS, creates the database and the event
 * store's tables, then runs the four services as child processes with their log lines prefixed,
 * until Ctrl-C. Any service dying stops the rest: a half-running system only misleads.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { PostgresEventStore } from '@aid/event-store';
import {
  type AppConfig,
  checkNats,
  ensurePostgresDatabase,
  loadConfig,
  redactUrl,
  SERVICE_NAMES,
  type ServiceName,
} from '@aid/messaging';

const STARTUP_TIMEOUT_MS = 60_000;
const HEALTH_POLL_INTERVAL_MS = 500;
const STOP_TIMEOUT_MS = 10_000;
const LABEL_WIDTH = Math.max(...SERVICE_NAMES.map((name) => name.length));

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

  say(`checking PostgreSQL at ${redactUrl(config.databaseUrl)}`);
  if (await ensurePostgresDatabase(config.databaseUrl)) say('created the database');
  say(`checking NATS (with JetStream) at ${redactUrl(config.natsUrl)}`);
  await checkNats(config.natsUrl);
  await runEventStoreMigrations(config);

  process.once('SIGINT', () => void stopAll(0, 'SIGINT received'));
  process.once('SIGTERM', () => void stopAll(0, 'SIGTERM received'));
  for (const name of SERVICE_NAMES) startService(name);

  const url = `http://localhost:${config.port}`;
  if (!(await waitUntilHealthy(`http://127.0.0.1:${config.port}/health`))) return;
  say(`Aid ledger is up at ${url} (GET ${url}/health). Ctrl-C stops it.`);
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

function startService(name: ServiceName): void {
  const entry = join(__dirname, '..', 'services', name, 'src', 'main.js');
  const child = spawn(process.execPath, [entry], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** Stops every running service with SIGTERM (SIGKILL after STOP_TIMEOUT_MS), then exits. */
async function stopAll(exitCode: number, reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  (exitCode === 0 ? say : complain)(`${reason}; stopping the services`);
  await Promise.all([...children.values()].map(stop));
  process.exit(exitCode);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
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
