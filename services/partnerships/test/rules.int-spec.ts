import { ConflictError, NotFoundError, ValidationError, type RequestActor } from '@aid/contracts';
import { eventually, fieldsOf, OFFICER, PartnershipsHarness, refusal } from './support/harness';

/*
 * The rules of a partnership's life and the queries, through NATS against the running service:
 * what is refused (typed, naming the field, appending nothing) and what the read model answers.
 */

jest.setTimeout(60_000);

describe('the partnerships service keeps the rules of a partnership', () => {
  let world: PartnershipsHarness;
  let lviv: string;
  let kupiansk: string;
  let irpin: string;
  let gdansk: string;
  let irpinLibrary: string;
  let unicef: string;

  beforeAll(async () => {
    world = await PartnershipsHarness.start('prules');
    const { registry } = world;
    lviv = await registry.hromada('UA46060250000025047', { uk: 'Львівська', en: 'Lviv' });
    kupiansk = await registry.hromada('UA63080090000067457', { uk: 'Куп’янська', en: 'Kupiansk' });
    irpin = await registry.hromada('UA32080150000035443', { uk: 'Ірпінська', en: 'Irpin' });
    gdansk = await registry.foreignMunicipality('Miasto Gdańsk', 'PL');
    irpinLibrary = await registry.organisation({
      name: 'Irpin central library',
      kind: 'institution',
      countryCode: 'UA',
      parentCommunityId: irpin,
    });
    unicef = await registry.organisation({ name: 'UNICEF', kind: 'ingo' });
    // Kupiansk was a rear community until it was named an outpost on 1 March 2025.
    await registry.frontlineStatus(lviv, 'rear', '2025-01-01');
    await registry.frontlineStatus(kupiansk, 'rear', '2024-01-01');
    await registry.frontlineStatus(kupiansk, 'outpost', '2025-03-01', 'Named an outpost community');
    await registry.published();
  });

  afterAll(async () => {
    await world?.stop();
  });

  const sideBySide = () => ({
    kind: 'side-by-side',
    parties: [
      { partyId: lviv, role: 'partner' },
      { partyId: kupiansk, role: 'outpost' },
    ],
    areas: ['recovery-teams', 'children'],
  });
  const signature = (partnershipId: string, signedOn: string) => ({
    partnershipId,
    signedOn,
    signatories: [
      { partyId: lviv, name: 'Andrii Sadovyi', title: 'Mayor of Lviv' },
      { partyId: kupiansk, name: 'Head of the military administration', title: 'Head' },
    ],
    areas: ['recovery-teams'],
  });
  const exchange = () => ({
    kind: 'exchange',
    parties: [
      { partyId: irpin, role: 'participant' },
      { partyId: gdansk, role: 'organiser' },
    ],
    areas: ['experience-exchange'],
  });

  describe('parties', () => {
    it('refuses a party the registry does not know, naming it, and appends nothing', async () => {
      const before = await world.partnershipEventCount();
      const stranger = '0195c1a0-0000-7000-8000-00000000dead';
      const refused = await refusal(
        world.command('proposePartnership', {
          ...exchange(),
          parties: [exchange().parties[0], { partyId: stranger, role: 'organiser' }],
        }),
      );
      expect(refused).toBeInstanceOf(NotFoundError);
      expect(refused.message).toContain(`party ${stranger} is not registered`);
      expect(fieldsOf(refused)).toEqual(['parties.1.partyId']);

      const unknownProgramme = await refusal(
        world.command('proposePartnership', { ...exchange(), programmeId: stranger, channel: 'programme' }),
      );
      expect(unknownProgramme).toBeInstanceOf(NotFoundError);
      expect(fieldsOf(unknownProgramme)).toEqual(['programmeId']);
      expect(await world.partnershipEventCount()).toBe(before);
    });

    it('knows a community registered a moment ago: the consumer catches up before the service decides', async () => {
      const chyhyryn = await world.registry.hromada('UA71080510000028067', {
        uk: 'Чигиринська',
        en: 'Chyhyryn',
      });
      await world.registry.published();
      const reply = await world.command('proposePartnership', {
        kind: 'exchange',
        parties: [
          { partyId: chyhyryn, role: 'participant' },
          { partyId: irpin, role: 'participant' },
        ],
        areas: ['experience-exchange'],
      });
      expect(reply).toMatchObject({ revision: 0, appended: true });
    });

    it('resumes its durable consumer after a restart, with what was registered while it was down', async () => {
      let bilozirska = '';
      await world.restartService(async () => {
        bilozirska = await world.registry.hromada('UA71080050000028174', {
          uk: 'Білозірська',
          en: 'Bilozirska',
        });
        await world.registry.published();
      });
      const reply = await world.command('proposePartnership', {
        kind: 'exchange',
        parties: [
          { partyId: bilozirska, role: 'participant' },
          { partyId: lviv, role: 'participant' },
        ],
        areas: ['experience-exchange'],
      });
      expect(reply).toMatchObject({ revision: 0, appended: true });
    });

    it('judges a side-by-side memorandum on the frontline statuses of its signing day', async () => {
      const { id } = await world.command('proposePartnership', sideBySide());
      // On 15 February 2025 Kupiansk was still a rear community.
      const tooEarly = await refusal(world.command('signMemorandum', signature(id, '2025-02-15')));
      expect(tooEarly).toBeInstanceOf(ConflictError);
      expect(tooEarly.message).toMatch(/on 2025-02-15 the outpost community .* is rear, not outpost/);
      expect(await world.store.streamRevision(`partnership-${id}`)).toBe(0);

      const signed = await world.command('signMemorandum', signature(id, '2025-03-10'));
      expect(signed).toMatchObject({ id, revision: 1, appended: true });
    });
  });

  describe('life of a partnership', () => {
    it('refuses a second signature as a conflict', async () => {
      const { id } = await world.command('proposePartnership', sideBySide());
      await world.command('signMemorandum', signature(id, '2025-03-10'));
      const again = await refusal(world.command('signMemorandum', signature(id, '2025-03-12')));
      expect(again).toBeInstanceOf(ConflictError);
      expect(again.message).toMatch(/already signed on 2025-03-10/);
      expect(await world.store.streamRevision(`partnership-${id}`)).toBe(1);
    });

    it('records nothing on a terminated partnership', async () => {
      const { id } = await world.command('proposePartnership', exchange());
      await world.command('recordActivity', {
        partnershipId: id,
        type: 'exchange',
        date: '2024-04-10',
        summary: 'Study visit of Irpin officials to Gdańsk on rebuilding housing.',
        participants: [irpin, gdansk],
      });
      await world.command('terminatePartnership', {
        partnershipId: id,
        effectiveOn: '2024-12-31',
        reason: 'The exchange programme ended',
      });

      const afterwards = [
        world.command('approvePartnership', {
          partnershipId: id,
          decision: { body: 'Irpin City Council', date: '2025-01-10' },
        }),
        world.command('signMemorandum', {
          partnershipId: id,
          signedOn: '2025-01-10',
          signatories: [
            { partyId: irpin, name: 'Oleksandr Markushyn', title: 'Mayor of Irpin' },
            { partyId: gdansk, name: 'Aleksandra Dulkiewicz', title: 'Mayor of Gdańsk' },
          ],
          areas: ['experience-exchange'],
        }),
        world.command('recordActivity', {
          partnershipId: id,
          type: 'event',
          date: '2025-01-10',
          summary: 'A meeting after the end',
          participants: [irpin],
        }),
        world.command('terminatePartnership', {
          partnershipId: id,
          effectiveOn: '2025-01-10',
          reason: 'Again',
        }),
      ];
      for (const refused of await Promise.all(afterwards.map(refusal))) {
        expect(refused).toBeInstanceOf(ConflictError);
        expect(refused.message).toMatch(/was terminated on 2024-12-31: nothing more can be recorded/);
      }
      expect(await world.store.streamRevision(`partnership-${id}`)).toBe(2);

      const partnership = await world.partnershipAt(id, 2);
      expect(partnership).toMatchObject({
        status: 'terminated',
        termination: { effectiveOn: '2024-12-31', reason: 'The exchange programme ended' },
      });
      expect(partnership.activities).toHaveLength(1);
    });

    it('refuses a command on a partnership that does not exist', async () => {
      const refused = await refusal(
        world.command('approvePartnership', {
          partnershipId: '0195c1a0-0000-7000-8000-00000000beef',
          decision: { body: 'Lviv City Council', date: '2025-01-10' },
        }),
      );
      expect(refused).toBeInstanceOf(NotFoundError);
    });

    it('answers a retried proposal with the first result, and a stale If-Match with a conflict', async () => {
      const first = await world.command('proposePartnership', exchange(), { idempotencyKey: 'proposal-42' });
      const before = await world.partnershipEventCount();
      const retry = await world.command('proposePartnership', exchange(), { idempotencyKey: 'proposal-42' });
      expect(retry).toEqual({ ...first, appended: false });
      expect(await world.partnershipEventCount()).toBe(before);

      const stale = await refusal(
        world.command(
          'approvePartnership',
          { partnershipId: first.id, decision: { body: 'Irpin City Council', date: '2025-01-10' } },
          { expectedRevision: 3 },
        ),
      );
      expect(stale).toBeInstanceOf(ConflictError);
      expect(await world.partnershipEventCount()).toBe(before);
    });
  });

  describe('bad input', () => {
    let partnershipId: string;

    beforeAll(async () => {
      ({ id: partnershipId } = await world.command('proposePartnership', exchange()));
    });

    it.each<[string, Parameters<PartnershipsHarness['command']>[0], string, (id: string) => unknown]>([
      [
        'a kind outside the vocabulary',
        'proposePartnership',
        'kind',
        () => ({ ...exchange(), kind: 'twinning' }),
      ],
      ['an unknown field', 'proposePartnership', 'status', () => ({ ...exchange(), status: 'active' })],
      [
        'a term that ends before it starts',
        'proposePartnership',
        'term.to',
        () => ({ ...exchange(), term: { from: '2025-06-01', to: '2025-01-01' } }),
      ],
      [
        'a blank decision body',
        'approvePartnership',
        'decision.body',
        (id) => ({ partnershipId: id, decision: { body: '  ', date: '2025-01-10' } }),
      ],
      [
        'a day that does not exist',
        'signMemorandum',
        'signedOn',
        (id) => ({
          partnershipId: id,
          signedOn: '2025-02-30',
          signatories: [{ partyId: irpin, name: 'Oleksandr Markushyn', title: 'Mayor of Irpin' }],
          areas: ['experience-exchange'],
        }),
      ],
      [
        'an indicator that is text',
        'recordActivity',
        'indicators',
        (id) => ({
          partnershipId: id,
          type: 'event',
          date: '2025-01-10',
          summary: 'Seminar',
          participants: [irpin],
          indicators: { 'people-trained': '30' },
        }),
      ],
      [
        'a participant that is no party',
        'recordActivity',
        'participants.0',
        (id) => ({
          partnershipId: id,
          type: 'event',
          date: '2025-01-10',
          summary: 'Seminar',
          participants: [lviv],
        }),
      ],
      [
        'a partnership id that is not an id',
        'terminatePartnership',
        'partnershipId',
        () => ({ partnershipId: 'irpin-gdansk', effectiveOn: '2025-01-10', reason: 'Ended' }),
      ],
      [
        'a missing reason',
        'terminatePartnership',
        'reason',
        (id) => ({ partnershipId: id, effectiveOn: '2025-01-10' }),
      ],
    ])('refuses %s (%s), naming %s, and appends nothing', async (_label, subject, field, data) => {
      const before = await world.partnershipEventCount();
      const refused = await refusal(world.command(subject, data(partnershipId)));
      expect(refused).toBeInstanceOf(ValidationError);
      expect(fieldsOf(refused)).toContain(field);
      expect(await world.partnershipEventCount()).toBe(before);
    });

    it('refuses a body that names another partnership than the one the request addresses', async () => {
      const refused = await refusal(
        world.command(
          'terminatePartnership',
          {
            partnershipId: '0195c1a0-0000-7000-8000-00000000beef',
            effectiveOn: '2025-01-10',
            reason: 'Ended',
          },
          {},
          partnershipId,
        ),
      );
      expect(refused).toBeInstanceOf(ValidationError);
      expect(fieldsOf(refused)).toEqual(['partnershipId']);
    });

    it('takes the partnership from the request id, as the gateway sends it from the URL', async () => {
      const reply = await world.command(
        'recordActivity',
        { type: 'event', date: '2025-01-10', summary: 'Seminar on shelters', participants: [irpin, gdansk] },
        {},
        partnershipId,
      );
      expect(reply).toMatchObject({ id: partnershipId, revision: 1, appended: true });
    });

    it('refuses a request without its caller', async () => {
      const refused = await refusal(
        world.requester.request('partnerships.cmd.propose-partnership', { data: exchange(), meta: {} }),
      );
      expect(refused).toBeInstanceOf(ValidationError);
      expect(fieldsOf(refused)).toEqual(['meta.actor.id', 'meta.actor.role']);
    });
  });

  describe('queries', () => {
    let lvivSigned: string;
    let irpinProposed: string;
    let libraryAid: string;

    beforeAll(async () => {
      ({ id: lvivSigned } = await world.command('proposePartnership', sideBySide()));
      await world.command('signMemorandum', signature(lvivSigned, '2025-04-01'));
      ({ id: irpinProposed } = await world.command('proposePartnership', {
        kind: 'international',
        parties: [
          { partyId: irpin, role: 'partner' },
          { partyId: gdansk, role: 'partner' },
        ],
        areas: ['co-financing'],
      }));
      ({ id: libraryAid } = await world.command('proposePartnership', {
        kind: 'humanitarian',
        parties: [
          { partyId: irpinLibrary, role: 'recipient' },
          { partyId: unicef, role: 'donor' },
        ],
        areas: ['children'],
      }));
      await world.partnershipAt(lvivSigned, 1);
      await world.partnershipAt(libraryAid, 0);
    });

    it('lists the partnerships of a community, directly or through an organisation inside it', async () => {
      const ofIrpin = await world.list({ communityId: irpin, limit: 200 });
      const ids = ofIrpin.items.map(({ id }) => id);
      expect(ids).toEqual(expect.arrayContaining([irpinProposed, libraryAid]));
      expect(ids).not.toContain(lvivSigned);
      for (const item of ofIrpin.items) {
        expect(item.parties.some(({ partyId }) => partyId === irpin || partyId === irpinLibrary)).toBe(true);
      }
    });

    it('filters by status and kind', async () => {
      const activeSideBySide = await world.list({
        communityId: lviv,
        status: 'active',
        kind: 'side-by-side',
      });
      expect(activeSideBySide.items.map(({ id }) => id)).toContain(lvivSigned);
      expect(
        activeSideBySide.items.every(({ status, kind }) => status === 'active' && kind === 'side-by-side'),
      ).toBe(true);

      const international = await world.list({ kind: 'international', status: 'proposed' });
      expect(international.items.map(({ id }) => id)).toEqual([irpinProposed]);

      const humanitarianOfIrpin = await world.list({ communityId: irpin, kind: 'humanitarian' });
      expect(humanitarianOfIrpin.items).toEqual([
        expect.objectContaining({ id: libraryAid, status: 'proposed', areas: ['children'] }),
      ]);
    });

    it('pages newest first with an opaque cursor, without overlap', async () => {
      const all = await world.list({ limit: 200 });
      expect(all.next).toBeUndefined();
      expect(all.items.length).toBeGreaterThan(3);

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await world.list({ limit: 2, ...(cursor !== undefined && { cursor }) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map(({ id }) => id));
        cursor = page.next;
      } while (cursor !== undefined);
      expect(seen).toEqual(all.items.map(({ id }) => id));
      // Newest proposal first.
      expect(seen.indexOf(libraryAid)).toBeLessThan(seen.indexOf(lvivSigned));
    });

    it('answers one partnership with its revision, and NotFound for an unknown id', async () => {
      const partnership = await world.get(lvivSigned);
      expect(partnership).toMatchObject({ id: lvivSigned, status: 'active', revision: 1, activities: [] });
      expect(partnership.memorandum?.signedOn).toBe('2025-04-01');

      const unknown = await refusal(world.get('0195c1a0-0000-7000-8000-00000000beef'));
      expect(unknown).toBeInstanceOf(NotFoundError);
    });

    it('refuses filters it does not know, by name', async () => {
      const refused = await refusal(world.list({ status: 'signed', colour: 'red' }));
      expect(refused).toBeInstanceOf(ValidationError);
      expect(fieldsOf(refused)).toEqual(expect.arrayContaining(['status', 'colour']));
      const badCursor = await refusal(world.list({ cursor: 'not-a-cursor' }));
      expect(fieldsOf(badCursor)).toEqual(['cursor']);
    });

    it("shows a partner key only its communities' partnerships", async () => {
      const irpinPartner: RequestActor = { id: 'key-unicef', role: 'partner', communityIds: [irpin] };
      const visible = await eventually(
        () => world.list({ limit: 200 }, irpinPartner),
        (page) => [irpinProposed, libraryAid].every((id) => page.items.some((item) => item.id === id)),
      );
      const ids = visible.items.map(({ id }) => id);
      expect(ids).toEqual(expect.arrayContaining([irpinProposed, libraryAid]));
      expect(ids).not.toContain(lvivSigned);
      expect((await world.get(libraryAid, irpinPartner)).id).toBe(libraryAid);
      expect(await refusal(world.get(lvivSigned, irpinPartner))).toBeInstanceOf(NotFoundError);
      const malformedScope: RequestActor = { id: 'key-odd', role: 'partner', communityIds: ['irpin'] };
      expect((await world.list({}, malformedScope)).items).toEqual([]);
      // The officer sees it.
      expect((await world.get(lvivSigned, OFFICER)).id).toBe(lvivSigned);
    });
  });
});
