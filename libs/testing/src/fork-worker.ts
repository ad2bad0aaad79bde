import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

/** `node -r` this to run a TypeScript file as Jest would (swc, @aid/* aliases), with no build. */
export const REGISTER_TYPESCRIPT = path.join(__dirname, '..', 'register-typescript.js');

export interface Worker {
  process: ChildProcess;
  /** The first message the worker sends, once started. */
  started: Promise<unknown>;
  kill(): Promise<void>;
}

/** Forks a TypeScript worker script (see register-typescript.js) with extra environment variables. */
export function forkWorker(script: string, env: Record<string, string>): Worker {
  const child = fork(script, [], {
    execArgv: ['-r', REGISTER_TYPESCRIPT],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const started = new Promise<unknown>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code, signal) =>
      reject(new Error(`worker exited before starting (${code ?? signal})`)),
    );
  });
  started.catch(() => undefined);
  return {
    process: child,
    started,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** An environment variable a worker cannot run without. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
