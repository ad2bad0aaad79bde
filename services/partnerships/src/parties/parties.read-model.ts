import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type PartiesContext, type PartyContext } from '../partnership/party-context';
import { ConsumedReadModel, ServiceContext } from '@aid/messaging';
import { DataSource, In, LessThanOrEqual } from 'typeorm';
import { frontlineStatusOn } from './frontline-status';
import {
  CommunityPartyRow,
  FrontlineStatusChangeRow,
  OrganisationPartyRow,
  PARTIES_ENTITIES,
} from './parties.entities';
import { applyRegistryEvent } from './registry-events';

/** Schema of the parties tables, and the name of the durable consumers that feed them. */
export const PARTIES_READ_MODEL = 'partnerships_parties';

/**
 * Only the registry events a decision needs. One subject per type (nats-server 2.9 takes one
 * filter per consumer) rather than `aid.communities.>`, which would also drag the thousands of
 * hostilities periods through the consumer one by one.
 */
export const PARTIES_SUBJECTS = [
  'aid.communities.CommunityRegistered.>',
  'aid.communities.FrontlineStatusChanged.>',
  'aid.communities.OrganisationRegistered.>',
];

/**
 * How long a command waits for the parties read model to apply what JetStream already holds. A
 * community registered a moment ago is then known, instead of refused as unregistered.
 */
const CATCH_UP_TIMEOUT_MS = 2000;

/**
 * What the partnerships service knows of the registry: communities (kind, country, frontline
 * status history) and organisations (kind, country, parent community), kept from the community
 * and organisation events on JetStream by a durable consumer. The service never asks the
 * communities service to decide: it decides on this copy, which is why it must be caught up.
 */
@Injectable()
export class PartiesReadModel implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly readModel: ConsumedReadModel;

  constructor(private readonly service: ServiceContext) {
    this.readModel = new ConsumedReadModel(service, {
      name: PARTIES_READ_MODEL,
      entities: PARTIES_ENTITIES,
      filterSubjects: PARTIES_SUBJECTS,
      handle: applyRegistryEvent,
    });
  }

  private get dataSource(): DataSource {
    return this.readModel.dataSource;
  }

  onApplicationBootstrap(): Promise<void> {
    return this.readModel.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.readModel.stop();
  }

  /**
   * What the decider needs about each of these parties, with frontline statuses as they were on
   * `day` (YYYY-MM-DD). A party the registry does not know is left out: it counts as unregistered.
   */
  async partiesOn(partyIds: readonly string[], day: string): Promise<PartiesContext> {
    const ids = [...new Set(partyIds)];
    if (ids.length === 0) return {};
    await this.catchUp();
    const [communities, organisations, changes] = await Promise.all([
      this.dataSource.getRepository(CommunityPartyRow).findBy({ communityId: In(ids) }),
      this.dataSource.getRepository(OrganisationPartyRow).findBy({ organisationId: In(ids) }),
      this.dataSource
        .getRepository(FrontlineStatusChangeRow)
        .findBy({ communityId: In(ids), effectiveFrom: LessThanOrEqual(day) }),
    ]);

    const context: Record<string, PartyContext> = {};
    for (const community of communities) {
      const status = frontlineStatusOn(
        changes.filter((change) => change.communityId === community.communityId),
        day,
      );
      context[community.communityId] = {
        registered: true,
        type: 'community',
        kind: community.kind,
        countryCode: community.countryCode,
        ...(status !== undefined && { frontlineStatus: status }),
      };
    }
    for (const organisation of organisations) {
      context[organisation.organisationId] = {
        registered: true,
        type: 'organisation',
        kind: organisation.kind,
        ...(organisation.countryCode !== null && { countryCode: organisation.countryCode }),
        ...(organisation.parentCommunityId !== null && {
          parentCommunityId: organisation.parentCommunityId,
        }),
      };
    }
    return context;
  }

  /** The communities themselves and every organisation registered inside one of them. */
  async partiesWithin(communityIds: readonly string[]): Promise<string[]> {
    if (communityIds.length === 0) return [];
    const organisations = await this.dataSource.getRepository(OrganisationPartyRow).find({
      select: { organisationId: true },
      where: { parentCommunityId: In([...communityIds]) },
    });
    return [...communityIds, ...organisations.map(({ organisationId }) => organisationId)];
  }

  private async catchUp(): Promise<void> {
    try {
      await this.readModel.caughtUp(CATCH_UP_TIMEOUT_MS);
    } catch (error) {
      // Deciding on what is known beats refusing every command while JetStream lags or is away;
      // the refusal a stale registry might cause is one the caller can retry.
      this.service.logger.warn({ err: error }, 'deciding on a parties read model that may lag the registry');
    }
  }
}
