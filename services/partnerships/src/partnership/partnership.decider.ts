import {
  ConflictError,
  NotFoundError,
  ValidationError,
  type ApprovePartnership,
  type CooperationArea,
  type Decider,
  type MemorandumSignedData,
  type PartnershipActivityRecordedData,
  type PartnershipChannel,
  type PartnershipDecisionData,
  type PartnershipEvent,
  type PartnershipKind,
  type PartnershipPartyData,
  type PartnershipProposedData,
  type PartnershipStatus,
  type PartnershipTermData,
  type PartnershipTerminatedData,
  type ProposePartnership,
  type RecordActivity,
  type SignMemorandum,
  type TerminatePartnership,
} from '@aid/contracts';
import { daySpan, earliest, isMonth, overlaps } from './business-dates';
import {
  isForeign,
  isHromada,
  isUkrainianCommunityOrPartOfOne,
  registeredParty,
  type PartiesContext,
  type PartyContext,
} from './party-context';

/**
 * The Partnership decider: proposed -> approved -> active (memorandum signed) -> terminated.
 *
 * Decisions the design left open, made here:
 * - Approval is optional except for international agreements, which need it before signing;
 *   other kinds sign from proposed or approved. Signing is never dated before an approval.
 * - Activities may be recorded while proposed, approved or active: visits often come before or on
 *   the day of signing (Brovary in Derhachi), and aid flowed long before an agreement (Rawicz).
 * - Participants must be parties, so that every activity stays in the scope of the communities
 *   a partner organisation may see. Guests who are not parties are named in the summary.
 * - A follow-up that is only planned is recorded with `planned: true`, may give just a month, and
 *   carries no indicators. When it takes place it is recorded again, as held.
 * - With a term, an activity must fall within it (a planned month only has to overlap it).
 * - The partnership started on the earliest of its term's start, its signing and its first held
 *   activity; a termination cannot take effect before that day.
 * - Every partnership involves at least one Ukrainian community, directly or through an
 *   organisation inside one: events are routed and scoped by the Ukrainian community they concern.
 * - Frontline status is checked when the side-by-side memorandum is signed, not when it is
 *   proposed: statuses change, and only the status on the signing day matters.
 *
 * Refusals: a field that contradicts the record is a ValidationError naming the field (the caller
 * can fix it); an action the current status or the registry forbids is a ConflictError; an unknown
 * partnership or party is a NotFoundError.
 */

export type PartnershipCommand =
  | { type: 'ProposePartnership'; partnershipId: string; data: ProposePartnership; context: PartiesContext }
  | { type: 'ApprovePartnership'; data: ApprovePartnership }
  | { type: 'SignMemorandum'; data: SignMemorandum; context: PartiesContext }
  | { type: 'RecordActivity'; data: RecordActivity }
  | { type: 'TerminatePartnership'; data: TerminatePartnership };

export interface Partnership {
  status: PartnershipStatus;
  partnershipId: string;
  kind: PartnershipKind;
  parties: PartnershipPartyData[];
  programmeId?: string;
  /** The proposed areas until a memorandum is signed, then the signed ones. */
  areas: CooperationArea[];
  term?: PartnershipTermData;
  channel?: PartnershipChannel;
  approval?: PartnershipDecisionData;
  memorandum?: MemorandumSignedData;
  /** The earliest of the term's start, the signing day and the first held activity, once known. */
  startedOn?: string;
  heldActivities: number;
  plannedActivities: number;
  termination?: PartnershipTerminatedData;
}

export type PartnershipState = { status: 'none' } | Partnership;

const initialState: PartnershipState = { status: 'none' };

