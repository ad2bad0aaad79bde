import {
  ConflictError,
  fold,
  NotFoundError,
  ValidationError,
  type PartnershipEvent,
  type ProposePartnership,
  type RecordActivity,
  type SignMemorandum,
} from '@aid/contracts';
import { givenWhenThen } from './given-when-then';
import {
  partnershipDecider,
  partnershipEventOccurredOn,
  type PartnershipCommand,
} from './partnership.decider';
import { type PartiesContext, type PartyContext } from './party-context';

const given = givenWhenThen(partnershipDecider);

const partnershipId = '0195c1a0-0000-7000-8000-000000000001';
const rearHromada = '0195c1a0-0000-7000-8000-0000000000a1';
const outpostHromada = '0195c1a0-0000-7000-8000-0000000000a2';
const otherHromada = '0195c1a0-0000-7000-8000-0000000000a3';
const foreignTown = '0195c1a0-0000-7000-8000-0000000000b1';
const ingo = '0195c1a0-0000-7000-8000-0000000000b2';
const foreignNetwork = '0195c1a0-0000-7000-8000-0000000000b3';
const programme = '0195c1a0-0000-7000-8000-0000000000c1';
const institution = '0195c1a0-0000-7000-8000-0000000000c2';
const ukrainianAgency = '0195c1a0-0000-7000-8000-0000000000c3';
const stranger = '0195c1a0-0000-7000-8000-0000000000ff';

const registry: Record<string, PartyContext> = {
  [rearHromada]: {
    registered: true,
    type: 'community',
    kind: 'hromada',
    countryCode: 'UA',
    frontlineStatus: 'rear',
  },
  [outpostHromada]: {
    registered: true,
    type: 'community',
    kind: 'hromada',
    countryCode: 'UA',
    frontlineStatus: 'outpost',
  },
  [otherHromada]: {
    registered: true,
    type: 'community',
    kind: 'hromada',
    countryCode: 'UA',
    frontlineStatus: 'rear',
  },
  [foreignTown]: { registered: true, type: 'community', kind: 'foreign-municipality', countryCode: 'PL' },
  [ingo]: { registered: true, type: 'organisation', kind: 'ingo' },
  [foreignNetwork]: { registered: true, type: 'organisation', kind: 'network', countryCode: 'DE' },
  [programme]: { registered: true, type: 'organisation', kind: 'programme' },
  [institution]: {
    registered: true,
    type: 'organisation',
    kind: 'institution',
    parentCommunityId: otherHromada,
  },
  [ukrainianAgency]: { registered: true, type: 'organisation', kind: 'government', countryCode: 'UA' },
};

function contextWith(overrides: Record<string, Partial<PartyContext>> = {}): PartiesContext {
  const context: Record<string, PartyContext> = { ...registry };
  for (const [partyId, changes] of Object.entries(overrides))
    context[partyId] = { ...context[partyId], ...changes };
  return context;
}

const sideBySide: ProposePartnership = {
  kind: 'side-by-side',
  parties: [
    { partyId: rearHromada, role: 'partner' },
    { partyId: outpostHromada, role: 'outpost' },
  ],
  programmeId: programme,
  areas: ['recovery-teams', 'children'],
  channel: 'programme',
};

const international: ProposePartnership = {
  kind: 'international',
  parties: [
    { partyId: otherHromada, role: 'partner' },
    { partyId: foreignTown, role: 'partner' },
  ],
  areas: ['material-humanitarian-aid'],
  channel: 'platform-request',
};

function propose(data: ProposePartnership, context = contextWith()): PartnershipCommand {
  return { type: 'ProposePartnership', partnershipId, data, context };
}

function proposed(data: ProposePartnership): PartnershipEvent {
  return { type: 'PartnershipProposed', data: { partnershipId, ...data } };
}

const approval: PartnershipCommand = {
  type: 'ApprovePartnership',
  data: { partnershipId, decision: { body: 'Executive committee', number: '1204', date: '2025-03-20' } },
};
const approved: PartnershipEvent = {
  type: 'PartnershipApproved',
  data: { decision: { body: 'Executive committee', number: '1204', date: '2025-03-20' } },
};

