import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import {
  type CooperationArea,
  type MemorandumSignedData,
  type PartnershipActivityType,
  type PartnershipChannel,
  type PartnershipDecisionData,
  type PartnershipKind,
  type PartnershipPartyData,
  type PartnershipPartyRole,
  type PartnershipStatus,
  type PartnershipTermData,
  type PartnershipTerminatedData,
} from '@aid/contracts';

/*
 * The partnerships read model, kept by the `partnerships` projection from the service's own
 * events. Entities name no schema: the ProjectionRunner places them (live or shadow).
 */

const bigintAsNumber = {
  to: (value: number) => value,
  // pg returns bigint as text; positions stay far below 2^53.
  from: (value: string | number) => Number(value),
};

@Entity({ name: 'partnerships' })
export class PartnershipRow {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Index()
  @Column({ type: 'text' })
  kind: PartnershipKind;

  @Index()
  @Column({ type: 'text' })
  status: PartnershipStatus;

  @Column({ type: 'jsonb' })
  parties: PartnershipPartyData[];

  @Column({ type: 'uuid', name: 'programme_id', nullable: true })
  programmeId: string | null;

  /** The proposed areas until a memorandum is signed, then the signed ones. */
  @Column({ type: 'jsonb' })
  areas: CooperationArea[];

  @Column({ type: 'jsonb', nullable: true })
  term: PartnershipTermData | null;

  @Column({ type: 'text', nullable: true })
  channel: PartnershipChannel | null;

  @Column({ type: 'jsonb', nullable: true })
  approval: PartnershipDecisionData | null;

  @Column({ type: 'jsonb', nullable: true })
  memorandum: MemorandumSignedData | null;

  @Column({ type: 'jsonb', nullable: true })
  termination: PartnershipTerminatedData | null;

  /** Revision of the stream after the last event applied: what If-Match compares with. */
  @Column({ type: 'integer' })
  revision: number;

  /** Global position of the proposal: the stable order of lists and their cursors. */
  @Index({ unique: true })
  @Column({ type: 'bigint', name: 'proposed_position', transformer: bigintAsNumber })
  proposedPosition: number;

  @Column({ type: 'timestamptz', name: 'proposed_at' })
  proposedAt: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}

/** One row per party, so "the partnerships of a community" is an indexed lookup. */
@Entity({ name: 'partnership_parties' })
export class PartnershipPartyRow {
  @PrimaryColumn({ type: 'uuid', name: 'partnership_id' })
  partnershipId: string;

  @Index()
  @PrimaryColumn({ type: 'uuid', name: 'party_id' })
  partyId: string;

  @Column({ type: 'text' })
  role: PartnershipPartyRole;
}

@Entity({ name: 'partnership_activities' })
export class PartnershipActivityRow {
  @PrimaryColumn({ type: 'uuid', name: 'partnership_id' })
  partnershipId: string;

  /** The revision of the event in the partnership's stream: the activity's place in its history. */
  @PrimaryColumn({ type: 'integer' })
  revision: number;

  @Column({ type: 'text' })
  type: PartnershipActivityType;

  /** YYYY-MM-DD, or YYYY-MM for a follow-up planned for some day of that month. */
  @Column({ type: 'text' })
  date: string;

  @Column({ type: 'text' })
  summary: string;

  @Column({ type: 'jsonb' })
  participants: string[];

  @Column({ type: 'jsonb', nullable: true })
  indicators: Record<string, number> | null;

  @Column({ type: 'boolean' })
  planned: boolean;

  @Column({ type: 'timestamptz', name: 'recorded_at' })
  recordedAt: Date;
}

export const PARTNERSHIP_READ_MODEL_ENTITIES = [PartnershipRow, PartnershipPartyRow, PartnershipActivityRow];