function evolve(state: PartnershipState, event: PartnershipEvent): PartnershipState {
  if (event.type === 'PartnershipProposed') {
    const { partnershipId, kind, parties, programmeId, areas, term, channel } = event.data;
    return {
      status: 'proposed',
      partnershipId,
      kind,
      parties,
      programmeId,
      areas,
      term,
      channel,
      startedOn: term?.from,
      heldActivities: 0,
      plannedActivities: 0,
    };
  }
  if (state.status === 'none') throw new Error(`${event.type} in a stream without PartnershipProposed`);
  switch (event.type) {
    case 'PartnershipApproved':
      return { ...state, status: 'approved', approval: event.data.decision };
    case 'MemorandumSigned':
      return {
        ...state,
        status: 'active',
        memorandum: event.data,
        areas: event.data.areas,
        startedOn: earliest(state.startedOn, event.data.signedOn),
      };
    case 'PartnershipActivityRecorded':
      return event.data.planned
        ? { ...state, plannedActivities: state.plannedActivities + 1 }
        : {
            ...state,
            heldActivities: state.heldActivities + 1,
            startedOn: earliest(state.startedOn, event.data.date),
          };
    case 'PartnershipTerminated':
      return { ...state, status: 'terminated', termination: event.data };
  }
}

function decide(command: PartnershipCommand, state: PartnershipState): PartnershipEvent[] {
  if (command.type === 'ProposePartnership')
    return propose(command.partnershipId, command.data, command.context, state);
  const partnership = openPartnership(command.data.partnershipId, state);
  switch (command.type) {
    case 'ApprovePartnership':
      return approve(command.data, partnership);
    case 'SignMemorandum':
      return sign(command.data, command.context, partnership);
    case 'RecordActivity':
      return recordActivity(command.data, partnership);
    case 'TerminatePartnership':
      return terminate(command.data, partnership);
  }
}

export const partnershipDecider: Decider<PartnershipCommand, PartnershipEvent, PartnershipState> = {
  initialState,
  evolve,
  decide,
};

/**
 * The day an event happened in the world, for its metadata's `occurredAt`. A proposal and a
 * planned activity have none: the handler then uses the time the command arrived.
 */
export function partnershipEventOccurredOn(event: PartnershipEvent): string | undefined {
  switch (event.type) {
    case 'PartnershipProposed':
      return undefined;
    case 'PartnershipApproved':
      return event.data.decision.date;
    case 'MemorandumSigned':
      return event.data.signedOn;
    case 'PartnershipActivityRecorded':
      return event.data.planned ? undefined : event.data.date;
    case 'PartnershipTerminated':
      return event.data.effectiveOn;
  }
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`${field}: ${message}`, [{ field, message }]);
}

function notRegistered(field: string, partyId: string): NotFoundError {
  const message = `party ${partyId} is not registered`;
  return new NotFoundError(message, [{ field, message }]);
}

/** The partnership a command other than a proposal acts on: it exists and is not terminated. */
function openPartnership(partnershipId: string, state: PartnershipState): Partnership {
  if (state.status === 'none') throw new NotFoundError(`partnership ${partnershipId} does not exist`);
  if (state.status === 'terminated') {
    throw new ConflictError(
      `partnership ${partnershipId} was terminated on ${state.termination?.effectiveOn}: nothing more can be recorded on it`,
    );
  }
  return state;
}

