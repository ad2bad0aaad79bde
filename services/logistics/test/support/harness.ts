import { randomUUID } from 'node:crypto';
import type {
  CommunityKind,
  CommunityRegisteredData,
  MemorandumSignedData,
  OrganisationRegisteredData,
  PartnershipApprovedData,
  PartnershipKind,
  PartnershipPartyRole,
  PartnershipProposedData,
  PartnershipTerminatedData,
} from '@aid/contracts';
import { PostgresEventStore, type JsonObject, type RecordedEvent } from '@aid/event-store';
import {
  bootstrapService,
  createLogger,
  loadConfig,
  NatsRequester,
  type RunningService,
} from '@aid/messaging';
import { Relay } from '@aid/relay';
import { createTestDatabase, startNatsServer, type TestDatabase, type TestNatsServer } from '@aid/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { LogisticsModule } from '../../src/app.module';
import { ShipmentsReadModel } from '../../src/read-model/shipments-read-model.service';
import { ReferencesService } from '../../src/references/references.service';

export const COORDINATOR = { id: 'key-coordinator-zhytomyr', role: 'coordinator' as const };

/**
 * The logistics service booted as in production (bootstrapService, its own relay), against a
 * database and a nats-server of this test file's own. The communities and partnerships services
 * are stood in for as the rest of the system sees them: their events appended to the store with
 * contract-shaped data and relayed to JetStream by a Relay of those prefixes.
 */
export class LogisticsHarness {
  private constructor(
    readonly nats: TestNatsServer,
    readonly database: TestDatabase,
    readonly store: PostgresEventStore,
    private readonly relayConnection: NatsConnection,
    private readonly referenceRelay: Relay,
    readonly service: RunningService,
    readonly requester: NatsRequester,
  ) {}

  static async start(label: string): Promise<LogisticsHarness> {
    const nats = await startNatsServer();
    const database = await createTestDatabase(label);
    const store = new PostgresEventStore({ connectionString: database.url });
    await store.migrate();
    const relayConnection = await connect({ servers: nats.url });
    const logger = createLogger('logistics', (process.env.TEST_LOG_LEVEL as 'warn' | undefined) ?? 'warn');
    const referenceRelay = new Relay({
      name: 'relay_test_references',
      store,
      connectionString: database.url,
      nats: relayConnection,
      streamPrefixes: ['community-', 'organisation-', 'partnership-'],
      standbyRetryMs: 200,
      logger,
    });
    await referenceRelay.start();
    const service = await bootstrapService({
      name: 'logistics',
      module: LogisticsModule,
      config: { ...loadConfig({}), databaseUrl: database.url, natsUrl: nats.url },
      logger,
    });
    const requester = new NatsRequester({ natsUrl: nats.url, defaultTimeoutMs: 10_000 });
    return new LogisticsHarness(nats, database, store, relayConnection, referenceRelay, service, requester);
  }

  async close(): Promise<void> {
    await this.requester.close();
    await this.service.close();
    await this.referenceRelay.stop();
    await this.relayConnection.close();
    await this.store.close();
    await this.database.drop();
    await this.nats.stop();
  }

  /** Sends a command as the coordinator, or as the actor in `meta`. */
  command<T = { id: string; revision: number; position: number | null; appended: boolean }>(
    subject: string,
    data: unknown,
    meta: Record<string, unknown> = {},
    id?: string,
  ): Promise<T> {
    return this.requester.request<T>(subject, {
      ...(id && { id }),
      data,
      meta: { actor: COORDINATOR, ...meta },
    });
  }

  query<T>(subject: string, params: Record<string, unknown>, actor: object = COORDINATOR): Promise<T> {
    return this.requester.request<T>(subject, { params, meta: { actor } });
  }

  async registerCommunity(
    name: string,
    kind: CommunityKind = 'hromada',
    countryCode = 'UA',
  ): Promise<string> {
    const communityId = randomUUID();
    const data: CommunityRegisteredData = { communityId, name: { uk: name, en: name }, kind, countryCode };
    await this.appendFrom('communities', `community-${communityId}`, 'CommunityRegistered', data);
    return communityId;
  }

