import { validate as isUuid, version as uuidVersion } from 'uuid';
import {
  communityIdForKatottg,
  communityStream,
  newCommunityId,
  newOrganisationId,
  organisationStream,
} from './ids';

describe('community and organisation ids', () => {
  it('derives a hromada id from its KATOTTG code, the same every time', () => {
    const derhachi = communityIdForKatottg('UA63120070000018741');
    expect(uuidVersion(derhachi)).toBe(5);
    expect(communityIdForKatottg('UA63120070000018741')).toBe(derhachi);
    // Pinned (checked with Python's uuid.uuid5): a changed namespace or algorithm would silently re-key every hromada.
    expect(derhachi).toBe('676014b2-ff99-54ef-889c-ba8228744fec');
  });

  it('gives different codes different ids', () => {
    expect(communityIdForKatottg('UA63120070000018741')).not.toBe(
      communityIdForKatottg('UA32060050000030591'),
    );
  });

  it('refuses to derive an id from something that is not a KATOTTG code', () => {
    expect(() => communityIdForKatottg('UA6312007')).toThrow(/not a KATOTTG code/);
  });

  it('makes fresh UUIDv7 ids for foreign municipalities and organisations', () => {
    const ids = [newCommunityId(), newCommunityId(), newOrganisationId()];
    for (const id of ids) {
      expect(isUuid(id)).toBe(true);
      expect(uuidVersion(id)).toBe(7);
    }
    expect(new Set(ids).size).toBe(3);
  });

  it('names streams <aggregate>-<id>', () => {
    expect(communityStream('0196f1c2-0000-7000-8000-000000000001')).toBe(
      'community-0196f1c2-0000-7000-8000-000000000001',
    );
    expect(organisationStream('0196f1c2-0000-7000-8000-000000000002')).toBe(
      'organisation-0196f1c2-0000-7000-8000-000000000002',
    );
  });
});