function propose(
  partnershipId: string,
  data: ProposePartnership,
  context: PartiesContext,
  state: PartnershipState,
): PartnershipEvent[] {
  if (state.status !== 'none') throw new ConflictError(`partnership ${partnershipId} already exists`);

  if (data.parties.length < 2) throw invalid('parties', 'a partnership needs at least two parties');
  const listed = new Set<string>();
  data.parties.forEach(({ partyId }, index) => {
    if (listed.has(partyId)) throw invalid(`parties.${index}.partyId`, `party ${partyId} is listed twice`);
    listed.add(partyId);
  });
  if (data.term && data.term.from >= data.term.to) {
    throw invalid('term.to', `the term must end after it starts (${data.term.from})`);
  }
  if (data.channel === 'programme' && data.programmeId === undefined) {
    throw invalid('programmeId', 'a partnership made through a programme names the programme');
  }
  if (data.channel === 'platform-request' && data.kind !== 'international') {
    throw invalid(
      'channel',
      'requests through the platform "Partnership for recovery and development" are for international partnerships',
    );
  }

  const parties = data.parties.map(({ partyId }, index) => {
    const party = registeredParty(context, partyId);
    if (!party) throw notRegistered(`parties.${index}.partyId`, partyId);
    return party;
  });
  if (data.programmeId !== undefined) {
    const programme = registeredParty(context, data.programmeId);
    if (!programme) throw notRegistered('programmeId', data.programmeId);
    if (programme.type !== 'organisation' || programme.kind !== 'programme') {
      throw invalid('programmeId', `${data.programmeId} is not a programme`);
    }
  }

  if (!parties.some(isUkrainianCommunityOrPartOfOne)) {
    throw invalid(
      'parties',
      'a partnership involves at least one Ukrainian community or an organisation inside one',
    );
  }
  if (data.kind === 'side-by-side') checkSideBySideRoles(data, parties);
  if (data.kind === 'international' && !parties.some(isForeign)) {
    throw invalid(
      'parties',
      'an international partnership needs at least one foreign party (a foreign municipality or organisation)',
    );
  }

  const proposed: PartnershipProposedData = {
    partnershipId,
    kind: data.kind,
    parties: data.parties.map(({ partyId, role }) => ({ partyId, role })),
    ...(data.programmeId !== undefined && { programmeId: data.programmeId }),
    areas: [...data.areas],
    ...(data.term && { term: { from: data.term.from, to: data.term.to } }),
    ...(data.channel !== undefined && { channel: data.channel }),
  };
  return [{ type: 'PartnershipProposed', data: proposed }];
}

/** "Side by Side" pairs one partner community with one outpost community, both Ukrainian hromadas. */
function checkSideBySideRoles(data: ProposePartnership, parties: PartyContext[]): void {
  for (const role of ['partner', 'outpost'] as const) {
    const holders = data.parties.flatMap((party, index) => (party.role === role ? [index] : []));
    if (holders.length !== 1) {
      throw invalid(
        'parties',
        `a side-by-side partnership has exactly one ${role} community, not ${holders.length}`,
      );
    }
    const [index] = holders;
    if (!isHromada(parties[index])) {
      throw invalid(
        `parties.${index}.partyId`,
        `the ${role} of a side-by-side partnership must be a Ukrainian hromada`,
      );
    }
  }
}

function approve(data: ApprovePartnership, partnership: Partnership): PartnershipEvent[] {
  if (partnership.status === 'approved') {
    throw new ConflictError(
      `partnership ${partnership.partnershipId} was already approved on ${partnership.approval?.date}`,
    );
  }
  if (partnership.status === 'active') {
    throw new ConflictError(
      `partnership ${partnership.partnershipId} is already signed; an approval can only precede the signing`,
    );
  }
  const { body, number, date } = data.decision;
  return [
    {
      type: 'PartnershipApproved',
      data: { decision: { body, ...(number !== undefined && { number }), date } },
    },
  ];
}

