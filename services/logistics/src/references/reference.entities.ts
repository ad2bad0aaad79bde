import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * What logistics knows of other contexts, from the events it consumed off JetStream: enough to
 * check a plan (is the destination a registered hromada, is the partnership active and is the
 * destination one of its parties) and to label tonnage rows with names. Never asked of the other
 * services at command time: their outage must not stop a shipment being recorded.
 */

@Entity({ name: 'communities' })
export class ReferenceCommunity {
  @PrimaryColumn({ type: 'uuid', name: 'community_id' })
  communityId: string;

  @Column({ type: 'text' })
  kind: 'hromada' | 'foreign-municipality';

  /** The Ukrainian name, always present; the English one when the registry has it. */
  @Column({ type: 'text', name: 'name_uk' })
  nameUk: string;

  @Column({ type: 'text', name: 'name_en', nullable: true })
  nameEn: string | null;
}

@Entity({ name: 'organisations' })
export class ReferenceOrganisation {
  @PrimaryColumn({ type: 'uuid', name: 'organisation_id' })
  organisationId: string;

  @Column({ type: 'text' })
  name: string;

  /** A municipal institution belongs to its community: as a party it stands for that community too. */
  @Index()
  @Column({ type: 'uuid', name: 'parent_community_id', nullable: true })
  parentCommunityId: string | null;
}

export interface ReferenceParty {
  partyId: string;
  role: string;
}

@Entity({ name: 'partnerships' })
export class ReferencePartnership {
  @PrimaryColumn({ type: 'uuid', name: 'partnership_id' })
  partnershipId: string;

  @Column({ type: 'text' })
  status: 'proposed' | 'approved' | 'active' | 'terminated';

  @Column({ type: 'jsonb' })
  parties: ReferenceParty[];

  /** The stream revision last applied: a redelivered or older event never moves the status back. */
  @Column({ type: 'integer' })
  revision: number;
}

export const REFERENCE_ENTITIES = [ReferenceCommunity, ReferenceOrganisation, ReferencePartnership];
