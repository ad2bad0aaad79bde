import { type DestinationStream } from 'pino';
import {
  bootstrapService,
  checkNats,
  createLogger,
  CORRELATION_ID_HEADER,
  healthSubject,
  type HealthReply,
  loadConfig,
  NatsRequester,
  type RunningService,
  START_COMMANDS,
  type AppConfig,
  type ServiceName,
} from '@aid/messaging';
import {
  createTestDatabase,
  startNatsServer,
  type TestDatabase,
  type TestNatsServer,
  uniqueName,
} from '@aid/testing';
import { CommunitiesModule } from '../../communities/src/app.module';
import { LogisticsModule } from '../../logistics/src/app.module';
import { PartnershipsModule } from '../../partnerships/src/app.module';
import { gatewayService } from '../src/gateway.service';
import { type HealthReport } from '../src/health/health-check.service';

type LogLine = Record<string, unknown>;

/** Collects the JSON lines a logger writes, to assert on them. */
function memoryLog(lines: LogLine[]): DestinationStream {
  return { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) };
}

describe('health of the four services, over NATS and through GET /health', () => {
  const logLines: LogLine[] = [];
  const running: RunningService[] = [];
  let database: TestDatabase;
  let nats: TestNatsServer;
  let config: AppConfig;
  let gateway: RunningService;
  let requester: NatsRequester;

  // A unique queue group per run makes sure these instances receive every health ping, even
  // when another copy of the system is running on the same NATS.
  const start = (options: Parameters<typeof bootstrapService>[0]) =>
    bootstrapService({
      queue: uniqueName(options.name),
      logger: createLogger(options.name, 'info', memoryLog(logLines)),
      ...options,
    }).then((service) => {
      running.push(service);
      return service;
    });

  beforeAll(async () => {
    database = await createTestDatabase('health');
    // A private server: the services create durable consumers and JetStream streams of fixed names.
    nats = await startNatsServer();
    config = { ...loadConfig({}), databaseUrl: database.url, natsUrl: nats.url, port: 0 };
    await Promise.all([
      start({ name: 'communities', module: CommunitiesModule, config }),
      start({ name: 'partnerships', module: PartnershipsModule, config }),
      start({ name: 'logistics', module: LogisticsModule, config }),
    ]);
    gateway = await start({ ...gatewayService, config });
    requester = new NatsRequester({ natsUrl: nats.url, defaultTimeoutMs: 3000 });
  });

  afterAll(async () => {
    await requester?.close();
    await Promise.all(running.map((service) => service.close()));
    await nats?.stop();
    await database?.drop();
  });

  it.each<ServiceName>(['communities', 'partnerships', 'logistics', 'gateway'])(
    '%s answers its health request over NATS',
    async (name) => {
      const reply = await requester.request<HealthReply>(healthSubject(name));

      expect(reply).toEqual({ service: name, status: 'ok', uptimeSeconds: expect.any(Number) });
      expect(reply.uptimeSeconds).toBeGreaterThanOrEqual(0);
    },
  );

  it.each<ServiceName>(['logistics', 'gateway'])(
    '%s logs one line per handled message, with its name and the correlation id the message carried',
    async (name) => {
      const correlationId = uniqueName('health-check');

      await requester.request(healthSubject(name), {}, { correlationId });

      const lines = logLines.filter((line) => line.correlationId === correlationId);
      expect(lines).toEqual([
        expect.objectContaining({
          service: name,
          subject: healthSubject(name),
          outcome: 'ok',
          level: 'info',
          msg: 'message handled',
        }),
      ]);
    },
  );

  it('writes no warnings while starting', () => {
    expect(logLines.filter((line) => line.level !== 'info' && line.level !== 'debug')).toEqual([]);
  });

  it('GET /health answers 200 when NATS, PostgreSQL and every service are up', async () => {
    const response = await fetch(`${gateway.httpUrl}/health`);
    const report = (await response.json()) as HealthReport;

    expect(response.status).toBe(200);
    expect(report.status).toBe('ok');
    expect(report.checks.nats.status).toBe('ok');
    expect(report.checks.postgres.status).toBe('ok');
    expect(Object.keys(report.checks.services).sort()).toEqual(['communities', 'logistics', 'partnerships']);
    for (const check of Object.values(report.checks.services)) expect(check.status).toBe('ok');
  });

  it('carries the caller correlation id from HTTP through the NATS pings it causes', async () => {
    const correlationId = uniqueName('http-call');

    const response = await fetch(`${gateway.httpUrl}/health`, {
      headers: { [CORRELATION_ID_HEADER]: correlationId },
    });

    expect(response.headers.get(CORRELATION_ID_HEADER)).toBe(correlationId);
    const lines = logLines.filter((line) => line.correlationId === correlationId);
    expect(lines.map((line) => `${String(line.service)}: ${String(line.msg)}`).sort()).toEqual([
      'communities: message handled',
      'gateway: request handled',
      'logistics: message handled',
      'partnerships: message handled',
    ]);
  });

  it('GET /health answers 503 naming PostgreSQL when its database is gone', async () => {
    const doomed = await createTestDatabase('healthdown');
    const degraded = await start({ ...gatewayService, config: { ...config, databaseUrl: doomed.url } });
    await doomed.drop();

    const response = await fetch(`${degraded.httpUrl}/health`);
    const report = (await response.json()) as HealthReport;

    expect(response.status).toBe(503);
    expect(report.status).toBe('down');
    expect(report.checks.postgres).toEqual({ status: 'down', error: expect.stringContaining(doomed.name) });
    expect(report.checks.nats.status).toBe('ok');
  });

  it('answers an unknown route with the JSON error shape', async () => {
    const response = await fetch(`${gateway.httpUrl}/no-such-route`);

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Cannot GET /no-such-route',
    });
  });

  it('refuses to start a service when NATS is unreachable, saying which URL and how to start it', async () => {
    const wrongUrl = 'nats://127.0.0.1:1';

    await expect(checkNats(wrongUrl)).rejects.toThrow(`NATS is not reachable at ${wrongUrl}`);
    await expect(
      start({ name: 'communities', module: CommunitiesModule, config: { ...config, natsUrl: wrongUrl } }),
    ).rejects.toThrow(`Start it with: ${START_COMMANDS.nats}`);
  });
});