const sideBySideSignature: SignMemorandum = {
  partnershipId,
  signedOn: '2025-03-25',
  signatories: [
    { partyId: rearHromada, name: 'Rear Mayor', title: 'Mayor' },
    { partyId: outpostHromada, name: 'Outpost Head', title: 'Head of the community' },
  ],
  areas: ['recovery-teams', 'children', 'co-financing'],
};
const internationalSignature: SignMemorandum = {
  partnershipId,
  signedOn: '2025-03-25',
  signatories: [
    { partyId: otherHromada, name: 'Mayor', title: 'Mayor' },
    { partyId: foreignTown, name: 'Burmistrz', title: 'Burmistrz' },
  ],
  areas: ['material-humanitarian-aid'],
};

function sign(data: SignMemorandum, context = contextWith()): PartnershipCommand {
  return { type: 'SignMemorandum', data, context };
}

function signed(data: SignMemorandum): PartnershipEvent {
  const { signedOn, signatories, areas } = data;
  return { type: 'MemorandumSigned', data: { signedOn, signatories, areas } };
}

const visit: RecordActivity = {
  partnershipId,
  type: 'visit',
  date: '2025-03-25',
  summary: 'Delegation visit',
  participants: [rearHromada, outpostHromada],
};

function record(data: RecordActivity): PartnershipCommand {
  return { type: 'RecordActivity', data };
}

function terminate(effectiveOn: string): PartnershipCommand {
  return {
    type: 'TerminatePartnership',
    data: { partnershipId, effectiveOn, reason: 'Both councils decided so' },
  };
}

function terminated(effectiveOn: string): PartnershipEvent {
  return { type: 'PartnershipTerminated', data: { effectiveOn, reason: 'Both councils decided so' } };
}

