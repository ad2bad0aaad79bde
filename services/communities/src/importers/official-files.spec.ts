import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type CommunityEvent, ConflictError } from '@aid/contracts';
import { communityDecider, type CommunityState } from '../community/community.decider';
import { statusOnDate } from '../community/status-on-date';
import { type CommunityHostilitiesPeriod, expandHostilitiesList } from './hostilities-expansion';
import { type HostilitiesListRow, parseHostilitiesList } from './hostilities-parser';
import { recordHostilitiesPeriodCommand, registerCommunityCommand } from './importer-commands';
import { type KatottgCodifier, parseKatottg } from './katottg-parser';

// The official files stay in the shared data folder beside the repository, never copied into it.
const repoRoot = resolve(__dirname, '../../../..');
const readOfficialFile = (name: string) => readFileSync(resolve(repoRoot, '../shared/data', name), 'utf8');

const CRIMEA = 'UA01000000000013043';
const DERHACHI = 'UA63120070000018741';
const SLATYNE = 'UA63120070040082749';
const PRUDIANKA = 'UA63120070030026955';

let codifier: KatottgCodifier;
let list: HostilitiesListRow[];
let periods: CommunityHostilitiesPeriod[];
let outsideCodifier: HostilitiesListRow[];
let outsideCommunities: HostilitiesListRow[];

beforeAll(() => {
  codifier = parseKatottg(readOfficialFile('katottg-2025-05-16.csv'));
  list = parseHostilitiesList(readOfficialFile('hostilities-2025-05-07.csv'));
  ({ periods, outsideCodifier, outsideCommunities } = expandHostilitiesList(codifier, list));
});

const countBy = <T>(items: readonly T[], key: (item: T) => string) =>
  items.reduce<Record<string, number>>(
    (counts, item) => ({ ...counts, [key(item)]: (counts[key(item)] ?? 0) + 1 }),
    {},
  );

describe('the KATOTTG codifier of 2025-05-16', () => {
  it('holds 31,748 units in the categories the README counts', () => {
    expect(codifier.units).toHaveLength(31_748);
    expect(countBy(codifier.units, (unit) => unit.category)).toEqual({
      O: 25,
      K: 2,
      P: 136,
      H: 1_772,
      M: 461,
      X: 2_007,
      C: 27_237,
      B: 108,
    });
  });

  it('lists 1,772 hromadas, 1,469 of them outside Crimea', () => {
    expect(codifier.hromadas).toHaveLength(1_772);
    expect(codifier.hromadas.filter((h) => h.oblastCode !== CRIMEA)).toHaveLength(1_469);
    expect(codifier.hromadas.filter((h) => h.isoOblast !== 'UA-43')).toHaveLength(1_469);
  });

  it('places every settlement in exactly one hromada, but Pripyat and Chornobyl in none', () => {
    const settlements = codifier.hromadas.flatMap((h) => h.settlements.map((s) => s.katottg));
    expect(settlements).toHaveLength(461 + 2_007 + 27_237 - 2);
    expect(new Set(settlements).size).toBe(settlements.length);
    const outsideHromadas = codifier.units.filter(
      (u) => ['M', 'X', 'C'].includes(u.category) && !u.hromadaCode,
    );
    expect(outsideHromadas.map((u) => [u.name, u.oblastCode])).toEqual([
      ['Прип’ять', 'UA32000000000030281'],
      ['Чорнобиль', 'UA32000000000030281'],
    ]);
  });

  it('finds Derhachi in Kharkiv oblast with Slatyne and Prudianka among its settlements', () => {
    const derhachi = codifier.hromadas.find((h) => h.code === DERHACHI);
    expect(derhachi).toMatchObject({
      name: 'Дергачівська',
      oblastCode: 'UA63000000000041885',
      isoOblast: 'UA-63',
      raionCode: 'UA63120000000091135',
    });
    expect(derhachi?.settlements).toHaveLength(38);
    expect(derhachi?.settlements).toEqual(
      expect.arrayContaining([
        { katottg: SLATYNE, name: 'Слатине', category: 'selyshche' },
        { katottg: PRUDIANKA, name: 'Прудянка', category: 'selyshche' },
        { katottg: 'UA63120070010085847', name: 'Дергачі', category: 'city' },
      ]),
    );
  });

  it.each([
    ['Brovary', 'UA32060050000030591', 'Броварська', 'UA-32'],
    ['Zhytomyr', 'UA18040190000029215', 'Житомирська', 'UA-18'],
    ['Ochakiv', 'UA48060250000061313', 'Очаківська', 'UA-48'],
    ['Boratyn', 'UA07080030000051738', 'Боратинська', 'UA-07'],
    ['Nekhvoroshcha', 'UA53080290000024637', 'Нехворощанська', 'UA-53'],
    ['Bilozirska', 'UA71080050000028174', 'Білозірська', 'UA-71'],
    ['Chyhyryn', 'UA71080510000028067', 'Чигиринська', 'UA-71'],
    ['Shevchenkivska', 'UA71020310000027379', 'Шевченківська', 'UA-71'],
  ])('finds %s of the stories with its oblast', (_story, code, name, isoOblast) => {
    expect(codifier.hromadas.find((h) => h.code === code)).toMatchObject({ name, isoOblast });
  });

  it('gives Luhansk and Chernivtsi hromadas their ISO codes, not their KATOTTG digits', () => {
    const isoOf = (prefix: string) =>
      new Set(codifier.hromadas.filter((h) => h.code.startsWith(prefix)).map((h) => h.isoOblast));
    expect(isoOf('UA44')).toEqual(new Set(['UA-09']));
    expect(isoOf('UA73')).toEqual(new Set(['UA-77']));
    expect(isoOf('UA01')).toEqual(new Set(['UA-43']));
    expect(new Set(codifier.hromadas.map((h) => h.isoOblast)).size).toBe(25);
  });

  it('lists Kyiv and Sevastopol as cities with special status, their districts in no hromada', () => {
    expect(codifier.citiesWithSpecialStatus.map((c) => [c.name, c.isoOblast])).toEqual([
      ['Київ', 'UA-30'],
      ['Севастополь', 'UA-40'],
    ]);
    const districts = codifier.units.filter((u) => u.category === 'B' && u.hromadaCode === undefined);
    expect(countBy(districts, (d) => d.oblastCode)).toEqual({
      UA80000000000093317: 10,
      UA85000000000065278: 4,
    });
  });

  it('trims names; many repeat, so communities are keyed by code', () => {
    expect(codifier.units.filter((unit) => unit.name !== unit.name.trim())).toEqual([]);
    const hromadasByName = countBy(codifier.hromadas, (h) => h.name);
    expect(Object.values(hromadasByName).filter((count) => count > 1)).toHaveLength(133);
  });
});

