import { ConflictError, fold, ValidationError, type PartnershipEvent } from '@aid/contracts';
import { givenWhenThen } from './given-when-then';
import { partnershipDecider, type PartnershipCommand, type PartnershipState } from './partnership.decider';
import { type PartiesContext } from './party-context';

/*
 * The five source stories (../shared/seeds), replayed command by command through the decider.
 * Where a story gives no exact day, the comment on the date says which day stands in for it.
 */

const given = givenWhenThen(partnershipDecider);

/** Runs the commands one after another, each against the history the earlier ones wrote. */
class Story {
  readonly history: PartnershipEvent[] = [];

  record(command: PartnershipCommand): PartnershipEvent[] {
    const events = partnershipDecider.decide(command, this.state);
    this.history.push(...events);
    return events;
  }

  get state(): PartnershipState {
    return fold(partnershipDecider, this.history);
  }

  get types(): string[] {
    return this.history.map((event) => event.type);
  }
}

describe('Brovary and Derhachi, side by side (25 March 2025)', () => {
  const partnershipId = '0195c1a0-0000-7000-8000-000000001001';
  const brovary = '0195c1a0-0000-7000-8000-000000001101';
  const derhachi = '0195c1a0-0000-7000-8000-000000001102';
  const sideBySideProject = '0195c1a0-0000-7000-8000-000000001103';
  const context: PartiesContext = {
    [brovary]: {
      registered: true,
      type: 'community',
      kind: 'hromada',
      countryCode: 'UA',
      frontlineStatus: 'rear',
    },
    [derhachi]: {
      registered: true,
      type: 'community',
      kind: 'hromada',
      countryCode: 'UA',
      frontlineStatus: 'outpost',
    },
    [sideBySideProject]: { registered: true, type: 'organisation', kind: 'programme', countryCode: 'UA' },
  };
  const fiveAreas = [
    'recovery-teams',
    'children',
    'culture-education-sport',
    'material-humanitarian-aid',
    'co-financing',
  ] as const;

  it('records the visit to the outpost community and the memorandum it led to', () => {
    const story = new Story();
    story.record({
      type: 'ProposePartnership',
      partnershipId,
      data: {
        kind: 'side-by-side',
        parties: [
          { partyId: brovary, role: 'partner' },
          { partyId: derhachi, role: 'outpost' },
        ],
        programmeId: sideBySideProject,
        areas: [...fiveAreas],
        channel: 'programme',
      },
      context,
    });
    // The national project started in 2025; the story gives the day and month only.
    story.record({
      type: 'RecordActivity',
      data: {
        partnershipId,
        type: 'visit',
        date: '2025-03-25',
        summary:
          'Delegation of Brovary led by mayor Ihor Sapozhko in Derhachi: the hospital, the new family outpatient ' +
          'clinic, the improvements on Tsentralna street, and Slatyne and Prudianka, shelled almost daily.',
        participants: [brovary, derhachi],
      },
    });
    const [memorandum] = story.record({
      type: 'SignMemorandum',
      data: {
        partnershipId,
        signedOn: '2025-03-25',
        signatories: [
          { partyId: brovary, name: 'Ihor Sapozhko', title: 'Mayor of Brovary' },
          {
            partyId: derhachi,
            name: 'Viacheslav Zdorenko',
            title: 'Head of the Derhachi city territorial community',
          },
        ],
        areas: [...fiveAreas],
      },
      context,
    });

    expect(story.types).toEqual(['PartnershipProposed', 'PartnershipActivityRecorded', 'MemorandumSigned']);
    expect(memorandum.data).toEqual({
      signedOn: '2025-03-25',
      signatories: [
        { partyId: brovary, name: 'Ihor Sapozhko', title: 'Mayor of Brovary' },
        {
          partyId: derhachi,
          name: 'Viacheslav Zdorenko',
          title: 'Head of the Derhachi city territorial community',
        },
      ],
      areas: [...fiveAreas],
    });
    expect(story.state).toMatchObject({
      status: 'active',
      kind: 'side-by-side',
      programmeId: sideBySideProject,
      areas: [...fiveAreas],
      startedOn: '2025-03-25',
      heldActivities: 1,
    });
  });

  it('would refuse the memorandum had Brovary itself been an outpost community that day', () => {
    given([
      {
        type: 'PartnershipProposed',
        data: {
          partnershipId,
          kind: 'side-by-side',
          parties: [
            { partyId: brovary, role: 'partner' },
            { partyId: derhachi, role: 'outpost' },
          ],
          areas: [...fiveAreas],
        },
      },
    ])
      .when({
        type: 'SignMemorandum',
        data: {
          partnershipId,
          signedOn: '2025-03-25',
          signatories: [
            { partyId: brovary, name: 'Ihor Sapozhko', title: 'Mayor of Brovary' },
            { partyId: derhachi, name: 'Viacheslav Zdorenko', title: 'Head of the community' },
          ],
          areas: [...fiveAreas],
        },
        context: { ...context, [brovary]: { ...context[brovary], frontlineStatus: 'outpost' } },
      })
      .thenRefuses(ConflictError, { message: /pairs a rear partner community with an outpost community/ });
  });
});

