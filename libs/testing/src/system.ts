import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { healthSubject, NatsRequester, SERVICE_NODE_ARGUMENTS } from '@aid/messaging';
import { createTestDatabase, type TestDatabase } from './databases';
import { REGISTER_TYPESCRIPT } from './fork-worker';
import { startNatsServer, type TestNatsServer } from './nats-server';

/** The four services, in the order they are started (the gateway last: its health asks the others). */
export const SYSTEM_SERVICES = ['communities', 'partnerships', 'logistics', 'gateway'] as const;
export type SystemServiceName = (typeof SYSTEM_SERVICES)[number];

export interface StartSystemOptions {
  /** Defaults to a fresh test database, dropped by stop(). */
  databaseUrl?: string;
  /** Defaults to a private nats-server, stopped by stop(): services use fixed subjects and streams. */
  natsUrl?: string;
  /**
   * Run that private nats-server with the repository's infra/nats/nats-server.conf, as
   * docker-compose.yml does: JetStream, accounts and permissions, and the services connecting as
   * the `services` user (a random password, in NATS_URL). Default: a plain nats-server with -js.
   */
  productionNatsConfig?: boolean;
  /** AID_ADMIN_KEY; defaults to a random one. */
  adminKey?: string;
  /** The gateway's PORT; defaults to a free port. */
  port?: number;
  /**
   * `source` runs services/<name>/src/main.ts through swc (no build needed; what tests use);
   * `build` runs dist/services/<name>/src/main.js (after `npm run build`; what benchmarks use).
   */
  runtime?: 'source' | 'build';
  /** Extra arguments for node before the service's script, e.g. ['--cpu-prof', '--cpu-prof-dir', dir]. */
  nodeArguments?: string[];
  /** Extra environment variables for every service (they win over everything else). */
  env?: Record<string, string>;
  /** LOG_LEVEL of the services; defaults to `info`. */
  logLevel?: string;
  /** Copy every service's output to stderr, prefixed with its name (default: AID_SYSTEM_LOGS=1). */
  echoLogs?: boolean;
  /**
   * Send the services' log lines (stdout) nowhere instead of keeping them for logs(): a benchmark's
   * thousands of lines a second would otherwise cost the measuring process CPU. Errors (stderr) are kept.
   */
  discardLogs?: boolean;
  /** How long the services may take to answer, together; defaults to 60 s. */
  startupTimeoutMs?: number;
}

export interface RunningSystem {
  /** The gateway, e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  adminKey: string;
  natsUrl: string;
  databaseUrl: string;
  /** Stops every service (SIGTERM, SIGKILL after 10 s), then whatever startSystem created itself. */
  stop(): Promise<void>;
  /** Stops one service: SIGTERM by default (a graceful stop), SIGKILL to simulate a crash. */
  stopService(name: SystemServiceName, signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts a stopped service again, and waits until it answers. */
  startService(name: SystemServiceName): Promise<void>;
  /** The running process id of a service (for /proc/<pid>/status), undefined while stopped. */
  pid(name: SystemServiceName): number | undefined;
  /** The last lines a service wrote (stdout and stderr), oldest first. */
  logs(name: SystemServiceName): string[];
}

const KEPT_LOG_LINES = 500;
/** The user of infra/nats/nats-server.conf that the services connect as. */
const SERVICES_NATS_USER = 'services';
const STOP_TIMEOUT_MS = 10_000;
const POLL_INTERVAL_MS = 100;

/**
 * The whole system as it runs in production: the four services as separate node processes on
 * one PostgreSQL database and one NATS, the gateway on HTTP. Resolves once GET /health answers
 * 200 (NATS, PostgreSQL and every service up); rejects with the failing service's last log lines
 * when one exits or the system does not come up in time, leaving nothing running behind.
 */
export async function startSystem(options: StartSystemOptions = {}): Promise<RunningSystem> {
  const owned: { database?: TestDatabase; nats?: TestNatsServer } = {};
  if (!options.databaseUrl) owned.database = await createTestDatabase('system');
  const databaseUrl = options.databaseUrl ?? owned.database!.url;
  let natsUrl = options.natsUrl;
  if (!natsUrl) {
    try {
      ({ server: owned.nats, url: natsUrl } = await privateNatsServer(options.productionNatsConfig ?? false));
    } catch (error) {
      await owned.database?.drop();
      throw error;
    }
  }
  const adminKey = options.adminKey ?? `aid_admin_${randomBytes(24).toString('base64url')}`;
  const port = options.port ?? (await freeTcpPort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const timeoutMs = options.startupTimeoutMs ?? 60_000;
  const echo = options.echoLogs ?? process.env.AID_SYSTEM_LOGS === '1';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    NATS_URL: natsUrl,
    EVENT_STORE: 'postgres',
    PORT: String(port),
    AID_ADMIN_KEY: adminKey,
    LOG_LEVEL: options.logLevel ?? 'info',
    ...options.env,
  };

  const processes = new Map<SystemServiceName, ServiceProcess>();
  const requester = new NatsRequester({ natsUrl, name: 'start-system', defaultTimeoutMs: 1000 });

  const launch = (name: SystemServiceName) => {
    const running = processes.get(name);
    if (running?.isRunning()) throw new Error(`${name} is already running`);
    const output = { echo, discardStdout: options.discardLogs ?? false };
    const args = [
      ...SERVICE_NODE_ARGUMENTS,
      ...(options.nodeArguments ?? []),
      ...serviceCommand(name, options.runtime ?? 'source'),
    ];
    const service = new ServiceProcess(name, args, env, output);
    processes.set(name, service);
    return service;
  };

  const waitUntilAnswering = async (services: ServiceProcess[], deadline: number) => {
    for (const service of services) {
      await service.waitFor(deadline, async () => {
        await requester.request(healthSubject(service.name), {}, { timeoutMs: 500 });
        return true;
      });
    }
    const gateway = processes.get('gateway');
    if (gateway?.isRunning()) {
      await gateway.waitFor(deadline, async () => {
        const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(3000) });
        await response.arrayBuffer();
        return response.status === 200;
      });
    }
  };

  const stopEverything = async () => {
    await Promise.all([...processes.values()].map((service) => service.stop('SIGTERM')));
    await requester.close();
    await owned.nats?.stop();
    await owned.database?.drop();
  };

  try {
    const started = SYSTEM_SERVICES.map(launch);
    await waitUntilAnswering(started, Date.now() + timeoutMs);
  } catch (error) {
    await stopEverything();
    throw error;
  }

  return {
    baseUrl,
    adminKey,
    natsUrl,
    databaseUrl,
    stop: stopEverything,
    stopService: async (name, signal = 'SIGTERM') => {
      await processes.get(name)?.stop(signal);
    },
    startService: async (name) => {
      await waitUntilAnswering([launch(name)], Date.now() + timeoutMs);
    },
    pid: (name) => {
      const service = processes.get(name);
      return service?.isRunning() ? service.pid : undefined;
    },
    logs: (name) => [...(processes.get(name)?.lines ?? [])],
  };
}

