import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Pool } from 'pg';
import { LOGISTICS_SUBJECTS, type CommandReply } from '@aid/contracts';
import { PostgresEventStore, type JsonObject } from '@aid/event-store';
import { createLogger, NatsRequester } from '@aid/messaging';
import { Relay } from '@aid/relay';
import { createTestDatabase, startNatsServer, type TestDatabase, type TestNatsServer } from '@aid/testing';
import { describeMachine, log, percentiles, round, writeReport } from '../support/figures';

/*
 * `npm run bench:logistics`: the logistics service in a process of its own, started as deployed
 * (node dist/services/logistics/src/main.js), with a private nats-server and a fresh database.
 *
 * 1. Commands per second: 16 concurrent callers each run plan -> dispatch -> receive through NATS
 *    with NatsRequester (the gateway's client), each command validated, decided and appended to
 *    the store; the latency of every request, p50 and p99.
 * 2. Lag: from an appended ShipmentSent (the dispatch reply, which the service sends after the
 *    append committed) to its tonnage line being visible in PostgreSQL, polled every 2 ms: under
 *    the full load of (1), with the 16 callers paced to half that throughput, and with one
 *    dispatch at a time (idle).
 *
 * BENCH_QUICK=1: tiny sizes, to check the harness (its numbers mean nothing; written to $TMPDIR).
 * BENCH_OUTPUT: where the JSON goes (default bench/results/logistics.json).
 */

const S = LOGISTICS_SUBJECTS;
const LAG_TARGET_P99_MS = 250;

// Compiled to dist/bench/logistics: three levels below the repository in both places.
const repositoryRoot = resolve(__dirname, __dirname.includes('/dist/') ? '../../..' : '../..');
const SERVICE_MAIN = resolve(repositoryRoot, 'dist/services/logistics/src/main.js');

interface Settings {
  quick: boolean;
  callers: number;
  warmupCyclesPerCaller: number;
  cyclesPerCaller: number;
  idleLagSamples: number;
  /** Cycles per caller at half the measured throughput: a busy hour, not a flood. */
  halfLoadCyclesPerCaller: number;
  lagPollMs: number;
}

function settingsFrom(env: NodeJS.ProcessEnv): Settings {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  return {
    quick,
    callers: 16,
    warmupCyclesPerCaller: quick ? 1 : 5,
    cyclesPerCaller: quick ? 4 : 100,
    idleLagSamples: quick ? 10 : 200,
    halfLoadCyclesPerCaller: quick ? 2 : 20,
    lagPollMs: 2,
  };
}

/** Rawicz and Zhytomyr, and their active partnership, as the other services would have recorded them. */
async function recordReferences(
  store: PostgresEventStore,
): Promise<{ rawicz: string; zhytomyr: string; partnership: string }> {
  const rawicz = randomUUID();
  const zhytomyr = randomUUID();
  const partnership = randomUUID();
  const append = (service: string, stream: string, type: string, data: object) =>
    store.append(
      stream,
      [
        {
          id: randomUUID(),
          type,
          data: data as JsonObject,
          metadata: {
            occurredAt: new Date().toISOString(),
            actor: { id: 'bench', role: 'importer' },
            correlationId: randomUUID(),
            causationId: null,
            idempotencyKey: null,
            schemaVersion: 1,
            service,
          },
        },
      ],
      'any',
    );
  await append('communities', `community-${rawicz}`, 'CommunityRegistered', {
    communityId: rawicz,
    name: { uk: 'Равич', en: 'Rawicz' },
    kind: 'foreign-municipality',
    countryCode: 'PL',
  });
  await append('communities', `community-${zhytomyr}`, 'CommunityRegistered', {
    communityId: zhytomyr,
    name: { uk: 'Житомирська міська громада', en: 'Zhytomyr' },
    kind: 'hromada',
    countryCode: 'UA',
  });
  const stream = `partnership-${partnership}`;
  await append('partnerships', stream, 'PartnershipProposed', {
    partnershipId: partnership,
    kind: 'international',
    parties: [
      { partyId: zhytomyr, role: 'partner' },
      { partyId: rawicz, role: 'partner' },
    ],
    areas: ['material-humanitarian-aid'],
  });
  await append('partnerships', stream, 'PartnershipApproved', {
    decision: { body: 'Executive committee of the Zhytomyr City Council', date: '2022-12-20' },
  });
  await append('partnerships', stream, 'MemorandumSigned', {
    signedOn: '2022-12-23',
    signatories: [
      { partyId: zhytomyr, name: 'Serhii Sukhomlyn', title: 'Mayor of Zhytomyr' },
      { partyId: rawicz, name: 'Grzegorz Kubik', title: 'Burmistrz of Rawicz' },
    ],
    areas: ['material-humanitarian-aid'],
  });
  return { rawicz, zhytomyr, partnership };
}

