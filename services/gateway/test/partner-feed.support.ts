import { once } from 'node:events';
import http from 'node:http';
import { Pool } from 'pg';
import { PostgresEventStore, type JsonObject } from '@aid/event-store';
import {
  bootstrapService,
  createLogger,
  loadConfig,
  type AppConfig,
  type RunningService,
} from '@aid/messaging';
import {
  createTestDatabase,
  startNatsServer,
  type TestDatabase,
  type TestNatsServer,
  uniqueName,
} from '@aid/testing';
import { domainEvent } from '../../../libs/relay/test/support/events';
import { ApiKeyStore, type NewApiKey } from '../src/auth';
import { gatewayService } from '../src/gateway.service';

/**
 * A gateway of the test's own (its database, its nats-server) and the event store it reads, for
 * the partner feed tests: they append events straight to the store, as the services would, and
 * read them back over HTTP.
 */
export class FeedTestSystem {
  readonly gateways: RunningService[] = [];
  store!: PostgresEventStore;
  private database!: TestDatabase;
  private nats!: TestNatsServer;
  private pool!: Pool;
  private config!: AppConfig;
  private keys!: ApiKeyStore;
  private readonly savedEnv = new Map<string, string | undefined>();

  /** `env`: partner feed settings (PARTNER_FEED_HEARTBEAT_MS, WEBHOOK_...), for this file's gateways. */
  async start(label: string, env: Record<string, string> = {}): Promise<void> {
    for (const [name, value] of Object.entries(env)) {
      this.savedEnv.set(name, process.env[name]);
      process.env[name] = value;
    }
    this.database = await createTestDatabase(label);
    this.nats = await startNatsServer();
    this.config = { ...loadConfig({}), databaseUrl: this.database.url, natsUrl: this.nats.url, port: 0 };
    this.store = new PostgresEventStore({ connectionString: this.database.url, idlePollMs: 20 });
    await this.store.migrate();
    await this.startGateway();
    this.pool = new Pool({ connectionString: this.database.url, max: 2 });
    this.keys = new ApiKeyStore(this.pool);
  }

  async startGateway(): Promise<RunningService> {
    const gateway = await bootstrapService({
      ...gatewayService,
      config: this.config,
      queue: uniqueName('gateway'),
      logger: createLogger('gateway', (process.env.FEED_TEST_LOG as 'info') ?? 'warn'),
    });
    this.gateways.push(gateway);
    return gateway;
  }

  async stopGateway(gateway: RunningService): Promise<void> {
    this.gateways.splice(this.gateways.indexOf(gateway), 1);
    await gateway.close();
  }

  get natsUrl(): string {
    return this.nats.url;
  }

  get url(): string {
    return this.gateways[0].httpUrl!;
  }

  async key(input: NewApiKey): Promise<string> {
    return (await this.keys.create(input)).key;
  }

  async revoke(key: string): Promise<void> {
    const principal = await this.keys.authenticate(key);
    if (principal === null || !(await this.keys.revoke(principal.id))) throw new Error('no such live key');
  }

  async query<T extends object>(sql: string, values: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(sql, values)).rows;
  }

  /** Appends one event as a service would (the relay's and the feed's rules read only the data). */
  async append(stream: string, type: string, data: JsonObject): Promise<{ id: string; position: number }> {
    const event = domainEvent(type, data);
    const { position } = await this.store.append(stream, [event], 'any');
    return { id: event.id, position };
  }

  /** Registers a Ukrainian hromada (or, with a country, a foreign municipality). */
  community(communityId: string, countryCode = 'UA'): Promise<{ id: string; position: number }> {
    return this.append(`community-${communityId}`, 'CommunityRegistered', {
      communityId,
      name: { uk: `громада ${communityId.slice(0, 8)}` },
      kind: countryCode === 'UA' ? 'hromada' : 'foreign-municipality',
      countryCode,
    });
  }

  async stop(): Promise<void> {
    for (const gateway of this.gateways.splice(0)) await gateway.close();
    await this.pool?.end();
    await this.store?.close();
    await this.nats?.stop();
    await this.database?.drop();
    for (const [name, value] of this.savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

export interface StreamedEvent {
  id: number;
  cloudEvent: { id: string; type: string; subject: string; position: number; data: Record<string, unknown> };
}

/** A client of GET /v1/events that reads the stream frame by frame, as EventSource would. */
export class EventStreamClient {
  readonly events: StreamedEvent[] = [];
  readonly comments: string[] = [];
  /** The JSON error body, when the answer was not 200. */
  errorBody: unknown;
  private readonly abort = new AbortController();
  private buffer = '';
  private waiters: Array<() => void> = [];
  private ended = false;

  private constructor(readonly status: number) {}

  /**
   * Opens the stream on a connection of its own (node:http without an agent), so closing it closes
   * exactly that connection, as a browser tab going away would.
   */
  static async open(
    url: string,
    key: string,
    options: { lastEventId?: string; query?: string } = {},
  ): Promise<EventStreamClient> {
    const request = http.get(`${url}/v1/events${options.query ? `?${options.query}` : ''}`, {
      agent: false,
      headers: {
        Authorization: `Bearer ${key}`,
        Accept: 'text/event-stream',
        ...(options.lastEventId === undefined ? {} : { 'Last-Event-ID': options.lastEventId }),
      },
    });
    const [response] = (await once(request, 'response')) as [http.IncomingMessage];
    const client = new EventStreamClient(response.statusCode ?? 0);
    client.abort.signal.addEventListener('abort', () => request.destroy());
    response.setEncoding('utf8');
    if (client.status !== 200) {
      let body = '';
      for await (const chunk of response) body += chunk as string;
      client.errorBody = JSON.parse(body);
      return client;
    }
    void client.read(response);
    return client;
  }

  /** Resolves once `count` events arrived (fails after `timeoutMs`). */
  async waitFor(count: number, timeoutMs = 10_000): Promise<StreamedEvent[]> {
    await this.until(() => this.events.length >= count, `${count} events`, timeoutMs);
    return this.events;
  }

  async waitForComment(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
    await this.until(
      () => this.comments.some((comment) => pattern.test(comment)),
      `a comment ${pattern}`,
      timeoutMs,
    );
  }

  /** Resolves once the server has ended the stream. */
  async waitForEnd(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the stream to end');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): void {
    this.abort.abort();
  }

  private async until(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (this.ended) throw new Error(`the stream ended before ${what} (had ${this.events.length} events)`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for ${what} (had ${this.events.length} events)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private async read(response: http.IncomingMessage): Promise<void> {
    try {
      for await (const chunk of response) {
        this.buffer += chunk as string;
        let end: number;
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          this.frame(this.buffer.slice(0, end));
          this.buffer = this.buffer.slice(end + 2);
        }
        for (const wake of this.waiters.splice(0)) wake();
      }
    } catch {
      // Closed by close(), or the server went away.
    }
    this.ended = true;
    for (const wake of this.waiters.splice(0)) wake();
  }

  private frame(text: string): void {
    let id: number | undefined;
    let data: string | undefined;
    for (const line of text.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('id: ')) id = Number(line.slice(4));
      else if (line.startsWith('data: ')) data = line.slice(6);
    }
    if (id !== undefined && data !== undefined) {
      this.events.push({ id, cloudEvent: JSON.parse(data) as StreamedEvent['cloudEvent'] });
    }
  }
}
