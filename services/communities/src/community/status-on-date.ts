import {
  type CommunityStatusOnDate,
  type FrontlineStatusChangedData,
  HOSTILITIES_CATEGORIES,
  type HostilitiesCategory,
  type HostilitiesPeriodRecordedData,
  ValidationError,
  isIsoDate,
} from '@aid/contracts';

export type FrontlineChange = Pick<FrontlineStatusChangedData, 'status' | 'effectiveFrom' | 'basis'>;
export type HostilitiesPeriod = Pick<
  HostilitiesPeriodRecordedData,
  'category' | 'start' | 'end' | 'partial' | 'areaKatottg'
>;

export interface CommunityHistory {
  /** In the order recorded. */
  frontlineChanges: readonly FrontlineChange[];
  hostilitiesPeriods: readonly HostilitiesPeriod[];
}

/**
 * Whether a period covers a day: from its start day up to, not including, its end day, so that
 * a period ending on the day the next one starts does not overlap it (Derhachi: active
 * hostilities to 2022-09-13, possible hostilities from 2022-09-13). A period whose end equals its
 * start is how the Ministry lists a territory for that one day, so it covers that day.
 */
export function periodCovers(period: Pick<HostilitiesPeriod, 'start' | 'end'>, date: string): boolean {
  if (date < period.start) return false;
  if (period.end === undefined) return true;
  return date < period.end || (period.end === period.start && date === period.start);
}

function bySeverity(a: HostilitiesCategory, b: HostilitiesCategory): number {
  return HOSTILITIES_CATEGORIES.indexOf(a) - HOSTILITIES_CATEGORIES.indexOf(b);
}

/** The change in effect on a day: the latest effectiveFrom not after it; of equal dates, the last recorded. */
function frontlineOn(changes: readonly FrontlineChange[], date: string): CommunityStatusOnDate['frontline'] {
  let inEffect: FrontlineChange | undefined;
  for (const change of changes) {
    if (
      change.effectiveFrom <= date &&
      (inEffect === undefined || change.effectiveFrom >= inEffect.effectiveFrom)
    ) {
      inEffect = change;
    }
  }
  if (inEffect === undefined) return null;
  const { status, effectiveFrom, basis } = inEffect;
  return basis === undefined ? { status, effectiveFrom } : { status, effectiveFrom, basis };
}

/** A community's status on a day (YYYY-MM-DD), from its recorded frontline changes and hostilities periods. */
export function statusOnDate(history: CommunityHistory, date: string): CommunityStatusOnDate {
  if (!isIsoDate(date)) {
    throw new ValidationError('cannot tell the status', [
      { field: 'date', message: 'must be a calendar date written YYYY-MM-DD' },
    ]);
  }
  const open = history.hostilitiesPeriods.filter((period) => periodCovers(period, date));

  const wholeCommunity = [...new Set(open.filter((p) => !p.partial).map((p) => p.category))].sort(bySeverity);

  const areasByCategory = new Map<HostilitiesCategory, Set<string>>();
  for (const period of open.filter((p) => p.partial)) {
    const areas = areasByCategory.get(period.category) ?? new Set<string>();
    areas.add(period.areaKatottg);
    areasByCategory.set(period.category, areas);
  }
  const partial = [...areasByCategory.keys()]
    .sort(bySeverity)
    .map((category) => ({ category, areaKatottg: [...(areasByCategory.get(category) ?? [])].sort() }));

  return { date, frontline: frontlineOn(history.frontlineChanges, date), wholeCommunity, partial };
}
