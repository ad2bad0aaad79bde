import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { AuditedContext, ServiceReplayReply } from '@aid/contracts';
import { PostgresEventStore } from '@aid/event-store';
import {
  ConsumedReadModel,
  consumedReadModelAudit,
  createLogger,
  loadConfig,
  ServiceContext,
  type ConsumedReadModelOptions,
} from '@aid/messaging';
import { ProjectionRunner, ReadModelAudit, type AuditedReadModel, type Projection } from '@aid/projections';
import { Relay } from '@aid/relay';
import { createTestDatabase, startNatsServer, withAdmin } from '@aid/testing';
import { registryProjection } from '../../services/communities/src/read-model/registry.projection';
import { createShipmentsProjection } from '../../services/logistics/src/read-model/shipments.projection';
import { applyReferenceEvent } from '../../services/logistics/src/references/reference-events';
import { REFERENCE_ENTITIES } from '../../services/logistics/src/references/reference.entities';
import {
  REFERENCES_SCHEMA,
  REFERENCES_SUBJECTS,
} from '../../services/logistics/src/references/references.service';
import { PARTIES_ENTITIES } from '../../services/partnerships/src/parties/parties.entities';
import {
  PARTIES_READ_MODEL,
  PARTIES_SUBJECTS,
} from '../../services/partnerships/src/parties/parties.read-model';
import { applyRegistryEvent } from '../../services/partnerships/src/parties/registry-events';
import { partnershipsProjection } from '../../services/partnerships/src/partnership/partnership.projection';
import { verifyLedger } from '../../services/gateway/src/audit/ledger-verification';
import { describeMachine, log, round, writeReport } from '../support/figures';
import { appendHistory } from './history';

/*
 * `npm run bench:audit`: how fast the audit checks and rebuilds a history of 100,000 and of
 * 1,000,000 events (shipments planned, sent and received across many streams, plus communities,
 * organisations and partnerships), each in a fresh database with a private nats-server.
 *
 * 1. verify: GET /v1/audit/verify's work (verifyLedger): every hash chain recomputed, stream
 *    heads and position order checked, and the global positions searched for gaps. Events/s.
 * 2. replay: every read model of the three services, live and caught up first (the projections
 *    from the store; the parties and references from JetStream, fed by a relay of the registry's
 *    and partnerships' streams), then each service's replay-and-compare (ReadModelAudit, as the
 *    services run it on POST /v1/audit/replay), the three at once. Events replayed into read
 *    models per second of the whole run: copying the live tables, replaying into the shadow
 *    schemas, comparing row by row and dropping them. Target: at least 20,000 events/s. Also
 *    the rebuild alone (rebuild_*_eps): the replay into the shadow tables, before the comparison.
 *
 * Everything runs in this one process (the services' own projection, handler and audit code,
 * without their NATS front), so the three replays share one Node thread.
 *
 * BENCH_QUICK=1: tiny sizes, to check the harness (its numbers mean nothing; written to $TMPDIR).
 * BENCH_SIZES=100000,250000: other history sizes (events). BENCH_OUTPUT: where the JSON goes
 * (default bench/results/audit.json).
 */

const REPLAY_TARGET_EPS = 20_000;

// Compiled to dist/bench/audit: three levels below the repository in both places.
const repositoryRoot = resolve(__dirname, __dirname.includes('/dist/') ? '../../..' : '../..');

const seconds = (ms: number) => round(ms / 1000, 2);

interface SizeResult {
  events: number;
  streams: number;
  load_eps: number;
  verify_s: number;
  verify_eps: number;
  live_catch_up_s: number;
  replay_s: number;
  events_replayed: number;
  replay_eps: number;
  /** The rebuild alone (the slowest read model's, while the live tables were copied and summed), without the comparison after it. */
  rebuild_s: number;
  rebuild_eps: number;
  tables: number;
  identical: boolean;
  read_models: Array<{ name: string; events: number; ms: number; steps_ms: Record<string, number> }>;
}

/** The read models of one service, live, as the service runs them. */
interface ServiceReadModels {
  service: AuditedContext;
  runners: ProjectionRunner[];
  consumed: Array<{ live: ConsumedReadModel; audit: AuditedReadModel<unknown> }>;
}

