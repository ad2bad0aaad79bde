import { Controller, Get, HttpStatus, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { MessagePattern } from '@nestjs/microservices';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, type HealthCheckResult, HealthIndicatorService } from '@nestjs/terminus';
import { Client } from 'pg';
import { type EventStore } from '@aid/event-store';
import {
  BACKEND_SERVICES,
  EVENT_STORE,
  healthSubject,
  type HealthReply,
  NatsRequester,
  ServiceContext,
} from '@aid/messaging';
import { Public } from '../auth';

type CheckResult = { status: 'ok'; latencyMs: number } | { status: 'down'; error: string };

/** Terminus's report, and the same checks in the shape the gateway answered before Terminus (kept for its clients). */
export type HealthReport = HealthCheckResult & {
  checks: {
    nats: CheckResult;
    postgres: CheckResult;
    eventStore: CheckResult;
    services: Record<(typeof BACKEND_SERVICES)[number], CheckResult>;
  };
};

// A health check must answer quickly even when a dependency hangs, so load balancers can act.
const CHECK_TIMEOUT_MS = 2000;

/**
 * GET /health (Terminus): NATS, PostgreSQL, the event store and each service, each with its
 * response time. 200 when all are up; 503 with the same report, naming what is down, otherwise.
 */
@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly nats: NatsRequester,
    private readonly service: ServiceContext,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Public()
  @Get('health')
  @ApiResponse({ status: 200, description: '{status: "ok", info, error, details}: every check up' })
  @ApiResponse({ status: 503, description: 'The same report, with what is down under error' })
  async check(@Res({ passthrough: true }) response: unknown): Promise<HealthReport> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check([
        () => this.probe('nats', () => this.nats.ping(CHECK_TIMEOUT_MS)),
        () => this.probe('postgres', () => this.pingPostgres()),
        // Reading the head of the log proves the store answers, whichever adapter holds it.
        () => this.probe('eventStore', () => this.store.readAll({ maxCount: 1 })),
        ...BACKEND_SERVICES.map((name) => () => this.probe(name, () => this.pingService(name))),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      this.adapterHost.httpAdapter.status(response, HttpStatus.SERVICE_UNAVAILABLE);
      result = error.getResponse() as HealthCheckResult;
    }
    return { ...result, checks: checksOf(result.details) };
  }

  @MessagePattern(healthSubject('gateway'))
  liveness(): HealthReply {
    return this.service.health();
  }

  private probe(key: string, ping: () => Promise<unknown>) {
    return this.indicator
      .check(key)
      .attempt(async () => {
        await ping();
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }

  private async pingService(name: (typeof BACKEND_SERVICES)[number]): Promise<void> {
    const reply = await this.nats.request<HealthReply>(
      healthSubject(name),
      {},
      { timeoutMs: CHECK_TIMEOUT_MS },
    );
    if (reply.status !== 'ok') throw new Error(`${name} reports status ${String(reply.status)}`);
  }

  private async pingPostgres(): Promise<void> {
    // A fresh connection each time: health is asked rarely, and it proves new connections work.
    const client = new Client({
      connectionString: this.service.config.databaseUrl,
      connectionTimeoutMillis: CHECK_TIMEOUT_MS,
      query_timeout: CHECK_TIMEOUT_MS,
    });
    await client.connect();
    try {
      await client.query('SELECT 1');
    } finally {
      await client.end();
    }
  }
}

function checksOf(details: HealthCheckResult['details']): HealthReport['checks'] {
  const of = (key: string): CheckResult => {
    const detail = details[key] as { status?: string; responseTime?: unknown; message?: unknown } | undefined;
    return detail?.status === 'up'
      ? { status: 'ok', latencyMs: Number(detail.responseTime ?? 0) }
      : { status: 'down', error: typeof detail?.message === 'string' ? detail.message : 'no answer' };
  };
  return {
    nats: of('nats'),
    postgres: of('postgres'),
    eventStore: of('eventStore'),
    services: Object.fromEntries(
      BACKEND_SERVICES.map((name) => [name, of(name)]),
    ) as HealthReport['checks']['services'],
  };
}
