import type { EventStore, JsonValue, RecordedEvent } from '@aid/event-store';

/**
 * The communities an event concerns. `primary` names its subject (null: `none`); each of
 * `others` gets a copy of the message on its own subject, so the partners of every concerned
 * community can read it. `others` never holds `primary` and has no repeats.
 */
export interface ConcernedCommunities {
  primary: string | null;
  others: string[];
}

/** Finds the communities an event concerns. */
export type CommunityResolver = (event: RecordedEvent, store: EventStore) => Promise<ConcernedCommunities>;

export const CONCERNS_NO_COMMUNITY: ConcernedCommunities = Object.freeze({ primary: null, others: [] });

type JsonData = { [key: string]: JsonValue };

/** What the registry says about a partnership party, from the first event of its stream. */
export type RegisteredParty =
  | { kind: 'community'; ukrainian: boolean }
  | { kind: 'organisation'; parentCommunityId: string | null }
  | { kind: 'unknown' };

/** Looks a party up in the registry's streams (`community-<id>`, `organisation-<id>`). */
export type PartyLookup = (partyId: string) => Promise<RegisteredParty>;

/**
 * The communities an event's own data names, or null when it names none and the answer must
 * come from its stream's first event.
 * - `communityId` (a community's events): that community;
 * - `destinationCommunityId` (a shipment plan): the destination;
 * - `organisationId` (an organisation's registration): its parent community, or none;
 * - `parties` (a partnership proposal): every Ukrainian community party, an organisation party
 *   counting as its parent community; the primary is the outpost, else the first of them.
 */
export async function concernedCommunitiesOf(
  data: JsonData,
  lookUp: PartyLookup,
): Promise<ConcernedCommunities | null> {
  const community = nonEmptyString(data.communityId) ?? nonEmptyString(data.destinationCommunityId);
  if (community !== null) return { primary: community, others: [] };
  if (nonEmptyString(data.organisationId) !== null) {
    const parent = nonEmptyString(data.parentCommunityId);
    return parent === null ? CONCERNS_NO_COMMUNITY : { primary: parent, others: [] };
  }
  if (Array.isArray(data.parties)) return partnershipCommunities(data.parties.filter(isParty), lookUp);
  return null;
}

async function partnershipCommunities(
  parties: Array<{ partyId: string; role?: JsonValue }>,
  lookUp: PartyLookup,
): Promise<ConcernedCommunities> {
  const ukrainian: string[] = [];
  let outpost: string | null = null;
  for (const party of parties) {
    const community = await ukrainianCommunityOf(party.partyId, lookUp);
    if (community === null) continue;
    if (!ukrainian.includes(community)) ukrainian.push(community);
    if (party.role === 'outpost' && outpost === null) outpost = community;
  }
  const primary = outpost ?? ukrainian[0] ?? null;
  return { primary, others: ukrainian.filter((community) => community !== primary) };
}

/**
 * The Ukrainian community a party stands for: a hromada itself, an organisation its parent (when
 * that is Ukrainian). A party the registry does not know (yet) is taken as a community: leaving
 * it out could hide the event from that community's partners, while taking it in shows the event
 * only to partners who serve an id the partnership itself names.
 */
async function ukrainianCommunityOf(partyId: string, lookUp: PartyLookup): Promise<string | null> {
  const party = await lookUp(partyId);
  if (party.kind === 'unknown') return partyId;
  if (party.kind === 'community') return party.ukrainian ? partyId : null;
  if (party.parentCommunityId === null) return null;
  const parent = await lookUp(party.parentCommunityId);
  if (parent.kind === 'community' && !parent.ukrainian) return null;
  return party.parentCommunityId;
}

function nonEmptyString(value: JsonValue | undefined): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function isParty(value: JsonValue): value is { partyId: string; role?: JsonValue } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof value.partyId === 'string' &&
    value.partyId !== ''
  );
}

/** A map that forgets its least recently used entries beyond `capacity`. */
class LruCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Maps iterate in insertion order: re-inserting makes this the most recently used.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}

/**
 * The default resolver: the event's own data, else its stream's first event (the one that
 * created the aggregate: ShipmentPlanned names the destination, PartnershipProposed the
 * parties). Parties are looked up in the first event of `community-<id>` (kind and country) or
 * `organisation-<id>` (parent). First events never change, so answers are cached (LRU, up to
 * `cacheSize` streams and as many parties); an answer that needed a party the registry did not
 * know yet is not cached, so it is asked again once the party is registered.
 */
export function createConcernedCommunityResolver(options: { cacheSize?: number } = {}): CommunityResolver {
  const cacheSize = options.cacheSize ?? 10_000;
  const byStream = new LruCache<ConcernedCommunities>(cacheSize);
  const parties = new LruCache<RegisteredParty>(cacheSize);

  return async (event, store) => {
    let settled = true;
    const lookUp: PartyLookup = async (partyId) => {
      const cached = parties.get(partyId);
      if (cached !== undefined) return cached;
      const party = await registeredParty(store, partyId);
      if (party.kind === 'unknown') settled = false;
      else parties.set(partyId, party);
      return party;
    };

    const own = await concernedCommunitiesOf(event.data, lookUp);
    if (event.revision === 0) {
      // The first event's answer is the stream's: remembered, so the events that follow it (a
      // dispatch, a receipt) need not read it back.
      const concerned = own ?? CONCERNS_NO_COMMUNITY;
      if (settled) byStream.set(event.stream, concerned);
      return concerned;
    }
    if (own !== null) return own;

    const cached = byStream.get(event.stream);
    if (cached !== undefined) return cached;
    const [first] = await store.readStream(event.stream, { fromRevision: 0, maxCount: 1 });
    const concerned = (first && (await concernedCommunitiesOf(first.data, lookUp))) ?? CONCERNS_NO_COMMUNITY;
    if (settled) byStream.set(event.stream, concerned);
    return concerned;
  };
}

async function registeredParty(store: EventStore, partyId: string): Promise<RegisteredParty> {
  const [community] = await store.readStream(`community-${partyId}`, { fromRevision: 0, maxCount: 1 });
  if (community) {
    const foreign = community.data.kind === 'foreign-municipality' || community.data.countryCode !== 'UA';
    return { kind: 'community', ukrainian: !foreign };
  }
  const [organisation] = await store.readStream(`organisation-${partyId}`, { fromRevision: 0, maxCount: 1 });
  if (organisation) {
    return { kind: 'organisation', parentCommunityId: nonEmptyString(organisation.data.parentCommunityId) };
  }
  return { kind: 'unknown' };
}
