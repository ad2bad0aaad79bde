import { FileFormatError } from './file-format-error';
import { parseKatottg } from './katottg-parser';

const HEADER =
  'Перший рівень;Другий рівень;Третій рівень;Четвертий рівень;Додатковий рівень;Категорія об’єкта;Назва об’єкта';
const OBLAST = 'UA63000000000041885;;;;;O;Харківська';
const RAION = 'UA63000000000041885;UA63120000000091135;;;;P;Харківський';
const HROMADA = 'UA63000000000041885;UA63120000000091135;UA63120070000018741;;;H;Дергачівська ';
const CITY = 'UA63000000000041885;UA63120000000091135;UA63120070000018741;UA63120070010085847;;M;Дергачі';
const SELYSHCHE =
  'UA63000000000041885;UA63120000000091135;UA63120070000018741;UA63120070040082749;;X;Слатине';
const VILLAGE = 'UA63000000000041885;UA63120000000091135;UA63120070000018741;UA63120070050011476;;C;Алісівка';
const DISTRICT =
  'UA63000000000041885;UA63120000000091135;UA63120070000018741;UA63120070010085847;UA63120070010012345;B;Центральний';
const KYIV = 'UA80000000000093317;;;;;K;Київ';
const KYIV_DISTRICT =
  'UA80000000000093317;UA80000000000093317;UA80000000000093317;UA80000000000093317;UA80000000000126643;B;Голосіївський';
const KYIV_OBLAST = 'UA32000000000030281;;;;;O;Київська';
const PRIPYAT = 'UA32000000000030281;UA32000000000030281;UA32000000000030281;UA32000000010085013;;M;Прип’ять';

const file = (...rows: string[]) => [HEADER, ...rows].join('\r\n') + '\r\n';
const valid = [
  OBLAST,
  RAION,
  HROMADA,
  CITY,
  SELYSHCHE,
  VILLAGE,
  DISTRICT,
  KYIV,
  KYIV_DISTRICT,
  KYIV_OBLAST,
  PRIPYAT,
];

function formatErrorOf(parse: () => unknown): FileFormatError {
  try {
    parse();
  } catch (error) {
    if (error instanceof FileFormatError) return error;
    throw error;
  }
  throw new Error('expected a FileFormatError');
}

