import { ValidationError } from '@aid/contracts';

/**
 * Date filters of the logistics queries are over the date a shipment was sent, the same instant
 * that puts it in a month of the tonnage, so a month's tonnage row and a filter on that month
 * always agree, and the shortfall list of a period sums to the tonnage shortfall of that period.
 * Bounds are calendar months (YYYY-MM) or days (YYYY-MM-DD) in UTC, like the months; both ends
 * are inclusive: from=2022-12&to=2022-12 is all of December.
 */

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DAY = /^(\d{4})-(0[1-9]|1[0-2])-(\d{2})$/;

/** Half-open [from, until): null where the caller set no bound. */
export interface SentPeriod {
  from: Date | null;
  until: Date | null;
}

/** The first instant of the month or day, and the first instant after it; null when not one. */
function boundsOf(value: string): { start: Date; end: Date } | null {
  const month = MONTH.exec(value);
  if (month) {
    const [year, monthNumber] = [Number(month[1]), Number(month[2])];
    return {
      start: new Date(Date.UTC(year, monthNumber - 1, 1)),
      end: new Date(Date.UTC(year, monthNumber, 1)),
    };
  }
  const day = DAY.exec(value);
  if (day) {
    const [year, monthNumber, dayNumber] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const start = new Date(Date.UTC(year, monthNumber - 1, dayNumber));
    // Date.UTC rolls 2022-02-30 over into March: such a day does not exist.
    if (start.getUTCMonth() !== monthNumber - 1 || dayNumber === 0) return null;
    return { start, end: new Date(Date.UTC(year, monthNumber - 1, dayNumber + 1)) };
  }
  return null;
}

function refuse(field: string, message: string): never {
  throw new ValidationError(`${field} ${message}`, [{ field, message }]);
}

export function sentPeriod(params: { from?: string; to?: string }): SentPeriod {
  const from = params.from === undefined ? null : boundsOf(params.from);
  const to = params.to === undefined ? null : boundsOf(params.to);
  if (params.from !== undefined && from === null)
    refuse('from', 'must be a month (YYYY-MM) or a day (YYYY-MM-DD)');
  if (params.to !== undefined && to === null) refuse('to', 'must be a month (YYYY-MM) or a day (YYYY-MM-DD)');
  if (from && to && to.end <= from.start) refuse('to', `must not be before from (${params.from})`);
  return { from: from?.start ?? null, until: to?.end ?? null };
}
