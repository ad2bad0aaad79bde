import { HOSTILITIES_CATEGORIES, type HostilitiesCategory, isIsoDate, isKatottgCode } from '@aid/contracts';
import { FileFormatError, numberedLines } from './file-format-error';

/** One row of the Ministry's list of territories of hostilities and occupation. */
export interface HostilitiesListRow {
  line: number;
  category: HostilitiesCategory;
  /** A KATOTTG code at any level: oblast, raion, hromada, settlement or city district. */
  code: string;
  /** As the order words it; it may except named settlements ("... за винятком ..."). */
  name: string;
  start: string;
  /** Absent while the period is open; equal to `start` for a period of one day. */
  end?: string;
}

const HEADER = 'category,code,name,start,end';

/**
 * Splits one CSV line into fields (RFC 4180 quoting: a field in double quotes may hold commas,
 * and `""` inside it stands for one quote). Returns a reason instead when the quoting is broken.
 * Fields spanning lines are not supported: the list never has them.
 */
export function splitCsvLine(text: string): string[] | { error: string } {
  const fields: string[] = [];
  let position = 0;
  for (;;) {
    let field = '';
    if (text[position] === '"') {
      position += 1;
      for (;;) {
        const quote = text.indexOf('"', position);
        if (quote === -1) return { error: 'a quoted field is not closed' };
        field += text.slice(position, quote);
        if (text[quote + 1] === '"') {
          field += '"';
          position = quote + 2;
        } else {
          position = quote + 1;
          break;
        }
      }
      if (position < text.length && text[position] !== ',') {
        return { error: 'a quoted field is followed by something other than a comma' };
      }
    } else {
      const comma = text.indexOf(',', position);
      const end = comma === -1 ? text.length : comma;
      field = text.slice(position, end);
      if (field.includes('"')) return { error: 'a quote inside an unquoted field' };
      position = end;
    }
    fields.push(field);
    if (position >= text.length) return fields;
    position += 1; // past the comma
  }
}

function isHostilitiesCategory(value: string): value is HostilitiesCategory {
  return (HOSTILITIES_CATEGORIES as readonly string[]).includes(value);
}

function parseRow(line: number, text: string): HostilitiesListRow {
  const fields = splitCsvLine(text);
  if (!Array.isArray(fields)) throw new FileFormatError(line, fields.error);
  if (fields.length !== 5)
    throw new FileFormatError(line, `expected 5 fields (${HEADER}), found ${fields.length}`);
  const [category, code, name, start, end] = fields.map((field) => field.trim());
  if (!isHostilitiesCategory(category)) {
    throw new FileFormatError(
      line,
      `unknown category ${JSON.stringify(category)}; expected one of ${HOSTILITIES_CATEGORIES.join(', ')}`,
    );
  }
  if (!isKatottgCode(code)) throw new FileFormatError(line, `${JSON.stringify(code)} is not a KATOTTG code`);
  if (name === '') throw new FileFormatError(line, 'empty name');
  if (!isIsoDate(start))
    throw new FileFormatError(line, `start ${JSON.stringify(start)} is not a date YYYY-MM-DD`);
  if (end !== '' && !isIsoDate(end)) {
    throw new FileFormatError(line, `end ${JSON.stringify(end)} is not a date YYYY-MM-DD`);
  }
  // An end equal to the start is a one-day period (37 rows of the 2025-05-07 list); only an end
  // before the start is impossible.
  if (end !== '' && end < start) throw new FileFormatError(line, `end ${end} is before start ${start}`);
  return { line, category, code, name, start, ...(end !== '' && { end }) };
}

/**
 * Parses the list (CSV with the header `category,code,name,start,end`, ISO dates, an empty end
 * while a period is open). Throws a FileFormatError naming the line and the reason at the first
 * malformed row: broken quoting, wrong field count, unknown category, bad code, bad date, or an
 * end before the start.
 */
export function parseHostilitiesList(text: string): HostilitiesListRow[] {
  const [header, ...body] = numberedLines(text);
  if (header?.text.trim() !== HEADER) throw new FileFormatError(1, `expected the header ${HEADER}`);
  return body.map(({ line, text: rowText }) => {
    if (rowText.trim() === '') throw new FileFormatError(line, 'empty line');
    return parseRow(line, rowText);
  });
}
