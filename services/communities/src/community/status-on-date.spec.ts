import { ValidationError } from '@aid/contracts';
import { type HostilitiesPeriod, periodCovers, statusOnDate } from './status-on-date';

const DERHACHI = 'UA63120070000018741';
const SLATYNE = 'UA63120070040082749';
const PRUDIANKA = 'UA63120070030026955';

const whole = (category: HostilitiesPeriod['category'], start: string, end?: string): HostilitiesPeriod => ({
  category,
  start,
  ...(end !== undefined && { end }),
  partial: false,
  areaKatottg: DERHACHI,
});
const partOf = (area: string, category: HostilitiesPeriod['category'], start: string, end?: string) => ({
  ...whole(category, start, end),
  partial: true,
  areaKatottg: area,
});

describe('periodCovers', () => {
  const period = { start: '2022-02-24', end: '2022-09-13' };

  it('covers its start day up to, not including, its end day', () => {
    expect(periodCovers(period, '2022-02-23')).toBe(false);
    expect(periodCovers(period, '2022-02-24')).toBe(true);
    expect(periodCovers(period, '2022-09-12')).toBe(true);
    expect(periodCovers(period, '2022-09-13')).toBe(false);
  });

  it('covers every day from the start of an open period', () => {
    expect(periodCovers({ start: '2022-09-13' }, '2022-09-12')).toBe(false);
    expect(periodCovers({ start: '2022-09-13' }, '2030-01-01')).toBe(true);
  });

  it('covers exactly one day when the end equals the start', () => {
    const oneDay = { start: '2022-03-11', end: '2022-03-11' };
    expect(periodCovers(oneDay, '2022-03-10')).toBe(false);
    expect(periodCovers(oneDay, '2022-03-11')).toBe(true);
    expect(periodCovers(oneDay, '2022-03-12')).toBe(false);
  });
});

describe('statusOnDate', () => {
  const derhachi = {
    frontlineChanges: [],
    hostilitiesPeriods: [
      whole('active-hostilities', '2022-02-24', '2022-09-13'),
      whole('possible-hostilities', '2022-09-13'),
      partOf(SLATYNE, 'occupied', '2022-02-24', '2022-04-22'),
      partOf(SLATYNE, 'active-hostilities', '2022-04-22', '2022-09-13'),
      partOf(PRUDIANKA, 'occupied', '2022-02-24', '2022-04-22'),
    ],
  };

  it('tells whole-community categories apart from those of some settlements', () => {
    expect(statusOnDate(derhachi, '2022-03-01')).toEqual({
      date: '2022-03-01',
      frontline: null,
      wholeCommunity: ['active-hostilities'],
      partial: [{ category: 'occupied', areaKatottg: [PRUDIANKA, SLATYNE] }],
    });
  });

  it('moves from one period to the next on the day the first ends', () => {
    expect(statusOnDate(derhachi, '2022-04-22').partial).toEqual([
      { category: 'active-hostilities', areaKatottg: [SLATYNE] },
    ]);
    expect(statusOnDate(derhachi, '2022-09-12').wholeCommunity).toEqual(['active-hostilities']);
    expect(statusOnDate(derhachi, '2022-09-13')).toMatchObject({
      wholeCommunity: ['possible-hostilities'],
      partial: [],
    });
  });

  it('is empty before any period', () => {
    expect(statusOnDate(derhachi, '2021-12-31')).toMatchObject({ wholeCommunity: [], partial: [] });
  });

  it('lists categories the most severe first, each once', () => {
    const periods = [
      whole('possible-hostilities', '2022-01-01'),
      whole('active-hostilities-state-services', '2022-01-01'),
      whole('occupied', '2022-01-01'),
      { ...whole('active-hostilities', '2022-01-01'), areaKatottg: 'UA63120000000091135' },
      whole('active-hostilities', '2022-01-01'),
      partOf(SLATYNE, 'possible-hostilities', '2022-01-01'),
      partOf(PRUDIANKA, 'occupied', '2022-01-01'),
      partOf(SLATYNE, 'occupied', '2022-01-01'),
    ];
    const status = statusOnDate({ frontlineChanges: [], hostilitiesPeriods: periods }, '2023-01-01');
    expect(status.wholeCommunity).toEqual([
      'occupied',
      'active-hostilities',
      'active-hostilities-state-services',
      'possible-hostilities',
    ]);
    expect(status.partial.map((p) => p.category)).toEqual(['occupied', 'possible-hostilities']);
  });

  it('gives the frontline status in effect: the latest not after the day, the last recorded of one day', () => {
    const history = {
      hostilitiesPeriods: [],
      frontlineChanges: [
        { status: 'outpost' as const, effectiveFrom: '2025-03-25', basis: 'Side by Side' },
        { status: 'rear' as const, effectiveFrom: '2023-01-01' },
        { status: 'rear' as const, effectiveFrom: '2026-01-01' },
        { status: 'outpost' as const, effectiveFrom: '2026-01-01', basis: 'correction' },
      ],
    };
    expect(statusOnDate(history, '2022-12-31').frontline).toBeNull();
    expect(statusOnDate(history, '2024-06-01').frontline).toEqual({
      status: 'rear',
      effectiveFrom: '2023-01-01',
    });
    expect(statusOnDate(history, '2025-03-25').frontline).toEqual({
      status: 'outpost',
      effectiveFrom: '2025-03-25',
      basis: 'Side by Side',
    });
    expect(statusOnDate(history, '2026-02-01').frontline).toMatchObject({
      status: 'outpost',
      basis: 'correction',
    });
  });

  it('refuses a day that is not a calendar date', () => {
    expect(() => statusOnDate(derhachi, '2022-02-30')).toThrow(ValidationError);
  });
});
