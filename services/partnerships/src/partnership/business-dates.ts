/*
 * Business dates are ISO strings, `YYYY-MM-DD`, or `YYYY-MM` for a month; ISO dates of one
 * length compare correctly as strings, so no Date (and no time zone) is involved.
 */

export interface DaySpan {
  first: string;
  last: string;
}

export function isMonth(dayOrMonth: string): boolean {
  return dayOrMonth.length === 'YYYY-MM'.length;
}

/** The days a date covers: one day, or the whole month. */
export function daySpan(dayOrMonth: string): DaySpan {
  if (!isMonth(dayOrMonth)) return { first: dayOrMonth, last: dayOrMonth };
  // '-31' sorts after every real day of the month, so it bounds months of any length.
  return { first: `${dayOrMonth}-01`, last: `${dayOrMonth}-31` };
}

export function overlaps(span: DaySpan, other: DaySpan): boolean {
  return span.first <= other.last && other.first <= span.last;
}

export function earliest(known: string | undefined, day: string): string {
  return known === undefined || day < known ? day : known;
}