/** Polls the tonnage lines for dispatched shipments and records when each first became visible. */
class LagWatcher {
  readonly lags: number[] = [];
  private readonly pending = new Map<string, number>();
  private running = true;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.loop = this.poll();
  }

  /** `sentAt`: performance.now() when the dispatch reply arrived. */
  watch(shipmentId: string, sentAt: number): void {
    this.pending.set(shipmentId, sentAt);
  }

  async seen(shipmentId: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.has(shipmentId)) {
      if (Date.now() > deadline)
        throw new Error(`tonnage line of ${shipmentId} not visible after ${timeoutMs} ms`);
      await delay(1);
    }
  }

  async drain(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size > 0) {
      if (Date.now() > deadline) throw new Error(`${this.pending.size} tonnage lines never became visible`);
      await delay(10);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async poll(): Promise<void> {
    while (this.running) {
      if (this.pending.size > 0) {
        // The row was visible to the snapshot the query took as it started: that is when it was seen.
        const startedAt = performance.now();
        const { rows } = await this.pool.query<{ shipment_id: string }>(
          'SELECT DISTINCT shipment_id FROM logistics_shipments.tonnage_lines WHERE shipment_id = ANY($1::uuid[])',
          [[...this.pending.keys()]],
        );
        for (const { shipment_id: id } of rows) {
          const sentAt = this.pending.get(id);
          if (sentAt === undefined) continue;
          this.lags.push(Math.max(0, startedAt - sentAt));
          this.pending.delete(id);
        }
      }
      await delay(this.pollMs);
    }
  }
}

interface Latencies {
  plan: number[];
  dispatch: number[];
  receive: number[];
}

class Shipper {
  private readonly meta = { actor: { id: 'bench-coordinator', role: 'coordinator' } };

  constructor(
    private readonly requester: NatsRequester,
    private readonly references: { rawicz: string; zhytomyr: string; partnership: string },
  ) {}

  async plan(): Promise<string> {
    const reply = await this.requester.request<CommandReply>(S.planShipment, {
      data: {
        originPartyId: this.references.rawicz,
        destinationCommunityId: this.references.zhytomyr,
        partnershipId: this.references.partnership,
        donorPartyId: this.references.rawicz,
        items: [
          {
            category: 'food',
            description: 'wheat flour, 50 kg bags',
            quantity: 240,
            unit: 'bag',
            weightKg: 12000.5,
          },
          {
            category: 'hygiene',
            description: 'soap and shampoo',
            quantity: 80,
            unit: 'box',
            weightKg: 499.75,
          },
        ],
      },
      meta: this.meta,
    });
    return reply.id;
  }

  async dispatch(shipmentId: string): Promise<void> {
    await this.requester.request<CommandReply>(S.dispatchShipment, {
      data: { shipmentId, sentAt: '2022-12-01T08:00:00+01:00', carrier: 'PKS Rawicz' },
      meta: this.meta,
    });
  }

  async receive(shipmentId: string): Promise<void> {
    await this.requester.request<CommandReply>(S.receiveShipment, {
      data: {
        shipmentId,
        receivedAt: '2022-12-02T15:30:00+02:00',
        receivedBy: 'Head of the Zhytomyr aid warehouse',
        items: [
          { index: 0, goodKg: 12000.5, damagedKg: 0 },
          { index: 1, goodKg: 480.25, damagedKg: 10 },
        ],
      },
      meta: this.meta,
    });
  }

  /** plan -> dispatch -> receive, timing each request. */
  async cycle(latencies: Latencies, onSent: (shipmentId: string, at: number) => void): Promise<void> {
    let started = performance.now();
    const shipmentId = await this.plan();
    let ended = performance.now();
    latencies.plan.push(ended - started);
    started = ended;
    await this.dispatch(shipmentId);
    ended = performance.now();
    latencies.dispatch.push(ended - started);
    onSent(shipmentId, ended);
    started = ended;
    await this.receive(shipmentId);
    latencies.receive.push(performance.now() - started);
  }
}

function startService(database: TestDatabase, nats: TestNatsServer): ChildProcess {
  const child = spawn(process.execPath, [SERVICE_MAIN], {
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      NATS_URL: nats.url,
      LOG_LEVEL: process.env.BENCH_SERVICE_LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) log(`logistics service exited with ${code}`);
  });
  return child;
}