describe("the Ministry's list of 2025-05-07", () => {
  it('holds 3,193 periods', () => {
    expect(list).toHaveLength(3_193);
    expect(countBy(list, (row) => row.category)).toEqual({
      occupied: 1_526,
      'active-hostilities': 964,
      'possible-hostilities': 480,
      'active-hostilities-state-services': 223,
    });
  });

  it('has one-day periods, written with the end equal to the start', () => {
    expect(list.filter((row) => row.end === row.start)).toHaveLength(37);
  });

  it("keeps the order's wording, exceptions included", () => {
    const derhachiActive = list.find((row) => row.code === DERHACHI && row.category === 'active-hostilities');
    expect(derhachiActive).toMatchObject({ start: '2022-02-24', end: '2022-09-13' });
    expect(derhachiActive?.name).toMatch(
      /^Дергачівська міська територіальна громада за винятком с-ще Козача Лопань, .*с\. Шопине$/,
    );
  });
});

describe('the list expanded to communities', () => {
  it('finds every code of the list in the codifier', () => {
    expect(outsideCodifier).toEqual([]);
  });

  it('sets aside Pripyat and Chornobyl, which lie in no community', () => {
    expect(outsideCommunities.map((row) => [row.line, row.name])).toEqual([
      [2466, 'м. Прип’ять'],
      [2467, 'м. Чорнобиль'],
    ]);
  });

  it('yields 3,584 periods of 747 communities: 860 whole, 2,724 partial', () => {
    expect(periods).toHaveLength(3_584);
    expect(new Set(periods.map((p) => p.communityKatottg)).size).toBe(747);
    expect(periods.filter((p) => p.partial)).toHaveLength(2_724);
  });

  it('applies the Crimea row to its 303 hromadas, and the Sevastopol row to Sevastopol', () => {
    expect(periods.filter((p) => p.areaKatottg === CRIMEA)).toHaveLength(303);
    expect(periods.filter((p) => p.areaKatottg === 'UA85000000000065278')).toMatchObject([
      { communityKatottg: 'UA85000000000065278', category: 'occupied', start: '2014-02-20', partial: false },
    ]);
  });

  describe('Derhachi', () => {
    const history = () => ({
      frontlineChanges: [],
      hostilitiesPeriods: periods.filter((p) => p.communityKatottg === DERHACHI),
    });

    it('was under active hostilities on 2022-05-01, with some settlements occupied', () => {
      const status = statusOnDate(history(), '2022-05-01');
      expect(status.wholeCommunity).toEqual(['active-hostilities']);
      expect(status.partial.map((p) => p.category)).toEqual(['occupied', 'active-hostilities']);
      const [occupied, active] = status.partial;
      expect(occupied.areaKatottg).toHaveLength(20);
      expect(occupied.areaKatottg).toContain('UA63120070020018703'); // Kozacha Lopan
      expect(occupied.areaKatottg).not.toContain(SLATYNE); // liberated on 2022-04-22
      expect(active.areaKatottg).toEqual(
        [PRUDIANKA, SLATYNE, 'UA63120070060028317', 'UA63120070260085901'].sort(),
      );
    });

    it('was a territory of possible hostilities on 2025-03-25, the day of the Brovary visit', () => {
      const status = statusOnDate(history(), '2025-03-25');
      expect(status.wholeCommunity).toEqual(['possible-hostilities']);
      expect(status.partial).toEqual([]);
    });
  });
});

describe('both files imported through the community decider', () => {
  const SOURCE = 'Order No. 376 of 2025-02-28, as amended to 2025-05-07';

  /** Runs the importer's commands against in-memory streams keyed by community id. */
  function importAll(streams: Map<string, CommunityState>): number {
    let appended = 0;
    const commands = [
      ...[...codifier.hromadas, ...codifier.citiesWithSpecialStatus].map(registerCommunityCommand),
      ...periods.map((period) => recordHostilitiesPeriodCommand(period, SOURCE)),
    ];
    for (const command of commands) {
      const { communityId } = command.data;
      const state = streams.get(communityId) ?? communityDecider.initialState;
      let events: CommunityEvent[];
      try {
        events = communityDecider.decide(command, state);
      } catch (error) {
        // A second run meets every community registered already; the importer skips those.
        if (command.type === 'RegisterCommunity' && error instanceof ConflictError) continue;
        throw error;
      }
      streams.set(communityId, events.reduce(communityDecider.evolve, state));
      appended += events.length;
    }
    return appended;
  }

  it('registers 1,774 communities and records every period once; a second run appends nothing', () => {
    const streams = new Map<string, CommunityState>();
    expect(importAll(streams)).toBe(1_774 + 3_584);
    expect(streams.size).toBe(1_774);
    expect(importAll(streams)).toBe(0);
  });
});