async function measure(size: number): Promise<SizeResult> {
  const database = await createTestDatabase(`bench_audit_${size}`);
  const nats = await startNatsServer();
  const store = new PostgresEventStore({ connectionString: database.url });
  let relayConnection: NatsConnection | undefined;
  let relay: Relay | undefined;
  const services: ServiceReadModels[] = [];
  try {
    await store.migrate();
    log(`${size}: appending the history`);
    const loadStarted = performance.now();
    let lastReport = 0;
    const history = await appendHistory(store, size, {
      onProgress: (events) => {
        if (events - lastReport >= 100_000) log(`  ${(lastReport = events)} events`);
      },
    });
    const loadMs = performance.now() - loadStarted;
    await withAdmin((client) => client.query('CHECKPOINT'));
    (globalThis as { gc?: () => void }).gc?.();

    log(`${size}: verify`);
    const verifyStarted = performance.now();
    const verified = await verifyLedger(store);
    const verifyMs = performance.now() - verifyStarted;
    if (!verified.ok || verified.eventsChecked !== history.events) {
      throw new Error(
        `verify of an untouched history failed: ${JSON.stringify(verified.broken.slice(0, 3))}`,
      );
    }

    log(`${size}: live read models catching up`);
    const config = { ...loadConfig({}), databaseUrl: database.url, natsUrl: nats.url };
    const logger = createLogger('bench-audit', 'warn');
    relayConnection = await connect({ servers: nats.url });
    relay = new Relay({
      name: 'relay_bench_audit',
      store,
      connectionString: database.url,
      nats: relayConnection,
      streamPrefixes: ['community-', 'organisation-', 'partnership-'],
      logger,
    });
    await relay.start();
    const liveStarted = performance.now();
    const runner = (projection: Projection) =>
      new ProjectionRunner({
        projection,
        store,
        connectionString: database.url,
        batchSize: Number(process.env.BENCH_BATCH ?? 2000),
        logger,
      });
    const consumed = (
      service: ServiceContext,
      options: Omit<ConsumedReadModelOptions, 'name'> & { name: string },
    ) => ({
      live: new ConsumedReadModel(service, options),
      audit: consumedReadModelAudit({ ...options, store, connectionString: database.url, natsUrl: nats.url }),
    });
    services.push(
      { service: 'communities', runners: [runner(registryProjection)], consumed: [] },
      {
        service: 'partnerships',
        runners: [runner(partnershipsProjection)],
        consumed: [
          consumed(new ServiceContext('partnerships', config, logger), {
            name: PARTIES_READ_MODEL,
            entities: PARTIES_ENTITIES,
            filterSubjects: PARTIES_SUBJECTS,
            handle: applyRegistryEvent,
          }),
        ],
      },
      {
        service: 'logistics',
        runners: [runner(createShipmentsProjection())],
        consumed: [
          consumed(new ServiceContext('logistics', config, logger), {
            name: REFERENCES_SCHEMA,
            entities: REFERENCE_ENTITIES,
            filterSubjects: REFERENCES_SUBJECTS,
            handle: applyReferenceEvent,
          }),
        ],
      },
    );
    for (const { runners, consumed: models } of services) {
      for (const projection of runners) await projection.start();
      for (const model of models) await model.live.start();
    }
    await caughtUp(services, relay);
    const liveMs = performance.now() - liveStarted;
    await withAdmin((client) => client.query('CHECKPOINT'));
    (globalThis as { gc?: () => void }).gc?.();

    log(`${size}: replay and compare`);
    const replayStarted = performance.now();
    const replies: ServiceReplayReply[] = await Promise.all(
      services.map(({ service, runners, consumed: models }) =>
        new ReadModelAudit({ connectionString: database.url, logger }).replayService(service, [
          ...runners.map((projection) => projection.auditedReadModel()),
          ...models.map((model) => model.audit),
        ]),
      ),
    );
    const replayMs = performance.now() - replayStarted;
    const eventsReplayed = replies.reduce((sum, reply) => sum + reply.eventsReplayed, 0);
    const readModels = replies.flatMap((reply) => reply.readModels);
    const rebuildMs = Math.max(...readModels.map((model) => model.stepsMs.replay));
    return {
      events: history.events,
      streams: history.streams,
      load_eps: round(history.events / (loadMs / 1000), 0),
      verify_s: seconds(verifyMs),
      verify_eps: round(verified.eventsChecked / (verifyMs / 1000), 0),
      live_catch_up_s: seconds(liveMs),
      replay_s: seconds(replayMs),
      events_replayed: eventsReplayed,
      replay_eps: round(eventsReplayed / (replayMs / 1000), 0),
      rebuild_s: seconds(rebuildMs),
      rebuild_eps: round(eventsReplayed / (rebuildMs / 1000), 0),
      tables: readModels.reduce((sum, model) => sum + model.tables.length, 0),
      identical: replies.every((reply) => reply.identical),
      read_models: readModels.map((model) => ({
        name: model.name,
        events: model.eventsReplayed,
        ms: model.durationMs,
        steps_ms: model.stepsMs,
      })),
    };
  } finally {
    for (const { runners, consumed: models } of services) {
      for (const model of models) await model.live.stop();
      for (const projection of runners) await projection.stop();
    }
    await relay?.stop();
    await relayConnection?.close();
    await store.close();
    await nats.stop();
    await database.drop();
  }
}

