import { FileFormatError } from './file-format-error';
import { parseHostilitiesList, splitCsvLine } from './hostilities-parser';

const HEADER = 'category,code,name,start,end';
const file = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n';

function formatErrorOf(parse: () => unknown): FileFormatError {
  try {
    parse();
  } catch (error) {
    if (error instanceof FileFormatError) return error;
    throw error;
  }
  throw new Error('expected a FileFormatError');
}

describe('splitCsvLine', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['a,"b, c",d', ['a', 'b, c', 'd']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    ['a,b,', ['a', 'b', '']],
    ['"",', ['', '']],
    ['', ['']],
  ])('splits %j', (line, fields) => {
    expect(splitCsvLine(line)).toEqual(fields);
  });

  it.each([
    ['a,"b', /not closed/],
    ['a,"b"c,d', /followed by something other than a comma/],
    ['a,b"c,d', /quote inside an unquoted field/],
  ])('says why %j is broken', (line, reason) => {
    expect(splitCsvLine(line)).toEqual({ error: expect.stringMatching(reason) });
  });
});

describe('parseHostilitiesList', () => {
  it('reads closed, open and one-day periods, and names with commas in quotes', () => {
    const rows = parseHostilitiesList(
      file(
        'possible-hostilities,UA63120070000018741,Дергачівська міська територіальна громада,2022-09-13,',
        'active-hostilities,UA63120070000018741,"Дергачівська громада за винятком с-ще Прудянка, с-ще Слатине",2022-02-24,2022-09-13',
        'possible-hostilities,UA32060010010055198,с-ще Баришівка,2022-03-11,2022-03-11',
      ),
    );
    expect(rows).toEqual([
      {
        line: 2,
        category: 'possible-hostilities',
        code: 'UA63120070000018741',
        name: 'Дергачівська міська територіальна громада',
        start: '2022-09-13',
      },
      {
        line: 3,
        category: 'active-hostilities',
        code: 'UA63120070000018741',
        name: 'Дергачівська громада за винятком с-ще Прудянка, с-ще Слатине',
        start: '2022-02-24',
        end: '2022-09-13',
      },
      {
        line: 4,
        category: 'possible-hostilities',
        code: 'UA32060010010055198',
        name: 'с-ще Баришівка',
        start: '2022-03-11',
        end: '2022-03-11',
      },
    ]);
  });

  const good = 'occupied,UA63120070040082749,с-ще Слатине,2022-02-24,2022-04-22';

  it.each([
    ['another header', 'category;code;name;start;end\n' + good, 1, /expected the header/],
    ['an unknown category', file(good, good.replace('occupied', 'shelled')), 3, /unknown category "shelled"/],
    [
      'a bad code',
      file(good.replace('UA63120070040082749', 'UA631200700400827')),
      2,
      /"UA631200700400827" is not a KATOTTG code/,
    ],
    [
      'a bad start date',
      file(good.replace('2022-02-24', '24.02.2022')),
      2,
      /start "24.02.2022" is not a date/,
    ],
    [
      'a day that does not exist',
      file(good.replace('2022-04-22', '2022-04-31')),
      2,
      /end "2022-04-31" is not a date/,
    ],
    [
      'an end before the start',
      file(good.replace('2022-04-22', '2022-02-23')),
      2,
      /end 2022-02-23 is before start 2022-02-24/,
    ],
    [
      'a missing field',
      file('occupied,UA63120070040082749,2022-02-24,2022-04-22'),
      2,
      /expected 5 fields.*found 4/,
    ],
    [
      'an unquoted comma in the name',
      file('occupied,UA63120070040082749,Слатине, Прудянка,2022-02-24,'),
      2,
      /found 6/,
    ],
    ['broken quoting', file('occupied,UA63120070040082749,"Слатине,2022-02-24,'), 2, /not closed/],
    ['an empty name', file('occupied,UA63120070040082749, ,2022-02-24,'), 2, /empty name/],
    ['a blank line', file(good, '', good), 3, /empty line/],
  ])('rejects %s with the line number and the reason', (_case, text, line, reason) => {
    const error = formatErrorOf(() => parseHostilitiesList(text));
    expect(error.line).toBe(line);
    expect(error.reason).toMatch(reason);
  });
});
