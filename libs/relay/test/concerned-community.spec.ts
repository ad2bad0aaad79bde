import { concernedCommunitiesOf, type PartyLookup, type RegisteredParty } from '../src';

/** A registry of three hromadas, a foreign municipality and three organisations. */
const REGISTRY: Record<string, RegisteredParty> = {
  'c-lviv': { kind: 'community', ukrainian: true },
  'c-ochakiv': { kind: 'community', ukrainian: true },
  'c-sumy': { kind: 'community', ukrainian: true },
  'c-gdansk': { kind: 'community', ukrainian: false },
  'org-csss': { kind: 'organisation', parentCommunityId: 'c-sumy' },
  'org-irc': { kind: 'organisation', parentCommunityId: null },
  'org-gdansk-school': { kind: 'organisation', parentCommunityId: 'c-gdansk' },
};
const lookUp: PartyLookup = (partyId) => Promise.resolve(REGISTRY[partyId] ?? { kind: 'unknown' });

const proposal = (...parties: Array<[string, string]>) => ({
  partnershipId: 'p-1',
  parties: parties.map(([partyId, role]) => ({ partyId, role })),
});

describe('concernedCommunitiesOf', () => {
  it("takes a community's own id", async () => {
    expect(await concernedCommunitiesOf({ communityId: 'c-sumy', status: 'outpost' }, lookUp)).toEqual({
      primary: 'c-sumy',
      others: [],
    });
  });

  it("takes a shipment's destination, not its origin", async () => {
    expect(
      await concernedCommunitiesOf(
        { shipmentId: 's-1', originPartyId: 'c-lviv', destinationCommunityId: 'c-ochakiv' },
        lookUp,
      ),
    ).toEqual({ primary: 'c-ochakiv', others: [] });
  });

  it("takes an organisation's parent community, and none without one", async () => {
    expect(
      await concernedCommunitiesOf({ organisationId: 'org-csss', parentCommunityId: 'c-sumy' }, lookUp),
    ).toEqual({ primary: 'c-sumy', others: [] });
    expect(await concernedCommunitiesOf({ organisationId: 'org-irc', name: 'IRC' }, lookUp)).toEqual({
      primary: null,
      others: [],
    });
  });

  it('gives a partnership of two hromadas to both, the outpost first', async () => {
    expect(
      await concernedCommunitiesOf(proposal(['c-lviv', 'partner'], ['c-ochakiv', 'outpost']), lookUp),
    ).toEqual({ primary: 'c-ochakiv', others: ['c-lviv'] });
  });

  it('takes the first Ukrainian party when there is no outpost, leaving foreign municipalities out', async () => {
    expect(
      await concernedCommunitiesOf(
        proposal(['c-gdansk', 'partner'], ['c-lviv', 'partner'], ['c-sumy', 'recipient']),
        lookUp,
      ),
    ).toEqual({ primary: 'c-lviv', others: ['c-sumy'] });
  });

  it("counts an organisation party as its parent community, once, and a foreign parent's not at all", async () => {
    expect(
      await concernedCommunitiesOf(
        proposal(
          ['org-csss', 'recipient'],
          ['c-sumy', 'partner'],
          ['org-irc', 'donor'],
          ['org-gdansk-school', 'partner'],
        ),
        lookUp,
      ),
    ).toEqual({ primary: 'c-sumy', others: [] });
  });

  it('concerns no community when no party is Ukrainian', async () => {
    expect(
      await concernedCommunitiesOf(proposal(['c-gdansk', 'partner'], ['org-irc', 'donor']), lookUp),
    ).toEqual({ primary: null, others: [] });
  });

  it('takes a party the registry does not know yet as a community', async () => {
    expect(
      await concernedCommunitiesOf(proposal(['c-new', 'outpost'], ['c-lviv', 'partner']), lookUp),
    ).toEqual({ primary: 'c-new', others: ['c-lviv'] });
  });

  it('skips malformed parties and empty ids', async () => {
    expect(
      await concernedCommunitiesOf(
        { communityId: '', parties: [null, 'x', { role: 'outpost' }, { partyId: 'c-lviv' }] },
        lookUp,
      ),
    ).toEqual({ primary: 'c-lviv', others: [] });
  });

  it('is null when the data names nothing, so the stream first event decides', async () => {
    expect(
      await concernedCommunitiesOf({ sentAt: '2024-05-01T08:00:00Z', totalWeightKg: 1200 }, lookUp),
    ).toBe(null);
    expect(await concernedCommunitiesOf({ communityId: 42 }, lookUp)).toBeNull();
  });
});