async function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

async function waitUntil(what: string, attempt: () => Promise<unknown>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await attempt();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`, { cause: error });
      await delay(200);
    }
  }
}

async function main(): Promise<void> {
  const settings = settingsFrom(process.env);
  const outputPath =
    process.env.BENCH_OUTPUT ??
    (settings.quick
      ? join(tmpdir(), 'aid-bench-logistics.quick.json')
      : resolve(repositoryRoot, 'bench/results/logistics.json'));
  const startedAt = Date.now();
  log(`logistics bench${settings.quick ? ' (quick: the numbers mean nothing)' : ''}`);

  const nats = await startNatsServer();
  const database = await createTestDatabase('benchlogistics');
  const store = new PostgresEventStore({ connectionString: database.url });
  const pool = new Pool({ connectionString: database.url, max: 2 });
  let relayConnection: NatsConnection | undefined;
  let relay: Relay | undefined;
  let service: ChildProcess | undefined;
  const requester = new NatsRequester({
    natsUrl: nats.url,
    defaultTimeoutMs: 30_000,
    name: 'logistics-bench',
  });
  try {
    await store.migrate();
    const references = await recordReferences(store);
    relayConnection = await connect({ servers: nats.url });
    relay = new Relay({
      name: 'relay_bench_references',
      store,
      connectionString: database.url,
      nats: relayConnection,
      streamPrefixes: ['community-', 'partnership-'],
      logger: createLogger('bench', 'warn'),
    });
    await relay.start();
    service = startService(database, nats);
    await waitUntil('the logistics service', () =>
      requester.request('logistics.query.health', {}, { timeoutMs: 1000 }),
    );
    const shipper = new Shipper(requester, references);
    // The service consumes the references from JetStream; the first plan it accepts proves it has them.
    await waitUntil('the references to reach the service', () => shipper.plan());
    log('service up, references in');

    const watcher = new LagWatcher(pool, settings.lagPollMs);
    watcher.start();

    // 1. Throughput, with the lag of every dispatch sampled under that load.
    const warmup: Latencies = { plan: [], dispatch: [], receive: [] };
    await Promise.all(
      Array.from({ length: settings.callers }, async () => {
        for (let i = 0; i < settings.warmupCyclesPerCaller; i++) await shipper.cycle(warmup, () => undefined);
      }),
    );
    const latencies: Latencies = { plan: [], dispatch: [], receive: [] };
    const loadStarted = performance.now();
    await Promise.all(
      Array.from({ length: settings.callers }, async () => {
        for (let i = 0; i < settings.cyclesPerCaller; i++) {
          await shipper.cycle(latencies, (id, at) => watcher.watch(id, at));
        }
      }),
    );
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    await watcher.drain();
    const lagFullLoad = watcher.lags.splice(0);
    const commands = latencies.plan.length + latencies.dispatch.length + latencies.receive.length;
    log(`${commands} commands in ${round(loadSeconds, 2)} s`);

    // The projection applies events in order: once a dispatch made now is visible, the backlog of
    // a load phase (receipts, discrepancies) is applied too, and the next phase starts clean.
    const settle = async () => {
      const barrier = await shipper.plan();
      await shipper.dispatch(barrier);
      watcher.watch(barrier, performance.now());
      await watcher.seen(barrier, 300_000);
      watcher.lags.splice(0);
    };
    await settle();

    // 1b. Lag while the 16 callers together send half the commands per second measured above.
    const cycleIntervalMs = (settings.callers * 3 * 1000) / (commands / loadSeconds / 2);
    await Promise.all(
      Array.from({ length: settings.callers }, async (_, caller) => {
        // Staggered, so the callers do not all arrive at once.
        await delay((caller * cycleIntervalMs) / settings.callers);
        for (let i = 0; i < settings.halfLoadCyclesPerCaller; i++) {
          const started = performance.now();
          await shipper.cycle({ plan: [], dispatch: [], receive: [] }, (id, at) => watcher.watch(id, at));
          await delay(Math.max(0, cycleIntervalMs - (performance.now() - started)));
        }
      }),
    );
    await watcher.drain();
    const lagHalfLoad = watcher.lags.splice(0);
    await settle();

    // 2. Lag with one dispatch at a time; a random pause keeps the samples from locking into step
    // with the store's 100 ms idle poll.
    for (let i = 0; i < settings.idleLagSamples; i++) {
      const shipmentId = await shipper.plan();
      await delay(Math.random() * 50);
      await shipper.dispatch(shipmentId);
      watcher.watch(shipmentId, performance.now());
      await watcher.seen(shipmentId);
    }
    const lagIdle = watcher.lags.splice(0);
    await watcher.stop();

    const all = percentiles([...latencies.plan, ...latencies.dispatch, ...latencies.receive]);
    const idle = percentiles(lagIdle);
    const loaded = percentiles(lagFullLoad);
    const halfLoaded = percentiles(lagHalfLoad);
    const figures = {
      commands_per_s: round(commands / loadSeconds),
      commands,
      command_p50_ms: all.p50,
      command_p99_ms: all.p99,
      plan_p50_ms: percentiles(latencies.plan).p50,
      plan_p99_ms: percentiles(latencies.plan).p99,
      dispatch_p50_ms: percentiles(latencies.dispatch).p50,
      dispatch_p99_ms: percentiles(latencies.dispatch).p99,
      receive_p50_ms: percentiles(latencies.receive).p50,
      receive_p99_ms: percentiles(latencies.receive).p99,
      lag_idle_p50_ms: idle.p50,
      lag_idle_p99_ms: idle.p99,
      lag_idle_max_ms: idle.max,
      lag_idle_samples: idle.count,
      lag_full_load_p50_ms: loaded.p50,
      lag_full_load_p99_ms: loaded.p99,
      lag_full_load_max_ms: loaded.max,
      lag_full_load_samples: loaded.count,
      lag_half_load_p50_ms: halfLoaded.p50,
      lag_half_load_p99_ms: halfLoaded.p99,
      lag_half_load_max_ms: halfLoaded.max,
      lag_half_load_samples: halfLoaded.count,
    };
    const report = {
      machine: await describeMachine(),
      date: new Date().toISOString(),
      figures,
      targets: {
        lag_idle_p99_ms: { target: `< ${LAG_TARGET_P99_MS}`, met: idle.p99 < LAG_TARGET_P99_MS },
        lag_half_load_p99_ms: { target: `< ${LAG_TARGET_P99_MS}`, met: halfLoaded.p99 < LAG_TARGET_P99_MS },
        lag_full_load_p99_ms: { target: `< ${LAG_TARGET_P99_MS}`, met: loaded.p99 < LAG_TARGET_P99_MS },
      },
      settings: {
        ...settings,
        commandsPerCycle: 'plan (2 items), dispatch, receive (one item short and damaged)',
        process:
          'the service in its own Node process (dist/services/logistics/src/main.js); callers, lag poller and the reference relay in the bench process',
        lagMeasuredFrom:
          'the dispatch reply (sent after the append committed) to the first poll whose snapshot shows the tonnage line',
      },
      durationSeconds: Math.round((Date.now() - startedAt) / 1000),
    };

    console.log(`\n${table(figures)}\n`);
    writeReport(outputPath, report);
    log(`wrote ${outputPath} after ${report.durationSeconds} s`);
  } finally {
    await requester.close();
    if (service) await stopService(service);
    await relay?.stop();
    await relayConnection?.close();
    await pool.end();
    await store.close();
    await database.drop();
    await nats.stop();
  }
}

function table(figures: Record<string, number>): string {
  const rows: [string, string][] = [
    ['commands/s through NATS (16 callers)', `${figures.commands_per_s}`],
    ['  command latency p50 / p99', `${figures.command_p50_ms} / ${figures.command_p99_ms} ms`],
    ['  plan p50 / p99', `${figures.plan_p50_ms} / ${figures.plan_p99_ms} ms`],
    ['  dispatch p50 / p99', `${figures.dispatch_p50_ms} / ${figures.dispatch_p99_ms} ms`],
    ['  receive p50 / p99', `${figures.receive_p50_ms} / ${figures.receive_p99_ms} ms`],
    [
      'ShipmentSent -> tonnage line, idle p50 / p99',
      `${figures.lag_idle_p50_ms} / ${figures.lag_idle_p99_ms} ms (target p99 < ${LAG_TARGET_P99_MS})`,
    ],
    [
      'ShipmentSent -> tonnage line, half load p50 / p99',
      `${figures.lag_half_load_p50_ms} / ${figures.lag_half_load_p99_ms} ms (target p99 < ${LAG_TARGET_P99_MS})`,
    ],
    [
      'ShipmentSent -> tonnage line, full load p50 / p99',
      `${figures.lag_full_load_p50_ms} / ${figures.lag_full_load_p99_ms} ms (target p99 < ${LAG_TARGET_P99_MS})`,
    ],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
