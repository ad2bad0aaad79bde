import type { EventStore, JsonValue, RecordedEvent } from '@aid/event-store';

/** Finds the community an event concerns most; null when it concerns none. */
export type CommunityResolver = (event: RecordedEvent, store: EventStore) => Promise<string | null>;

const FIELDS_IN_ORDER = ['communityId', 'destinationCommunityId', 'parentCommunityId'] as const;

/**
 * The community named by an event's own data: its `communityId`, else a shipment's
 * `destinationCommunityId`, else an organisation's `parentCommunityId`, else a partnership's
 * outpost party, else its first party. Null when the data names none.
 */
export function communityNamedIn(data: { [key: string]: JsonValue }): string | null {
  for (const field of FIELDS_IN_ORDER) {
    const value = data[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  const parties = Array.isArray(data.parties) ? data.parties.filter(isParty) : [];
  const outpost = parties.find((party) => party.role === 'outpost');
  return (outpost ?? parties[0])?.partyId ?? null;
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

/**
 * The default resolver: the event's own data, else the data of its stream's first event (the
 * one that created the aggregate: ShipmentPlanned names the destination, PartnershipProposed the
 * parties). First events never change, so the answer per stream is cached, up to `cacheSize`
 * streams (the least recently used are forgotten first).
 */
export function createConcernedCommunityResolver(options: { cacheSize?: number } = {}): CommunityResolver {
  const cacheSize = options.cacheSize ?? 10_000;
  const firstEventCommunity = new Map<string, string | null>();

  const remember = (stream: string, community: string | null): void => {
    firstEventCommunity.delete(stream);
    firstEventCommunity.set(stream, community);
    if (firstEventCommunity.size > cacheSize) {
      // Maps iterate in insertion order, so the first key is the least recently used.
      const oldest = firstEventCommunity.keys().next().value;
      if (oldest !== undefined) firstEventCommunity.delete(oldest);
    }
  };

  return async (event, store) => {
    const own = communityNamedIn(event.data);
    if (own !== null) return own;
    if (event.revision === 0) return null;

    if (firstEventCommunity.has(event.stream)) {
      const cached = firstEventCommunity.get(event.stream) ?? null;
      remember(event.stream, cached);
      return cached;
    }
    const [first] = await store.readStream(event.stream, { fromRevision: 0, maxCount: 1 });
    const community = first ? communityNamedIn(first.data) : null;
    remember(event.stream, community);
    return community;
  };
}
