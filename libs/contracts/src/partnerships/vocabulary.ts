/**
 * The closed vocabularies of the partnerships context. Each is a const array (for validators
 * and UI lists) with the union type derived from it, so the two cannot drift apart.
 */

export const PARTNERSHIP_KINDS = ['side-by-side', 'international', 'humanitarian', 'exchange'] as const;
export type PartnershipKind = (typeof PARTNERSHIP_KINDS)[number];

/** A party's role: `partner` and `outpost` are the rear and frontline sides of "Side by Side". */
export const PARTNERSHIP_PARTY_ROLES = [
  'partner',
  'outpost',
  'recipient',
  'donor',
  'organiser',
  'participant',
] as const;
export type PartnershipPartyRole = (typeof PARTNERSHIP_PARTY_ROLES)[number];

/** The cooperation areas of the "Side by Side" memoranda, plus exchange of experience and a catch-all. */
export const COOPERATION_AREAS = [
  'recovery-teams',
  'children',
  'culture-education-sport',
  'material-humanitarian-aid',
  'co-financing',
  'social-services',
  'experience-exchange',
  'other',
] as const;
export type CooperationArea = (typeof COOPERATION_AREAS)[number];

/** How the partnership came about: `platform-request` is the "Cooperate" button of the Ministry's e-platform. */
export const PARTNERSHIP_CHANNELS = ['platform-request', 'direct', 'programme'] as const;
export type PartnershipChannel = (typeof PARTNERSHIP_CHANNELS)[number];

export const PARTNERSHIP_ACTIVITY_TYPES = [
  'visit',
  'event',
  'results-review',
  'exchange',
  'aid-delivery',
] as const;
export type PartnershipActivityType = (typeof PARTNERSHIP_ACTIVITY_TYPES)[number];

export const PARTNERSHIP_STATUSES = ['proposed', 'approved', 'active', 'terminated'] as const;
export type PartnershipStatus = (typeof PARTNERSHIP_STATUSES)[number];
