import {
  type CommunityRegisteredData,
  type FrontlineStatusChangedData,
  type OrganisationRegisteredData,
} from '@aid/contracts';
import { type ConsumedEvent } from '@aid/messaging';
import { type EntityManager } from 'typeorm';
import { CommunityPartyRow, FrontlineStatusChangeRow, OrganisationPartyRow } from './parties.entities';

/**
 * Applies one event of the communities context to the parties read model. Other event types
 * (hostilities periods: thousands of them, none needed to decide a partnership) are skipped.
 *
 * Upserts rather than inserts: the consumer applies each event once, but a registry event that
 * was relayed twice (a relay down past JetStream's duplicate window) must not stop the consumer.
 */
export async function applyRegistryEvent(event: ConsumedEvent, manager: EntityManager): Promise<void> {
  switch (event.type) {
    case 'CommunityRegistered': {
      const data = event.data as unknown as CommunityRegisteredData;
      await manager.upsert(
        CommunityPartyRow,
        { communityId: data.communityId, kind: data.kind, countryCode: data.countryCode },
        ['communityId'],
      );
      return;
    }
    case 'FrontlineStatusChanged': {
      const data = event.data as unknown as FrontlineStatusChangedData;
      await manager.upsert(
        FrontlineStatusChangeRow,
        {
          communityId: data.communityId,
          position: event.position,
          status: data.status,
          effectiveFrom: data.effectiveFrom,
        },
        ['communityId', 'position'],
      );
      return;
    }
    case 'OrganisationRegistered': {
      const data = event.data as unknown as OrganisationRegisteredData;
      await manager.upsert(
        OrganisationPartyRow,
        {
          organisationId: data.organisationId,
          kind: data.kind,
          countryCode: data.countryCode ?? null,
          parentCommunityId: data.parentCommunityId ?? null,
        },
        ['organisationId'],
      );
      return;
    }
  }
}
