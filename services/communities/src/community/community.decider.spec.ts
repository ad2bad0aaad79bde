import {
  type CommunityEvent,
  type CommunityRegisteredData,
  ConflictError,
  type FrontlineStatusChangedData,
  type HostilitiesPeriodRecordedData,
  NotFoundError,
  ValidationError,
  communityIdForKatottg,
  fold,
} from '@aid/contracts';
import { communityDecider } from './community.decider';
import { given } from './test/given-when-then';

const DERHACHI_CODE = 'UA63120070000018741';
const derhachiId = communityIdForKatottg(DERHACHI_CODE);
const rawiczId = '0193f0a4-7c00-7000-8000-00000000a001';

const derhachi: CommunityRegisteredData = {
  communityId: derhachiId,
  name: { uk: 'Дергачівська ', en: ' Derhachi' },
  kind: 'hromada',
  countryCode: 'UA',
  katottg: DERHACHI_CODE,
  settlements: [
    { katottg: 'UA63120070030026955', name: 'Прудянка', category: 'selyshche' },
    { katottg: 'UA63120070040082749', name: ' Слатине ', category: 'selyshche' },
  ],
};

const derhachiRegistered: CommunityEvent = {
  type: 'CommunityRegistered',
  data: {
    communityId: derhachiId,
    name: { uk: 'Дергачівська', en: 'Derhachi' },
    kind: 'hromada',
    countryCode: 'UA',
    oblast: 'UA-63',
    katottg: DERHACHI_CODE,
    settlements: [
      { katottg: 'UA63120070030026955', name: 'Прудянка', category: 'selyshche' },
      { katottg: 'UA63120070040082749', name: 'Слатине', category: 'selyshche' },
    ],
  },
};

const rawicz: CommunityRegisteredData = {
  communityId: rawiczId,
  name: { uk: 'Равич', en: 'Rawicz' },
  kind: 'foreign-municipality',
  countryCode: 'PL',
};
const rawiczRegistered: CommunityEvent = { type: 'CommunityRegistered', data: rawicz };

const register = (data: CommunityRegisteredData) => ({ type: 'RegisterCommunity' as const, data });
const changeStatus = (data: FrontlineStatusChangedData) => ({ type: 'ChangeFrontlineStatus' as const, data });
const recordPeriod = (data: HostilitiesPeriodRecordedData) => ({
  type: 'RecordHostilitiesPeriod' as const,
  data,
});

describe('community decider: RegisterCommunity', () => {
  it('registers a hromada with trimmed names and the oblast its code lies in', () => {
    given(communityDecider, []).when(register(derhachi)).then([derhachiRegistered]);
  });

  it('accepts the oblast when the caller gives the right one', () => {
    given(communityDecider, [])
      .when(register({ ...derhachi, oblast: 'UA-63' }))
      .then([derhachiRegistered]);
  });

  it('registers a foreign municipality', () => {
    given(communityDecider, []).when(register(rawicz)).then([rawiczRegistered]);
  });

  it('refuses a community that is already registered', () => {
    given(communityDecider, [derhachiRegistered])
      .when(register(derhachi))
      .thenRefuses(ConflictError, { message: /UA63120070000018741 is already registered/ });
  });

  it('refuses a hromada without a KATOTTG code, or with one in no known oblast', () => {
    const { katottg: _katottg, ...withoutCode } = derhachi;
    given(communityDecider, [])
      .when(register(withoutCode))
      .thenRefuses(ValidationError, { fields: ['katottg'] });
    given(communityDecider, [])
      .when(register({ ...derhachi, katottg: 'UA99120070000018741' }))
      .thenRefuses(ValidationError, { fields: ['katottg'] });
  });

  it('refuses a hromada whose id is not the one derived from its code', () => {
    given(communityDecider, [])
      .when(register({ ...derhachi, communityId: communityIdForKatottg('UA32060050000030591') }))
      .thenRefuses(ValidationError, { fields: ['communityId'] });
  });

  it('refuses a hromada outside UA, or in an oblast its code contradicts', () => {
    given(communityDecider, [])
      .when(register({ ...derhachi, countryCode: 'PL', oblast: 'UA-32' }))
      .thenRefuses(ValidationError, { fields: ['countryCode', 'oblast'], message: /UA-63, not UA-32/ });
  });

  it('refuses a blank name', () => {
    given(communityDecider, [])
      .when(register({ ...derhachi, name: { uk: '  ' } }))
      .thenRefuses(ValidationError, { fields: ['name.uk'] });
  });

  it('refuses a settlement listed twice or without a name', () => {
    const slatyne = { katottg: 'UA63120070040082749', name: 'Слатине', category: 'selyshche' as const };
    given(communityDecider, [])
      .when(register({ ...derhachi, settlements: [slatyne, { ...slatyne, name: ' ' }] }))
      .thenRefuses(ValidationError, { fields: ['settlements.1.katottg', 'settlements.1.name'] });
  });

  it('refuses a foreign municipality in UA or with Ukrainian codes', () => {
    given(communityDecider, [])
      .when(register({ ...rawicz, countryCode: 'UA', katottg: DERHACHI_CODE, oblast: 'UA-63' }))
      .thenRefuses(ValidationError, { fields: ['countryCode', 'katottg', 'oblast'] });
  });
});

