import { randomUUID } from 'node:crypto';
import { CommandHandler, type CommandMeta } from '@aid/commands';
import {
  COMMUNITIES_EVENT_SCHEMA_VERSION,
  communityIdForKatottg,
  communityStream,
  newCommunityId,
  newOrganisationId,
  organisationStream,
  type FrontlineStatus,
  type OrganisationKind,
} from '@aid/contracts';
import { type EventStore } from '@aid/event-store';
import { createLogger } from '@aid/messaging';
import { Relay } from '@aid/relay';
import { type NatsConnection } from '@nats-io/transport-node';
import { communityDecider } from '../../../communities/src/community/community.decider';
import { organisationDecider } from '../../../communities/src/organisation/organisation.decider';

/**
 * The registry side of the tests, done as the communities service does it: its deciders append
 * community and organisation events to the store through the one CommandHandler, and a relay of
 * the community- and organisation- streams publishes them to JetStream, where the partnerships
 * service's durable consumer picks them up.
 */
export class Registry {
  private readonly handler: CommandHandler;
  private readonly relay: Relay;
  private readonly meta: CommandMeta = {
    actor: { id: 'registry-test', role: 'partnerships' },
    correlationId: randomUUID(),
  };

  constructor(
    private readonly store: EventStore,
    connectionString: string,
    nats: NatsConnection,
  ) {
    this.handler = new CommandHandler(store, 'communities');
    this.relay = new Relay({
      name: 'relay_communities',
      store,
      connectionString,
      nats,
      streamPrefixes: ['community-', 'organisation-'],
      standbyRetryMs: 200,
      logger: createLogger('communities', 'warn'),
    });
  }

  start(): Promise<void> {
    return this.relay.start();
  }

  stop(): Promise<void> {
    return this.relay.stop();
  }

  /** A hromada, with its id derived from its KATOTTG code as the communities service does. */
  async hromada(katottg: string, name: { uk: string; en: string }): Promise<string> {
    const communityId = communityIdForKatottg(katottg);
    await this.handler.handle({
      decider: communityDecider,
      stream: communityStream(communityId),
      commandName: 'register-community',
      command: {
        type: 'RegisterCommunity',
        data: { communityId, name, kind: 'hromada', countryCode: 'UA', katottg },
      },
      meta: this.meta,
      schemaVersion: COMMUNITIES_EVENT_SCHEMA_VERSION,
    });
    return communityId;
  }

  async foreignMunicipality(name: string, countryCode: string): Promise<string> {
    const communityId = newCommunityId();
    await this.handler.handle({
      decider: communityDecider,
      stream: communityStream(communityId),
      commandName: 'register-community',
      command: {
        type: 'RegisterCommunity',
        data: { communityId, name: { uk: name, en: name }, kind: 'foreign-municipality', countryCode },
      },
      meta: this.meta,
      schemaVersion: COMMUNITIES_EVENT_SCHEMA_VERSION,
    });
    return communityId;
  }

  async frontlineStatus(
    communityId: string,
    status: FrontlineStatus,
    effectiveFrom: string,
    basis?: string,
  ): Promise<void> {
    await this.handler.handle({
      decider: communityDecider,
      stream: communityStream(communityId),
      commandName: 'change-frontline-status',
      command: {
        type: 'ChangeFrontlineStatus',
        data: { communityId, status, effectiveFrom, ...(basis !== undefined && { basis }) },
      },
      meta: this.meta,
      occurredAt: () => `${effectiveFrom}T00:00:00.000Z`,
      schemaVersion: COMMUNITIES_EVENT_SCHEMA_VERSION,
    });
  }

  async organisation(organisation: {
    name: string;
    kind: OrganisationKind;
    countryCode?: string;
    iatiRef?: string;
    parentCommunityId?: string;
  }): Promise<string> {
    const organisationId = newOrganisationId();
    const parent = organisation.parentCommunityId;
    const parentRegistered =
      parent === undefined
        ? null
        : { registered: (await this.store.streamRevision(communityStream(parent))) !== null };
    await this.handler.handle({
      decider: organisationDecider,
      stream: organisationStream(organisationId),
      commandName: 'register-organisation',
      command: {
        type: 'RegisterOrganisation',
        data: { organisationId, ...organisation },
        context: { parentCommunity: parentRegistered },
      },
      meta: this.meta,
      schemaVersion: COMMUNITIES_EVENT_SCHEMA_VERSION,
    });
    return organisationId;
  }

  /**
   * Resolves once everything registered so far is in JetStream. From there the partnerships
   * service catches up by itself before it decides.
   */
  async published(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.relay.status();
      if (status.lag === 0) return;
      if (Date.now() > deadline) throw new Error(`the registry relay is still ${status.lag} behind`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