describe('Zhytomyr and gmina Rawicz, an international agreement (23 December 2022)', () => {
  const partnershipId = '0195c1a0-0000-7000-8000-000000002001';
  const zhytomyr = '0195c1a0-0000-7000-8000-000000002101';
  const rawicz = '0195c1a0-0000-7000-8000-000000002102';
  const context: PartiesContext = {
    [zhytomyr]: {
      registered: true,
      type: 'community',
      kind: 'hromada',
      countryCode: 'UA',
      frontlineStatus: 'rear',
    },
    [rawicz]: { registered: true, type: 'community', kind: 'foreign-municipality', countryCode: 'PL' },
  };
  const agreement: PartnershipCommand = {
    type: 'SignMemorandum',
    data: {
      partnershipId,
      signedOn: '2022-12-23',
      signatories: [
        { partyId: zhytomyr, name: 'Serhii Sukhomlyn', title: 'Mayor of Zhytomyr' },
        { partyId: rawicz, name: 'Grzegorz Kubik', title: 'Burmistrz of Gmina Rawicz' },
      ],
      areas: ['material-humanitarian-aid', 'social-services'],
    },
    context,
  };

  it('refuses the agreement until the executive committee approves it, then records it and the aid', () => {
    const story = new Story();
    story.record({
      type: 'ProposePartnership',
      partnershipId,
      data: {
        kind: 'international',
        parties: [
          { partyId: zhytomyr, role: 'partner' },
          { partyId: rawicz, role: 'partner' },
        ],
        areas: ['material-humanitarian-aid', 'social-services'],
        channel: 'platform-request',
      },
      context,
    });
    // The 50 tonnes were handed over in many loads since February; the story reports the total on 23 December.
    story.record({
      type: 'RecordActivity',
      data: {
        partnershipId,
        type: 'aid-delivery',
        date: '2022-12-23',
        summary:
          'Since 24 February Rawicz formed and handed over humanitarian aid to Zhytomyr: 50 tonnes in all.',
        participants: [rawicz, zhytomyr],
        indicators: { 'aid-kg': 50000 },
      },
    });

    given(story.history)
      .when(agreement)
      .thenRefuses(ConflictError, { message: /can only be signed after it is approved/ });

    // The story says only that the executive committee approved it beforehand.
    story.record({
      type: 'ApprovePartnership',
      data: {
        partnershipId,
        decision: { body: 'Executive committee of the Zhytomyr City Council', date: '2022-12-21' },
      },
    });
    story.record(agreement);
    const [review] = story.record({
      type: 'RecordActivity',
      data: {
        partnershipId,
        type: 'results-review',
        date: '2022-12-23',
        summary:
          'Online meeting of the mayor of Zhytomyr with gmina Rawicz: since 24 February Rawicz hosted 650 Ukrainian ' +
          'women and runs a support centre for displaced women and children.',
        participants: [zhytomyr, rawicz],
        indicators: { 'women-hosted': 650 },
      },
    });

    expect(story.types).toEqual([
      'PartnershipProposed',
      'PartnershipActivityRecorded',
      'PartnershipApproved',
      'MemorandumSigned',
      'PartnershipActivityRecorded',
    ]);
    expect(review.data).toMatchObject({ type: 'results-review', indicators: { 'women-hosted': 650 } });
    expect(story.state).toMatchObject({
      status: 'active',
      kind: 'international',
      channel: 'platform-request',
      approval: { body: 'Executive committee of the Zhytomyr City Council', date: '2022-12-21' },
      memorandum: { signedOn: '2022-12-23' },
      startedOn: '2022-12-23',
      heldActivities: 2,
    });
  });
});

