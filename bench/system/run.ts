import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { LOGISTICS_SUBJECTS, type CommandReply } from '@aid/contracts';
import { NatsRequester } from '@aid/messaging';
import { startSystem, SYSTEM_SERVICES, type RunningSystem } from '@aid/testing';
import { AidClient } from '../../scripts/aid-client';
import { type DemoKeyStore, type DemoKeys } from '../../scripts/demo/demo-keys';
import { recordDemo } from '../../scripts/demo/record-demo';
import {
  COMMANDS,
  type CommandName,
  type CycleBodies,
  HttpCaller,
  type LagSample,
  LoadRecord,
  runCoordinators,
} from './load';
import { describeMachine, log, percentiles, round, writeReport } from '../support/figures';
import { CpuMeter, type CpuUse, postgresProcessesFor, processesNamed, residentMiB } from './processes';

/*
 * `npm run bench:system`: the whole system as it runs after `npm start`: the four services as
 * separate processes from dist/ (on a fresh database of the machine's PostgreSQL and a private
 * nats-server), driven through the gateway's HTTP API.
 *
 * 1. Seed: the demo's five stories (communities, organisations, the active Zhytomyr-Rawicz
 *    partnership) and its coordinator key.
 * 2. Load: 16 concurrent coordinators, each cycling plan -> dispatch -> receive over HTTP with an
 *    Idempotency-Key, for BENCH_DURATION_S seconds after a warm-up: commands/s, p50 and p99 per
 *    command and overall.
 * 3. Lag: every 10th dispatch and receive reply, the time until the logistics read model (the row
 *    its tonnage lines are written with, in the same transaction) shows that revision, polled
 *    every 5 ms.
 * 4. Memory: VmRSS of each service at rest, under load (highest sample) and after.
 * 5. Where the time goes: CPU per process during the load, and the same cycles sent straight to the
 *    logistics service over NATS (no gateway, no HTTP).
 *
 * BENCH_QUICK=1: a few seconds, to check the harness (numbers meaningless, written to $TMPDIR).
 * BENCH_DURATION_S (default 30), BENCH_CALLERS (16), BENCH_IDEMPOTENCY=0 (no Idempotency-Key),
 * BENCH_LOG_LEVEL (the services' LOG_LEVEL, default info), BENCH_OUTPUT, BENCH_CPU_PROFILE_DIR (each
 * service writes a V8 CPU profile there when it stops: open it in Chrome DevTools).
 */

const TARGETS = { commandsPerSecond: 1000, commandP99Ms: 50, lagP99Ms: 250 };
const LAG_POLL_MS = 5;
const repositoryRoot = resolve(__dirname, __dirname.includes('/dist/') ? '../../..' : '../..');

interface Settings {
  quick: boolean;
  callers: number;
  warmupSeconds: number;
  durationSeconds: number;
  natsDurationSeconds: number;
  idempotencyKeys: boolean;
  logLevel: string;
  cpuProfileDir: string | undefined;
}

function settingsFrom(env: NodeJS.ProcessEnv): Settings {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const duration = Number(env.BENCH_DURATION_S ?? (quick ? 3 : 30));
  return {
    quick,
    callers: Number(env.BENCH_CALLERS ?? 16),
    warmupSeconds: quick ? 1 : 5,
    durationSeconds: duration,
    natsDurationSeconds: Math.max(2, Math.round(duration / 2)),
    idempotencyKeys: env.BENCH_IDEMPOTENCY !== '0',
    logLevel: env.BENCH_LOG_LEVEL ?? 'info',
    cpuProfileDir: env.BENCH_CPU_PROFILE_DIR,
  };
}

/** A key store that keeps the demo's keys in memory: the bench's database is new every run. */
function memoryKeyStore(): DemoKeyStore {
  const kept = new Map<string, Partial<DemoKeys>>();
  return {
    load: (baseUrl) => kept.get(baseUrl) ?? {},
    save: (baseUrl, keys) => void kept.set(baseUrl, keys),
    describe: () => 'memory',
  };
}

/** Rawicz -> Zhytomyr along their partnership: two items, the second arriving 0.25 kg short. */
function cycleBodies(ids: { rawicz: string; zhytomyr: string; partnership: string }): CycleBodies {
  return {
    plan: {
      originPartyId: ids.rawicz,
      destinationCommunityId: ids.zhytomyr,
      partnershipId: ids.partnership,
      items: [
        { category: 'food', description: 'wheat flour', quantity: 20, unit: 'bags', weightKg: 500 },
        { category: 'hygiene', description: 'hygiene kits', quantity: 40, unit: 'kits', weightKg: 120.5 },
      ],
    },
    dispatch: () => ({ sentAt: new Date().toISOString() }),
    receive: {
      receivedAt: '2099-01-01T00:00:00Z',
      receivedBy: 'Head of the Zhytomyr humanitarian aid warehouse',
      items: [
        { index: 0, goodKg: 500, damagedKg: 0 },
        { index: 1, goodKg: 120, damagedKg: 0.25 },
      ],
    },
  };
}

