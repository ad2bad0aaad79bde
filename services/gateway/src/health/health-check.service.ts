import { Injectable } from '@nestjs/common';
import {
  BACKEND_SERVICES,
  type BackendServiceName,
  healthSubject,
  type HealthReply,
  NatsRequester,
  ServiceContext,
} from '@aid/messaging';
import { Client } from 'pg';

export type CheckResult = { status: 'ok'; latencyMs: number } | { status: 'down'; error: string };

export interface HealthReport {
  status: 'ok' | 'down';
  checks: {
    nats: CheckResult;
    postgres: CheckResult;
    services: Record<BackendServiceName, CheckResult>;
  };
}

// A health check must answer quickly even when a dependency hangs, so load balancers can act.
const CHECK_TIMEOUT_MS = 2000;

@Injectable()
export class HealthCheckService {
  constructor(
    private readonly nats: NatsRequester,
    private readonly service: ServiceContext,
  ) {}

  async report(): Promise<HealthReport> {
    const [nats, postgres, ...services] = await Promise.all([
      check(() => this.nats.ping(CHECK_TIMEOUT_MS)),
      check(() => this.pingPostgres()),
      ...BACKEND_SERVICES.map((name) => check(() => this.pingService(name))),
    ]);
    const checks = {
      nats,
      postgres,
      services: Object.fromEntries(BACKEND_SERVICES.map((name, index) => [name, services[index]])) as Record<
        BackendServiceName,
        CheckResult
      >,
    };
    const allOk = [nats, postgres, ...services].every((result) => result.status === 'ok');
    return { status: allOk ? 'ok' : 'down', checks };
  }

  private async pingService(name: BackendServiceName): Promise<void> {
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

async function check(probe: () => Promise<unknown>): Promise<CheckResult> {
  const startedAt = performance.now();
  try {
    await probe();
    return { status: 'ok', latencyMs: Math.round(performance.now() - startedAt) };
  } catch (error) {
    return { status: 'down', error: error instanceof Error ? error.message : String(error) };
  }
}