describe('Boratyn and Lviv at the Connective Cities Insight Session (24 May 2022)', () => {
  const partnershipId = '0195c1a0-0000-7000-8000-000000003001';
  const connectiveCities = '0195c1a0-0000-7000-8000-000000003101';
  const boratyn = '0195c1a0-0000-7000-8000-000000003102';
  const lviv = '0195c1a0-0000-7000-8000-000000003103';
  const context: PartiesContext = {
    [connectiveCities]: { registered: true, type: 'organisation', kind: 'network', countryCode: 'DE' },
    [boratyn]: {
      registered: true,
      type: 'community',
      kind: 'hromada',
      countryCode: 'UA',
      frontlineStatus: 'rear',
    },
    [lviv]: {
      registered: true,
      type: 'community',
      kind: 'hromada',
      countryCode: 'UA',
      frontlineStatus: 'rear',
    },
  };

  it('records the experience-sharing session organised by the network', () => {
    const story = new Story();
    story.record({
      type: 'ProposePartnership',
      partnershipId,
      data: {
        kind: 'exchange',
        parties: [
          { partyId: connectiveCities, role: 'organiser' },
          { partyId: boratyn, role: 'participant' },
          { partyId: lviv, role: 'participant' },
        ],
        areas: ['experience-exchange'],
        channel: 'direct',
      },
      context,
    });
    const [session] = story.record({
      type: 'RecordActivity',
      data: {
        partnershipId,
        type: 'event',
        date: '2022-05-24',
        summary:
          'Connective Cities Insight Session - Special Edition Ukraine (online): financing communities in wartime, ' +
          'support for internally displaced people, volunteering, cooperation with municipalities and organisations.',
        participants: [connectiveCities, boratyn, lviv],
      },
    });

    expect(session.data).toMatchObject({ type: 'event', participants: [connectiveCities, boratyn, lviv] });
    // No memorandum is signed at such a session: the partnership stays proposed, with its activity on record.
    expect(story.state).toMatchObject({
      status: 'proposed',
      kind: 'exchange',
      heldActivities: 1,
      startedOn: '2022-05-24',
    });
  });
});