describe('community decider: ChangeFrontlineStatus', () => {
  const outpost: FrontlineStatusChangedData = {
    communityId: derhachiId,
    status: 'outpost',
    effectiveFrom: '2025-03-25',
    basis: ' Side by Side ',
  };
  const outpostChanged: CommunityEvent = {
    type: 'FrontlineStatusChanged',
    data: { ...outpost, basis: 'Side by Side' },
  };

  it('records the status of a registered hromada', () => {
    given(communityDecider, [derhachiRegistered]).when(changeStatus(outpost)).then([outpostChanged]);
  });

  it('leaves out a blank basis', () => {
    const { basis: _basis, ...withoutBasis } = outpost;
    given(communityDecider, [derhachiRegistered])
      .when(changeStatus({ ...outpost, basis: '   ' }))
      .then([{ type: 'FrontlineStatusChanged', data: withoutBasis }]);
  });

  it('records nothing when the same change is sent again', () => {
    given(communityDecider, [derhachiRegistered, outpostChanged]).when(changeStatus(outpost)).then([]);
  });

  it('records a later change', () => {
    const rear = { communityId: derhachiId, status: 'rear' as const, effectiveFrom: '2026-01-01' };
    given(communityDecider, [derhachiRegistered, outpostChanged])
      .when(changeStatus(rear))
      .then([{ type: 'FrontlineStatusChanged', data: rear }]);
  });

  it('refuses an unregistered community', () => {
    given(communityDecider, [])
      .when(changeStatus(outpost))
      .thenRefuses(NotFoundError, { message: /not registered/ });
  });

  it('refuses a foreign municipality', () => {
    given(communityDecider, [rawiczRegistered])
      .when(changeStatus({ ...outpost, communityId: rawiczId }))
      .thenRefuses(ConflictError, { message: /hromadas only/ });
  });

  it('refuses a date that is no calendar day', () => {
    given(communityDecider, [derhachiRegistered])
      .when(changeStatus({ ...outpost, effectiveFrom: '2025-02-29' }))
      .thenRefuses(ValidationError, { fields: ['effectiveFrom'] });
  });
});

