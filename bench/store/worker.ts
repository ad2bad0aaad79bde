import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { AppendWorkload, BenchConfig } from './config';
import type { OpenStore, StoreName, StoreUnderTest } from './store-under-test';
import {
  measureAppends,
  measureCatchUp,
  measureReadStream,
  writeLog,
  type AppendMeasurement,
  type CatchUpMeasurement,
  type LogPlan,
  type ReadStreamMeasurement,
} from './workloads';

/**
 * Each store runs in its own Node process. Emmett's SQL layer (dumbo) changes the `pg` module's
 * global type parsers when it loads (int8 to BigInt, JSON through its own reviver); in one process
 * that would change how our adapter parses rows too. Separate processes also keep one store's
 * garbage out of the other's timings.
 */

interface Commands {
  appends: { args: { workload: AppendWorkload }; result: AppendMeasurement };
  readStream: {
    args: { plan: BenchConfig['readStream'] };
    result: ReadStreamMeasurement;
  };
  writeLog: { args: { plan: LogPlan }; result: { elapsedMs: number } };
  catchUp: {
    args: { plan: { events: number; idPrefix: string; batchSize: number; idleTimeoutMs: number } };
    result: CatchUpMeasurement;
  };
}
type CommandKind = keyof Commands;

interface Request<K extends CommandKind = CommandKind> {
  requestId: number;
  kind: K;
  connectionString: string;
  args: Commands[K]['args'];
}

type Response =
  { requestId: number; ok: true; result: unknown } | { requestId: number; ok: false; error: string };

/** The worker side: runs each command against a freshly opened store, then closes the store. */
export function serveBenchCommands(openStore: OpenStore): void {
  // The bench drives the worker; without it (Ctrl-C, crash) there is nothing left to do.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: Request) => {
    void handle(openStore, message).then((response) => process.send!(response));
  });
}

async function handle(openStore: OpenStore, request: Request): Promise<Response> {
  try {
    const store = await openStore(request.connectionString);
    try {
      return { requestId: request.requestId, ok: true, result: await run(store, request) };
    } finally {
      await store.close();
    }
  } catch (error) {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return { requestId: request.requestId, ok: false, error: text };
  }
}

function run(store: StoreUnderTest, request: Request): Promise<unknown> {
  const { connectionString } = request;
  switch (request.kind) {
    case 'appends':
      return measureAppends(store, connectionString, (request as Request<'appends'>).args.workload);
    case 'readStream':
      return measureReadStream(store, connectionString, (request as Request<'readStream'>).args.plan);
    case 'writeLog':
      return writeLog(store, (request as Request<'writeLog'>).args.plan);
    case 'catchUp':
      return measureCatchUp(store, connectionString, (request as Request<'catchUp'>).args.plan);
  }
}

/**
 * The bench side: a handle on one store's worker process. A worker that dies fails the
 * measurement it was running; the next call starts a new one, so the other figures still run.
 */
export class BenchWorker {
  private nextRequestId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private process: ChildProcess | undefined;

  constructor(readonly store: StoreName) {}

  call<K extends CommandKind>(
    kind: K,
    connectionString: string,
    args: Commands[K]['args'],
  ): Promise<Commands[K]['result']> {
    const requestId = this.nextRequestId++;
    const request: Request<K> = { requestId, kind, connectionString, args };
    const worker = this.running();
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (value: unknown) => void, reject });
      worker.send(request);
    });
  }

  stop(): void {
    if (this.process?.connected) this.process.disconnect();
  }

  private running(): ChildProcess {
    if (this.process?.connected) return this.process;
    // execArgv is inherited, so the worker also runs with --expose-gc.
    const worker = fork(join(__dirname, `worker-${this.store}.js`), [], { stdio: 'inherit' });
    worker.on('message', (response: Response) => {
      const waiting = this.pending.get(response.requestId);
      if (!waiting) return;
      this.pending.delete(response.requestId);
      if (response.ok) waiting.resolve(response.result);
      else waiting.reject(new Error(`${this.store}: ${response.error}`));
    });
    // A send to a worker that just died; its 'exit' below fails the call.
    worker.on('error', () => undefined);
    worker.on('exit', (code, signal) => {
      for (const waiting of this.pending.values()) {
        waiting.reject(new Error(`${this.store} worker exited (code ${code}, signal ${signal})`));
      }
      this.pending.clear();
    });
    this.process = worker;
    return worker;
  }
}