  async registerOrganisation(name: string, parentCommunityId?: string): Promise<string> {
    const organisationId = randomUUID();
    const data: OrganisationRegisteredData = {
      organisationId,
      name,
      kind: parentCommunityId ? 'institution' : 'ingo',
      ...(parentCommunityId && { parentCommunityId }),
    };
    await this.appendFrom('communities', `organisation-${organisationId}`, 'OrganisationRegistered', data);
    return organisationId;
  }

  /** A partnership taken as far as `status`, through the events the partnerships service writes. */
  async partnership(
    parties: [partyId: string, role: PartnershipPartyRole][],
    status: 'proposed' | 'approved' | 'active' | 'terminated',
    kind: PartnershipKind = 'international',
  ): Promise<string> {
    const partnershipId = randomUUID();
    const stream = `partnership-${partnershipId}`;
    const proposed: PartnershipProposedData = {
      partnershipId,
      kind,
      parties: parties.map(([partyId, role]) => ({ partyId, role })),
      areas: ['material-humanitarian-aid'],
    };
    await this.appendFrom('partnerships', stream, 'PartnershipProposed', proposed);
    if (status === 'proposed') return partnershipId;
    const approved: PartnershipApprovedData = {
      decision: { body: 'Executive committee of the city council', date: '2022-12-20' },
    };
    await this.appendFrom('partnerships', stream, 'PartnershipApproved', approved);
    if (status === 'approved') return partnershipId;
    const signed: MemorandumSignedData = {
      signedOn: '2022-12-23',
      signatories: parties.map(([partyId]) => ({ partyId, name: 'Head of the community', title: 'mayor' })),
      areas: ['material-humanitarian-aid'],
    };
    await this.appendFrom('partnerships', stream, 'MemorandumSigned', signed);
    if (status === 'active') return partnershipId;
    const terminated: PartnershipTerminatedData = { effectiveOn: '2023-12-31', reason: 'the term ended' };
    await this.appendFrom('partnerships', stream, 'PartnershipTerminated', terminated);
    return partnershipId;
  }

  /** Waits until the relay has put a community's registration into JetStream. */
  async registrationPublished(communityId: string): Promise<void> {
    const jsm = await jetstreamManager(this.relayConnection);
    const subject = `aid.communities.CommunityRegistered.${communityId}`;
    const deadline = Date.now() + 10_000;
    while (!(await jsm.streams.getMessage('AID_EVENTS', { last_by_subj: subject }).catch(() => null))) {
      if (Date.now() > deadline) throw new Error(`${subject} was not published`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Waits until every reference event in the store is relayed to JetStream and applied by the service. */
  async referencesCaughtUp(): Promise<void> {
    const deadline = Date.now() + 15_000;
    while ((await this.referenceRelay.status()).lag > 0) {
      if (Date.now() > deadline) throw new Error('the reference relay did not catch up');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await this.service.app.get(ReferencesService).caughtUp(15_000);
  }

  /** Waits until the shipments read model has applied every shipment event in the store. */
  async readModelCaughtUp(timeoutMs = 15_000): Promise<void> {
    const readModel = this.service.app.get(ShipmentsReadModel);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await readModel.status();
      if (status.lag <= 0) return;
      if (Date.now() > deadline) throw new Error(`read model still ${status.lag} positions behind`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  shipmentEvents(): Promise<RecordedEvent[]> {
    return this.store.readAll({ streamPrefixes: ['shipment-'] });
  }

  private async appendFrom(service: string, stream: string, type: string, data: object): Promise<void> {
    await this.store.append(
      stream,
      [
        {
          id: randomUUID(),
          type,
          data: data as JsonObject,
          metadata: {
            occurredAt: new Date().toISOString(),
            actor: { id: 'test-registry', role: 'partnerships' },
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
  }
}
