import { type DomainEvent } from '../decider';

export const COMMUNITY_KINDS = ['hromada', 'foreign-municipality'] as const;
export type CommunityKind = (typeof COMMUNITY_KINDS)[number];

/** KATOTTG categories M (city), X (selyshche, a settlement of urban type) and C (village). */
export const SETTLEMENT_CATEGORIES = ['city', 'selyshche', 'village'] as const;
export type SettlementCategory = (typeof SETTLEMENT_CATEGORIES)[number];

export const FRONTLINE_STATUSES = ['outpost', 'rear'] as const;
export type FrontlineStatus = (typeof FRONTLINE_STATUSES)[number];

/**
 * The categories of the Ministry's list of territories of hostilities and occupation, the most
 * severe first. Occupation is the gravest; active hostilities where state e-services still work
 * come after plain active hostilities because the state still reaches people there; possible
 * hostilities are the mildest. Status reports list open categories in this order.
 */
export const HOSTILITIES_CATEGORIES = [
  'occupied',
  'active-hostilities',
  'active-hostilities-state-services',
  'possible-hostilities',
] as const;
export type HostilitiesCategory = (typeof HOSTILITIES_CATEGORIES)[number];

export const ORGANISATION_KINDS = ['ingo', 'programme', 'institution', 'government', 'network'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

export interface CommunityName {
  uk: string;
  en?: string;
}

export interface Settlement {
  katottg: string;
  name: string;
  category: SettlementCategory;
}

export interface CommunityRegisteredData {
  communityId: string;
  name: CommunityName;
  kind: CommunityKind;
  /** ISO 3166-1 alpha-2; UA for every hromada. */
  countryCode: string;
  /** ISO 3166-2:UA region of a hromada, following from its KATOTTG code. */
  oblast?: string;
  katottg?: string;
  settlements?: Settlement[];
}

export interface FrontlineStatusChangedData {
  communityId: string;
  status: FrontlineStatus;
  /** The day (YYYY-MM-DD) from which the status holds. */
  effectiveFrom: string;
  /** Why: e.g. the programme or decision that named the community an outpost. */
  basis?: string;
}

export interface HostilitiesPeriodRecordedData {
  communityId: string;
  category: HostilitiesCategory;
  /** First day (YYYY-MM-DD) of the period. */
  start: string;
  /**
   * The day the period ended; it covers the days from `start` up to, not including, `end`. The
   * Ministry also lists one-day periods with `end` equal to `start`: those cover that one day.
   * Absent while the period is open.
   */
  end?: string;
  /** The document the period comes from, e.g. the Ministry's order and the edition imported. */
  source: string;
  /*
   * The contract names the fields above; these two are added (a contract may grow by optional
   * meaning, and the issue asks for partial periods). The Ministry lists territories at any level:
   * `partial` is true when the period covers only part of the hromada (one of its settlements or
   * city districts), and `areaKatottg` is the code the list named: the settlement, the hromada
   * itself, or the raion or oblast that contains it. `areaName` keeps the order's wording, which
   * may except named settlements ("... за винятком ...").
   */
  partial: boolean;
  areaKatottg: string;
  areaName?: string;
}

export interface OrganisationRegisteredData {
  organisationId: string;
  name: string;
  kind: OrganisationKind;
  countryCode?: string;
  /** IATI organisation (or activity) identifier, e.g. US-EIN-135660870. */
  iatiRef?: string;
  /** The community an institution belongs to (e.g. a municipal centre of social services). */
  parentCommunityId?: string;
}

export type CommunityRegistered = DomainEvent<'CommunityRegistered', CommunityRegisteredData>;
export type FrontlineStatusChanged = DomainEvent<'FrontlineStatusChanged', FrontlineStatusChangedData>;
export type HostilitiesPeriodRecorded = DomainEvent<
  'HostilitiesPeriodRecorded',
  HostilitiesPeriodRecordedData
>;
export type OrganisationRegistered = DomainEvent<'OrganisationRegistered', OrganisationRegisteredData>;

/** Events of a `community-<id>` stream. */
export type CommunityEvent = CommunityRegistered | FrontlineStatusChanged | HostilitiesPeriodRecorded;
/** Events of an `organisation-<id>` stream. */
export type OrganisationEvent = OrganisationRegistered;
/** Every event the communities service writes. */
export type CommunitiesEvent = CommunityEvent | OrganisationEvent;

export const COMMUNITIES_EVENT_TYPES = [
  'CommunityRegistered',
  'FrontlineStatusChanged',
  'HostilitiesPeriodRecorded',
  'OrganisationRegistered',
] as const satisfies readonly CommunitiesEvent['type'][];

/** The schema version every event above is written with; bump it and add an upcaster on change. */
export const COMMUNITIES_EVENT_SCHEMA_VERSION = 1;