describe('ProposePartnership', () => {
  it('proposes a side-by-side partnership under a programme', () => {
    given([])
      .when(propose(sideBySide))
      .then([
        {
          type: 'PartnershipProposed',
          data: {
            partnershipId,
            kind: 'side-by-side',
            parties: [
              { partyId: rearHromada, role: 'partner' },
              { partyId: outpostHromada, role: 'outpost' },
            ],
            programmeId: programme,
            areas: ['recovery-teams', 'children'],
            channel: 'programme',
          },
        },
      ]);
  });

  it('leaves out the optional fields that were not given, and keeps a term', () => {
    const [event] = given([])
      .when(
        propose({
          kind: 'humanitarian',
          parties: [
            { partyId: institution, role: 'recipient' },
            { partyId: ingo, role: 'donor' },
          ],
          areas: ['social-services'],
          term: { from: '2024-10-01', to: '2025-05-31' },
        }),
      )
      .then([
        {
          type: 'PartnershipProposed',
          data: {
            partnershipId,
            kind: 'humanitarian',
            parties: [
              { partyId: institution, role: 'recipient' },
              { partyId: ingo, role: 'donor' },
            ],
            areas: ['social-services'],
            term: { from: '2024-10-01', to: '2025-05-31' },
          },
        },
      ]);
    expect(Object.keys(event.data)).toEqual(['partnershipId', 'kind', 'parties', 'areas', 'term']);
  });

  it('proposes an international partnership requested through the platform', () => {
    given([])
      .when(propose(international))
      .then([proposed(international)]);
  });

  it.each([
    ['an international NGO without a country', ingo],
    ['an organisation registered abroad', foreignNetwork],
  ])('counts %s as the foreign party of an international partnership', (_label, foreignParty) => {
    const data: ProposePartnership = {
      kind: 'international',
      parties: [
        { partyId: otherHromada, role: 'partner' },
        { partyId: foreignParty, role: 'partner' },
      ],
      areas: ['other'],
    };
    given([])
      .when(propose(data))
      .then([proposed(data)]);
  });

  it('refuses a second proposal on the same stream', () => {
    given([proposed(sideBySide)])
      .when(propose(sideBySide))
      .thenRefuses(ConflictError, { message: /already exists/ });
  });

  it('refuses fewer than two parties', () => {
    given([])
      .when(propose({ ...international, parties: [{ partyId: otherHromada, role: 'partner' }] }))
      .thenRefuses(ValidationError, { field: 'parties', message: /at least two parties/ });
  });

  it('refuses a party listed twice, even in another role', () => {
    given([])
      .when(
        propose({
          ...international,
          parties: [...international.parties, { partyId: otherHromada, role: 'participant' }],
        }),
      )
      .thenRefuses(ValidationError, { field: 'parties.2.partyId', message: /listed twice/ });
  });

  it('refuses a party the registry does not know, naming it', () => {
    given([])
      .when(
        propose({
          ...international,
          parties: [...international.parties, { partyId: stranger, role: 'donor' }],
        }),
      )
      .thenRefuses(NotFoundError, {
        field: 'parties.2.partyId',
        message: new RegExp(`${stranger} is not registered`),
      });
  });

  it('treats a party marked unregistered like an unknown one', () => {
    given([])
      .when(propose(international, contextWith({ [foreignTown]: { registered: false } })))
      .thenRefuses(NotFoundError, { field: 'parties.1.partyId' });
  });

  it('refuses an unknown programme', () => {
    given([])
      .when(propose({ ...sideBySide, programmeId: stranger }))
      .thenRefuses(NotFoundError, { field: 'programmeId' });
  });

  it('refuses a programme id that names something other than a programme', () => {
    given([])
      .when(propose({ ...sideBySide, programmeId: ingo }))
      .thenRefuses(ValidationError, { field: 'programmeId', message: /not a programme/ });
  });

  it('refuses the programme channel without a programme', () => {
    given([])
      .when(propose({ ...sideBySide, programmeId: undefined }))
      .thenRefuses(ValidationError, { field: 'programmeId' });
  });

  it.each([
    ['ends before it starts', { from: '2025-05-31', to: '2024-10-01' }],
    ['ends the day it starts', { from: '2025-05-31', to: '2025-05-31' }],
  ])('refuses a term that %s', (_label, term) => {
    given([])
      .when(propose({ ...international, term }))
      .thenRefuses(ValidationError, { field: 'term.to' });
  });

  it('refuses a platform request for anything but an international partnership', () => {
    given([])
      .when(propose({ ...sideBySide, channel: 'platform-request' }))
      .thenRefuses(ValidationError, { field: 'channel', message: /international/ });
  });

  it('refuses a partnership without any Ukrainian community', () => {
    given([])
      .when(
        propose({
          ...international,
          parties: [
            { partyId: foreignTown, role: 'partner' },
            { partyId: ingo, role: 'donor' },
          ],
        }),
      )
      .thenRefuses(ValidationError, { field: 'parties', message: /Ukrainian community/ });
  });

  it('accepts a Ukrainian organisation inside a community as the Ukrainian side', () => {
    const data: ProposePartnership = {
      kind: 'humanitarian',
      parties: [
        { partyId: institution, role: 'recipient' },
        { partyId: foreignNetwork, role: 'donor' },
      ],
      areas: ['social-services'],
    };
    given([])
      .when(propose(data))
      .then([proposed(data)]);
  });

  it('refuses a side-by-side partnership with two partners', () => {
    given([])
      .when(
        propose({
          ...sideBySide,
          parties: [...sideBySide.parties, { partyId: otherHromada, role: 'partner' }],
        }),
      )
      .thenRefuses(ValidationError, { field: 'parties', message: /exactly one partner community, not 2/ });
  });

  it('refuses a side-by-side partnership without an outpost', () => {
    given([])
      .when(
        propose({
          ...sideBySide,
          parties: [
            { partyId: rearHromada, role: 'partner' },
            { partyId: outpostHromada, role: 'participant' },
          ],
        }),
      )
      .thenRefuses(ValidationError, { field: 'parties', message: /exactly one outpost community, not 0/ });
  });

  it.each([
    ['an organisation', ukrainianAgency],
    ['a foreign municipality', foreignTown],
  ])('refuses %s as the outpost of a side-by-side partnership', (_label, partyId) => {
    given([])
      .when(propose({ ...sideBySide, parties: [sideBySide.parties[0], { partyId, role: 'outpost' }] }))
      .thenRefuses(ValidationError, { field: 'parties.1.partyId', message: /must be a Ukrainian hromada/ });
  });

  it('accepts other parties beside the pair of a side-by-side partnership', () => {
    const data: ProposePartnership = {
      ...sideBySide,
      parties: [...sideBySide.parties, { partyId: ukrainianAgency, role: 'organiser' }],
    };
    given([])
      .when(propose(data))
      .then([proposed(data)]);
  });

  it('refuses an international partnership without a foreign party', () => {
    given([])
      .when(
        propose({
          ...international,
          parties: [
            { partyId: otherHromada, role: 'partner' },
            { partyId: ukrainianAgency, role: 'partner' },
          ],
        }),
      )
      .thenRefuses(ValidationError, { field: 'parties', message: /at least one foreign party/ });
  });
});