/** Follows sampled replies until the logistics read model shows their revision. */
class LagProbe {
  readonly lags: number[] = [];
  private readonly pending = new Map<string, LagSample[]>();
  private running = true;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly pool: Pool) {}

  add(sample: LagSample): void {
    const waiting = this.pending.get(sample.shipmentId) ?? [];
    waiting.push(sample);
    this.pending.set(sample.shipmentId, waiting);
  }

  start(): void {
    this.loop = (async () => {
      while (this.running || this.pending.size > 0) {
        if (this.pending.size > 0) await this.poll();
        await sleep(LAG_POLL_MS);
      }
    })();
  }

  /** Stops once every pending sample is seen, or after timeoutMs (those left count as unseen). */
  async stop(timeoutMs = 15_000): Promise<number> {
    this.running = false;
    await Promise.race([this.loop, sleep(timeoutMs)]);
    const unseen = [...this.pending.values()].reduce((sum, samples) => sum + samples.length, 0);
    this.pending.clear();
    return unseen;
  }

  private async poll(): Promise<void> {
    const { rows } = await this.pool.query<{ shipment_id: string; revision: string }>(
      'SELECT shipment_id, revision FROM logistics_shipments.shipments WHERE shipment_id = ANY($1::uuid[])',
      [[...this.pending.keys()]],
    );
    const seenAt = performance.now();
    for (const row of rows) {
      const waiting = this.pending.get(row.shipment_id) ?? [];
      const left = waiting.filter((sample) => {
        if (sample.revision > Number(row.revision)) return true;
        this.lags.push(seenAt - sample.answeredAt);
        return false;
      });
      if (left.length === 0) this.pending.delete(row.shipment_id);
      else this.pending.set(row.shipment_id, left);
    }
  }
}

function memoryOf(system: RunningSystem): Record<string, number | null> {
  return Object.fromEntries(SYSTEM_SERVICES.map((name) => [name, residentMiB(system.pid(name) ?? -1)]));
}