describe('Ochakiv centre for social services and the IRC (October 2024 - May 2025)', () => {
  const partnershipId = '0195c1a0-0000-7000-8000-000000004001';
  const ochakiv = '0195c1a0-0000-7000-8000-000000004101';
  const socialServicesCentre = '0195c1a0-0000-7000-8000-000000004102';
  const irc = '0195c1a0-0000-7000-8000-000000004103';
  const context: PartiesContext = {
    [ochakiv]: {
      registered: true,
      type: 'community',
      kind: 'hromada',
      countryCode: 'UA',
      frontlineStatus: 'outpost',
    },
    [socialServicesCentre]: {
      registered: true,
      type: 'organisation',
      kind: 'institution',
      countryCode: 'UA',
      parentCommunityId: ochakiv,
    },
    [irc]: { registered: true, type: 'organisation', kind: 'ingo', countryCode: 'US' },
  };
  const review: PartnershipCommand = {
    type: 'RecordActivity',
    data: {
      partnershipId,
      type: 'results-review',
      date: '2025-05-19',
      summary:
        'Closing meeting of the city executive committee, the centre and the IRC: wider reach, range and quality of ' +
        'social services, extra resources, trained social workers, psychological support; both sides will continue.',
      participants: [ochakiv, socialServicesCentre, irc],
    },
  };

  it('records the humanitarian cooperation for its term and the results review inside it', () => {
    const story = new Story();
    story.record({
      type: 'ProposePartnership',
      partnershipId,
      data: {
        kind: 'humanitarian',
        parties: [
          { partyId: socialServicesCentre, role: 'recipient' },
          { partyId: irc, role: 'donor' },
          { partyId: ochakiv, role: 'participant' },
        ],
        areas: ['social-services'],
        // The story names months only: the term runs from the first of October to the last of May.
        term: { from: '2024-10-01', to: '2025-05-31' },
        channel: 'direct',
      },
      context,
    });
    story.record(review);

    expect(story.types).toEqual(['PartnershipProposed', 'PartnershipActivityRecorded']);
    expect(story.state).toMatchObject({
      status: 'proposed',
      kind: 'humanitarian',
      term: { from: '2024-10-01', to: '2025-05-31' },
      startedOn: '2024-10-01',
      heldActivities: 1,
    });

    // Continuing after May needs a new term: an activity past this one is refused.
    given(story.history)
      .when({ ...review, data: { ...review.data, date: '2025-06-02' } })
      .thenRefuses(ValidationError, { field: 'date', message: /outside the partnership's term/ });
  });
});

describe('U-LEAD exchange visit of Poltava communities to Cherkasy oblast (26 July 2023)', () => {
  const partnershipId = '0195c1a0-0000-7000-8000-000000005001';
  const uLead = '0195c1a0-0000-7000-8000-000000005101';
  const nekhvoroshcha = '0195c1a0-0000-7000-8000-000000005102';
  const bilozirska = '0195c1a0-0000-7000-8000-000000005103';
  const chyhyryn = '0195c1a0-0000-7000-8000-000000005104';
  const shevchenkivska = '0195c1a0-0000-7000-8000-000000005105';
  const hromada = {
    registered: true,
    type: 'community',
    kind: 'hromada',
    countryCode: 'UA',
    frontlineStatus: 'rear',
  } as const;
  const context: PartiesContext = {
    [uLead]: { registered: true, type: 'organisation', kind: 'programme' },
    [nekhvoroshcha]: hromada,
    [bilozirska]: hromada,
    [chyhyryn]: hromada,
    [shevchenkivska]: hromada,
  };

  it('records the visit and the follow-ups planned for August and September', () => {
    const story = new Story();
    story.record({
      type: 'ProposePartnership',
      partnershipId,
      data: {
        kind: 'exchange',
        parties: [
          { partyId: uLead, role: 'organiser' },
          { partyId: nekhvoroshcha, role: 'participant' },
          { partyId: bilozirska, role: 'participant' },
          { partyId: chyhyryn, role: 'participant' },
          { partyId: shevchenkivska, role: 'participant' },
        ],
        programmeId: uLead,
        areas: ['experience-exchange'],
        channel: 'programme',
      },
      context,
    });
    // The report is dated 26 July 2023 and does not give the day of the visit itself.
    story.record({
      type: 'RecordActivity',
      data: {
        partnershipId,
        type: 'exchange',
        date: '2023-07-26',
        summary:
          'Delegation of Poltava oblast communities in Bilozirska, Chyhyryn and Shevchenkivska communities: municipal ' +
          'services in wartime, shelters, return to offline schooling, project-based attraction of international resources.',
        participants: [uLead, nekhvoroshcha, bilozirska, chyhyryn, shevchenkivska],
      },
    });
    const [roundTable] = story.record({
      type: 'RecordActivity',
      data: {
        partnershipId,
        type: 'event',
        date: '2023-08',
        summary:
          'Round table on shelters for the heads of Poltava oblast communities and the State Emergency Service.',
        participants: [uLead, nekhvoroshcha],
        planned: true,
      },
    });
    const [september] = story.record({
      type: 'RecordActivity',
      data: {
        partnershipId,
        type: 'visit',
        date: '2023-09',
        summary:
          'Poltava oblast shares its experience with communities of Dnipropetrovsk and Zaporizhzhia oblasts.',
        participants: [uLead, nekhvoroshcha],
        planned: true,
      },
    });

    expect(roundTable.data).toMatchObject({ type: 'event', date: '2023-08', planned: true });
    expect(september.data).toMatchObject({ type: 'visit', date: '2023-09', planned: true });
    expect(story.state).toMatchObject({
      status: 'proposed',
      programmeId: uLead,
      heldActivities: 1,
      plannedActivities: 2,
      startedOn: '2023-07-26',
    });
  });
});
