import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NodeConnectionOptions } from '@nats-io/transport-node';

export const NATS_SERVER_BINARY = process.env.NATS_SERVER_BINARY ?? '/usr/sbin/nats-server';

export interface TestNatsServer {
  url: string;
  port: number;
  /** The nats-server process, e.g. to signal a configuration reload. */
  pid: number;
  stop(): Promise<void>;
}

export interface TestNatsServerOptions {
  /**
   * Runs with this configuration file instead of plain `-js`: its ports are replaced by free
   * ones, and NATS_STORE_DIR (which the file must use as its store_dir, since nats-server 2.9
   * refuses `-sd` beside one) names a temporary directory.
   */
  configFile?: string;
  /** More environment variables for the server (e.g. the passwords the file refers to). */
  env?: Record<string, string>;
  /** How the readiness check connects (credentials, when the file requires them). */
  connectOptions?: Partial<NodeConnectionOptions>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A nats-server of its own (with JetStream, in a temporary directory) for one test file. Services
 * subscribe to fixed subjects such as `logistics.cmd.plan-shipment`; on a shared server, two test
 * files (or a running system) would answer each other's requests.
 */
export async function startNatsServer(
  extraArgs: string[] = [],
  options: TestNatsServerOptions = {},
): Promise<TestNatsServer> {
  // A port found free can be taken by another test's process before nats-server binds it; the
  // server then exits at once, and a second pair of ports almost surely works.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNatsServerOnce(extraArgs, options);
    } catch (error) {
      if (attempt === 3 || !(error instanceof NatsServerExitedError)) throw error;
    }
  }
}

class NatsServerExitedError extends Error {}

async function startNatsServerOnce(
  extraArgs: string[],
  options: TestNatsServerOptions,
): Promise<TestNatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'aid-nats-'));
  const storage = options.configFile
    ? ['-m', String(await freePort()), '-c', options.configFile]
    : ['-js', '-sd', storeDir];
  const child: ChildProcess = spawn(
    NATS_SERVER_BINARY,
    ['-a', '127.0.0.1', '-p', String(port), ...storage, ...extraArgs],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NATS_STORE_DIR: storeDir, ...options.env },
    },
  );
  // The server logs to stderr for as long as it runs: keep reading it, and keep its tail for the
  // error below, so a server that does not come up says why.
  let logTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    logTail = (logTail + chunk.toString('utf8')).slice(-2000);
  });
  const url = `nats://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    rmSync(storeDir, { recursive: true, force: true });
  };
  // A busy 2-core machine running several test files can take a while to start a process.
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const nc = await connect({ servers: url, timeout: 500, ...options.connectOptions });
      await nc.close();
      return { url, port, pid: child.pid ?? 0, stop };
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) {
        const exitedAtOnce = child.exitCode !== null;
        await stop();
        const ErrorType = exitedAtOnce ? NatsServerExitedError : Error;
        const log = logTail.trim() === '' ? '' : `; its last log lines:\n${logTail.trim()}`;
        throw new ErrorType(`nats-server (${NATS_SERVER_BINARY}) did not start on port ${port}${log}`, {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