/** A nats-server for this system alone, plain or configured as docker-compose.yml runs it. */
async function privateNatsServer(
  productionConfig: boolean,
): Promise<{ server: TestNatsServer; url: string }> {
  if (!productionConfig) {
    const server = await startNatsServer();
    return { server, url: server.url };
  }
  // nats-server parses a variable's value as config: hex like "12e34ab" or "7G22" reads as a
  // number or a size and the server refuses the file. A leading letter keeps it a string.
  const password = `p${randomBytes(16).toString('hex')}`;
  const server = await startNatsServer([], {
    configFile: join(repositoryRoot(), 'infra', 'nats', 'nats-server.conf'),
    env: { NATS_SERVICES_PASSWORD: password },
    connectOptions: { user: SERVICES_NATS_USER, pass: password },
  });
  return { server, url: server.url.replace('nats://', `nats://${SERVICES_NATS_USER}:${password}@`) };
}

/** The repository root: where nest-cli.json is, above this file in src/ and in dist/ alike. */
function repositoryRoot(): string {
  for (let directory = __dirname; directory !== dirname(directory); directory = dirname(directory)) {
    if (existsSync(join(directory, 'nest-cli.json'))) return directory;
  }
  throw new Error(`no nest-cli.json above ${__dirname}: cannot find the services`);
}

function serviceCommand(name: SystemServiceName, runtime: 'source' | 'build'): string[] {
  const root = repositoryRoot();
  if (runtime === 'source') {
    // REGISTER_TYPESCRIPT is resolved from src/; in dist/ the same file sits in the source tree.
    const register = existsSync(REGISTER_TYPESCRIPT)
      ? REGISTER_TYPESCRIPT
      : join(root, 'libs', 'testing', 'register-typescript.js');
    return ['-r', register, join(root, 'services', name, 'src', 'main.ts')];
  }
  const main = join(root, 'dist', 'services', name, 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} does not exist: run npm run build first`);
  return [main];
}

/** One service's node process, with its recent output kept for error messages and tests. */
class ServiceProcess {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<unknown>;

  constructor(
    readonly name: SystemServiceName,
    args: string[],
    env: NodeJS.ProcessEnv,
    output: { echo: boolean; discardStdout: boolean },
  ) {
    this.child = spawn(process.execPath, args, {
      env,
      stdio: ['ignore', output.discardStdout ? 'ignore' : 'pipe', 'pipe'],
    });
    this.exited = once(this.child, 'exit');
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        this.lines.push(line);
        if (this.lines.length > KEPT_LOG_LINES) this.lines.shift();
        if (output.echo) process.stderr.write(`${name.padEnd(12)} | ${line}\n`);
      });
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Polls ready() until it is true; fails early, with the service's output, if the process exits. */
  async waitFor(deadline: number, ready: () => Promise<boolean>): Promise<void> {
    let lastProblem = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.isRunning()) {
        throw new Error(
          `${this.name} exited while starting (${this.child.signalCode ?? `exit code ${this.child.exitCode}`}):\n` +
            this.tail(),
        );
      }
      try {
        if (await ready()) return;
        lastProblem = 'not ready';
      } catch (error) {
        lastProblem = error instanceof Error ? error.message : String(error);
      }
      await sleep(POLL_INTERVAL_MS);
    }
    throw new Error(`${this.name} did not become ready in time (last: ${lastProblem}):\n${this.tail()}`);
  }

  async stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    if (!this.isRunning()) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private tail(): string {
    return this.lines.slice(-30).join('\n');
  }
}

/** A TCP port nobody listens on right now, for a server a test starts. */
export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}
