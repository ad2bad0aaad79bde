import { type HealthCheckResult } from '@nestjs/terminus';
import {
  bootstrapService,
  checkNats,
  CORRELATION_ID_HEADER,
  healthSubject,
  type HealthReply,
  NatsRequester,
  START_COMMANDS,
  type ServiceName,
} from '@aid/messaging';
import { createTestDatabase, uniqueName } from '@aid/testing';
import { CommunitiesModule } from '../../communities/src/app.module';
import { type HealthReport } from '../src/health/health.controller';
import { GatewayHarness } from './support/gateway-harness';

describe('health of the four services, over NATS and through GET /health', () => {
  let h: GatewayHarness;
  let requester: NatsRequester;

  beforeAll(async () => {
    h = await GatewayHarness.start('health');
    requester = new NatsRequester({ natsUrl: h.nats.url, defaultTimeoutMs: 3000 });
  });

  afterAll(async () => {
    await requester?.close();
    await h?.close();
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

      const lines = h.logLines.filter((line) => line.correlationId === correlationId);
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
    expect(h.logLines.filter((line) => line.level !== 'info' && line.level !== 'debug')).toEqual([]);
  });

  it('GET /health answers 200 when NATS, PostgreSQL, the event store and every service are up', async () => {
    const { status, body: report } = await h.call<HealthReport>('GET', '/health');

    expect(status).toBe(200);
    expect(report.status).toBe('ok');
    expect(Object.keys(report.details).sort()).toEqual([
      'communities',
      'eventStore',
      'logistics',
      'nats',
      'partnerships',
      'postgres',
    ]);
    for (const check of Object.values(report.details)) {
      expect(check).toEqual(expect.objectContaining({ status: 'up', responseTime: expect.any(Number) }));
    }
    // The shape the gateway answered before Terminus, kept for its clients.
    expect(report.checks).toEqual({
      nats: { status: 'ok', latencyMs: expect.any(Number) },
      postgres: { status: 'ok', latencyMs: expect.any(Number) },
      eventStore: { status: 'ok', latencyMs: expect.any(Number) },
      services: {
        communities: { status: 'ok', latencyMs: expect.any(Number) },
        partnerships: { status: 'ok', latencyMs: expect.any(Number) },
        logistics: { status: 'ok', latencyMs: expect.any(Number) },
      },
    });
  });

  it('carries the caller correlation id from HTTP through the NATS pings it causes', async () => {
    const correlationId = uniqueName('http-call');

    const response = await h.call('GET', '/health', { headers: { [CORRELATION_ID_HEADER]: correlationId } });

    expect(response.headers.get(CORRELATION_ID_HEADER)).toBe(correlationId);
    const lines = h.logLines.filter((line) => line.correlationId === correlationId);
    expect(lines.map((line) => `${String(line.service)}: ${String(line.msg)}`).sort()).toEqual([
      'communities: message handled',
      'gateway: request handled',
      'logistics: message handled',
      'partnerships: message handled',
    ]);
  });

  it('GET /health answers 503 naming PostgreSQL when its database is gone', async () => {
    const doomed = await createTestDatabase('healthdown');
    const degraded = await h.extraGateway({}, { databaseUrl: doomed.url });
    await doomed.drop();

    const { status, body: report } = await h.call<HealthCheckResult & HealthReport>(
      'GET',
      '/health',
      {},
      degraded,
    );

    expect(status).toBe(503);
    expect(report.status).toBe('error');
    expect(report.error?.postgres).toEqual(
      expect.objectContaining({ status: 'down', message: expect.stringContaining(doomed.name) }),
    );
    expect(report.checks.postgres).toEqual({ status: 'down', error: expect.stringContaining(doomed.name) });
    expect(report.details.nats.status).toBe('up');
  });

  it('answers an unknown route with the JSON error shape', async () => {
    const response = await h.call('GET', '/no-such-route');

    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Cannot GET /no-such-route',
    });
  });

  it('refuses to start a service when NATS is unreachable, saying which URL and how to start it', async () => {
    const wrongUrl = 'nats://127.0.0.1:1';
    const options = h.options('communities');

    await expect(checkNats(wrongUrl)).rejects.toThrow(`NATS is not reachable at ${wrongUrl}`);
    await expect(
      bootstrapService({
        name: 'communities',
        module: CommunitiesModule,
        ...options,
        config: { ...options.config, natsUrl: wrongUrl },
      }),
    ).rejects.toThrow(`Start it with: ${START_COMMANDS.nats}`);
  });
});
