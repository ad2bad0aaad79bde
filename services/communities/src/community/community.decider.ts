import {
  ConflictError,
  type CommunityEvent,
  type CommunityRegisteredData,
  type Decider,
  type FieldError,
  type FrontlineStatusChangedData,
  type HostilitiesPeriodRecordedData,
  NotFoundError,
  type Settlement,
  ValidationError,
  communityIdForKatottg,
  isIsoDate,
  isKatottgCode,
  isoOblastOf,
} from '@aid/contracts';

/**
 * Commands as the handler hands them over: already through `validateInput`, with the id the
 * service chose (derived from the KATOTTG code for a hromada, a fresh UUIDv7 otherwise).
 */
export type CommunityCommand =
  | { type: 'RegisterCommunity'; data: CommunityRegisteredData }
  | { type: 'ChangeFrontlineStatus'; data: FrontlineStatusChangedData }
  | { type: 'RecordHostilitiesPeriod'; data: HostilitiesPeriodRecordedData };

export interface CommunityState {
  community: CommunityRegisteredData | null;
  /** In the order recorded; a later change with the same effectiveFrom corrects an earlier one. */
  frontlineChanges: FrontlineStatusChangedData[];
  hostilitiesPeriods: HostilitiesPeriodRecordedData[];
}

/**
 * A period is known by its category, the area the Ministry named and its start. Recording it again
 * with another end is a later edition of the list amending it (typically closing an open period):
 * the new record replaces the old one instead of standing beside it.
 */
function isSamePeriod(a: HostilitiesPeriodRecordedData, b: HostilitiesPeriodRecordedData): boolean {
  return a.category === b.category && a.areaKatottg === b.areaKatottg && a.start === b.start;
}

function evolve(state: CommunityState, event: CommunityEvent): CommunityState {
  switch (event.type) {
    case 'CommunityRegistered':
      return { ...state, community: event.data };
    case 'FrontlineStatusChanged':
      return { ...state, frontlineChanges: [...state.frontlineChanges, event.data] };
    case 'HostilitiesPeriodRecorded':
      return {
        ...state,
        hostilitiesPeriods: [
          ...state.hostilitiesPeriods.filter((period) => !isSamePeriod(period, event.data)),
          event.data,
        ],
      };
  }
}

function refuseIfAny(fields: FieldError[], what: string): void {
  if (fields.length > 0) {
    throw new ValidationError(`${what}: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`, fields);
  }
}

/** Trims; undefined for a missing or blank text, so optional texts never hold whitespace. */
function trimmed(text: string | undefined): string | undefined {
  const result = text?.trim();
  return result ? result : undefined;
}

function registerHromada(
  data: CommunityRegisteredData,
  name: CommunityRegisteredData['name'],
): CommunityEvent {
  const { katottg } = data;
  const oblast = katottg === undefined ? undefined : isoOblastOf(katottg);
  if (katottg === undefined || oblast === undefined) {
    throw new ValidationError('cannot register the hromada', [
      {
        field: 'katottg',
        message: 'a hromada needs its KATOTTG code: UA, then 17 digits starting with its oblast',
      },
    ]);
  }
  const fields: FieldError[] = [];
  if (data.countryCode !== 'UA') fields.push({ field: 'countryCode', message: 'a hromada lies in UA' });
  if (data.communityId !== communityIdForKatottg(katottg)) {
    // The id must be the one derived from the code, or a second registration could escape the
    // store's no-stream check by landing on another stream.
    fields.push({ field: 'communityId', message: `is not the id derived from ${katottg}` });
  }
  if (data.oblast !== undefined && data.oblast !== oblast) {
    fields.push({ field: 'oblast', message: `${katottg} lies in ${oblast}, not ${data.oblast}` });
  }
  const settlements: Settlement[] = [];
  const seen = new Set<string>();
  (data.settlements ?? []).forEach((settlement, index) => {
    const settlementName = trimmed(settlement.name);
    if (!isKatottgCode(settlement.katottg)) {
      fields.push({ field: `settlements.${index}.katottg`, message: 'is not a KATOTTG code' });
    } else if (seen.has(settlement.katottg)) {
      fields.push({
        field: `settlements.${index}.katottg`,
        message: `${settlement.katottg} is listed twice`,
      });
    }
    if (settlementName === undefined)
      fields.push({ field: `settlements.${index}.name`, message: 'is blank' });
    seen.add(settlement.katottg);
    settlements.push({
      katottg: settlement.katottg,
      name: settlementName ?? '',
      category: settlement.category,
    });
  });
  refuseIfAny(fields, 'cannot register the hromada');

  return {
    type: 'CommunityRegistered',
    data: {
      communityId: data.communityId,
      name,
      kind: 'hromada',
      countryCode: 'UA',
      oblast,
      katottg,
      ...(data.settlements !== undefined && { settlements }),
    },
  };
}

