import {
  PARTNERSHIP_STREAM_PREFIX,
  PARTNERSHIPS_SUBJECTS,
  type CommandReply,
  type Page,
  type RequestActor,
  type RequestMeta,
} from '@aid/contracts';
import { PostgresEventStore } from '@aid/event-store';
import {
  bootstrapService,
  createLogger,
  loadConfig,
  NatsRequester,
  type RunningService,
} from '@aid/messaging';
import { createTestDatabase, startNatsServer, type TestDatabase, type TestNatsServer } from '@aid/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { PartnershipsModule } from '../../src/app.module';
import { type PartnershipDetails, type PartnershipView } from '../../src/partnership/partnership.queries';
import { Registry } from './registry';

/** The API key of a partnerships officer, as the gateway would put it in every request. */
export const OFFICER: RequestActor = { id: 'key-partnerships-officer', role: 'partnerships' };

type Subject = keyof typeof PARTNERSHIPS_SUBJECTS;

/**
 * One test file's world: its own database and nats-server, the partnerships service booted on
 * them as in production, the registry appending and relaying community events, and a NATS
 * requester standing in for the gateway.
 */
export class PartnershipsHarness {
  private constructor(
    readonly database: TestDatabase,
    readonly natsServer: TestNatsServer,
    readonly nats: NatsConnection,
    readonly store: PostgresEventStore,
    readonly registry: Registry,
    private service: RunningService,
    readonly requester: NatsRequester,
  ) {}

  static async start(label: string): Promise<PartnershipsHarness> {
    const database = await createTestDatabase(label);
    const natsServer = await startNatsServer();
    const service = await bootPartnerships(database, natsServer);
    const store = new PostgresEventStore({ connectionString: database.url });
    await store.migrate();
    const nats = await connect({ servers: natsServer.url });
    const registry = new Registry(store, database.url, nats);
    await registry.start();
    const requester = new NatsRequester({ natsUrl: natsServer.url, defaultTimeoutMs: 10_000 });
    return new PartnershipsHarness(database, natsServer, nats, store, registry, service, requester);
  }

  /** Stops the service, runs `meanwhile` while it is down, and starts it again on the same database. */
  async restartService(meanwhile: () => Promise<void>): Promise<void> {
    await this.service.close();
    await meanwhile();
    this.service = await bootPartnerships(this.database, this.natsServer);
  }

  async stop(): Promise<void> {
    await this.requester.close();
    await this.service.close();
    await this.registry.stop();
    await this.store.close();
    await this.nats.close();
    await this.natsServer.stop();
    await this.database.drop();
  }

  /** Sends a command as the gateway would: the data, the caller, and any Idempotency-Key or If-Match. */
  command(
    subject: Subject,
    data: unknown,
    meta: Partial<RequestMeta> = {},
    id?: string,
  ): Promise<CommandReply> {
    return this.requester.request<CommandReply>(PARTNERSHIPS_SUBJECTS[subject], {
      ...(id !== undefined && { id }),
      data,
      meta: { actor: OFFICER, ...meta },
    });
  }

  list(params: Record<string, unknown>, actor: RequestActor = OFFICER): Promise<Page<PartnershipView>> {
    return this.requester.request(PARTNERSHIPS_SUBJECTS.listPartnerships, { params, meta: { actor } });
  }

  get(id: string, actor: RequestActor = OFFICER): Promise<PartnershipDetails> {
    return this.requester.request(PARTNERSHIPS_SUBJECTS.getPartnership, { params: { id }, meta: { actor } });
  }

  /** The read model is eventually consistent: waits until it shows the partnership at this revision. */
  async partnershipAt(id: string, revision: number): Promise<PartnershipDetails> {
    return eventually(
      () => this.get(id).catch(() => null),
      (partnership) => partnership !== null && partnership.revision >= revision,
    ) as Promise<PartnershipDetails>;
  }

  /** Every partnership event in the store, to prove that a refused command appended nothing. */
  async partnershipEventCount(): Promise<number> {
    return (await this.store.readAll({ streamPrefixes: [PARTNERSHIP_STREAM_PREFIX] })).length;
  }
}

function bootPartnerships(database: TestDatabase, natsServer: TestNatsServer): Promise<RunningService> {
  return bootstrapService({
    name: 'partnerships',
    module: PartnershipsModule,
    config: { ...loadConfig({}), databaseUrl: database.url, natsUrl: natsServer.url },
    logger: createLogger('partnerships', 'warn'),
  });
}

/** Polls until `accept` holds (read models lag the store by the projection delay). */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`not seen within ${timeoutMs} ms; last read: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The refusal a request ended in; fails the test if it succeeded. */
export async function refusal(request: Promise<unknown>): Promise<Error> {
  try {
    await request;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the request to be refused, but it succeeded');
}

/** The fields a ValidationError or NotFoundError names. */
export function fieldsOf(error: Error): string[] {
  const details = (error as { details?: unknown }).details;
  return Array.isArray(details) ? details.map((detail: { field: string }) => detail.field) : [];
}
