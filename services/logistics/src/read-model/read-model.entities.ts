import type { ItemCategory, ShipmentItem, ShipmentStatus } from '@aid/contracts';
import { Column, Entity, Index, PrimaryColumn, type ValueTransformer } from 'typeorm';
import type { ShipmentState } from '../shipment/shipment.state';

/**
 * pg hands bigint columns back as strings, because they may exceed 2^53. Grams and positions here are
 * well below that (see MAX_WEIGHT_KG), so they become numbers, and anything unsafe fails
 * loudly instead of being rounded.
 */
const safeInteger: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => {
    if (value === null) return null;
    const number = Number(value);
    if (!Number.isSafeInteger(number)) throw new RangeError(`bigint ${value} is beyond 2^53`);
    return number;
  },
};

/** One row per shipment: what it is now, with the domain state it was folded to. */
@Entity({ name: 'shipments' })
export class ShipmentRecord {
  @PrimaryColumn({ type: 'uuid', name: 'shipment_id' })
  shipmentId: string;

  @Index()
  @Column({ type: 'text' })
  status: ShipmentStatus;

  @Index()
  @Column({ type: 'uuid', name: 'origin_party_id' })
  originPartyId: string;

  @Index()
  @Column({ type: 'uuid', name: 'destination_community_id' })
  destinationCommunityId: string;

  @Index()
  @Column({ type: 'uuid', name: 'partnership_id', nullable: true })
  partnershipId: string | null;

  @Column({ type: 'uuid', name: 'donor_party_id', nullable: true })
  donorPartyId: string | null;

  @Column({ type: 'text', name: 'humanitarian_aid_code', nullable: true })
  humanitarianAidCode: string | null;

  /** The items as planned, with description, quantity and unit, which the domain state leaves out. */
  @Column({ type: 'jsonb' })
  items: ShipmentItem[];

  @Column({ type: 'bigint', name: 'planned_grams', transformer: safeInteger })
  plannedGrams: number;

  /** Global position of ShipmentPlanned: a stable order for paging, newest first. */
  @Index({ unique: true })
  @Column({ type: 'bigint', name: 'planned_position', transformer: safeInteger })
  plannedPosition: number;

  @Column({ type: 'timestamptz', name: 'planned_at' })
  plannedAt: Date;

  /** For date filters; the view shows sentAt as recorded, with its offset, from the state. */
  @Index()
  @Column({ type: 'timestamptz', name: 'sent_at', nullable: true })
  sentAt: Date | null;

  @Column({ type: 'bigint', name: 'sent_grams', nullable: true, transformer: safeInteger })
  sentGrams: number | null;

  @Column({ type: 'text', nullable: true })
  carrier: string | null;

  @Column({ type: 'text', name: 'waybill_number', nullable: true })
  waybillNumber: string | null;

  @Column({ type: 'timestamptz', name: 'received_at', nullable: true })
  receivedAt: Date | null;

  @Column({ type: 'text', name: 'received_by', nullable: true })
  receivedBy: string | null;

  @Column({ type: 'text', name: 'acceptance_act_number', nullable: true })
  acceptanceActNumber: string | null;

  /** Good + damaged after the latest correction; null until received. */
  @Column({ type: 'bigint', name: 'received_grams', nullable: true, transformer: safeInteger })
  receivedGrams: number | null;

  /** Sum over items of max(0, planned - received), as in tonnage; null until received. */
  @Index()
  @Column({ type: 'bigint', name: 'shortfall_grams', nullable: true, transformer: safeInteger })
  shortfallGrams: number | null;

  @Column({ type: 'text', name: 'cancellation_reason', nullable: true })
  cancellationReason: string | null;

  /** The domain state (shipment.state.ts), so each event is applied by the domain's own evolve. */
  @Column({ type: 'jsonb' })
  state: NonNullable<ShipmentState>;

  @Column({ type: 'integer' })
  revision: number;

  /** Record time of the last event applied. */
  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}

/**
 * One row per planned item of every sent or received shipment: tonnage.ts's ItemLine. Tonnage is
 * summed from these at query time, so any grouping and any date range add up exactly, and a
 * shipment is counted once per row however its items spread.
 */
@Entity({ name: 'tonnage_lines' })
@Index(['sentAt'])
export class TonnageLineRecord {
  @PrimaryColumn({ type: 'uuid', name: 'shipment_id' })
  shipmentId: string;

  @PrimaryColumn({ type: 'integer', name: 'item_index' })
  itemIndex: number;

  @Column({ type: 'uuid', name: 'destination_community_id' })
  destination: string;

  @Column({ type: 'uuid', name: 'origin_party_id' })
  origin: string;

  @Column({ type: 'uuid', name: 'partnership_id', nullable: true })
  partnership: string | null;

  @Column({ type: 'timestamptz', name: 'sent_at' })
  sentAt: string;

  /** UTC month of sending, YYYY-MM. */
  @Column({ type: 'char', length: 7, name: 'sent_month' })
  month: string;

  @Column({ type: 'text' })
  category: ItemCategory;

  @Column({ type: 'bigint', name: 'dispatched_grams', transformer: safeInteger })
  dispatchedGrams: number;

  @Column({ type: 'bigint', name: 'received_grams', transformer: safeInteger })
  receivedGrams: number;

  @Column({ type: 'bigint', name: 'in_transit_grams', transformer: safeInteger })
  inTransitGrams: number;

  @Column({ type: 'bigint', name: 'shortfall_grams', transformer: safeInteger })
  shortfallGrams: number;
}

export const READ_MODEL_ENTITIES = [ShipmentRecord, TonnageLineRecord];
