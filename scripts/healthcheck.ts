/**
 * `node dist/scripts/healthcheck.js <service>`: the container health check of docker-compose.yml.
 * Exits 0 when the service answers its `<service>.query.health` request over NATS (and, for the
 * gateway, when its HTTP server answers GET /health at all), 1 with the reason otherwise.
 *
 * It speaks Nest's NATS wire format directly (docs/messaging.md) instead of booting a Nest client:
 * it runs every few seconds in every container and must stay cheap.
 */
import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import {
  healthSubject,
  loadConfig,
  natsConnectionOptions,
  SERVICE_NAMES,
  type ServiceName,
} from '@aid/messaging';

const TIMEOUT_MS = 2000;

async function answersOverNats(service: ServiceName, natsUrl: string): Promise<void> {
  const connection = await connect({
    ...natsConnectionOptions(natsUrl),
    timeout: TIMEOUT_MS,
    reconnect: false,
  });
  try {
    const subject = healthSubject(service);
    const request = JSON.stringify({ pattern: subject, data: {}, id: randomUUID() });
    const reply = await connection.request(subject, request, { timeout: TIMEOUT_MS });
    const { response } = reply.json<{ response?: { status?: string } }>();
    if (response?.status !== 'ok') throw new Error(`${subject} answered ${reply.string()}`);
  } finally {
    await connection.close();
  }
}

/** 503 is an answer too: the gateway is up and reports a dependency down, which its own check shows. */
async function gatewayAnswersHttp(port: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/health`, {
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  await response.arrayBuffer();
  if (response.status !== 200 && response.status !== 503) {
    throw new Error(`GET /health answered ${response.status}`);
  }
}

async function main(): Promise<void> {
  const service = process.argv[2] as ServiceName;
  if (!SERVICE_NAMES.includes(service)) {
    throw new Error(`usage: healthcheck.js <${SERVICE_NAMES.join('|')}> (got ${String(process.argv[2])})`);
  }
  const config = loadConfig();
  await answersOverNats(service, config.natsUrl);
  if (service === 'gateway') await gatewayAnswersHttp(config.port);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`unhealthy: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