function sign(data: SignMemorandum, context: PartiesContext, partnership: Partnership): PartnershipEvent[] {
  const { partnershipId, kind, approval } = partnership;
  if (partnership.status === 'active') {
    throw new ConflictError(
      `partnership ${partnershipId} was already signed on ${partnership.memorandum?.signedOn}`,
    );
  }
  if (kind === 'international' && !approval) {
    throw new ConflictError(
      `partnership ${partnershipId} is international: its agreement can only be signed after it is approved`,
    );
  }
  if (approval && data.signedOn < approval.date) {
    throw invalid('signedOn', `the memorandum cannot be signed before its approval on ${approval.date}`);
  }

  const roleOf = new Map(partnership.parties.map(({ partyId, role }) => [partyId, role]));
  data.signatories.forEach(({ partyId }, index) => {
    if (!roleOf.has(partyId)) {
      throw invalid(`signatories.${index}.partyId`, `${partyId} is not a party to this partnership`);
    }
  });
  const signingParties = new Set(data.signatories.map(({ partyId }) => partyId));
  if (signingParties.size < 2) throw invalid('signatories', 'a memorandum is signed by at least two parties');

  const partiesNow = partnership.parties.map(({ partyId }) => {
    const party = registeredParty(context, partyId);
    if (!party) throw new NotFoundError(`party ${partyId} is not registered`, { partyId });
    return party;
  });
  if (kind === 'side-by-side') checkSideBySidePairing(data, partnership, partiesNow, signingParties);

  const signed: MemorandumSignedData = {
    signedOn: data.signedOn,
    signatories: data.signatories.map(({ partyId, name, title }) => ({ partyId, name, title })),
    areas: [...data.areas],
  };
  return [{ type: 'MemorandumSigned', data: signed }];
}

/** On the signing day the partner must be a rear community and the outpost an outpost community. */
function checkSideBySidePairing(
  data: SignMemorandum,
  partnership: Partnership,
  partiesNow: PartyContext[],
  signingParties: Set<string>,
): void {
  const expected = { partner: 'rear', outpost: 'outpost' } as const;
  partnership.parties.forEach(({ partyId, role }, index) => {
    if (role !== 'partner' && role !== 'outpost') return;
    if (!signingParties.has(partyId)) {
      throw invalid('signatories', `the ${role} community ${partyId} must sign a side-by-side memorandum`);
    }
    const status = partiesNow[index].frontlineStatus;
    if (status !== expected[role]) {
      throw new ConflictError(
        `a side-by-side memorandum pairs a rear partner community with an outpost community, but on ${data.signedOn} ` +
          `the ${role} community ${partyId} is ${status === undefined ? 'of unknown frontline status' : `${status}, not ${expected[role]}`}`,
      );
    }
  });
}

function recordActivity(data: RecordActivity, partnership: Partnership): PartnershipEvent[] {
  const parties = new Set(partnership.parties.map(({ partyId }) => partyId));
  data.participants.forEach((partyId, index) => {
    if (!parties.has(partyId))
      throw invalid(`participants.${index}`, `${partyId} is not a party to this partnership`);
  });

  const planned = data.planned === true;
  if (!planned && isMonth(data.date)) {
    throw invalid(
      'date',
      'an activity that took place needs its day; only a planned one may give just the month',
    );
  }
  if (planned && data.indicators !== undefined) {
    throw invalid('indicators', 'a planned activity has no results yet; record them when it takes place');
  }
  for (const [name, figure] of Object.entries(data.indicators ?? {})) {
    if (!Number.isFinite(figure) || figure < 0) {
      throw invalid(`indicators.${name}`, 'an indicator is a finite number, not negative');
    }
  }
  const { term } = partnership;
  if (term && !overlaps(daySpan(data.date), { first: term.from, last: term.to })) {
    throw invalid('date', `${data.date} is outside the partnership's term, ${term.from} to ${term.to}`);
  }

  const activity: PartnershipActivityRecordedData = {
    type: data.type,
    date: data.date,
    summary: data.summary,
    participants: [...data.participants],
    ...(data.indicators !== undefined && { indicators: { ...data.indicators } }),
    ...(planned && { planned: true as const }),
  };
  return [{ type: 'PartnershipActivityRecorded', data: activity }];
}

function terminate(data: TerminatePartnership, partnership: Partnership): PartnershipEvent[] {
  const { startedOn } = partnership;
  if (startedOn !== undefined && data.effectiveOn < startedOn) {
    throw invalid('effectiveOn', `the partnership cannot end before it started on ${startedOn}`);
  }
  return [{ type: 'PartnershipTerminated', data: { effectiveOn: data.effectiveOn, reason: data.reason } }];
}
