import { type Settlement, type SettlementCategory, isKatottgCode, isoOblastOf } from '@aid/contracts';
import { FileFormatError, numberedLines } from './file-format-error';

/**
 * Categories of the codifier: O oblast (or Crimea), K city with special status (Kyiv,
 * Sevastopol), P raion, H hromada, M city, X selyshche, C village, B city district.
 */
export const KATOTTG_CATEGORIES = ['O', 'K', 'P', 'H', 'M', 'X', 'C', 'B'] as const;
export type KatottgCategory = (typeof KATOTTG_CATEGORIES)[number];

/** One row of the codifier. */
export interface KatottgUnit {
  line: number;
  /** The row's own code: its deepest non-empty level. */
  code: string;
  category: KatottgCategory;
  name: string;
  /** Level 1: the oblast, Crimea, or a city with special status (the row's own code for O and K). */
  oblastCode: string;
  /**
   * Absent where the unit lies in no raion or hromada: the districts of Kyiv and Sevastopol, and
   * Pripyat and Chornobyl, listed directly under Kyiv oblast.
   */
  raionCode?: string;
  hromadaCode?: string;
}

/**
 * A territorial community as the codifier lists it: a hromada (H), or Kyiv or Sevastopol (K).
 * The two cities with special status are territorial communities of their own, outside any oblast
 * or raion, with city districts but no settlements under them; the registry registers them as
 * hromadas too, so that a partnership or a hostilities period can name them.
 */
export interface CodifierCommunity {
  line: number;
  code: string;
  category: 'H' | 'K';
  /** Trimmed: the codifier pads some names with spaces. */
  name: string;
  /** KATOTTG level-1 code: the oblast (or Crimea), or the city itself for Kyiv and Sevastopol. */
  oblastCode: string;
  /** ISO 3166-2:UA. */
  isoOblast: string;
  raionCode?: string;
  /**
   * Cities, selyshches and villages (M, X, C). City districts (B) are not settlements but parts of
   * a city already listed, so they are left out here; the hostilities expansion still places them.
   */
  settlements: Settlement[];
}

export interface KatottgCodifier {
  /** Every row, in file order. */
  units: KatottgUnit[];
  /** The hromadas (H): 1,772 in the 2025-05-16 edition. */
  hromadas: CodifierCommunity[];
  /** Kyiv and Sevastopol (K). */
  citiesWithSpecialStatus: CodifierCommunity[];
}

const COLUMNS = 7;
const LEVEL_NAMES = ['level 1', 'level 2', 'level 3', 'level 4', 'additional level'];

/** How many levels, from level 1 down, a row of each category fills. */
const DEPTH: Record<KatottgCategory, number> = { O: 1, K: 1, P: 2, H: 3, M: 4, X: 4, C: 4, B: 5 };

/** What the unit at each level above a row must be. */
const PARENT_CATEGORIES: KatottgCategory[][] = [['O', 'K'], ['P'], ['H'], ['M', 'X', 'C']];

const SETTLEMENT_CATEGORY: Partial<Record<KatottgCategory, SettlementCategory>> = {
  M: 'city',
  X: 'selyshche',
  C: 'village',
};

function isKatottgCategory(value: string): value is KatottgCategory {
  return (KATOTTG_CATEGORIES as readonly string[]).includes(value);
}

interface ParsedRow {
  unit: KatottgUnit;
  /** The units above the row's own, each with the index of its level. */
  ancestors: { level: number; code: string }[];
}

