import { communityNamedIn } from '../src';

describe('communityNamedIn', () => {
  it("takes a community's own id first", () => {
    expect(
      communityNamedIn({ communityId: 'c-1', destinationCommunityId: 'c-2', parentCommunityId: 'c-3' }),
    ).toBe('c-1');
  });

  it("takes a shipment's destination", () => {
    expect(communityNamedIn({ shipmentId: 's-1', originPartyId: 'o-1', destinationCommunityId: 'c-2' })).toBe(
      'c-2',
    );
  });

  it("takes an organisation's parent community", () => {
    expect(communityNamedIn({ organisationId: 'o-1', parentCommunityId: 'c-3' })).toBe('c-3');
  });

  it("prefers a partnership's outpost party", () => {
    expect(
      communityNamedIn({
        partnershipId: 'p-1',
        parties: [
          { partyId: 'c-rear', role: 'partner' },
          { partyId: 'c-outpost', role: 'outpost' },
        ],
      }),
    ).toBe('c-outpost');
  });

  it('otherwise takes the first party', () => {
    expect(
      communityNamedIn({
        parties: [
          { partyId: 'c-lviv', role: 'partner' },
          { partyId: 'org-irc', role: 'donor' },
        ],
      }),
    ).toBe('c-lviv');
  });

  it('skips malformed parties and empty ids', () => {
    expect(
      communityNamedIn({ communityId: '', parties: [null, 'x', { role: 'outpost' }, { partyId: 'c-9' }] }),
    ).toBe('c-9');
  });

  it('is null when the data names no community', () => {
    expect(communityNamedIn({ sentAt: '2024-05-01T08:00:00Z', totalWeightKg: 1200 })).toBeNull();
    expect(communityNamedIn({ organisationId: 'o-1', parties: [] })).toBeNull();
    expect(communityNamedIn({ communityId: 42 })).toBeNull();
  });
});
