import type {
  CommunityRegisteredData,
  OrganisationRegisteredData,
  PartnershipProposedData,
} from '@aid/contracts';
import type { ConsumedEvent } from '@aid/messaging';
import type { EntityManager } from 'typeorm';
import { ReferenceCommunity, ReferenceOrganisation, ReferencePartnership } from './reference.entities';

const PARTNERSHIP_STREAM_PREFIX = 'partnership-';

/** The status each partnership event leads to; activities leave it as it is. */
const STATUS_AFTER: Partial<Record<string, ReferencePartnership['status']>> = {
  PartnershipApproved: 'approved',
  MemorandumSigned: 'active',
  PartnershipTerminated: 'terminated',
};

/**
 * Applies one community, organisation or partnership event to the references, inside the
 * consumer's transaction. Events this read model does not need (frontline status, hostilities,
 * activities) change nothing.
 */
export async function applyReferenceEvent(event: ConsumedEvent, manager: EntityManager): Promise<void> {
  switch (event.type) {
    case 'CommunityRegistered': {
      const data = event.data as unknown as CommunityRegisteredData;
      await manager.getRepository(ReferenceCommunity).upsert(
        {
          communityId: data.communityId,
          kind: data.kind,
          nameUk: data.name.uk,
          nameEn: data.name.en ?? null,
        },
        ['communityId'],
      );
      return;
    }
    case 'OrganisationRegistered': {
      const data = event.data as unknown as OrganisationRegisteredData;
      await manager.getRepository(ReferenceOrganisation).upsert(
        {
          organisationId: data.organisationId,
          name: data.name,
          parentCommunityId: data.parentCommunityId ?? null,
        },
        ['organisationId'],
      );
      return;
    }
    case 'PartnershipProposed': {
      const data = event.data as unknown as PartnershipProposedData;
      await manager.getRepository(ReferencePartnership).upsert(
        {
          partnershipId: data.partnershipId,
          status: 'proposed',
          parties: data.parties.map(({ partyId, role }) => ({ partyId, role })),
          revision: event.revision,
        },
        ['partnershipId'],
      );
      return;
    }
  }
  const status = STATUS_AFTER[event.type];
  if (status === undefined || !event.stream.startsWith(PARTNERSHIP_STREAM_PREFIX)) return;
  // Only the proposal carries the id; later events name it through their stream. Events of one
  // stream arrive in order, so the proposal's row exists; the revision check keeps a stale
  // redelivery from moving the status back.
  await manager
    .createQueryBuilder()
    .update(ReferencePartnership)
    .set({ status, revision: event.revision })
    .where('partnership_id = :id AND revision < :revision', {
      id: event.stream.slice(PARTNERSHIP_STREAM_PREFIX.length),
      revision: event.revision,
    })
    .execute();
}
