import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import {
  type CommunityKind,
  type FrontlineStatus,
  type HostilitiesCategory,
  type OrganisationKind,
  type SettlementCategory,
} from '@aid/contracts';

/*
 * The registry's read model. The entities name no schema: the projection runner puts them in its
 * own (live or shadow). Business days are `date` columns; TypeORM reads them back as YYYY-MM-DD
 * strings, and raw queries cast them to text, so a day never shifts with a time zone.
 */

@Entity('community')
export class CommunityRow {
  @PrimaryColumn('uuid') id: string;
  @Column('text') kind: CommunityKind;
  @Column('text', { name: 'name_uk' }) nameUk: string;
  @Column('text', { name: 'name_en', nullable: true }) nameEn: string | null;
  /** See search-text.ts: names, romanised name and code, normalised. */
  @Column('text', { name: 'search_text' }) searchText: string;
  @Column('text', { name: 'country_code' }) countryCode: string;
  @Index() @Column('text', { nullable: true }) oblast: string | null;
  @Index() @Column('text', { nullable: true }) katottg: string | null;
  /** The stream revision of the last event applied. */
  @Column('integer') revision: number;
  @Column('timestamptz', { name: 'registered_at' }) registeredAt: Date;
}

@Entity('settlement')
export class SettlementRow {
  @PrimaryColumn('uuid', { name: 'community_id' }) communityId: string;
  @PrimaryColumn('text') katottg: string;
  @Column('text') name: string;
  @Column('text') category: SettlementCategory;
}

/**
 * Every change, not only the latest: the status on a past day, and today's status when a change
 * was recorded ahead of the day it takes effect, both follow from the whole list.
 */
@Entity('frontline_change')
export class FrontlineChangeRow {
  @PrimaryColumn('uuid', { name: 'community_id' }) communityId: string;
  /** The stream revision of the change: of two changes effective the same day, the later counts. */
  @PrimaryColumn('integer') revision: number;
  @Column('text') status: FrontlineStatus;
  @Column('date', { name: 'effective_from' }) effectiveFrom: string;
  @Column('text', { nullable: true }) basis: string | null;
}

/**
 * Keyed as the decider knows a period (community, category, area, start): a later edition of the
 * list that records the same period with another end replaces the row.
 */
@Entity('hostilities_period')
export class HostilitiesPeriodRow {
  @PrimaryColumn('uuid', { name: 'community_id' }) communityId: string;
  @PrimaryColumn('text') category: HostilitiesCategory;
  @PrimaryColumn('text', { name: 'area_katottg' }) areaKatottg: string;
  @PrimaryColumn('date') start: string;
  @Column('date', { nullable: true }) end: string | null;
  @Column('boolean') partial: boolean;
  @Column('text', { name: 'area_name', nullable: true }) areaName: string | null;
  @Column('text') source: string;
  @Column('integer') revision: number;
}

@Entity('organisation')
export class OrganisationRow {
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text', { name: 'search_text' }) searchText: string;
  @Index() @Column('text') kind: OrganisationKind;
  @Column('text', { name: 'country_code', nullable: true }) countryCode: string | null;
  @Column('text', { name: 'iati_ref', nullable: true }) iatiRef: string | null;
  @Index() @Column('uuid', { name: 'parent_community_id', nullable: true }) parentCommunityId: string | null;
  @Column('integer') revision: number;
  @Column('timestamptz', { name: 'registered_at' }) registeredAt: Date;
}

export const REGISTRY_ENTITIES = [
  CommunityRow,
  SettlementRow,
  FrontlineChangeRow,
  HostilitiesPeriodRow,
  OrganisationRow,
];
