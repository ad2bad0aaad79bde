import { type CommunityKind, type FrontlineStatus, type OrganisationKind } from '@aid/contracts';

/**
 * What the partnerships service knows about a party from the community and organisation
 * events it consumed. The command handler looks the parties up in that read model and hands
 * them to `decide` with the command, so the decider stays pure.
 */

export interface PartyContext {
  registered: boolean;
  type: 'community' | 'organisation';
  kind?: CommunityKind | OrganisationKind;
  /** ISO 3166-1 alpha-2, when the registry has it. */
  countryCode?: string;
  /** A community's frontline status on the day the command concerns (the signing day for a memorandum). */
  frontlineStatus?: FrontlineStatus;
  /** For an organisation that belongs to a community, such as a municipal institution. */
  parentCommunityId?: string;
}

/** Keyed by party id. An id that is missing counts as not registered. */
export type PartiesContext = Readonly<Record<string, PartyContext>>;

export function registeredParty(context: PartiesContext, partyId: string): PartyContext | undefined {
  // hasOwn, so an id can never pick up something from Object.prototype.
  const party = Object.hasOwn(context, partyId) ? context[partyId] : undefined;
  return party?.registered ? party : undefined;
}

/**
 * A foreign municipality, an international NGO, or any organisation registered in another
 * country. International NGOs count even without a country: their reach is what makes them foreign.
 */
export function isForeign(party: PartyContext): boolean {
  if (party.kind === 'foreign-municipality' || party.kind === 'ingo') return true;
  return party.countryCode !== undefined && party.countryCode !== 'UA';
}

export function isHromada(party: PartyContext): boolean {
  return party.type === 'community' && party.kind === 'hromada';
}

/** A hromada, or a Ukrainian organisation inside one (e.g. Ochakiv's centre for social services). */
export function isUkrainianCommunityOrPartOfOne(party: PartyContext): boolean {
  if (isHromada(party)) return true;
  return party.type === 'organisation' && party.parentCommunityId !== undefined && !isForeign(party);
}
