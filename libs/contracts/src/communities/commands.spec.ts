import { ValidationError } from '../errors';
import { validateInput } from '../validation';
import {
  ChangeFrontlineStatus,
  RecordHostilitiesPeriod,
  RegisterCommunity,
  RegisterOrganisation,
  SettlementInput,
} from './commands';

function failingFields(dto: new () => object, payload: unknown): string[] {
  try {
    validateInput(dto, payload);
  } catch (error) {
    if (error instanceof ValidationError) return [...new Set(error.fields.map((f) => f.field))];
    throw error;
  }
  throw new Error('expected a ValidationError');
}

const communityId = '676014b2-ff99-54ef-889c-ba8228744fec';

describe('RegisterCommunity', () => {
  const derhachi = {
    name: { uk: 'Дергачівська', en: 'Derhachi' },
    kind: 'hromada',
    countryCode: 'UA',
    oblast: 'UA-63',
    katottg: 'UA63120070000018741',
    settlements: [{ katottg: 'UA63120070040082749', name: 'Слатине', category: 'selyshche' }],
  };

  it('accepts a hromada with its settlements', () => {
    const command = validateInput(RegisterCommunity, derhachi);
    expect(command.settlements?.[0]).toBeInstanceOf(SettlementInput);
    expect(command.name.uk).toBe('Дергачівська');
  });

  it('accepts a foreign municipality with a name only in Ukrainian', () => {
    const rawicz = { name: { uk: 'Равич' }, kind: 'foreign-municipality', countryCode: 'PL' };
    expect(validateInput(RegisterCommunity, rawicz).countryCode).toBe('PL');
  });

  it('names each malformed field', () => {
    const fields = failingFields(RegisterCommunity, {
      ...derhachi,
      name: { uk: '   ' },
      kind: 'city',
      countryCode: 'ua',
      oblast: 'UA-44',
      katottg: 'UA6312007',
      settlements: [{ katottg: 'UA63120070040082749', name: 'Слатине', category: 'hamlet' }],
    });
    expect(fields.sort()).toEqual(
      ['countryCode', 'katottg', 'kind', 'name.uk', 'oblast', 'settlements.0.category'].sort(),
    );
  });

  it('bounds lengths and refuses unknown fields, nested ones too', () => {
    expect(failingFields(RegisterCommunity, { ...derhachi, name: { uk: 'я'.repeat(201) } })).toEqual([
      'name.uk',
    ]);
    expect(failingFields(RegisterCommunity, { ...derhachi, communityId })).toEqual(['communityId']);
    expect(
      failingFields(RegisterCommunity, { ...derhachi, name: { uk: 'Дергачі', de: 'Derhatschi' } }),
    ).toEqual(['name.de']);
  });

  it('refuses an absurd number of settlements', () => {
    const settlement = derhachi.settlements[0];
    const settlements = Array.from({ length: 1001 }, () => settlement);
    expect(failingFields(RegisterCommunity, { ...derhachi, settlements })).toEqual(['settlements']);
  });
});

describe('ChangeFrontlineStatus', () => {
  const change = { communityId, status: 'outpost', effectiveFrom: '2025-03-25', basis: 'Side by Side' };

  it('accepts a status change', () => {
    expect(validateInput(ChangeFrontlineStatus, change).status).toBe('outpost');
  });

  it('refuses an unknown status, a date that is no calendar day, and a non-uuid id', () => {
    const fields = failingFields(ChangeFrontlineStatus, {
      communityId: 'derhachi',
      status: 'front',
      effectiveFrom: '2025-02-30',
    });
    expect(fields.sort()).toEqual(['communityId', 'effectiveFrom', 'status']);
  });
});

describe('RecordHostilitiesPeriod', () => {
  const period = {
    communityId,
    category: 'occupied',
    start: '2022-02-24',
    end: '2022-04-22',
    source: 'Order 376, edition of 2025-05-07',
    partial: true,
    areaKatottg: 'UA63120070040082749',
    areaName: 'с-ще Слатине Дергачівської міської територіальної громади',
  };

  it('accepts a settlement-level period', () => {
    expect(validateInput(RecordHostilitiesPeriod, period).partial).toBe(true);
  });

  it('accepts an open period', () => {
    const { end: _end, ...open } = period;
    expect(validateInput(RecordHostilitiesPeriod, open).end).toBeUndefined();
  });

  it('refuses an unknown category, a datetime for a date, a string for partial', () => {
    const fields = failingFields(RecordHostilitiesPeriod, {
      ...period,
      category: 'shelling',
      end: '2022-04-22T00:00:00Z',
      partial: 'yes',
    });
    expect(fields.sort()).toEqual(['category', 'end', 'partial']);
  });
});

describe('RegisterOrganisation', () => {
  it('accepts an INGO with an IATI identifier', () => {
    const irc = {
      name: 'International Rescue Committee',
      kind: 'ingo',
      countryCode: 'US',
      iatiRef: 'US-EIN-135660870',
    };
    expect(validateInput(RegisterOrganisation, irc).iatiRef).toBe('US-EIN-135660870');
  });

  it('accepts an institution with its parent community', () => {
    const centre = {
      name: 'Очаківський центр соціальних служб',
      kind: 'institution',
      parentCommunityId: communityId,
    };
    expect(validateInput(RegisterOrganisation, centre).parentCommunityId).toBe(communityId);
  });

  it('refuses a malformed IATI reference, kind and parent id', () => {
    const fields = failingFields(RegisterOrganisation, {
      name: 'IRC',
      kind: 'charity',
      iatiRef: 'US EIN 135660870',
      parentCommunityId: 'ochakiv',
    });
    expect(fields.sort()).toEqual(['iatiRef', 'kind', 'parentCommunityId']);
  });
});
