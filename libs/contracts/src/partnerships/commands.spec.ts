import { ValidationError } from '../errors';
import { validateInput } from '../validation';
import {
  ApprovePartnership,
  MAX_PARTNERSHIP_PARTIES,
  PartnershipParty,
  PartnershipTerm,
  ProposePartnership,
  RecordActivity,
  SignMemorandum,
  TerminatePartnership,
} from './commands';
import { PARTNERSHIP_STREAM_PREFIX, PARTNERSHIPS_SUBJECTS, partnershipStream } from './subjects';

const partnershipId = '0195c1a0-0000-7000-8000-000000000001';
const brovary = '0195c1a0-0000-7000-8000-0000000000a1';
const derhachi = '0195c1a0-0000-7000-8000-0000000000a2';

function failingFields(dto: new () => object, payload: unknown): string[] {
  try {
    validateInput(dto, payload);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    // One field may fail several constraints; each field is named once here.
    return [...new Set((error as ValidationError).fields.map((f) => f.field))];
  }
  throw new Error('expected a ValidationError');
}

const proposal = {
  kind: 'side-by-side',
  parties: [
    { partyId: brovary, role: 'partner' },
    { partyId: derhachi, role: 'outpost' },
  ],
  areas: ['recovery-teams', 'children'],
  term: { from: '2025-03-25', to: '2026-03-24' },
  channel: 'programme',
  programmeId: '0195c1a0-0000-7000-8000-0000000000c1',
};

describe('ProposePartnership', () => {
  it('turns a valid proposal into typed instances, nested ones included', () => {
    const command = validateInput(ProposePartnership, proposal);
    expect(command).toBeInstanceOf(ProposePartnership);
    expect(command.parties[1]).toBeInstanceOf(PartnershipParty);
    expect(command.term).toBeInstanceOf(PartnershipTerm);
    expect(command.parties[1].role).toBe('outpost');
  });

  it('accepts a proposal without its optional fields', () => {
    const { kind, parties, areas } = proposal;
    expect(validateInput(ProposePartnership, { kind, parties, areas }).term).toBeUndefined();
  });

  it('refuses unknown fields, nested ones too', () => {
    expect(failingFields(ProposePartnership, { ...proposal, status: 'active' })).toEqual(['status']);
    expect(
      failingFields(ProposePartnership, {
        ...proposal,
        parties: [{ ...proposal.parties[0], name: 'Brovary' }, proposal.parties[1]],
      }),
    ).toEqual(['parties.0.name']);
  });

  it('refuses words outside the vocabularies', () => {
    expect(
      failingFields(ProposePartnership, {
        ...proposal,
        kind: 'twinning',
        parties: [{ partyId: brovary, role: 'sponsor' }, proposal.parties[1]],
        areas: ['tourism'],
        channel: 'email',
      }),
    ).toEqual(expect.arrayContaining(['kind', 'parties.0.role', 'areas', 'channel']));
  });

  it('refuses an id that is not a UUID and a programme that is null', () => {
    expect(
      failingFields(ProposePartnership, {
        ...proposal,
        parties: [{ partyId: 'brovary', role: 'partner' }, proposal.parties[1]],
        programmeId: null,
      }),
    ).toEqual(expect.arrayContaining(['parties.0.partyId', 'programmeId']));
  });

  it('refuses areas listed twice or none at all', () => {
    expect(failingFields(ProposePartnership, { ...proposal, areas: ['children', 'children'] })).toEqual([
      'areas',
    ]);
    expect(failingFields(ProposePartnership, { ...proposal, areas: [] })).toEqual(['areas']);
  });

  it('refuses days that do not exist and date-times', () => {
    expect(
      failingFields(ProposePartnership, {
        ...proposal,
        term: { from: '2025-02-29', to: '2025-05-31T00:00:00Z' },
      }),
    ).toEqual(['term.from', 'term.to']);
  });

  it('accepts a leap day', () => {
    expect(
      validateInput(ProposePartnership, { ...proposal, term: { from: '2024-02-29', to: '2025-02-28' } }).term,
    ).toEqual({ from: '2024-02-29', to: '2025-02-28' });
  });

  it(`refuses more than ${MAX_PARTNERSHIP_PARTIES} parties`, () => {
    const parties = Array.from({ length: MAX_PARTNERSHIP_PARTIES + 1 }, (_, i) => ({
      partyId: `0195c1a0-0000-7000-8000-${String(i).padStart(12, '0')}`,
      role: 'participant',
    }));
    expect(failingFields(ProposePartnership, { ...proposal, parties })).toEqual(['parties']);
  });
});

