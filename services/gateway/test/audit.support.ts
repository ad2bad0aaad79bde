import { randomUUID } from 'node:crypto';
import {
  COMMUNITIES_SUBJECTS,
  DomainError,
  LOGISTICS_SUBJECTS,
  PARTNERSHIPS_SUBJECTS,
  type CommandReply,
  type RequestActor,
} from '@aid/contracts';
import {
  bootstrapService,
  createLogger,
  loadConfig,
  NatsRequester,
  type AppConfig,
  type RunningService,
} from '@aid/messaging';
import { createTestDatabase, startNatsServer, type TestDatabase, type TestNatsServer } from '@aid/testing';
import { setTimeout as delay } from 'node:timers/promises';
import { CommunitiesModule } from '../../communities/src/app.module';
import { LogisticsModule } from '../../logistics/src/app.module';
import { ShipmentsReadModel } from '../../logistics/src/read-model/shipments-read-model.service';
import { PartnershipsModule } from '../../partnerships/src/app.module';
import { ApiKeyStore } from '../src/auth';
import { gatewayService } from '../src/gateway.service';

const OFFICER: RequestActor = { id: 'key-partnerships-officer', role: 'partnerships' };
const COORDINATOR: RequestActor = { id: 'key-coordinator', role: 'coordinator' };

/** What the story recorded, for the tests to look up. */
export interface Story {
  zhytomyr: string;
  rawicz: string;
  partnership: string;
  /** Planned, sent (2025-03-01T08:00Z), received (2025-03-03T16:00Z). */
  delivered: string;
  /** Planned and sent (2025-03-02T09:00Z). */
  onTheWay: string;
  /** Planned only. */
  planned: string;
  correlationId: string;
}

/**
 * The four services booted in-process as in production, on a database and a nats-server of this
 * test file's own, and a NATS requester standing in for the gateway's write path.
 */
export class AuditWorld {
  private constructor(
    readonly database: TestDatabase,
    readonly nats: TestNatsServer,
    readonly config: AppConfig,
    readonly services: RunningService[],
    readonly requester: NatsRequester,
  ) {}

  static async start(label: string): Promise<AuditWorld> {
    const database = await createTestDatabase(label);
    const nats = await startNatsServer();
    const config: AppConfig = { ...loadConfig({}), databaseUrl: database.url, natsUrl: nats.url, port: 0 };
    const boot = (definition: Parameters<typeof bootstrapService>[0]) =>
      bootstrapService({ ...definition, config, logger: createLogger(definition.name, 'warn') });
    const services = await Promise.all([
      boot({ name: 'communities', module: CommunitiesModule }),
      boot({ name: 'partnerships', module: PartnershipsModule }),
      boot({ name: 'logistics', module: LogisticsModule }),
    ]);
    services.push(await boot(gatewayService));
    const requester = new NatsRequester({ natsUrl: nats.url, defaultTimeoutMs: 10_000 });
    return new AuditWorld(database, nats, config, services, requester);
  }

  get gateway(): RunningService {
    return this.services[3];
  }

  get logistics(): RunningService {
    return this.services[2];
  }

  async stop(): Promise<void> {
    await this.requester.close();
    await Promise.all(this.services.map((service) => service.close()));
    await this.nats.stop();
    await this.database.drop();
  }

  /** A key of this role, made as the admin would (POST /v1/api-keys). */
  async key(role: 'auditor' | 'coordinator'): Promise<string> {
    const created = await this.gateway.app
      .get(ApiKeyStore)
      .create({ name: `${role} of the audit test`, role });
    return created.key;
  }

