import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { type CommunityKind, type FrontlineStatus, type OrganisationKind } from '@aid/contracts';

/*
 * The partnerships service's own copy of the registry: only what its decisions need about a
 * party, fed by the community and organisation events it consumes from JetStream. The entities
 * name no schema: PartiesReadModel's DataSource places them.
 */

const position = {
  to: (value: number) => value,
  // pg returns bigint as text; positions stay far below 2^53.
  from: (value: string | number) => Number(value),
};

@Entity({ name: 'communities' })
export class CommunityPartyRow {
  @PrimaryColumn({ type: 'uuid', name: 'community_id' })
  communityId: string;

  @Column({ type: 'text' })
  kind: CommunityKind;

  @Column({ type: 'text', name: 'country_code' })
  countryCode: string;
}

/** Every change is kept, not only the latest: a memorandum is judged on the status of its signing day. */
@Entity({ name: 'frontline_status_changes' })
@Index(['communityId', 'effectiveFrom'])
export class FrontlineStatusChangeRow {
  @PrimaryColumn({ type: 'uuid', name: 'community_id' })
  communityId: string;

  /** Global position of the event: orders changes recorded for the same day (the later corrects). */
  @PrimaryColumn({ type: 'bigint', transformer: position })
  position: number;

  @Column({ type: 'text' })
  status: FrontlineStatus;

  @Column({ type: 'text', name: 'effective_from' })
  effectiveFrom: string;
}

@Entity({ name: 'organisations' })
export class OrganisationPartyRow {
  @PrimaryColumn({ type: 'uuid', name: 'organisation_id' })
  organisationId: string;

  @Column({ type: 'text' })
  kind: OrganisationKind;

  @Column({ type: 'text', name: 'country_code', nullable: true })
  countryCode: string | null;

  /** Lets "the partnerships of a community" include those of its institutions. */
  @Index()
  @Column({ type: 'uuid', name: 'parent_community_id', nullable: true })
  parentCommunityId: string | null;
}

export const PARTIES_ENTITIES = [CommunityPartyRow, FrontlineStatusChangeRow, OrganisationPartyRow];