function parseRow(line: number, text: string): ParsedRow {
  if (text.trim() === '') throw new FileFormatError(line, 'empty line');
  const cells = text.split(';');
  if (cells.length !== COLUMNS) {
    throw new FileFormatError(line, `expected ${COLUMNS} columns separated by ';', found ${cells.length}`);
  }
  const levels = cells.slice(0, 5);
  levels.forEach((cell, index) => {
    if (cell !== '' && !isKatottgCode(cell)) {
      throw new FileFormatError(line, `${LEVEL_NAMES[index]}: ${JSON.stringify(cell)} is not a KATOTTG code`);
    }
  });
  const category = cells[5].trim();
  if (!isKatottgCategory(category))
    throw new FileFormatError(line, `unknown category ${JSON.stringify(category)}`);
  const filled = levels.filter((cell) => cell !== '').length;
  if (levels.slice(0, filled).includes('')) {
    throw new FileFormatError(line, 'the levels must be filled from level 1 down, without gaps');
  }
  if (filled !== DEPTH[category]) {
    throw new FileFormatError(
      line,
      `a row of category ${category} fills levels 1 to ${DEPTH[category]}, this one 1 to ${filled}`,
    );
  }
  const name = cells[6].trim();
  if (name === '') throw new FileFormatError(line, 'empty name');

  // A level that repeats the code above it has no unit of its own: the districts of Kyiv and
  // Sevastopol repeat the city's code down to level 4, and Pripyat and Chornobyl, in no raion or
  // hromada, repeat the code of Kyiv oblast.
  const chain = levels
    .slice(0, filled)
    .map((code, level) => ({ level, code }))
    .filter(({ level, code }) => level === 0 || code !== levels[level - 1]);
  const own = chain[chain.length - 1];
  if (own.level !== filled - 1)
    throw new FileFormatError(line, `its own code ${own.code} repeats the level above`);
  const codeAt = (level: number) => chain.find((entry) => entry.level === level)?.code;
  const raionCode = codeAt(1);
  const hromadaCode = codeAt(2);
  return {
    unit: {
      line,
      code: own.code,
      category,
      name,
      oblastCode: levels[0],
      ...(raionCode !== undefined && { raionCode }),
      ...(hromadaCode !== undefined && { hromadaCode }),
    },
    ancestors: chain.slice(0, -1),
  };
}

function checkHeader(line: { line: number; text: string } | undefined): void {
  if (line === undefined) throw new FileFormatError(1, 'the file is empty');
  const cells = line.text.split(';');
  if (cells.length !== COLUMNS || isKatottgCode(cells[0])) {
    throw new FileFormatError(1, `expected a header row of ${COLUMNS} columns separated by ';'`);
  }
}

/**
 * Parses the KATOTTG codifier file (UTF-8, `;`-separated, a header row, columns: levels 1-4,
 * additional level, category, name). Throws a FileFormatError naming the line and the reason at
 * the first malformed row: wrong column count, bad code, unknown category, levels that do not fit
 * the category, a duplicate code, a unit whose parent is missing or of the wrong kind, or a
 * community whose code starts with no known oblast.
 */
export function parseKatottg(text: string): KatottgCodifier {
  const [header, ...body] = numberedLines(text);
  checkHeader(header);

  const rows: ParsedRow[] = [];
  const byCode = new Map<string, KatottgUnit>();
  for (const { line, text: rowText } of body) {
    const row = parseRow(line, rowText);
    const earlier = byCode.get(row.unit.code);
    if (earlier) throw new FileFormatError(line, `${row.unit.code} is already on line ${earlier.line}`);
    byCode.set(row.unit.code, row.unit);
    rows.push(row);
  }

  // Parents are checked once every row is known, so the check does not depend on row order.
  for (const { unit, ancestors } of rows) {
    for (const { level, code } of ancestors) {
      const ancestor = byCode.get(code);
      if (ancestor === undefined) {
        throw new FileFormatError(unit.line, `its ${LEVEL_NAMES[level]} unit ${code} is not in the file`);
      }
      const expected = PARENT_CATEGORIES[level];
      if (!expected.includes(ancestor.category)) {
        throw new FileFormatError(
          unit.line,
          `its ${LEVEL_NAMES[level]} unit ${code} is of category ${ancestor.category}, not ${expected.join(' or ')}`,
        );
      }
    }
  }

  const communities = new Map<string, CodifierCommunity>();
  for (const { unit } of rows) {
    if (unit.category !== 'H' && unit.category !== 'K') continue;
    const isoOblast = isoOblastOf(unit.code);
    if (isoOblast === undefined) {
      throw new FileFormatError(
        unit.line,
        `${unit.code} starts with no known oblast (${unit.code.slice(2, 4)})`,
      );
    }
    communities.set(unit.code, {
      line: unit.line,
      code: unit.code,
      category: unit.category,
      name: unit.name,
      oblastCode: unit.oblastCode,
      isoOblast,
      ...(unit.raionCode !== undefined && { raionCode: unit.raionCode }),
      settlements: [],
    });
  }
  for (const { unit } of rows) {
    const category = SETTLEMENT_CATEGORY[unit.category];
    if (category === undefined || unit.hromadaCode === undefined) continue;
    communities.get(unit.hromadaCode)?.settlements.push({ katottg: unit.code, name: unit.name, category });
  }

  const all = [...communities.values()];
  return {
    units: rows.map((row) => row.unit),
    hromadas: all.filter((community) => community.category === 'H'),
    citiesWithSpecialStatus: all.filter((community) => community.category === 'K'),
  };
}