/** The same cycles sent straight to the logistics service over NATS: the system without the gateway. */
async function natsDirect(
  system: RunningSystem,
  settings: Settings,
  bodies: CycleBodies,
  coordinatorId: string,
): Promise<{ commands: number; commandsPerSecond: number; p50: number; p99: number }> {
  const requester = new NatsRequester({
    natsUrl: system.natsUrl,
    name: 'bench-direct',
    defaultTimeoutMs: 10_000,
  });
  const latencies: number[] = [];
  const meta = (key: string) => ({
    actor: { id: coordinatorId, role: 'coordinator' },
    idempotencyKey: settings.idempotencyKeys ? key : null,
  });
  const send = async (subject: string, request: object): Promise<CommandReply> => {
    const startedAt = performance.now();
    const reply = await requester.request<CommandReply>(subject, request);
    latencies.push(performance.now() - startedAt);
    return reply;
  };
  const until = performance.now() + settings.natsDurationSeconds * 1000;
  const startedAt = performance.now();
  try {
    await Promise.all(
      Array.from({ length: settings.callers }, async (_, caller) => {
        for (let cycle = 0; performance.now() < until; cycle++) {
          const key = `bench-nats-${caller}-${cycle}-${Date.now()}`;
          const { id } = await send(LOGISTICS_SUBJECTS.planShipment, {
            data: bodies.plan,
            meta: meta(`${key}-plan`),
          });
          await send(LOGISTICS_SUBJECTS.dispatchShipment, {
            id,
            data: bodies.dispatch(),
            meta: meta(`${key}-d`),
          });
          await send(LOGISTICS_SUBJECTS.receiveShipment, {
            id,
            data: bodies.receive,
            meta: meta(`${key}-r`),
          });
        }
      }),
    );
  } finally {
    await requester.close();
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const { p50, p99 } = percentiles(latencies);
  return { commands: latencies.length, commandsPerSecond: round(latencies.length / seconds), p50, p99 };
}

type Report = {
  figures: Record<string, number>;
  rss_mib: Record<'at_rest' | 'under_load_max' | 'after_load', Record<string, number | null>>;
  cpu_under_http_load: Record<string, CpuUse>;
  cpu_under_nats_direct_load: Record<string, CpuUse>;
  targets: Record<string, { target: string; met: boolean }>;
  settings: Settings & Record<string, unknown>;
  durationSeconds: number;
};

/** The figures as a table for the terminal; the JSON file has them all. */
function summary(report: Report): string {
  const { figures: f, targets: t, rss_mib: rss } = report;
  const verdict = (name: string) => `(target ${t[name].target}: ${t[name].met ? 'met' : 'missed'})`;
  const rows = [
    [
      `HTTP commands/s, ${report.settings.callers} coordinators`,
      `${f.commands_per_s} ${verdict('commands_per_s')}`,
    ],
    ['command p50 / p99', `${f.command_p50_ms} / ${f.command_p99_ms} ms ${verdict('command_p99_ms')}`],
    ...COMMANDS.map((command) => [
      `  ${command} p50 / p99`,
      `${f[`${command}_p50_ms`]} / ${f[`${command}_p99_ms`]} ms`,
    ]),
    [
      'read-model lag p50 / p99 / max',
      `${f.lag_p50_ms} / ${f.lag_p99_ms} / ${f.lag_max_ms} ms ${verdict('lag_p99_ms')}`,
    ],
    [
      'same cycles over NATS, no gateway',
      `${f.nats_direct_commands_per_s} commands/s, p50 / p99 ${f.nats_direct_p50_ms} / ${f.nats_direct_p99_ms} ms`,
    ],
    ...SYSTEM_SERVICES.map((name) => [
      `RSS ${name}: rest / load / after`,
      `${rss.at_rest[name]} / ${rss.under_load_max[name]} / ${rss.after_load[name]} MiB`,
    ]),
    ...Object.keys(report.cpu_under_http_load).map((name) => {
      const [http, nats] = [report.cpu_under_http_load[name], report.cpu_under_nats_direct_load[name]];
      return [
        `CPU ${name}`,
        `HTTP: ${http.percentOfOneCore}% of a core, ${http.msPerCommand} ms/command; ` +
          `NATS direct: ${nats.percentOfOneCore}%, ${nats.msPerCommand} ms/command`,
      ];
    }),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

async function main(): Promise<void> {
  const settings = settingsFrom(process.env);
  const outputPath =
    process.env.BENCH_OUTPUT ??
    (settings.quick
      ? join(tmpdir(), 'aid-bench-system.quick.json')
      : join(repositoryRoot, 'bench/results/system.json'));
  const startedAt = Date.now();
  log(`starting the four services from dist/ (LOG_LEVEL=${settings.logLevel})`);
  const system = await startSystem({
    runtime: 'build',
    discardLogs: true,
    logLevel: settings.logLevel,
    nodeArguments: settings.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', settings.cpuProfileDir] : [],
  });
  const pool = new Pool({ connectionString: system.databaseUrl, max: 2 });
  try {
    log('seeding: the five source stories through the API (npm run demo)');
    const admin = new AidClient(system.baseUrl, system.adminKey);
    const demo = await recordDemo({ admin, keys: memoryKeyStore() });
    const bodies = cycleBodies({
      rawicz: demo.communities.rawicz,
      zhytomyr: demo.communities.zhytomyr,
      partnership: demo.partnerships.zhytomyrRawicz,
    });
    const caller = new HttpCaller(system.baseUrl, demo.keys.coordinator.key, settings.callers);

    await sleep(settings.quick ? 500 : 3000);
    const atRest = memoryOf(system);
    log(`at rest: ${JSON.stringify(atRest)} MiB`);

    log(`warm-up: ${settings.warmupSeconds} s`);
    await runCoordinators({
      caller,
      callers: settings.callers,
      until: performance.now() + settings.warmupSeconds * 1000,
      bodies,
      record: new LoadRecord(),
      idempotencyKeys: settings.idempotencyKeys,
    });

    const natsPort = new URL(system.natsUrl).port;
    const databaseName = new URL(system.databaseUrl).pathname.slice(1);
    const cpu = new CpuMeter()
      .track('gateway', () => [system.pid('gateway') ?? -1])
      .track('logistics', () => [system.pid('logistics') ?? -1])
      .track('communities', () => [system.pid('communities') ?? -1])
      .track('partnerships', () => [system.pid('partnerships') ?? -1])
      .track('nats-server', () => processesNamed('nats-server', natsPort))
      .track('postgres (all backends on the server)', () => processesNamed('postgres'))
      .track('postgres (this database and the server)', () => postgresProcessesFor(databaseName))
      .track('bench client', () => [process.pid]);
    const record = new LoadRecord();
    const lag = new LagProbe(pool);
    const underLoad: Record<string, number[]> = Object.fromEntries(SYSTEM_SERVICES.map((name) => [name, []]));
    const memorySampler = setInterval(() => {
      for (const [name, mib] of Object.entries(memoryOf(system))) if (mib !== null) underLoad[name].push(mib);
    }, 500);

    log(`load: ${settings.callers} coordinators for ${settings.durationSeconds} s`);
    lag.start();
    cpu.start();
    const loadStartedAt = performance.now();
    await runCoordinators({
      caller,
      callers: settings.callers,
      until: loadStartedAt + settings.durationSeconds * 1000,
      bodies,
      record,
      idempotencyKeys: settings.idempotencyKeys,
      onSample: (sample) => lag.add(sample),
    });
    const loadSeconds = (performance.now() - loadStartedAt) / 1000;
    const cpuHttp = cpu.stop(record.commands);
    clearInterval(memorySampler);
    const unseen = await lag.stop();
    caller.close();
    await sleep(settings.quick ? 500 : 3000);
    const afterLoad = memoryOf(system);

    log(`without the gateway: the same cycles over NATS for ${settings.natsDurationSeconds} s`);
    cpu.start();
    const direct = await natsDirect(system, settings, bodies, demo.keys.coordinator.id);
    const cpuNats = cpu.stop(direct.commands);

    const all = percentiles(COMMANDS.flatMap((command) => record.latencies[command]));
    const byCommand = Object.fromEntries(
      COMMANDS.map((command: CommandName) => [command, percentiles(record.latencies[command])]),
    );
    const lagFigures = percentiles(lag.lags);
    const commandsPerSecond = round(record.commands / loadSeconds);
    const figures = {
      commands_per_s: commandsPerSecond,
      commands: record.commands,
      command_p50_ms: all.p50,
      command_p99_ms: all.p99,
      ...Object.fromEntries(
        COMMANDS.flatMap((command) => [
          [`${command}_p50_ms`, byCommand[command].p50],
          [`${command}_p99_ms`, byCommand[command].p99],
        ]),
      ),
      lag_p50_ms: lagFigures.p50,
      lag_p99_ms: lagFigures.p99,
      lag_max_ms: lagFigures.max,
      lag_samples: lagFigures.count,
      lag_unseen_after_15_s: unseen,
      nats_direct_commands_per_s: direct.commandsPerSecond,
      nats_direct_p50_ms: direct.p50,
      nats_direct_p99_ms: direct.p99,
    };
    const report: Report & Record<string, unknown> = {
      machine: await describeMachine(),
      date: new Date().toISOString(),
      figures,
      answers: Object.fromEntries(record.statuses),
      rss_mib: {
        at_rest: atRest,
        under_load_max: Object.fromEntries(
          Object.entries(underLoad).map(([name, samples]) => [
            name,
            samples.length ? Math.max(...samples) : null,
          ]),
        ),
        after_load: afterLoad,
      },
      cpu_under_http_load: cpuHttp,
      cpu_under_nats_direct_load: cpuNats,
      targets: {
        commands_per_s: {
          target: `>= ${TARGETS.commandsPerSecond}`,
          met: commandsPerSecond >= TARGETS.commandsPerSecond,
        },
        command_p99_ms: { target: `<= ${TARGETS.commandP99Ms}`, met: all.p99 <= TARGETS.commandP99Ms },
        lag_p99_ms: { target: `<= ${TARGETS.lagP99Ms}`, met: lagFigures.p99 <= TARGETS.lagP99Ms },
      },
      settings: {
        ...settings,
        cycle: 'plan (2 items), dispatch, receive (one item 0.25 kg damaged): 5 events a cycle',
        processes:
          'communities, partnerships, logistics and gateway from dist/, each its own Node process; a private nats-server; ' +
          'the machine PostgreSQL (a fresh database); the callers, the lag poller and the NATS-direct callers in the bench process',
        lagMeasuredFrom:
          'the HTTP reply to a dispatch or receipt (sent after the append committed) to the first 5 ms poll whose snapshot shows that revision in logistics_shipments.shipments (written in the same transaction as its tonnage lines)',
      },
      durationSeconds: Math.round((Date.now() - startedAt) / 1000),
    };

    console.log(`\n${summary(report)}\n`);
    writeReport(outputPath, report);
    log(`wrote ${outputPath} after ${report.durationSeconds} s`);
  } finally {
    await pool.end();
    await system.stop();
  }
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
