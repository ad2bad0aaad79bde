import { type DestinationStream } from 'pino';
import { Client } from 'pg';
import {
  type AppConfig,
  bootstrapService,
  createLogger,
  loadConfig,
  type RunningService,
  type ServiceName,
} from '@aid/messaging';
import {
  createTestDatabase,
  startNatsServer,
  type TestDatabase,
  type TestNatsServer,
  uniqueName,
} from '@aid/testing';
import { CommunitiesModule } from '../../../communities/src/app.module';
import { LogisticsModule } from '../../../logistics/src/app.module';
import { PartnershipsModule } from '../../../partnerships/src/app.module';
import { gatewayService } from '../../src/gateway.service';

export type LogLine = Record<string, unknown>;

export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  /** The API key; none sends no Authorization header. */
  key?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, with Content-Type: application/json. */
  rawBody?: string;
  headers?: Record<string, string>;
}

/**
 * The four services in this process (as in health.int-spec.ts), on a private nats-server and a
 * test database, with the gateway's HTTP port open: what a client of the API meets, minus the
 * separate processes (those are the system tests').
 */
export class GatewayHarness {
  readonly logLines: LogLine[] = [];
  readonly adminKey = `admin-${uniqueName('key')}`;
  readonly services = new Map<ServiceName, RunningService>();
  private readonly extraGateways: RunningService[] = [];
  database!: TestDatabase;
  nats!: TestNatsServer;
  config!: AppConfig;
  url!: string;
  private pg!: Client;

  static async start(label: string): Promise<GatewayHarness> {
    const harness = new GatewayHarness();
    await harness.boot(label);
    return harness;
  }

  private async boot(label: string): Promise<void> {
    this.database = await createTestDatabase(label);
    this.nats = await startNatsServer();
    this.config = {
      ...loadConfig({}),
      databaseUrl: this.database.url,
      natsUrl: this.nats.url,
      port: 0,
      adminKey: this.adminKey,
      logLevel: 'info',
    };
    await Promise.all([
      this.startService('communities', CommunitiesModule),
      this.startService('partnerships', PartnershipsModule),
      this.startService('logistics', LogisticsModule),
    ]);
    const gateway = await bootstrapService({ ...gatewayService, ...this.options('gateway') });
    this.services.set('gateway', gateway);
    this.url = gateway.httpUrl ?? '';
    this.pg = new Client({ connectionString: this.database.url });
    await this.pg.connect();
  }

  /** Starts (or restarts) one backend service. */
  async startService(
    name: Exclude<ServiceName, 'gateway'>,
    module: typeof CommunitiesModule = MODULES[name],
  ): Promise<void> {
    this.services.set(name, await bootstrapService({ name, module, ...this.options(name) }));
  }

  async stopService(name: Exclude<ServiceName, 'gateway'>): Promise<void> {
    await this.services.get(name)?.close();
    this.services.delete(name);
  }

  /**
   * Another gateway on the same system, with the environment given (e.g. a low
   * RATE_LIMIT_PER_MINUTE) and the configuration changed as given; its URL.
   */
  async extraGateway(env: Record<string, string>, config: Partial<AppConfig> = {}): Promise<string> {
    const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
    Object.assign(process.env, env);
    try {
      const options = this.options('gateway');
      const gateway = await bootstrapService({
        ...gatewayService,
        ...options,
        config: { ...options.config, ...config },
      });
      this.extraGateways.push(gateway);
      return gateway.httpUrl ?? '';
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  }

  async close(): Promise<void> {
    await this.pg?.end();
    for (const gateway of this.extraGateways) await gateway.close();
    await this.services.get('gateway')?.close();
    await Promise.all(
      [...this.services.entries()]
        .filter(([name]) => name !== 'gateway')
        .map(([, service]) => service.close()),
    );
    await this.nats?.stop();
    await this.database?.drop();
  }

  async call<T = unknown>(
    method: string,
    path: string,
    options: CallOptions = {},
    baseUrl = this.url,
  ): Promise<HttpAnswer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
    let body: string | undefined;
    if (options.rawBody !== undefined || options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = options.rawBody ?? JSON.stringify(options.body);
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (e.g. /metrics): the text as it is.
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  /** A new API key of this role, made through POST /v1/api-keys. */
  async keyFor(role: string, communityIds?: string[]): Promise<{ id: string; key: string }> {
    const answer = await this.call<{ id: string; key: string }>('POST', '/v1/api-keys', {
      key: this.adminKey,
      body: { name: `${role} of the tests`, role, ...(communityIds && { communityIds }) },
    });
    if (answer.status !== 201)
      throw new Error(`key for ${role}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /**
   * POSTs until the answer is 201 and returns the id: a command that names another aggregate
   * (a shipment's destination, a partnership's parties) is refused until the owning service has
   * heard of it, a moment after it was registered.
   */
  async createdOnceKnown(path: string, key: string, body: unknown): Promise<string> {
    return this.eventually(async () => {
      const answer = await this.call<{ id: string }>('POST', path, { key, body });
      return answer.status === 201 ? answer.body.id : undefined;
    });
  }

  async eventCount(): Promise<number> {
    const { rows } = await this.pg.query<{ count: string }>('SELECT count(*) FROM event_store.events');
    return Number(rows[0].count);
  }

  async eventsOf(stream: string): Promise<{ type: string; metadata: Record<string, unknown> }[]> {
    const { rows } = await this.pg.query<{ type: string; metadata: Record<string, unknown> }>(
      'SELECT type, metadata FROM event_store.events WHERE stream_id = $1 ORDER BY revision',
      [stream],
    );
    return rows;
  }

  query<T extends object>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    return this.pg.query<T>(sql, parameters).then((result) => result.rows);
  }

  /** Polls until `probe` returns something other than undefined (a read model catching up). */
  async eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** What bootstrapService needs to start one more service of this system (tests of start-up). */
  options(name: ServiceName) {
    // A unique queue group per run: these instances receive every request of this test file.
    return {
      config: this.config,
      queue: uniqueName(name),
      logger: createLogger(name, 'info', memoryLog(this.logLines)),
    };
  }
}

const MODULES = {
  communities: CommunitiesModule,
  partnerships: PartnershipsModule,
  logistics: LogisticsModule,
} as const;

/** Collects the JSON lines a logger writes, to assert on them. */
function memoryLog(lines: LogLine[]): DestinationStream {
  return { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) };
}