describe('ApprovePartnership', () => {
  it('approves a proposed partnership with its decision', () => {
    given([proposed(international)])
      .when(approval)
      .then([approved]);
  });

  it('records a decision without a number as such', () => {
    given([proposed(international)])
      .when({
        type: 'ApprovePartnership',
        data: { partnershipId, decision: { body: 'City council', date: '2025-03-20' } },
      })
      .then([
        { type: 'PartnershipApproved', data: { decision: { body: 'City council', date: '2025-03-20' } } },
      ]);
  });

  it('refuses an unknown partnership', () => {
    given([])
      .when(approval)
      .thenRefuses(NotFoundError, { message: /does not exist/ });
  });

  it('refuses a second approval', () => {
    given([proposed(international), approved])
      .when(approval)
      .thenRefuses(ConflictError, { message: /already approved on 2025-03-20/ });
  });

  it('refuses an approval after the signing', () => {
    given([proposed(sideBySide), signed(sideBySideSignature)])
      .when(approval)
      .thenRefuses(ConflictError, { message: /already signed/ });
  });
});

describe('SignMemorandum', () => {
  it('signs a side-by-side memorandum straight from the proposal and makes it active', () => {
    const history = given([proposed(sideBySide)])
      .when(sign(sideBySideSignature))
      .then([signed(sideBySideSignature)]);
    expect(fold(partnershipDecider, history)).toMatchObject({
      status: 'active',
      areas: ['recovery-teams', 'children', 'co-financing'],
      startedOn: '2025-03-25',
    });
  });

  it('signs an approved partnership of another kind', () => {
    given([proposed(sideBySide), approved])
      .when(sign(sideBySideSignature))
      .then([signed(sideBySideSignature)]);
  });

  it('refuses an international agreement before its approval', () => {
    given([proposed(international)])
      .when(sign(internationalSignature))
      .thenRefuses(ConflictError, {
        message: /international: its agreement can only be signed after it is approved/,
      });
  });

  it('signs an international agreement after its approval', () => {
    given([proposed(international), approved])
      .when(sign(internationalSignature))
      .then([signed(internationalSignature)]);
  });

  it('refuses a signing dated before the approval', () => {
    given([proposed(international), approved])
      .when(sign({ ...internationalSignature, signedOn: '2025-03-19' }))
      .thenRefuses(ValidationError, { field: 'signedOn', message: /before its approval on 2025-03-20/ });
  });

  it('refuses a signatory who does not represent a party', () => {
    given([proposed(sideBySide)])
      .when(
        sign({
          ...sideBySideSignature,
          signatories: [
            ...sideBySideSignature.signatories,
            { partyId: stranger, name: 'Guest', title: 'Guest' },
          ],
        }),
      )
      .thenRefuses(ValidationError, { field: 'signatories.2.partyId', message: /not a party/ });
  });

  it('refuses a memorandum signed by one party only, however many officials sign', () => {
    given([proposed(international), approved])
      .when(
        sign({
          ...internationalSignature,
          signatories: [
            { partyId: otherHromada, name: 'Mayor', title: 'Mayor' },
            { partyId: otherHromada, name: 'Secretary', title: 'Secretary of the council' },
          ],
        }),
      )
      .thenRefuses(ValidationError, { field: 'signatories', message: /at least two parties/ });
  });

  it('refuses a second signature', () => {
    given([proposed(sideBySide), signed(sideBySideSignature)])
      .when(sign(sideBySideSignature))
      .thenRefuses(ConflictError, { message: /already signed on 2025-03-25/ });
  });

  it('refuses when a party is no longer registered', () => {
    given([proposed(sideBySide)])
      .when(sign(sideBySideSignature, contextWith({ [outpostHromada]: { registered: false } })))
      .thenRefuses(NotFoundError, { message: new RegExp(`${outpostHromada} is not registered`) });
  });

  it('refuses a side-by-side memorandum whose partner is not a rear community on the signing day', () => {
    given([proposed(sideBySide)])
      .when(sign(sideBySideSignature, contextWith({ [rearHromada]: { frontlineStatus: 'outpost' } })))
      .thenRefuses(ConflictError, {
        message: new RegExp(
          `pairs a rear partner community with an outpost community, but on 2025-03-25 the partner community ${rearHromada} is outpost, not rear`,
        ),
      });
  });

  it('refuses a side-by-side memorandum whose outpost is a rear community on the signing day', () => {
    given([proposed(sideBySide)])
      .when(sign(sideBySideSignature, contextWith({ [outpostHromada]: { frontlineStatus: 'rear' } })))
      .thenRefuses(ConflictError, { message: /the outpost community .* is rear, not outpost/ });
  });

  it('refuses a side-by-side memorandum when a frontline status is unknown', () => {
    given([proposed(sideBySide)])
      .when(sign(sideBySideSignature, contextWith({ [outpostHromada]: { frontlineStatus: undefined } })))
      .thenRefuses(ConflictError, { message: /of unknown frontline status/ });
  });

  it('refuses a side-by-side memorandum the outpost community does not sign', () => {
    const withOrganiser: ProposePartnership = {
      ...sideBySide,
      parties: [...sideBySide.parties, { partyId: ukrainianAgency, role: 'organiser' }],
    };
    given([proposed(withOrganiser)])
      .when(
        sign({
          ...sideBySideSignature,
          signatories: [
            sideBySideSignature.signatories[0],
            { partyId: ukrainianAgency, name: 'Official', title: 'Coordinator' },
          ],
        }),
      )
      .thenRefuses(ValidationError, { field: 'signatories', message: /outpost community .* must sign/ });
  });
});