describe('ApprovePartnership', () => {
  it('accepts a decision with or without a number', () => {
    const decision = { body: 'Executive committee of the Zhytomyr City Council', date: '2022-12-21' };
    expect(validateInput(ApprovePartnership, { partnershipId, decision }).decision.body).toBe(decision.body);
    expect(
      validateInput(ApprovePartnership, { partnershipId, decision: { ...decision, number: '1204' } }).decision
        .number,
    ).toBe('1204');
  });

  it('refuses a missing decision and a blank body', () => {
    expect(failingFields(ApprovePartnership, { partnershipId })).toEqual(['decision']);
    expect(
      failingFields(ApprovePartnership, { partnershipId, decision: { body: '   ', date: '2022-12-21' } }),
    ).toEqual(['decision.body']);
  });
});

describe('SignMemorandum', () => {
  const signature = {
    partnershipId,
    signedOn: '2025-03-25',
    signatories: [
      { partyId: brovary, name: 'Ihor Sapozhko', title: 'Mayor of Brovary' },
      { partyId: derhachi, name: 'Viacheslav Zdorenko', title: 'Head of the community' },
    ],
    areas: ['recovery-teams'],
  };

  it('accepts a memorandum', () => {
    expect(validateInput(SignMemorandum, signature).signatories).toHaveLength(2);
  });

  it('refuses no signatories, an over-long name and a missing title', () => {
    expect(failingFields(SignMemorandum, { ...signature, signatories: [] })).toEqual(['signatories']);
    expect(
      failingFields(SignMemorandum, {
        ...signature,
        signatories: [
          { partyId: brovary, name: 'x'.repeat(201), title: 'Mayor' },
          { partyId: derhachi, name: 'Head' },
        ],
      }),
    ).toEqual(['signatories.0.name', 'signatories.1.title']);
  });
});

describe('RecordActivity', () => {
  const activity = {
    partnershipId,
    type: 'results-review',
    date: '2022-12-23',
    summary: 'Rawicz hosted 650 Ukrainian women',
    participants: [brovary, derhachi],
    indicators: { 'women-hosted': 650 },
  };

  it('accepts an activity with indicators, and a planned one by its month', () => {
    expect(validateInput(RecordActivity, activity).indicators).toEqual({ 'women-hosted': 650 });
    const { indicators: _none, ...withoutIndicators } = activity;
    expect(validateInput(RecordActivity, { ...withoutIndicators, date: '2023-08', planned: true }).date).toBe(
      '2023-08',
    );
  });

  it.each([
    ['a thirteenth month', { date: '2023-13' }, 'date'],
    ['a blank summary', { summary: ' ' }, 'summary'],
    ['an over-long summary', { summary: 'x'.repeat(2001) }, 'summary'],
    ['no participants', { participants: [] }, 'participants'],
    ['a participant twice', { participants: [brovary, brovary] }, 'participants'],
    ['a participant that is not an id', { participants: ['Derhachi'] }, 'participants'],
    ['an indicator that is text', { indicators: { 'women-hosted': '650' } }, 'indicators'],
    ['an indicator name that is not kebab-case', { indicators: { 'Women hosted': 650 } }, 'indicators'],
    ['indicators as a list', { indicators: [650] }, 'indicators'],
    [
      'too many indicators',
      { indicators: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`figure-${i}`, i])) },
      'indicators',
    ],
    ['planned as text', { planned: 'yes' }, 'planned'],
    ['an unknown type', { type: 'party' }, 'type'],
  ])('refuses %s', (_label, change, field) => {
    expect(failingFields(RecordActivity, { ...activity, ...change })).toEqual([field]);
  });
});

describe('TerminatePartnership', () => {
  it('accepts a termination and refuses one without a reason', () => {
    const termination = { partnershipId, effectiveOn: '2025-06-01', reason: 'The term ended' };
    expect(validateInput(TerminatePartnership, termination).effectiveOn).toBe('2025-06-01');
    expect(failingFields(TerminatePartnership, { ...termination, reason: '' })).toEqual(['reason']);
    expect(failingFields(TerminatePartnership, { ...termination, partnershipId: 'not-an-id' })).toEqual([
      'partnershipId',
    ]);
  });
});

describe('subjects and streams', () => {
  it('names the NATS subjects of the design', () => {
    expect(Object.values(PARTNERSHIPS_SUBJECTS).sort()).toEqual([
      'partnerships.cmd.approve-partnership',
      'partnerships.cmd.propose-partnership',
      'partnerships.cmd.record-activity',
      'partnerships.cmd.sign-memorandum',
      'partnerships.cmd.terminate-partnership',
      'partnerships.query.partnership',
      'partnerships.query.partnerships',
    ]);
  });

  it('names a partnership stream partnership-<id>', () => {
    expect(partnershipStream(partnershipId)).toBe(`partnership-${partnershipId}`);
    expect(partnershipStream(partnershipId).startsWith(PARTNERSHIP_STREAM_PREFIX)).toBe(true);
  });
});
