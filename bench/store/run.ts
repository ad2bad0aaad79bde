import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, freemem, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
// Relative rather than '@aid/testing' for the reason given in ours-store.ts.
import { createTestDatabase, withAdmin, type TestDatabase } from '../../libs/testing/src';
import { APPEND_FIGURES, benchConfig, EMMETT_PULL_PAUSE_MS, type BenchConfig } from './config';
import { EventIdSpace, payloadSizes } from './events';
import {
  emptySamples,
  FIGURES,
  formatTable,
  summarise,
  TARGETS,
  type FigureName,
  type FigureResult,
  type FigureSamples,
} from './report';
import type { StoreName } from './store-under-test';
import { BenchWorker } from './worker';

/**
 * `npm run bench:store`: our PostgreSQL event store against Emmett's, on the same PostgreSQL, in
 * alternating runs (ours, Emmett, ours, Emmett, ...), each run in a fresh database of its own.
 * See bench/README.md for what each figure measures and its caveats.
 */

const STORES: StoreName[] = ['ours', 'emmett'];

async function main(): Promise<void> {
  const config = benchConfig();
  const outputPath =
    process.env.BENCH_OUTPUT ??
    (config.quick
      ? join(tmpdir(), 'aid-bench-store.quick.json')
      : resolve(__dirname, '../../../bench/results/store.json'));
  log(
    `store bench: ${config.runs} runs, scale ${config.scale}${config.quick ? ' (quick mode: the numbers mean nothing)' : ''}`,
  );

  const samples = emptySamples();
  const failures: string[] = [];
  const workers = { ours: new BenchWorker('ours'), emmett: new BenchWorker('emmett') };
  const started = Date.now();
  try {
    await measureAppendFigures(config, workers, samples, failures);
    await measureReadStream(config, workers, samples, failures);
    await measureCatchUps(config, workers, samples, failures);
  } finally {
    workers.ours.stop();
    workers.emmett.stop();
  }

  const figures = {} as Record<FigureName, FigureResult>;
  for (const figure of FIGURES)
    figures[figure] = summarise(figure, samples[figure], expectedRuns(config, figure));

  const report = {
    machine: await describeMachine(),
    date: new Date().toISOString(),
    runs: config.runs,
    figures,
    targets: Object.fromEntries(
      Object.entries(TARGETS).map(([figure, target]) => [
        figure,
        { target: target.text, met: target.met(figures[figure as FigureName]) },
      ]),
    ),
    settings: describeSettings(config),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    failures,
  };

  console.log(`\n${formatTable(figures)}\n`);
  mkdirSync(dirname(outputPath), { recursive: true });
  // Written whole or not at all: a crash mid-write must not leave a half file that looks like a result.
  writeFileSync(`${outputPath}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${outputPath}.tmp`, outputPath);
  log(`wrote ${outputPath} after ${report.durationSeconds} s`);
  if (failures.length > 0) {
    log(`${failures.length} measurement(s) failed:\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
}

type Workers = Record<StoreName, BenchWorker>;
type Samples = Record<FigureName, FigureSamples>;

async function measureAppendFigures(
  config: BenchConfig,
  workers: Workers,
  samples: Samples,
  failures: string[],
) {
  for (const figure of APPEND_FIGURES) {
    const workload = config.appends[figure];
    for (let run = 1; run <= config.runs; run += 1) {
      for (const store of STORES) {
        await attempt(failures, `${figure} run ${run} ${store}`, () =>
          withFreshDatabase(`bench_${store}`, async (url) => {
            const result = await workers[store].call('appends', url, { workload });
            samples[figure][store].push(result.eventsPerSecond);
            log(
              `${figure} run ${run}/${config.runs} ${store}: ${Math.round(result.eventsPerSecond)} events/s (${result.events} events in ${Math.round(result.elapsedMs)} ms)`,
            );
          }),
        );
      }
    }
  }
}

async function measureReadStream(
  config: BenchConfig,
  workers: Workers,
  samples: Samples,
  failures: string[],
) {
  const figure = 'read_stream_1000_ms';
  for (let run = 1; run <= config.runs; run += 1) {
    for (const store of STORES) {
      await attempt(failures, `${figure} run ${run} ${store}`, () =>
        withFreshDatabase(`bench_${store}`, async (url) => {
          const result = await workers[store].call('readStream', url, { plan: config.readStream });
          samples[figure][store].push(result.medianMs);
          log(
            `${figure} run ${run}/${config.runs} ${store}: median ${result.medianMs.toFixed(2)} ms over ${result.readsMs.length} reads`,
          );
        }),
      );
    }
  }
}

/**
 * The log is written once per store and size, then read several times: the figure is the reading,
 * and reading does not change the log.
 */
async function measureCatchUps(config: BenchConfig, workers: Workers, samples: Samples, failures: string[]) {
  const { appenders, eventsPerAppend, eventsPerStream, batchSize, idleTimeoutMs } = config.catchUp;
  for (const size of config.catchUp.sizes) {
    const runsOf = (store: StoreName): number =>
      Math.min(config.runs, store === 'ours' ? config.runs : size.emmettRuns);
    const logs = new Map<StoreName, { database: TestDatabase; idPrefix: string }>();
    try {
      for (const store of STORES.filter((s) => runsOf(s) > 0)) {
        await attempt(failures, `${size.figure} writing the log ${store}`, async () => {
          const database = await createTestDatabase(`bench_${store}`);
          const idPrefix = new EventIdSpace().prefix;
          logs.set(store, { database, idPrefix });
          const plan = { events: size.events, appenders, eventsPerAppend, eventsPerStream, idPrefix };
          const written = await workers[store].call('writeLog', database.url, { plan });
          log(
            `${size.figure} ${store}: wrote ${size.events} events in ${Math.round(written.elapsedMs / 1000)} s`,
          );
        });
      }
      for (let run = 1; run <= config.runs; run += 1) {
        for (const store of STORES) {
          const target = logs.get(store);
          if (run > runsOf(store) || !target) continue;
          await attempt(failures, `${size.figure} run ${run} ${store}`, async () => {
            const plan = { events: size.events, idPrefix: target.idPrefix, batchSize, idleTimeoutMs };
            const result = await workers[store].call('catchUp', target.database.url, { plan });
            samples[size.figure][store].push(result.eventsPerSecond);
            samples[size.figure].lost[store] += result.lost;
            samples[size.figure].repeated[store] += result.repeated;
            log(
              `${size.figure} run ${run}/${runsOf(store)} ${store}: ${Math.round(result.eventsPerSecond)} events/s, ` +
                `${result.delivered}/${result.written} delivered in ${Math.round(result.elapsedMs)} ms, lost ${result.lost}, repeated ${result.repeated}`,
            );
          });
        }
      }
    } finally {
      for (const { database } of logs.values()) await dropWhenDisconnected(database);
    }
  }
}

function expectedRuns(config: BenchConfig, figure: FigureName): { ours: number; emmett: number } {
  const size = config.catchUp.sizes.find((s) => s.figure === figure);
  return { ours: config.runs, emmett: size ? Math.min(config.runs, size.emmettRuns) : config.runs };
}

async function withFreshDatabase(label: string, work: (url: string) => Promise<void>): Promise<void> {
  const database = await createTestDatabase(label);
  try {
    await work(database.url);
  } finally {
    await dropWhenDisconnected(database);
  }
}

/**
 * A store's close() can resolve while its pool's connections are still ending. Dropping the
 * database WITH (FORCE) at that moment kills them, and Emmett's pool (dumbo attaches no 'error'
 * listener) then crashes its worker with "terminating connection due to administrator command".
 */
async function dropWhenDisconnected(database: TestDatabase): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const connected = await withAdmin((client) =>
      client.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = $1',
        [database.name],
      ),
    );
    if (connected.rows[0]?.count === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await database.drop();
}

/** One failed measurement must not throw away the others; it is reported and the figure gets no median. */
async function attempt(failures: string[], what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    failures.push(`${what}: ${text.split('\n')[0]}`);
    log(`FAILED ${what}: ${text}`);
  }
}

async function describeMachine() {
  const postgres = await withAdmin(async (client) => {
    const settings = await client.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM pg_settings
        WHERE name IN ('server_version', 'shared_buffers', 'synchronous_commit', 'fsync', 'max_wal_size', 'max_connections')`,
    );
    return Object.fromEntries(settings.rows.map((row) => [row.name, row.setting]));
  });
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiBAtEnd: Math.round((freemem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()}`,
    node: process.version,
    postgres,
  };
}

function describeSettings(config: BenchConfig) {
  return {
    quick: config.quick,
    scale: config.scale,
    appends: config.appends,
    readStream: config.readStream,
    catchUp: { ...config.catchUp, emmettPullPauseMs: EMMETT_PULL_PAUSE_MS },
    payloadBytes: payloadSizes(),
    connectionPools: 'both stores keep their defaults: a pg.Pool of 10 connections',
    process:
      'each store in its own Node process; a fresh database per append and read run, one per catch-up log',
  };
}

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