describe('parseKatottg', () => {
  it('returns hromadas with trimmed names, their oblast, raion and settlements', () => {
    const codifier = parseKatottg('\uFEFF' + file(...valid));
    expect(codifier.hromadas).toEqual([
      {
        line: 4,
        code: 'UA63120070000018741',
        category: 'H',
        name: 'Дергачівська',
        oblastCode: 'UA63000000000041885',
        isoOblast: 'UA-63',
        raionCode: 'UA63120000000091135',
        settlements: [
          { katottg: 'UA63120070010085847', name: 'Дергачі', category: 'city' },
          { katottg: 'UA63120070040082749', name: 'Слатине', category: 'selyshche' },
          { katottg: 'UA63120070050011476', name: 'Алісівка', category: 'village' },
        ],
      },
    ]);
  });

  it('lists Kyiv and Sevastopol apart, as communities outside any oblast or raion', () => {
    const { citiesWithSpecialStatus } = parseKatottg(file(...valid));
    expect(citiesWithSpecialStatus).toEqual([
      {
        line: 9,
        code: 'UA80000000000093317',
        category: 'K',
        name: 'Київ',
        oblastCode: 'UA80000000000093317',
        isoOblast: 'UA-30',
        settlements: [],
      },
    ]);
  });

  it('keeps every row as a unit placed in the hierarchy, city districts included', () => {
    const { units } = parseKatottg(file(...valid));
    expect(units).toHaveLength(valid.length);
    expect(units.find((unit) => unit.code === 'UA63120070010012345')).toEqual({
      line: 8,
      code: 'UA63120070010012345',
      category: 'B',
      name: 'Центральний',
      oblastCode: 'UA63000000000041885',
      raionCode: 'UA63120000000091135',
      hromadaCode: 'UA63120070000018741',
    });
  });

  it('places a unit whose levels repeat the code above in no raion or hromada', () => {
    const { units, hromadas } = parseKatottg(file(...valid));
    expect(units.find((unit) => unit.code === 'UA80000000000126643')).toEqual({
      line: 10,
      code: 'UA80000000000126643',
      category: 'B',
      name: 'Голосіївський',
      oblastCode: 'UA80000000000093317',
    });
    expect(units.find((unit) => unit.code === 'UA32000000010085013')).toEqual({
      line: 12,
      code: 'UA32000000010085013',
      category: 'M',
      name: 'Прип’ять',
      oblastCode: 'UA32000000000030281',
    });
    expect(hromadas.flatMap((h) => h.settlements).map((s) => s.name)).not.toContain('Прип’ять');
  });

  it('does not depend on parents coming before their children', () => {
    const codifier = parseKatottg(file(...[...valid].reverse()));
    expect(codifier.hromadas[0].settlements.map((s) => s.name)).toEqual(['Алісівка', 'Слатине', 'Дергачі']);
  });

  it.each([
    ['no header', [OBLAST].join('\n'), 1, /header/],
    [
      'a missing column',
      file(OBLAST, 'UA63000000000041885;;;;P;Харківський'),
      3,
      /expected 7 columns.*found 6/,
    ],
    [
      'a malformed code',
      file(OBLAST, RAION.replace('UA63120000000091135', 'UA6312000000009113')),
      3,
      /level 2: "UA6312000000009113" is not a KATOTTG code/,
    ],
    ['an unknown category', file(OBLAST, RAION.replace(';P;', ';R;')), 3, /unknown category "R"/],
    [
      'levels that do not fit the category',
      file(OBLAST, RAION.replace(';P;', ';H;')),
      3,
      /category H fills levels 1 to 3, this one 1 to 2/,
    ],
    ['an empty name', file(OBLAST, RAION.replace('Харківський', '  ')), 3, /empty name/],
    ['a blank line', file(OBLAST, '', RAION), 3, /empty line/],
    ['a code listed twice', file(OBLAST, RAION, RAION), 4, /UA63120000000091135 is already on line 3/],
    [
      'a settlement whose hromada is missing',
      file(OBLAST, RAION, CITY),
      4,
      /level 3 unit UA63120070000018741 is not in the file/,
    ],
    [
      'a settlement under a unit of the wrong kind',
      file(
        OBLAST,
        RAION,
        HROMADA,
        VILLAGE,
        'UA63000000000041885;UA63120000000091135;UA63120070050011476;UA63120070059999999;;C;Хутір',
      ),
      6,
      /level 3 unit UA63120070050011476 is of category C, not H/,
    ],
    [
      'a gap in the levels',
      file(OBLAST, RAION, 'UA63000000000041885;;UA63120070000018741;;;H;Дергачівська'),
      4,
      /without gaps/,
    ],
    [
      'an own code repeating the level above',
      file(OBLAST, 'UA63000000000041885;UA63000000000041885;;;;P;Харківський'),
      3,
      /its own code UA63000000000041885 repeats the level above/,
    ],
    [
      'a raion under a village',
      file(OBLAST, RAION, HROMADA, VILLAGE, 'UA63120070050011476;UA63120070059999999;;;;P;Район'),
      6,
      /level 1 unit UA63120070050011476 is of category C, not O or K/,
    ],
    [
      'a hromada in no known oblast',
      file(
        'UA99000000000041885;;;;;O;Ніяка',
        'UA99000000000041885;UA99120000000091135;;;;P;Ніякий',
        'UA99000000000041885;UA99120000000091135;UA99120070000018741;;;H;Ніяка',
      ),
      4,
      /starts with no known oblast \(99\)/,
    ],
  ])('rejects %s with the line number and the reason', (_case, text, line, reason) => {
    const error = formatErrorOf(() => parseKatottg(text));
    expect(error.line).toBe(line);
    expect(error.reason).toMatch(reason);
    expect(error.message).toBe(`line ${line}: ${error.reason}`);
  });

  it('rejects an empty file', () => {
    expect(formatErrorOf(() => parseKatottg('')).line).toBe(1);
  });
});
