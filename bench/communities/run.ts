import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { COMMUNITIES_SUBJECTS, type CommunityStatusOnDate, communityIdForKatottg } from '@aid/contracts';
import { PostgresEventStore } from '@aid/event-store';
import {
  bootstrapService,
  createLogger,
  loadConfig,
  NatsRequester,
  type RunningService,
} from '@aid/messaging';
import { createTestDatabase, startNatsServer, type TestDatabase, withAdmin } from '@aid/testing';
import { CommunitiesModule } from '../../services/communities/src/app.module';
import { CommunityCommands } from '../../services/communities/src/community/community.commands';
import { CommunityQueries } from '../../services/communities/src/community/community.queries';
import { importHostilities } from '../../services/communities/src/importers/hostilities-import';
import { parseHostilitiesList } from '../../services/communities/src/importers/hostilities-parser';
import { importKatottg } from '../../services/communities/src/importers/katottg-import';
import { type KatottgCodifier, parseKatottg } from '../../services/communities/src/importers/katottg-parser';
import { RegistryReadModel } from '../../services/communities/src/read-model/registry-read-model';

/*
 * `npm run bench:communities`: the whole KATOTTG codifier imported through the service's command
 * path (validation, decider, CommandHandler, one append per community), the Ministry's list after
 * it, and "status on a date" asked for every community: from the read model in process, and
 * through NATS as the gateway asks it. Each run uses a fresh database; figures are medians.
 * Settings: BENCH_RUNS (default 3), BENCH_OUTPUT (default bench/results/communities.json).
 */

// Compiled to dist/bench/communities: three levels below the repository in both places.
const repositoryRoot = resolve(__dirname, __dirname.includes('/dist/') ? '../../..' : '../..');
const dataDir = resolve(repositoryRoot, '../shared/data');
const CODIFIER_FILE = resolve(dataDir, 'katottg-2025-05-16.csv');
const HOSTILITIES_FILE = resolve(dataDir, 'hostilities-2025-05-07.csv');
const SOURCE =
  'Order of the Ministry for Communities and Territories Development No. 376 of 2025-02-28, as amended to 2025-05-07';
const STATUS_DATE = '2022-05-01';
const NATS_CONCURRENCY = 16;

interface RunFigures {
  katottg_events: number;
  katottg_wall_s: number;
  katottg_eps: number;
  katottg_rerun_wall_s: number;
  hostilities_events: number;
  hostilities_wall_s: number;
  hostilities_eps: number;
  projection_catchup_s: number;
  status_all_read_model_ms: number;
  status_all_nats_sequential_ms: number;
  status_one_nats_p50_ms: number;
  status_one_nats_p95_ms: number;
  status_all_nats_x16_ms: number;
}

const log = (message: string) => process.stderr.write(`${message}\n`);
const seconds = (ms: number) => Math.round(ms) / 1000;
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

async function oneRun(
  codifier: KatottgCodifier,
  rows: ReturnType<typeof parseHostilitiesList>,
  communityIds: string[],
): Promise<RunFigures> {
  const database: TestDatabase = await createTestDatabase('benchcommunities');
  const nats = await startNatsServer();
  let service: RunningService | undefined;
  const store = new PostgresEventStore({ connectionString: database.url });
  const requester = new NatsRequester({ natsUrl: nats.url, defaultTimeoutMs: 30_000 });
  try {
    await store.migrate();
    const commands = new CommunityCommands(store);
    await withAdmin((client) => client.query('CHECKPOINT'));

    // The importers alone, as `npm run import:*` runs them: no service following the store yet.
    const katottg = await importKatottg(commands, codifier);
    const rerun = await importKatottg(commands, codifier);
    if (rerun.eventsAppended !== 0) throw new Error('the second codifier import appended events');
    const hostilities = await importHostilities(commands, store, codifier, rows, { source: SOURCE });
    const events = katottg.eventsAppended + hostilities.eventsAppended;

    // The service starts on the full store: its projection catches up from the first event.
    const catchUpStarted = performance.now();
    service = await bootstrapService({
      name: 'communities',
      module: CommunitiesModule,
      config: { ...loadConfig({}), databaseUrl: database.url, natsUrl: nats.url },
      logger: createLogger('communities', 'warn'),
    });
    const readModel = service.app.get(RegistryReadModel);
    await waitFor('the projection', async () => {
      const status = await readModel.runner.status();
      return status.lastPosition !== null && status.lag === 0;
    });
    const catchUpMs = performance.now() - catchUpStarted;
    // The relay publishes the same events to JetStream; let it finish so it does not share the
    // cores with the timed queries.
    const connection = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(connection);
    await waitFor('the relay', async () => {
      const info = await jsm.streams.info('AID_EVENTS').catch(() => null);
      return info?.state.messages === events;
    });
    await connection.close();

    const queries = service.app.get(CommunityQueries);
    const askAll = async (ask: (id: string) => Promise<CommunityStatusOnDate>) => {
      const started = performance.now();
      for (const id of communityIds) await ask(id);
      return performance.now() - started;
    };
    const overNats = (id: string) =>
      requester.request<CommunityStatusOnDate>(COMMUNITIES_SUBJECTS.getStatusOn, {
        params: { communityId: id, date: STATUS_DATE },
        meta: { actor: { id: 'bench', role: 'service' } },
      });
    // Untimed first pass: warms the JIT, the pools and PostgreSQL's caches.
    await askAll((id) => queries.statusOn({ communityId: id, date: STATUS_DATE }));
    await askAll(overNats);

    const readModelMs = await askAll((id) => queries.statusOn({ communityId: id, date: STATUS_DATE }));
    const latencies: number[] = [];
    const natsSequentialMs = await askAll(async (id) => {
      const started = performance.now();
      const status = await overNats(id);
      latencies.push(performance.now() - started);
      return status;
    });
    latencies.sort((a, b) => a - b);
    const concurrentStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: NATS_CONCURRENCY }, async () => {
        while (next < communityIds.length) await overNats(communityIds[next++]);
      }),
    );
    const natsConcurrentMs = performance.now() - concurrentStarted;

    return {
      katottg_events: katottg.eventsAppended,
      katottg_wall_s: seconds(katottg.durationMs),
      katottg_eps: Math.round((katottg.eventsAppended * 1000) / katottg.durationMs),
      katottg_rerun_wall_s: seconds(rerun.durationMs),
      hostilities_events: hostilities.eventsAppended,
      hostilities_wall_s: seconds(hostilities.durationMs),
      hostilities_eps: Math.round((hostilities.eventsAppended * 1000) / hostilities.durationMs),
      projection_catchup_s: seconds(catchUpMs),
      status_all_read_model_ms: round(readModelMs),
      status_all_nats_sequential_ms: round(natsSequentialMs),
      status_one_nats_p50_ms: round(percentile(latencies, 0.5), 2),
      status_one_nats_p95_ms: round(percentile(latencies, 0.95), 2),
      status_all_nats_x16_ms: round(natsConcurrentMs),
    };
  } finally {
    await requester.close();
    await service?.close();
    await store.close();
    await nats.stop();
    await database.drop();
  }
}