describe('RecordActivity', () => {
  it.each([
    ['proposed', [proposed(sideBySide)]],
    ['approved', [proposed(sideBySide), approved]],
    ['active', [proposed(sideBySide), signed(sideBySideSignature)]],
  ])('records an activity on a partnership that is %s', (_status, history) => {
    given(history)
      .when(record(visit))
      .then([
        {
          type: 'PartnershipActivityRecorded',
          data: {
            type: 'visit',
            date: '2025-03-25',
            summary: 'Delegation visit',
            participants: [rearHromada, outpostHromada],
          },
        },
      ]);
  });

  it('records indicators, zero included', () => {
    given([proposed(international)])
      .when(
        record({
          ...visit,
          type: 'aid-delivery',
          participants: [foreignTown],
          indicators: { 'aid-kg': 50000, 'trucks-lost': 0 },
        }),
      )
      .then([
        {
          type: 'PartnershipActivityRecorded',
          data: {
            type: 'aid-delivery',
            date: '2025-03-25',
            summary: 'Delegation visit',
            participants: [foreignTown],
            indicators: { 'aid-kg': 50000, 'trucks-lost': 0 },
          },
        },
      ]);
  });

  it('records a planned follow-up by its month', () => {
    const history = given([proposed(sideBySide)])
      .when(record({ ...visit, type: 'event', date: '2025-08', summary: 'Round table', planned: true }))
      .then([
        {
          type: 'PartnershipActivityRecorded',
          data: {
            type: 'event',
            date: '2025-08',
            summary: 'Round table',
            participants: [rearHromada, outpostHromada],
            planned: true,
          },
        },
      ]);
    expect(fold(partnershipDecider, history)).toMatchObject({ plannedActivities: 1, heldActivities: 0 });
  });

  it('leaves `planned` out of an activity that took place', () => {
    const [, event] = given([proposed(sideBySide)])
      .when(record({ ...visit, planned: false }))
      .then([
        {
          type: 'PartnershipActivityRecorded',
          data: {
            type: 'visit',
            date: '2025-03-25',
            summary: 'Delegation visit',
            participants: [rearHromada, outpostHromada],
          },
        },
      ]);
    expect(event.data).not.toHaveProperty('planned');
  });

  it('refuses an unknown partnership', () => {
    given([]).when(record(visit)).thenRefuses(NotFoundError);
  });

  it('refuses a participant who is not a party', () => {
    given([proposed(sideBySide)])
      .when(record({ ...visit, participants: [rearHromada, foreignTown] }))
      .thenRefuses(ValidationError, { field: 'participants.1', message: /not a party/ });
  });

  it('refuses just a month for an activity that took place', () => {
    given([proposed(sideBySide)])
      .when(record({ ...visit, date: '2025-03' }))
      .thenRefuses(ValidationError, { field: 'date', message: /needs its day/ });
  });

  it('refuses indicators on a planned activity', () => {
    given([proposed(sideBySide)])
      .when(record({ ...visit, date: '2025-08-01', planned: true, indicators: { guests: 10 } }))
      .thenRefuses(ValidationError, { field: 'indicators', message: /no results yet/ });
  });

  it.each([
    ['negative', -650],
    ['not a number', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
  ])('refuses an indicator that is %s', (_label, figure) => {
    given([proposed(sideBySide)])
      .when(record({ ...visit, indicators: { 'women-hosted': figure } }))
      .thenRefuses(ValidationError, { field: 'indicators.women-hosted' });
  });

  describe('within a term from 2024-10-01 to 2025-05-31', () => {
    const withTerm: ProposePartnership = { ...sideBySide, term: { from: '2024-10-01', to: '2025-05-31' } };

    it.each(['2024-10-01', '2025-05-19', '2025-05-31'])('accepts an activity on %s', (date) => {
      given([proposed(withTerm)])
        .when(record({ ...visit, date }))
        .then([
          {
            type: 'PartnershipActivityRecorded',
            data: {
              type: 'visit',
              date,
              summary: 'Delegation visit',
              participants: [rearHromada, outpostHromada],
            },
          },
        ]);
    });

    it('accepts a planned month that overlaps the term, not one before it', () => {
      given([proposed(withTerm)])
        .when(record({ ...visit, date: '2024-09', planned: true }))
        .thenRefuses(ValidationError, { field: 'date' });
      given([proposed(withTerm)])
        .when(record({ ...visit, date: '2025-05', planned: true }))
        .then([
          {
            type: 'PartnershipActivityRecorded',
            data: {
              type: 'visit',
              date: '2025-05',
              summary: 'Delegation visit',
              participants: [rearHromada, outpostHromada],
              planned: true,
            },
          },
        ]);
    });

    it.each(['2024-09-30', '2025-06-01'])('refuses an activity on %s', (date) => {
      given([proposed(withTerm)])
        .when(record({ ...visit, date }))
        .thenRefuses(ValidationError, {
          field: 'date',
          message: /outside the partnership's term, 2024-10-01 to 2025-05-31/,
        });
    });
  });
});

describe('TerminatePartnership', () => {
  it('withdraws a proposal that never started, on any day', () => {
    const history = given([proposed(sideBySide)])
      .when(terminate('2020-01-01'))
      .then([terminated('2020-01-01')]);
    expect(fold(partnershipDecider, history)).toMatchObject({
      status: 'terminated',
      termination: { effectiveOn: '2020-01-01' },
    });
  });

  it('terminates an active partnership on the day it started', () => {
    given([proposed(sideBySide), signed(sideBySideSignature)])
      .when(terminate('2025-03-25'))
      .then([terminated('2025-03-25')]);
  });

  it('refuses to end a partnership before it was signed', () => {
    given([proposed(sideBySide), signed(sideBySideSignature)])
      .when(terminate('2025-03-24'))
      .thenRefuses(ValidationError, { field: 'effectiveOn', message: /before it started on 2025-03-25/ });
  });

  it('refuses to end a partnership before its term started', () => {
    given([proposed({ ...sideBySide, term: { from: '2024-10-01', to: '2025-05-31' } })])
      .when(terminate('2024-09-30'))
      .thenRefuses(ValidationError, { field: 'effectiveOn', message: /started on 2024-10-01/ });
  });

  it('refuses to end a partnership before its first held activity, ignoring planned ones', () => {
    const history: PartnershipEvent[] = [
      proposed(sideBySide),
      {
        type: 'PartnershipActivityRecorded',
        data: {
          type: 'event',
          date: '2025-01',
          summary: 'Planned meeting',
          participants: [rearHromada],
          planned: true,
        },
      },
      {
        type: 'PartnershipActivityRecorded',
        data: { type: 'visit', date: '2025-02-10', summary: 'First visit', participants: [rearHromada] },
      },
    ];
    given(history)
      .when(terminate('2025-02-09'))
      .thenRefuses(ValidationError, { field: 'effectiveOn', message: /started on 2025-02-10/ });
  });

  it('refuses an unknown partnership', () => {
    given([]).when(terminate('2025-01-01')).thenRefuses(NotFoundError);
  });

  it('refuses a second termination', () => {
    given([proposed(sideBySide), terminated('2025-04-01')])
      .when(terminate('2025-05-01'))
      .thenRefuses(ConflictError, { message: /was terminated on 2025-04-01/ });
  });

  it.each<[string, PartnershipCommand]>([
    ['an approval', approval],
    ['a signature', sign(sideBySideSignature)],
    ['an activity', record(visit)],
  ])('records nothing after the termination: refuses %s', (_label, command) => {
    given([proposed(sideBySide), terminated('2025-04-01')])
      .when(command)
      .thenRefuses(ConflictError, { message: /nothing more can be recorded/ });
  });
});

describe('evolve', () => {
  it('folds the whole life of a partnership into its state', () => {
    const state = fold(partnershipDecider, [
      proposed({ ...international, term: { from: '2025-04-01', to: '2026-03-31' } }),
      {
        type: 'PartnershipActivityRecorded',
        data: { type: 'aid-delivery', date: '2025-03-01', summary: 'Aid', participants: [foreignTown] },
      },
      approved,
      signed(internationalSignature),
      terminated('2026-03-31'),
    ]);
    expect(state).toMatchObject({
      status: 'terminated',
      kind: 'international',
      approval: { body: 'Executive committee', date: '2025-03-20' },
      memorandum: { signedOn: '2025-03-25' },
      startedOn: '2025-03-01',
      heldActivities: 1,
      termination: { effectiveOn: '2026-03-31' },
    });
  });

  it('refuses a history that does not start with a proposal', () => {
    expect(() => fold(partnershipDecider, [approved])).toThrow(/without PartnershipProposed/);
  });
});

describe('partnershipEventOccurredOn', () => {
  it.each<[string, PartnershipEvent, string | undefined]>([
    ['a proposal has no business day', proposed(sideBySide), undefined],
    ['an approval happened on its decision day', approved, '2025-03-20'],
    ['a memorandum on its signing day', signed(sideBySideSignature), '2025-03-25'],
    [
      'a held activity on its day',
      {
        type: 'PartnershipActivityRecorded',
        data: { type: 'visit', date: '2025-03-25', summary: 'Visit', participants: [rearHromada] },
      },
      '2025-03-25',
    ],
    [
      'a planned activity has not happened yet',
      {
        type: 'PartnershipActivityRecorded',
        data: {
          type: 'event',
          date: '2025-08',
          summary: 'Round table',
          participants: [rearHromada],
          planned: true,
        },
      },
      undefined,
    ],
    ['a termination on the day it takes effect', terminated('2026-01-01'), '2026-01-01'],
  ])('%s', (_label, event, day) => {
    expect(partnershipEventOccurredOn(event)).toBe(day);
  });
});