describe('community decider: RecordHostilitiesPeriod', () => {
  const slatyneOccupied: HostilitiesPeriodRecordedData = {
    communityId: derhachiId,
    category: 'occupied',
    start: '2022-02-24',
    end: '2022-04-22',
    source: 'Order 376, edition of 2025-05-07',
    partial: true,
    areaKatottg: 'UA63120070040082749',
    areaName: 'с-ще Слатине Дергачівської міської територіальної громади',
  };
  const slatyneOccupiedRecorded: CommunityEvent = {
    type: 'HostilitiesPeriodRecorded',
    data: slatyneOccupied,
  };
  const possibleSince: HostilitiesPeriodRecordedData = {
    communityId: derhachiId,
    category: 'possible-hostilities',
    start: '2022-09-13',
    source: ' Order 376 ',
    partial: false,
    areaKatottg: DERHACHI_CODE,
  };

  it('records a settlement-level period', () => {
    given(communityDecider, [derhachiRegistered])
      .when(recordPeriod(slatyneOccupied))
      .then([slatyneOccupiedRecorded]);
  });

  it('records an open whole-hromada period with a trimmed source', () => {
    given(communityDecider, [derhachiRegistered])
      .when(recordPeriod(possibleSince))
      .then([{ type: 'HostilitiesPeriodRecorded', data: { ...possibleSince, source: 'Order 376' } }]);
  });

  it('records a one-day period, which the Ministry writes with end equal to start', () => {
    const oneDay = { ...slatyneOccupied, end: '2022-02-24' };
    given(communityDecider, [derhachiRegistered])
      .when(recordPeriod(oneDay))
      .then([{ type: 'HostilitiesPeriodRecorded', data: oneDay }]);
  });

  it('records nothing when the identical period is recorded again, even from another edition', () => {
    given(communityDecider, [derhachiRegistered, slatyneOccupiedRecorded])
      .when(recordPeriod(slatyneOccupied))
      .then([]);
    given(communityDecider, [derhachiRegistered, slatyneOccupiedRecorded])
      .when(
        recordPeriod({ ...slatyneOccupied, source: 'Order 376, edition of 2025-09-01', areaName: 'Слатине' }),
      )
      .then([]);
  });

  it('records the same area and start in another category as another period', () => {
    const active = { ...slatyneOccupied, category: 'active-hostilities' as const };
    given(communityDecider, [derhachiRegistered, slatyneOccupiedRecorded])
      .when(recordPeriod(active))
      .then([{ type: 'HostilitiesPeriodRecorded', data: active }]);
  });

  it('lets a later edition close an open period, which then replaces it', () => {
    const openRecorded: CommunityEvent = { type: 'HostilitiesPeriodRecorded', data: possibleSince };
    const closed = { ...possibleSince, source: 'Order 376', end: '2025-06-01' };
    given(communityDecider, [derhachiRegistered, openRecorded])
      .when(recordPeriod(closed))
      .then([{ type: 'HostilitiesPeriodRecorded', data: closed }]);

    const state = fold(communityDecider, [
      derhachiRegistered,
      openRecorded,
      { type: 'HostilitiesPeriodRecorded', data: closed },
    ]);
    expect(state.hostilitiesPeriods).toEqual([closed]);
  });

  it('refuses an end before the start', () => {
    given(communityDecider, [derhachiRegistered])
      .when(recordPeriod({ ...slatyneOccupied, end: '2022-02-23' }))
      .thenRefuses(ValidationError, { fields: ['end'], message: /before the start/ });
  });

  it('refuses malformed dates, area code and a blank source', () => {
    given(communityDecider, [derhachiRegistered])
      .when(
        recordPeriod({
          ...slatyneOccupied,
          start: '2022-02-30',
          end: '22.04.2022',
          areaKatottg: 'UA6312',
          source: ' ',
        }),
      )
      .thenRefuses(ValidationError, { fields: ['start', 'end', 'areaKatottg', 'source'] });
  });

  it('refuses an unregistered community', () => {
    given(communityDecider, []).when(recordPeriod(slatyneOccupied)).thenRefuses(NotFoundError);
  });

  it('refuses a foreign municipality', () => {
    given(communityDecider, [rawiczRegistered])
      .when(recordPeriod({ ...slatyneOccupied, communityId: rawiczId }))
      .thenRefuses(ConflictError);
  });
});