/** Every projection at the head of what it follows, the relay done, every consumer applied. */
async function caughtUp(services: ServiceReadModels[], relay: Relay): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  const runners = services.flatMap((service) => service.runners);
  for (;;) {
    const lags = await Promise.all([relay.status(), ...runners.map((runner) => runner.status())]);
    if (lags.every((status) => status.lag <= 0)) break;
    if (Date.now() > deadline) throw new Error('the live read models did not catch up within 30 minutes');
    await delay(500);
  }
  for (const { consumed } of services) {
    for (const model of consumed) await model.live.caughtUp(10 * 60_000);
  }
}

function table(results: Record<string, SizeResult>): string {
  const rows = Object.entries(results).flatMap(([label, result]) => [
    [`${label}: verify`, `${result.verify_eps} events/s (${result.verify_s} s)`],
    [`${label}: rebuild alone`, `${result.rebuild_eps} events/s (${result.rebuild_s} s)`],
    [
      `${label}: replay and compare`,
      `${result.replay_eps} events/s (${result.events_replayed} events into ${result.tables} tables in ${result.replay_s} s, ` +
        `${result.identical ? 'identical' : 'DIFFERENT'}; target >= ${REPLAY_TARGET_EPS})`,
    ],
    [
      `${label}: history appended`,
      `${result.load_eps} events/s (${result.events} events, ${result.streams} streams)`,
    ],
  ]);
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}

async function main(): Promise<void> {
  const quick = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
  const sizes: Array<[label: string, events: number]> = process.env.BENCH_SIZES
    ? process.env.BENCH_SIZES.split(',').map((size) => [size, Number(size)])
    : quick
      ? [
          ['2k', 2_000],
          ['10k', 10_000],
        ]
      : [
          ['100k', 100_000],
          ['1m', 1_000_000],
        ];
  const outputPath =
    process.env.BENCH_OUTPUT ??
    (quick
      ? join(tmpdir(), 'aid-bench-audit.quick.json')
      : resolve(repositoryRoot, 'bench/results/audit.json'));
  const startedAt = Date.now();
  log(`audit bench${quick ? ' (quick: the numbers mean nothing)' : ''}`);

  const results: Record<string, SizeResult> = {};
  for (const [label, events] of sizes) results[label] = await measure(events);

  const figures = Object.fromEntries(
    Object.entries(results).flatMap(([label, result]) => [
      [`verify_${label}_eps`, result.verify_eps],
      [`replay_${label}_eps`, result.replay_eps],
      [`rebuild_${label}_eps`, result.rebuild_eps],
    ]),
  );
  const largest = results[sizes[sizes.length - 1][0]];
  const report = {
    machine: await describeMachine(),
    date: new Date().toISOString(),
    figures,
    targets: {
      [`replay_${sizes[sizes.length - 1][0]}_eps`]: {
        target: `>= ${REPLAY_TARGET_EPS}`,
        met: largest.replay_eps >= REPLAY_TARGET_EPS && largest.identical,
      },
    },
    sizes: results,
    settings: {
      quick,
      history:
        'bench/audit/history.ts: ~1 community per 2,000 events, 1 organisation per 10 communities, a partnership per 2 hromadas, the rest shipments (9 in 10 sent, 8 in 10 of those received)',
      process:
        'one Node process: the services’ projections, JetStream consumers and audit code, without their NATS front',
    },
    durationSeconds: Math.round((Date.now() - startedAt) / 1000),
  };
  console.log(`\n${table(results)}\n`);
  writeReport(outputPath, report);
  log(`wrote ${outputPath} after ${report.durationSeconds} s`);
  if (!Object.values(results).every((result) => result.identical)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
