import { ConflictError } from '@aid/contracts';
import { PartnershipsHarness, refusal } from './support/harness';

/*
 * The source stories (../shared/seeds), end to end: the registry's events reach the service
 * through JetStream, commands and queries go over NATS, the read models are PostgreSQL.
 * Where a story gives no exact day, the comment on the date says which day stands in for it.
 */

jest.setTimeout(60_000);

describe('the partnerships service records the source stories', () => {
  let world: PartnershipsHarness;

  beforeAll(async () => {
    world = await PartnershipsHarness.start('pstories');
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('Brovary and Derhachi, side by side: the visit to the outpost community and the memorandum', async () => {
    const brovary = await world.registry.hromada('UA32060050000030591', { uk: 'Броварська', en: 'Brovary' });
    const derhachi = await world.registry.hromada('UA63120070000018741', {
      uk: 'Дергачівська',
      en: 'Derhachi',
    });
    const sideBySide = await world.registry.organisation({
      name: 'Side by Side: cohesive communities',
      kind: 'programme',
      countryCode: 'UA',
    });
    // The project's lists are not dated in the story; they stand here as taking effect on 1 March 2025.
    const basis = 'National project "Side by Side: cohesive communities"';
    await world.registry.frontlineStatus(brovary, 'rear', '2025-03-01', basis);
    await world.registry.frontlineStatus(derhachi, 'outpost', '2025-03-01', basis);
    await world.registry.published();

    const fiveAreas = [
      'recovery-teams',
      'children',
      'culture-education-sport',
      'material-humanitarian-aid',
      'co-financing',
    ];
    const proposed = await world.command('proposePartnership', {
      kind: 'side-by-side',
      parties: [
        { partyId: brovary, role: 'partner' },
        { partyId: derhachi, role: 'outpost' },
      ],
      programmeId: sideBySide,
      areas: fiveAreas,
      channel: 'programme',
    });
    expect(proposed).toMatchObject({ revision: 0, appended: true });
    const partnershipId = proposed.id;

    await world.command('recordActivity', {
      partnershipId,
      type: 'visit',
      date: '2025-03-25',
      summary:
        'Delegation of Brovary led by mayor Ihor Sapozhko in Derhachi: the hospital, the new family outpatient ' +
        'clinic, and Slatyne and Prudianka, shelled almost daily.',
      participants: [brovary, derhachi],
    });
    const signed = await world.command('signMemorandum', {
      partnershipId,
      signedOn: '2025-03-25',
      signatories: [
        { partyId: brovary, name: 'Ihor Sapozhko', title: 'Mayor of Brovary' },
        { partyId: derhachi, name: 'Viacheslav Zdorenko', title: 'Head of the Derhachi community' },
      ],
      areas: fiveAreas,
    });
    expect(signed).toMatchObject({ id: partnershipId, revision: 2, appended: true });

    const partnership = await world.partnershipAt(partnershipId, 2);
    expect(partnership).toMatchObject({
      id: partnershipId,
      kind: 'side-by-side',
      status: 'active',
      programmeId: sideBySide,
      channel: 'programme',
      areas: fiveAreas,
      memorandum: {
        signedOn: '2025-03-25',
        signatories: [{ name: 'Ihor Sapozhko' }, { name: 'Viacheslav Zdorenko' }],
      },
      revision: 2,
    });
    expect(partnership.activities).toEqual([
      expect.objectContaining({ revision: 1, type: 'visit', date: '2025-03-25', planned: false }),
    ]);

    // Event metadata keeps business time apart from record time.
    const [, visit, memorandum] = await world.store.readStream(`partnership-${partnershipId}`);
    expect(visit.metadata.occurredAt).toBe('2025-03-25T00:00:00.000Z');
    expect(memorandum.metadata).toMatchObject({
      occurredAt: '2025-03-25T00:00:00.000Z',
      service: 'partnerships',
    });

    const ofDerhachi = await world.list({ communityId: derhachi });
    expect(ofDerhachi.items.map(({ id }) => id)).toEqual([partnershipId]);
  });

  it('Zhytomyr and gmina Rawicz: the agreement is refused before the approval and signed after it', async () => {
    const zhytomyr = await world.registry.hromada('UA18040190000029215', {
      uk: 'Житомирська',
      en: 'Zhytomyr',
    });
    const rawicz = await world.registry.foreignMunicipality('Gmina Rawicz', 'PL');
    await world.registry.published();

    const areas = ['material-humanitarian-aid', 'social-services'];
    const { id: partnershipId } = await world.command('proposePartnership', {
      kind: 'international',
      parties: [
        { partyId: zhytomyr, role: 'partner' },
        { partyId: rawicz, role: 'partner' },
      ],
      areas,
      channel: 'platform-request',
    });
    // The 50 tonnes went in many loads since February; the story reports the total on 23 December.
    await world.command('recordActivity', {
      partnershipId,
      type: 'aid-delivery',
      date: '2022-12-23',
      summary:
        'Since 24 February Rawicz formed and handed over humanitarian aid to Zhytomyr: 50 tonnes in all.',
      participants: [rawicz, zhytomyr],
      indicators: { 'aid-kg': 50000 },
    });

    const agreement = {
      partnershipId,
      signedOn: '2022-12-23',
      signatories: [
        { partyId: zhytomyr, name: 'Serhii Sukhomlyn', title: 'Mayor of Zhytomyr' },
        { partyId: rawicz, name: 'Grzegorz Kubik', title: 'Burmistrz of Gmina Rawicz' },
      ],
      areas,
    };
    const tooEarly = await refusal(world.command('signMemorandum', agreement));
    expect(tooEarly).toBeInstanceOf(ConflictError);
    expect(tooEarly.message).toMatch(/can only be signed after it is approved/);
    expect(await world.store.streamRevision(`partnership-${partnershipId}`)).toBe(1);

    // The story says only that the executive committee approved it beforehand.
    await world.command('approvePartnership', {
      partnershipId,
      decision: { body: 'Executive committee of the Zhytomyr City Council', date: '2022-12-21' },
    });
    await world.command('signMemorandum', agreement);
    const review = await world.command('recordActivity', {
      partnershipId,
      type: 'results-review',
      date: '2022-12-23',
      summary:
        'Meeting of the mayor of Zhytomyr with gmina Rawicz: since 24 February Rawicz hosted 650 Ukrainian women and ' +
        'runs a support centre for displaced women and children.',
      participants: [zhytomyr, rawicz],
      indicators: { 'women-hosted': 650 },
    });
    expect(review.revision).toBe(4);

    const partnership = await world.partnershipAt(partnershipId, 4);
    expect(partnership).toMatchObject({
      kind: 'international',
      status: 'active',
      channel: 'platform-request',
      approval: { body: 'Executive committee of the Zhytomyr City Council', date: '2022-12-21' },
      memorandum: { signedOn: '2022-12-23' },
    });
    expect(partnership.activities.map(({ type, indicators }) => ({ type, indicators }))).toEqual([
      { type: 'aid-delivery', indicators: { 'aid-kg': 50000 } },
      { type: 'results-review', indicators: { 'women-hosted': 650 } },
    ]);
  });

  it('Ochakiv centre for social services and the IRC: a humanitarian cooperation with its results review', async () => {
    const ochakiv = await world.registry.hromada('UA48060250000061313', { uk: 'Очаківська', en: 'Ochakiv' });
    const centre = await world.registry.organisation({
      name: 'Ochakiv centre for social services',
      kind: 'institution',
      countryCode: 'UA',
      parentCommunityId: ochakiv,
    });
    const irc = await world.registry.organisation({
      name: 'International Rescue Committee',
      kind: 'ingo',
      countryCode: 'US',
      iatiRef: 'US-EIN-135660870',
    });
    await world.registry.published();

    // The story names months only: the term runs from the first of October to the last of May.
    const { id: partnershipId } = await world.command('proposePartnership', {
      kind: 'humanitarian',
      parties: [
        { partyId: centre, role: 'recipient' },
        { partyId: irc, role: 'donor' },
      ],
      areas: ['social-services'],
      term: { from: '2024-10-01', to: '2025-05-31' },
      channel: 'direct',
    });
    await world.command('recordActivity', {
      partnershipId,
      type: 'results-review',
      date: '2025-05-19',
      summary:
        'Meeting with the Ochakiv city executive committee: wider reach, range and quality of social services, ' +
        'extra resources, trained social workers, psychological support; both sides will continue.',
      participants: [centre, irc],
    });

    const partnership = await world.partnershipAt(partnershipId, 1);
    expect(partnership).toMatchObject({
      kind: 'humanitarian',
      status: 'proposed',
      term: { from: '2024-10-01', to: '2025-05-31' },
      parties: [
        { partyId: centre, role: 'recipient' },
        { partyId: irc, role: 'donor' },
      ],
    });
    expect(partnership.activities).toEqual([
      expect.objectContaining({ type: 'results-review', date: '2025-05-19', participants: [centre, irc] }),
    ]);

    // Ochakiv is no party itself: the partnership is its through the centre, an institution inside it.
    const ofOchakiv = await world.list({ communityId: ochakiv });
    expect(ofOchakiv.items.map(({ id }) => id)).toEqual([partnershipId]);
  });

  it('U-LEAD exchange visit of Poltava oblast communities to Cherkasy oblast, with follow-ups planned', async () => {
    const uLead = await world.registry.organisation({ name: 'U-LEAD with Europe', kind: 'programme' });
    const nekhvoroshcha = await world.registry.hromada('UA53080290000024637', {
      uk: 'Нехворощанська',
      en: 'Nekhvoroshcha',
    });
    const bilozirska = await world.registry.hromada('UA71080050000028174', {
      uk: 'Білозірська',
      en: 'Bilozirska',
    });
    const chyhyryn = await world.registry.hromada('UA71080510000028067', {
      uk: 'Чигиринська',
      en: 'Chyhyryn',
    });
    const shevchenkivska = await world.registry.hromada('UA71020310000027379', {
      uk: 'Шевченківська',
      en: 'Shevchenkivska',
    });
    await world.registry.published();

    const everyone = [uLead, nekhvoroshcha, bilozirska, chyhyryn, shevchenkivska];
    const { id: partnershipId } = await world.command('proposePartnership', {
      kind: 'exchange',
      parties: [
        { partyId: uLead, role: 'organiser' },
        ...everyone.slice(1).map((partyId) => ({ partyId, role: 'participant' })),
      ],
      programmeId: uLead,
      areas: ['experience-exchange'],
      channel: 'programme',
    });
    // The report is dated 26 July 2023 and does not give the day of the visit itself.
    await world.command('recordActivity', {
      partnershipId,
      type: 'exchange',
      date: '2023-07-26',
      summary:
        'Delegation of Poltava oblast communities in Bilozirska, Chyhyryn and Shevchenkivska: municipal services in ' +
        'wartime, shelters, offline schooling, project-based attraction of international resources.',
      participants: everyone,
    });
    await world.command('recordActivity', {
      partnershipId,
      type: 'event',
      date: '2023-08',
      summary: 'Round table on shelters for the heads of Poltava oblast communities.',
      participants: [uLead, nekhvoroshcha],
      planned: true,
    });
    await world.command('recordActivity', {
      partnershipId,
      type: 'visit',
      date: '2023-09',
      summary: 'Visit to communities of Dnipropetrovsk and Zaporizhzhia oblasts.',
      participants: [uLead, nekhvoroshcha],
      planned: true,
    });

    const partnership = await world.partnershipAt(partnershipId, 3);
    expect(partnership).toMatchObject({ kind: 'exchange', status: 'proposed', programmeId: uLead });
    expect(partnership.activities.map(({ type, date, planned }) => ({ type, date, planned }))).toEqual([
      { type: 'exchange', date: '2023-07-26', planned: false },
      { type: 'event', date: '2023-08', planned: true },
      { type: 'visit', date: '2023-09', planned: true },
    ]);
    // A planned follow-up has no business day yet: its record time stands in.
    const [, , roundTable] = await world.store.readStream(`partnership-${partnershipId}`);
    expect(roundTable.metadata.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    const ofChyhyryn = await world.list({ communityId: chyhyryn, kind: 'exchange' });
    expect(ofChyhyryn.items.map(({ id }) => id)).toEqual([partnershipId]);
  });
});