  /**
   * Two communities and their partnership, then three shipments from Rawicz to Zhytomyr: one
   * delivered, one on the way, one planned. Business times are far apart, record times a few
   * milliseconds apart (the commands come one after the other).
   */
  async tellStory(): Promise<Story> {
    const correlationId = `audit-story-${Date.now()}`;
    const zhytomyr = await this.command(
      COMMUNITIES_SUBJECTS.registerCommunity,
      OFFICER,
      {
        name: { uk: 'Житомирська', en: 'Zhytomyr' },
        kind: 'hromada',
        countryCode: 'UA',
        katottg: 'UA18040190000029215',
      },
      correlationId,
    );
    const rawicz = await this.command(
      COMMUNITIES_SUBJECTS.registerCommunity,
      OFFICER,
      { name: { uk: 'Равіч', en: 'Gmina Rawicz' }, kind: 'foreign-municipality', countryCode: 'PL' },
      correlationId,
    );
    const areas = ['material-humanitarian-aid'];
    const partnership = await this.command(PARTNERSHIPS_SUBJECTS.proposePartnership, OFFICER, {
      kind: 'international',
      parties: [
        { partyId: zhytomyr, role: 'partner' },
        { partyId: rawicz, role: 'partner' },
      ],
      areas,
    });
    await this.command(PARTNERSHIPS_SUBJECTS.approvePartnership, OFFICER, {
      partnershipId: partnership,
      decision: { body: 'Executive committee of the Zhytomyr City Council', date: '2022-12-21' },
    });
    await this.command(PARTNERSHIPS_SUBJECTS.signMemorandum, OFFICER, {
      partnershipId: partnership,
      signedOn: '2022-12-23',
      signatories: [
        { partyId: zhytomyr, name: 'Serhii Sukhomlyn', title: 'Mayor of Zhytomyr' },
        { partyId: rawicz, name: 'Grzegorz Kubik', title: 'Burmistrz of Gmina Rawicz' },
      ],
      areas,
    });
    const plan = (weightKg: number) =>
      this.command(LOGISTICS_SUBJECTS.planShipment, COORDINATOR, {
        originPartyId: rawicz,
        destinationCommunityId: zhytomyr,
        partnershipId: partnership,
        items: [{ category: 'food', description: 'flour', quantity: 20, unit: 'pallet', weightKg }],
      });
    const delivered = await plan(12_000);
    const onTheWay = await plan(8_000);
    const planned = await plan(4_000);
    await this.command(LOGISTICS_SUBJECTS.dispatchShipment, COORDINATOR, {
      shipmentId: delivered,
      sentAt: '2025-03-01T08:00:00Z',
    });
    await this.command(LOGISTICS_SUBJECTS.dispatchShipment, COORDINATOR, {
      shipmentId: onTheWay,
      sentAt: '2025-03-02T09:00:00Z',
    });
    // Record times must differ for "between dispatch and receipt" to exist.
    await delay(20);
    await this.command(LOGISTICS_SUBJECTS.receiveShipment, COORDINATOR, {
      shipmentId: delivered,
      receivedAt: '2025-03-03T16:00:00Z',
      receivedBy: 'Zhytomyr city warehouse',
      items: [{ index: 0, goodKg: 12_000, damagedKg: 0 }],
    });
    return { zhytomyr, rawicz, partnership, delivered, onTheWay, planned, correlationId };
  }

  /**
   * Waits until the audit history shows the story's last event: like a subscription, it shows an
   * event once every transaction older than it has ended, anywhere on the server.
   */
  async historySettled(auditorKey: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const response = await fetch(`${this.gateway.httpUrl}/v1/audit/events?type=ShipmentReceived`, {
        headers: { authorization: `Bearer ${auditorKey}` },
      });
      if (((await response.json()) as { items: unknown[] }).items.length > 0) return;
      if (Date.now() > deadline) throw new Error('the story did not become visible in the audit history');
      await delay(20);
    }
  }

  /** Waits until the shipments read model shows every shipment event in the store. */
  async shipmentsProjected(): Promise<void> {
    const readModel = this.logistics.app.get(ShipmentsReadModel);
    const deadline = Date.now() + 15_000;
    while ((await readModel.status()).lag > 0) {
      if (Date.now() > deadline) throw new Error('the shipments read model did not catch up');
      await delay(20);
    }
  }

  /**
   * A command as the gateway sends it. The partnerships and logistics services learn of new
   * communities and partnerships through JetStream, a few milliseconds after they are recorded (on
   * a loaded machine, seconds): a refusal (an unknown party, a partnership not yet known or not yet
   * active) is retried with the same idempotency key until they know, as a client would. The
   * story's commands are all valid, so any other refusal still fails after 10 s.
   */
  private async command(
    subject: string,
    actor: RequestActor,
    data: object,
    correlationId?: string,
  ): Promise<string> {
    const idempotencyKey = randomUUID();
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const reply = await this.requester.request<CommandReply>(
          subject,
          { data, meta: { actor, idempotencyKey } },
          { correlationId },
        );
        return reply.id;
      } catch (error) {
        if (!(error instanceof DomainError) || Date.now() > deadline) throw error;
        await delay(50);
      }
    }
  }
}