const LABELS: Record<keyof RunFigures, string> = {
  katottg_events: 'codifier import: events appended',
  katottg_wall_s: 'codifier import: wall time (s)',
  katottg_eps: 'codifier import: events/s',
  katottg_rerun_wall_s: 'codifier re-import, nothing to append: wall time (s)',
  hostilities_events: 'hostilities import: events appended',
  hostilities_wall_s: 'hostilities import: wall time (s)',
  hostilities_eps: 'hostilities import: events/s',
  projection_catchup_s: 'read model built from zero (both imports): s',
  status_all_read_model_ms: `status on ${STATUS_DATE}, all communities, read model in process: ms`,
  status_all_nats_sequential_ms: `status on ${STATUS_DATE}, all communities over NATS, one at a time: ms`,
  status_one_nats_p50_ms: 'status on a date over NATS, one request: p50 ms',
  status_one_nats_p95_ms: 'status on a date over NATS, one request: p95 ms',
  status_all_nats_x16_ms: `status on ${STATUS_DATE}, all communities over NATS, ${NATS_CONCURRENCY} in flight: ms`,
};

function formatTable(figures: RunFigures, runs: RunFigures[]): string {
  const keys = Object.keys(LABELS) as (keyof RunFigures)[];
  const width = Math.max(...keys.map((key) => LABELS[key].length));
  const lines = [`${'figure'.padEnd(width)}  ${'median'.padStart(10)}  runs`, '-'.repeat(width + 30)];
  for (const key of keys) {
    lines.push(
      `${LABELS[key].padEnd(width)}  ${String(figures[key]).padStart(10)}  ${runs.map((run) => run[key]).join(', ')}`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const runCount = Number(process.env.BENCH_RUNS ?? 3);
  const outputPath = process.env.BENCH_OUTPUT ?? resolve(repositoryRoot, 'bench/results/communities.json');
  const started = Date.now();

  const parseStarted = performance.now();
  const codifier = parseKatottg(readFileSync(CODIFIER_FILE, 'utf8'));
  const rows = parseHostilitiesList(readFileSync(HOSTILITIES_FILE, 'utf8'));
  const parseMs = performance.now() - parseStarted;
  const communityIds = [...codifier.hromadas, ...codifier.citiesWithSpecialStatus].map((community) =>
    communityIdForKatottg(community.code),
  );
  log(
    `communities bench: ${runCount} runs, ${communityIds.length} communities, ${rows.length} rows of the list`,
  );

  const runs: RunFigures[] = [];
  for (let run = 1; run <= runCount; run++) {
    runs.push(await oneRun(codifier, rows, communityIds));
    log(`run ${run}: ${JSON.stringify(runs[runs.length - 1])}`);
  }
  const figures = Object.fromEntries(
    (Object.keys(LABELS) as (keyof RunFigures)[]).map((key) => [key, median(runs.map((run) => run[key]))]),
  ) as unknown as RunFigures;

  const postgres = await withAdmin(async (client) => {
    const settings = await client.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM pg_settings
        WHERE name IN ('server_version', 'shared_buffers', 'synchronous_commit')`,
    );
    return Object.fromEntries(settings.rows.map((row) => [row.name, row.setting]));
  });
  const report = {
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGiB: round(totalmem() / 2 ** 30),
      os: `${platform()} ${release()}`,
      node: process.version,
      postgres,
    },
    date: new Date().toISOString(),
    files: { codifier: CODIFIER_FILE, hostilities: HOSTILITIES_FILE },
    parse_both_files_ms: round(parseMs),
    communities: communityIds.length,
    status_date: STATUS_DATE,
    runs: runCount,
    figures,
    figures_runs: runs,
    durationSeconds: Math.round((Date.now() - started) / 1000),
  };

  console.log(`\n${formatTable(figures, runs)}\n`);
  mkdirSync(dirname(outputPath), { recursive: true });
  // Written whole or not at all, so a crash never leaves half a result behind.
  writeFileSync(`${outputPath}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${outputPath}.tmp`, outputPath);
  log(`wrote ${outputPath} after ${report.durationSeconds} s`);
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