function registerForeignMunicipality(
  data: CommunityRegisteredData,
  name: CommunityRegisteredData['name'],
): CommunityEvent {
  const fields: FieldError[] = [];
  if (data.countryCode === 'UA') {
    fields.push({ field: 'countryCode', message: 'a foreign municipality lies outside UA' });
  }
  // These describe Ukrainian units only; on a foreign municipality they could only be a mistake.
  for (const field of ['katottg', 'oblast', 'settlements'] as const) {
    if (data[field] !== undefined) fields.push({ field, message: 'applies to hromadas only' });
  }
  refuseIfAny(fields, 'cannot register the foreign municipality');
  return {
    type: 'CommunityRegistered',
    data: {
      communityId: data.communityId,
      name,
      kind: 'foreign-municipality',
      countryCode: data.countryCode,
    },
  };
}

function register(data: CommunityRegisteredData, state: CommunityState): CommunityEvent[] {
  if (state.community !== null) {
    const what = state.community.katottg
      ? `with KATOTTG ${state.community.katottg}`
      : state.community.communityId;
    throw new ConflictError(`the community ${what} is already registered`);
  }
  const uk = trimmed(data.name.uk);
  const en = trimmed(data.name.en);
  if (uk === undefined) {
    throw new ValidationError('cannot register the community', [{ field: 'name.uk', message: 'is blank' }]);
  }
  const name = en === undefined ? { uk } : { uk, en };
  return [data.kind === 'hromada' ? registerHromada(data, name) : registerForeignMunicipality(data, name)];
}

/** Frontline status and hostilities belong to Ukrainian communities only. */
function registeredHromada(state: CommunityState, communityId: string): CommunityRegisteredData {
  if (state.community === null) throw new NotFoundError(`community ${communityId} is not registered`);
  if (state.community.kind !== 'hromada') {
    throw new ConflictError(
      `community ${communityId} is a foreign municipality; this applies to hromadas only`,
    );
  }
  return state.community;
}

function changeFrontlineStatus(data: FrontlineStatusChangedData, state: CommunityState): CommunityEvent[] {
  registeredHromada(state, data.communityId);
  if (!isIsoDate(data.effectiveFrom)) {
    throw new ValidationError('cannot change the frontline status', [
      { field: 'effectiveFrom', message: 'must be a calendar date written YYYY-MM-DD' },
    ]);
  }
  const basis = trimmed(data.basis);
  const change: FrontlineStatusChangedData = {
    communityId: data.communityId,
    status: data.status,
    effectiveFrom: data.effectiveFrom,
    ...(basis !== undefined && { basis }),
  };
  const alreadyRecorded = state.frontlineChanges.some(
    (known) =>
      known.status === change.status &&
      known.effectiveFrom === change.effectiveFrom &&
      known.basis === change.basis,
  );
  return alreadyRecorded ? [] : [{ type: 'FrontlineStatusChanged', data: change }];
}

function recordHostilitiesPeriod(
  data: HostilitiesPeriodRecordedData,
  state: CommunityState,
): CommunityEvent[] {
  registeredHromada(state, data.communityId);
  const fields: FieldError[] = [];
  if (!isIsoDate(data.start))
    fields.push({ field: 'start', message: 'must be a calendar date written YYYY-MM-DD' });
  if (data.end !== undefined && !isIsoDate(data.end)) {
    fields.push({ field: 'end', message: 'must be a calendar date written YYYY-MM-DD' });
  } else if (data.end !== undefined && data.end < data.start) {
    // end === start is allowed: the Ministry lists one-day periods that way.
    fields.push({ field: 'end', message: `${data.end} is before the start ${data.start}` });
  }
  if (!isKatottgCode(data.areaKatottg))
    fields.push({ field: 'areaKatottg', message: 'is not a KATOTTG code' });
  const source = trimmed(data.source);
  if (source === undefined) fields.push({ field: 'source', message: 'is blank' });
  refuseIfAny(fields, 'cannot record the hostilities period');

  const areaName = trimmed(data.areaName);
  const period: HostilitiesPeriodRecordedData = {
    communityId: data.communityId,
    category: data.category,
    start: data.start,
    ...(data.end !== undefined && { end: data.end }),
    source: source as string,
    partial: data.partial,
    areaKatottg: data.areaKatottg,
    ...(areaName !== undefined && { areaName }),
  };
  // Re-importing the list (the same or a later edition) must not duplicate what is known; the
  // source and wording may differ between editions without changing the period.
  const alreadyRecorded = state.hostilitiesPeriods.some(
    (known) => isSamePeriod(known, period) && known.end === period.end && known.partial === period.partial,
  );
  return alreadyRecorded ? [] : [{ type: 'HostilitiesPeriodRecorded', data: period }];
}

export const communityDecider: Decider<CommunityCommand, CommunityEvent, CommunityState> = {
  initialState: { community: null, frontlineChanges: [], hostilitiesPeriods: [] },
  evolve,
  decide(command, state) {
    switch (command.type) {
      case 'RegisterCommunity':
        return register(command.data, state);
      case 'ChangeFrontlineStatus':
        return changeFrontlineStatus(command.data, state);
      case 'RecordHostilitiesPeriod':
        return recordHostilitiesPeriod(command.data, state);
    }
  },
};
