import { type DomainEvent } from '../decider';
import {
  type CooperationArea,
  type PartnershipActivityType,
  type PartnershipChannel,
  type PartnershipKind,
  type PartnershipPartyRole,
} from './vocabulary';

/**
 * Events (v1) of a `partnership-<id>` stream. Dates are business dates, `YYYY-MM-DD`; record
 * time lives in the event metadata. Optional fields are absent, never `undefined` or `null`,
 * so the canonical JSON the hash chain is computed over has one spelling per event.
 */

/** A party is a community (hromada, foreign municipality) or an organisation, by its registry id. */
export type PartnershipPartyData = { partyId: string; role: PartnershipPartyRole };

/** Both ends inclusive. */
export type PartnershipTermData = { from: string; to: string };

export type PartnershipProposedData = {
  partnershipId: string;
  kind: PartnershipKind;
  parties: PartnershipPartyData[];
  /** The organisation (of kind programme) the partnership runs under, e.g. "Side by Side" or U-LEAD. */
  programmeId?: string;
  areas: CooperationArea[];
  term?: PartnershipTermData;
  channel?: PartnershipChannel;
};

/** The decision that approved it, e.g. of a city council's executive committee. */
export type PartnershipDecisionData = { body: string; number?: string; date: string };

export type PartnershipApprovedData = { decision: PartnershipDecisionData };

/** Officials' names and titles are the only personal data the events carry. */
export type MemorandumSignatoryData = { partyId: string; name: string; title: string };

/** A memorandum or agreement. Its areas are what was signed and supersede the proposed ones. */
export type MemorandumSignedData = {
  signedOn: string;
  signatories: MemorandumSignatoryData[];
  areas: CooperationArea[];
};

/**
 * Something done along the partnership. `participants` are ids of the partnership's parties.
 * `indicators` are the figures it reports, e.g. `{ "women-hosted": 650 }`.
 * A follow-up that is only planned carries `planned: true`; its date may then be a month
 * (`YYYY-MM`) when only the month is known. When it takes place it is recorded again, as held.
 */
export type PartnershipActivityRecordedData = {
  type: PartnershipActivityType;
  date: string;
  summary: string;
  participants: string[];
  indicators?: Record<string, number>;
  planned?: true;
};

export type PartnershipTerminatedData = { effectiveOn: string; reason: string };

export type PartnershipProposed = DomainEvent<'PartnershipProposed', PartnershipProposedData>;
export type PartnershipApproved = DomainEvent<'PartnershipApproved', PartnershipApprovedData>;
export type MemorandumSigned = DomainEvent<'MemorandumSigned', MemorandumSignedData>;
export type PartnershipActivityRecorded = DomainEvent<
  'PartnershipActivityRecorded',
  PartnershipActivityRecordedData
>;
export type PartnershipTerminated = DomainEvent<'PartnershipTerminated', PartnershipTerminatedData>;

export type PartnershipEvent =
  | PartnershipProposed
  | PartnershipApproved
  | MemorandumSigned
  | PartnershipActivityRecorded
  | PartnershipTerminated;

export type PartnershipEventType = PartnershipEvent['type'];

export const PARTNERSHIP_EVENT_TYPES = [
  'PartnershipProposed',
  'PartnershipApproved',
  'MemorandumSigned',
  'PartnershipActivityRecorded',
  'PartnershipTerminated',
] as const satisfies readonly PartnershipEventType[];

/** The schema version every event above is written with; bump it and add an upcaster on change. */
export const PARTNERSHIP_EVENT_SCHEMA_VERSION = 1;
