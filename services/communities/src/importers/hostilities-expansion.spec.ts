import { expandHostilitiesList } from './hostilities-expansion';
import { type HostilitiesListRow } from './hostilities-parser';
import { parseKatottg } from './katottg-parser';

/*
 * A small codifier: Kharkiv oblast with two raions (Kharkivskyi: Derhachi and Vilkhivka;
 * Bohodukhivskyi: Bohodukhiv), Derhachi's city with a district, Kyiv with a district, and
 * Pripyat, which lies in Kyiv oblast but in no raion or hromada.
 */
const codifier = parseKatottg(
  [
    'header;;;;;;',
    'UA63000000000041885;;;;;O;Харківська',
    'UA63000000000041885;UA63120000000091135;;;;P;Харківський',
    'UA63000000000041885;UA63120000000091135;UA63120070000018741;;;H;Дергачівська',
    'UA63000000000041885;UA63120000000091135;UA63120070000018741;UA63120070010085847;;M;Дергачі',
    'UA63000000000041885;UA63120000000091135;UA63120070000018741;UA63120070010085847;UA63120070010012345;B;Центральний',
    'UA63000000000041885;UA63120000000091135;UA63120070000018741;UA63120070040082749;;X;Слатине',
    'UA63000000000041885;UA63120000000091135;UA63120030000072185;;;H;Вільхівська',
    'UA63000000000041885;UA63020000000025266;;;;P;Богодухівський',
    'UA63000000000041885;UA63020000000025266;UA63020030000036526;;;H;Богодухівська',
    'UA80000000000093317;;;;;K;Київ',
    'UA80000000000093317;UA80000000000093317;UA80000000000093317;UA80000000000093317;UA80000000000126643;B;Голосіївський',
    'UA32000000000030281;;;;;O;Київська',
    'UA32000000000030281;UA32000000000030281;UA32000000000030281;UA32000000010085013;;M;Прип’ять',
  ].join('\n'),
);

let nextLine = 2;
const row = (code: string, category: HostilitiesListRow['category'] = 'occupied'): HostilitiesListRow => ({
  line: nextLine++,
  category,
  code,
  name: `area ${code}`,
  start: '2022-02-24',
  end: '2022-09-13',
});

const DERHACHI = 'UA63120070000018741';
const VILKHIVKA = 'UA63120030000072185';
const BOHODUKHIV = 'UA63020030000036526';
const KYIV = 'UA80000000000093317';

describe('expandHostilitiesList', () => {
  it('records a hromada row against that hromada, whole', () => {
    const listed = row(DERHACHI, 'active-hostilities');
    expect(expandHostilitiesList(codifier, [listed])).toEqual({
      periods: [
        {
          communityKatottg: DERHACHI,
          category: 'active-hostilities',
          start: '2022-02-24',
          end: '2022-09-13',
          partial: false,
          areaKatottg: DERHACHI,
          areaName: listed.name,
          line: listed.line,
        },
      ],
      outsideCodifier: [],
      outsideCommunities: [],
    });
  });

  it('records a settlement or city district row against its hromada, as partial', () => {
    const { periods } = expandHostilitiesList(codifier, [
      row('UA63120070040082749'),
      row('UA63120070010012345'),
    ]);
    expect(periods.map((p) => [p.communityKatottg, p.partial, p.areaKatottg])).toEqual([
      [DERHACHI, true, 'UA63120070040082749'],
      [DERHACHI, true, 'UA63120070010012345'],
    ]);
  });

  it('applies a raion row to every hromada of that raion and no other', () => {
    const { periods } = expandHostilitiesList(codifier, [row('UA63120000000091135')]);
    expect(periods.map((p) => [p.communityKatottg, p.partial, p.areaKatottg])).toEqual([
      [DERHACHI, false, 'UA63120000000091135'],
      [VILKHIVKA, false, 'UA63120000000091135'],
    ]);
  });

  it('applies an oblast row to every hromada of the oblast', () => {
    const { periods } = expandHostilitiesList(codifier, [row('UA63000000000041885')]);
    expect(periods.map((p) => p.communityKatottg)).toEqual([DERHACHI, VILKHIVKA, BOHODUKHIV]);
    expect(periods.every((p) => !p.partial)).toBe(true);
  });

  it('records Kyiv rows against Kyiv: the city whole, a district as partial', () => {
    const { periods } = expandHostilitiesList(codifier, [row(KYIV), row('UA80000000000126643')]);
    expect(periods.map((p) => [p.communityKatottg, p.partial])).toEqual([
      [KYIV, false],
      [KYIV, true],
    ]);
  });

  it('sets aside rows whose code the codifier does not hold', () => {
    const unknown = row('UA63120070990000001');
    const expansion = expandHostilitiesList(codifier, [row(DERHACHI), unknown]);
    expect(expansion.outsideCodifier).toEqual([unknown]);
    expect(expansion.periods).toHaveLength(1);
  });

  it('sets aside rows naming a unit in no community', () => {
    const pripyat = row('UA32000000010085013');
    const kyivOblast = row('UA32000000000030281');
    const expansion = expandHostilitiesList(codifier, [pripyat, kyivOblast]);
    expect(expansion.outsideCommunities).toEqual([pripyat, kyivOblast]);
    expect(expansion.periods).toEqual([]);
  });

  it('keeps an open period open', () => {
    const { end: _end, ...open } = row(DERHACHI);
    const [period] = expandHostilitiesList(codifier, [open]).periods;
    expect(period).not.toHaveProperty('end');
  });
});
