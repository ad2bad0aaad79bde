import { ISO_3166_2_UA_CODES, isKatottgCode, isoOblastOf } from './katottg';

describe('KATOTTG codes', () => {
  it.each(['UA63120070000018741', 'UA80000000000093317'])('accepts %s', (code) => {
    expect(isKatottgCode(code)).toBe(true);
  });

  it.each([
    ['too short', 'UA6312007000001874'],
    ['too long', 'UA631200700000187410'],
    ['lower-case prefix', 'ua63120070000018741'],
    ['letter among digits', 'UA6312007000001874X'],
    ['surrounding space', ' UA63120070000018741'],
    ['not a string', 6312007],
  ])('refuses a code %s', (_why, code) => {
    expect(isKatottgCode(code)).toBe(false);
  });
});

describe('isoOblastOf', () => {
  it('repeats the first two digits of the code for most oblasts', () => {
    expect(isoOblastOf('UA63120070000018741')).toBe('UA-63'); // Derhachi, Kharkiv oblast
    expect(isoOblastOf('UA32060050000030591')).toBe('UA-32'); // Brovary, Kyiv oblast
    expect(isoOblastOf('UA07080030000051738')).toBe('UA-07'); // Boratyn, Volyn oblast
  });

  it.each([
    ['Luhansk', 'UA44000000000018893', 'UA-09'],
    ['Chernivtsi', 'UA73000000000044923', 'UA-77'],
    ['Crimea', 'UA01000000000013043', 'UA-43'],
    ['Kyiv', 'UA80000000000093317', 'UA-30'],
    ['Sevastopol', 'UA85000000000065278', 'UA-40'],
  ])('maps %s, numbered differently by the codifier, to its ISO code', (_region, code, iso) => {
    expect(isoOblastOf(code)).toBe(iso);
  });

  it('knows no region for an unknown oblast prefix or a malformed code', () => {
    expect(isoOblastOf('UA99000000000000000')).toBeUndefined();
    expect(isoOblastOf('UA44')).toBeUndefined();
  });

  it('knows the 27 regions of ISO 3166-2:UA, each once', () => {
    expect(ISO_3166_2_UA_CODES).toHaveLength(27);
    expect(new Set(ISO_3166_2_UA_CODES).size).toBe(27);
    expect(ISO_3166_2_UA_CODES).not.toContain('UA-44');
  });
});
