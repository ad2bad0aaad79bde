import { readFileSync } from 'node:fs';
import {
  COMMUNITIES_SUBJECTS,
  type CommandReply,
  type CommunityStatusOnDate,
  ConflictError,
  NotFoundError,
  type Page,
  type RequestMeta,
  ValidationError,
  communityIdForKatottg,
} from '@aid/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { PostgresEventStore } from '@aid/event-store';
import {
  bootstrapService,
  createLogger,
  loadConfig,
  NatsRequester,
  type RunningService,
} from '@aid/messaging';
import { createTestDatabase, startNatsServer, type TestDatabase, type TestNatsServer } from '@aid/testing';
import { CommunitiesModule } from '../src/app.module';
import { RegistryReadModel } from '../src/read-model/registry-read-model';
import { type CommunityDetail, type CommunitySummary } from '../src/community/community.queries';
import { type CodifierCommunity, parseKatottg } from '../src/importers/katottg-parser';
import { type OrganisationDetail, type OrganisationSummary } from '../src/organisation/organisation.queries';
import { eventually } from './support/eventually';
import { CODIFIER_FILE, KATOTTG } from './support/official-files';

const PARTNERSHIPS_KEY = { id: 'key-partnerships-desk', role: 'partnerships' } as const;
const BROVARY = communityIdForKatottg(KATOTTG.brovary);
const DERHACHI = communityIdForKatottg(KATOTTG.derhachi);
const OCHAKIV = communityIdForKatottg(KATOTTG.ochakiv);
const UNKNOWN_ID = '0193f0a4-7c00-7000-8000-0000000000ff';

describe('the communities service over NATS', () => {
  let nats: TestNatsServer;
  let database: TestDatabase;
  let service: RunningService;
  let requester: NatsRequester;
  let store: PostgresEventStore;
  let codifier: Map<string, CodifierCommunity>;
  const ids: Record<string, string> = {};

  const command = (subject: string, data: unknown, meta: Partial<RequestMeta> = {}, id?: string) =>
    requester.request<CommandReply>(subject, {
      ...(id && { id }),
      data,
      meta: { actor: PARTNERSHIPS_KEY, ...meta },
    });
  const query = <T>(subject: string, params: Record<string, unknown>) =>
    requester.request<T>(subject, { params, meta: { actor: PARTNERSHIPS_KEY } });
  const listCommunities = (params: Record<string, unknown>) =>
    query<Page<CommunitySummary>>(COMMUNITIES_SUBJECTS.listCommunities, params);
  const namesOf = (page: Page<{ name: unknown }>) =>
    page.items.map((item) => (typeof item.name === 'string' ? item.name : (item.name as { uk: string }).uk));
  const eventCount = async () => (await store.readAll()).length;

  /** A hromada as the codifier lists it, with its settlements, and an English name. */
  const hromada = (code: string, en: string) => {
    const community = codifier.get(code)!;
    return {
      name: { uk: community.name, en },
      kind: 'hromada',
      countryCode: 'UA',
      katottg: community.code,
      settlements: community.settlements,
    };
  };

  beforeAll(async () => {
    const parsed = parseKatottg(readFileSync(CODIFIER_FILE, 'utf8'));
    codifier = new Map(parsed.hromadas.map((community) => [community.code, community]));
    [database, nats] = await Promise.all([createTestDatabase('communities'), startNatsServer()]);
    service = await bootstrapService({
      name: 'communities',
      module: CommunitiesModule,
      config: { ...loadConfig({}), databaseUrl: database.url, natsUrl: nats.url },
      logger: createLogger('communities', 'warn'),
    });
    requester = new NatsRequester({ natsUrl: nats.url, defaultTimeoutMs: 10_000 });
    store = new PostgresEventStore({ connectionString: database.url });
  });

  afterAll(async () => {
    await requester?.close();
    await service?.close();
    await store?.close();
    await nats?.stop();
    await database?.drop();
  });

  describe('registering communities', () => {
    it('registers Brovary and Derhachi from the codifier under the ids their codes determine', async () => {
      const brovary = await command(
        COMMUNITIES_SUBJECTS.registerCommunity,
        hromada(KATOTTG.brovary, 'Brovary'),
        {
          idempotencyKey: 'register-brovary',
        },
      );
      const derhachi = await requester.request<CommandReply>(
        COMMUNITIES_SUBJECTS.registerCommunity,
        { data: hromada(KATOTTG.derhachi, 'Derhachi'), meta: { actor: PARTNERSHIPS_KEY } },
        { correlationId: 'corr-derhachi-registration' },
      );

      expect(brovary).toEqual({ id: BROVARY, revision: 0, position: expect.any(Number), appended: true });
      expect(derhachi).toEqual({ id: DERHACHI, revision: 0, position: expect.any(Number), appended: true });
      const [registered] = await store.readStream(`community-${DERHACHI}`);
      expect(registered.type).toBe('CommunityRegistered');
      expect(registered.data).toMatchObject({
        name: { uk: 'Дергачівська', en: 'Derhachi' },
        oblast: 'UA-63',
      });
      expect(registered.data.settlements).toHaveLength(38);
      expect(registered.metadata).toMatchObject({
        actor: PARTNERSHIPS_KEY,
        correlationId: 'corr-derhachi-registration',
        service: 'communities',
      });
    });

    it('answers a retry with the same Idempotency-Key with the first result, appending nothing', async () => {
      const before = await eventCount();
      const retry = await command(
        COMMUNITIES_SUBJECTS.registerCommunity,
        hromada(KATOTTG.brovary, 'Brovary'),
        {
          idempotencyKey: 'register-brovary',
        },
      );
      expect(retry).toEqual({ id: BROVARY, revision: 0, position: expect.any(Number), appended: false });
      expect(await eventCount()).toBe(before);
    });

    it('refuses a second registration of the same KATOTTG code as a conflict', async () => {
      const before = await eventCount();
      await expect(
        command(COMMUNITIES_SUBJECTS.registerCommunity, hromada(KATOTTG.derhachi, 'Derhachi again')),
      ).rejects.toThrow(ConflictError);
      await expect(
        command(COMMUNITIES_SUBJECTS.registerCommunity, hromada(KATOTTG.derhachi, 'Derhachi'), {
          idempotencyKey: 'another-key',
        }),
      ).rejects.toThrow(/UA63120070000018741 is already registered/);
      expect(await eventCount()).toBe(before);
    });

    it('registers Ochakiv and the foreign municipality of Rawicz', async () => {
      const ochakiv = await command(
        COMMUNITIES_SUBJECTS.registerCommunity,
        hromada(KATOTTG.ochakiv, 'Ochakiv'),
      );
      const rawicz = await command(COMMUNITIES_SUBJECTS.registerCommunity, {
        name: { uk: 'Равич', en: 'Rawicz' },
        kind: 'foreign-municipality',
        countryCode: 'PL',
      });
      expect(ochakiv.id).toBe(OCHAKIV);
      expect(rawicz).toEqual({
        id: expect.any(String),
        revision: 0,
        position: expect.any(Number),
        appended: true,
      });
      expect(rawicz.id).not.toBe(OCHAKIV);
      ids.rawicz = rawicz.id;
    });
  });

  describe('frontline status', () => {
    it('records Derhachi as an outpost and Brovary as a rear partner from the day of the visit', async () => {
      const derhachi = await command(
        COMMUNITIES_SUBJECTS.changeFrontlineStatus,
        { status: 'outpost', effectiveFrom: '2025-03-25', basis: 'Side by Side: cohesive communities' },
        {},
        DERHACHI,
      );
      const brovary = await command(COMMUNITIES_SUBJECTS.changeFrontlineStatus, {
        communityId: BROVARY,
        status: 'rear',
        effectiveFrom: '2025-03-25',
      });
      expect(derhachi).toMatchObject({ id: DERHACHI, revision: 1, appended: true });
      expect(brovary).toMatchObject({ id: BROVARY, revision: 1, appended: true });
      const [, changed] = await store.readStream(`community-${DERHACHI}`);
      // Business time is the day the status takes effect; record time is when it was stored.
      expect(changed.metadata.occurredAt).toBe('2025-03-25T00:00:00.000Z');
    });

    it('records a change that takes effect later without making it the status of today', async () => {
      await command(
        COMMUNITIES_SUBJECTS.changeFrontlineStatus,
        { status: 'outpost', effectiveFrom: '2099-01-01' },
        {},
        BROVARY,
      );
      const brovary = await eventually(async () => {
        const detail = await query<CommunityDetail>(COMMUNITIES_SUBJECTS.getCommunity, { id: BROVARY });
        expect(detail.revision).toBe(2);
        return detail;
      });
      expect(brovary.status).toBe('rear');
      expect(brovary.frontline).toEqual({ status: 'rear', effectiveFrom: '2025-03-25' });
    });

    it('refuses a change whose If-Match names a revision the community has left', async () => {
      await expect(
        command(
          COMMUNITIES_SUBJECTS.changeFrontlineStatus,
          { status: 'rear', effectiveFrom: '2025-04-01' },
          { expectedRevision: 0 },
          DERHACHI,
        ),
      ).rejects.toThrow(ConflictError);
    });

    it('refuses a status for a community that is not registered', async () => {
      await expect(
        command(COMMUNITIES_SUBJECTS.changeFrontlineStatus, {
          communityId: UNKNOWN_ID,
          status: 'rear',
          effectiveFrom: '2025-03-25',
        }),
      ).rejects.toThrow(NotFoundError);
    });
  });

  describe('organisations', () => {
    it('registers the Ochakiv centre for social services as an institution inside Ochakiv', async () => {
      const centre = await command(COMMUNITIES_SUBJECTS.registerOrganisation, {
        name: ' Очаківський центр соціальних служб ',
        kind: 'institution',
        countryCode: 'UA',
        parentCommunityId: OCHAKIV,
      });
      expect(centre).toMatchObject({ revision: 0, appended: true });
      ids.centre = centre.id;
    });

    it('registers the IRC as an INGO, U-LEAD as a programme and Connective Cities as a network', async () => {
      const irc = await command(COMMUNITIES_SUBJECTS.registerOrganisation, {
        name: 'International Rescue Committee',
        kind: 'ingo',
        countryCode: 'US',
        iatiRef: 'US-EIN-135660870',
      });
      const uLead = await command(COMMUNITIES_SUBJECTS.registerOrganisation, {
        name: 'U-LEAD with Europe',
        kind: 'programme',
      });
      const connectiveCities = await command(
        COMMUNITIES_SUBJECTS.registerOrganisation,
        { name: 'Connective Cities', kind: 'network', countryCode: 'DE' },
        { idempotencyKey: 'connective-cities' },
      );
      const retried = await command(
        COMMUNITIES_SUBJECTS.registerOrganisation,
        { name: 'Connective Cities', kind: 'network', countryCode: 'DE' },
        { idempotencyKey: 'connective-cities' },
      );
      expect(new Set([irc.id, uLead.id, connectiveCities.id]).size).toBe(3);
      // The id of a create follows from its Idempotency-Key, so the retry lands on the same stream.
      expect(retried).toEqual({ ...connectiveCities, appended: false });
      Object.assign(ids, { irc: irc.id, uLead: uLead.id, connectiveCities: connectiveCities.id });
    });

    it('refuses an institution whose parent community is not registered', async () => {
      const before = await eventCount();
      await expect(
        command(COMMUNITIES_SUBJECTS.registerOrganisation, {
          name: 'Центр без громади',
          kind: 'institution',
          parentCommunityId: UNKNOWN_ID,
        }),
      ).rejects.toThrow(NotFoundError);
      expect(await eventCount()).toBe(before);
    });

    it('lists and finds organisations', async () => {
      const all = await eventually(async () => {
        const page = await query<Page<OrganisationSummary>>(COMMUNITIES_SUBJECTS.listOrganisations, {});
        expect(page.items).toHaveLength(4);
        return page;
      });
      // Ukrainian collation: Cyrillic names first, each alphabet in its own order.
      expect(namesOf(all)).toEqual([
        'Очаківський центр соціальних служб',
        'Connective Cities',
        'International Rescue Committee',
        'U-LEAD with Europe',
      ]);
      const ingos = await query<Page<OrganisationSummary>>(COMMUNITIES_SUBJECTS.listOrganisations, {
        kind: 'ingo',
      });
      expect(ingos.items).toEqual([
        {
          id: ids.irc,
          name: 'International Rescue Committee',
          kind: 'ingo',
          countryCode: 'US',
          iatiRef: 'US-EIN-135660870',
          revision: 0,
        },
      ]);
      const found = await query<Page<OrganisationSummary>>(COMMUNITIES_SUBJECTS.listOrganisations, {
        q: 'RESCUE',
      });
      expect(found.items.map((item) => item.id)).toEqual([ids.irc]);
      const ofOchakiv = await query<Page<OrganisationSummary>>(COMMUNITIES_SUBJECTS.listOrganisations, {
        parentCommunityId: OCHAKIV,
      });
      expect(ofOchakiv.items.map((item) => item.id)).toEqual([ids.centre]);

      const centre = await query<OrganisationDetail>(COMMUNITIES_SUBJECTS.getOrganisation, {
        id: ids.centre,
      });
      expect(centre).toEqual({
        id: ids.centre,
        name: 'Очаківський центр соціальних служб',
        kind: 'institution',
        countryCode: 'UA',
        parentCommunityId: OCHAKIV,
        revision: 0,
        registeredAt: expect.any(String),
      });
      await expect(query(COMMUNITIES_SUBJECTS.getOrganisation, { id: UNKNOWN_ID })).rejects.toThrow(
        NotFoundError,
      );
    });
  });

  describe('communities queries', () => {
    beforeAll(async () => {
      await eventually(async () => {
        expect((await listCommunities({})).items).toHaveLength(4);
      });
    });

    it('filters by oblast', async () => {
      expect(namesOf(await listCommunities({ oblast: 'UA-63' }))).toEqual(['Дергачівська']);
      expect(namesOf(await listCommunities({ oblast: 'UA-32' }))).toEqual(['Броварська']);
      expect((await listCommunities({ oblast: 'UA-09' })).items).toEqual([]);
    });

    it('filters by the frontline status of today', async () => {
      const outposts = await listCommunities({ status: 'outpost' });
      expect(outposts.items).toEqual([
        {
          id: DERHACHI,
          kind: 'hromada',
          name: { uk: 'Дергачівська', en: 'Derhachi' },
          countryCode: 'UA',
          oblast: 'UA-63',
          katottg: KATOTTG.derhachi,
          status: 'outpost',
          revision: 1,
        },
      ]);
      expect(namesOf(await listCommunities({ status: 'rear' }))).toEqual(['Броварська']);
    });

    it('finds names in Ukrainian and in English, in any case', async () => {
      expect(namesOf(await listCommunities({ q: 'дергач' }))).toEqual(['Дергачівська']);
      expect(namesOf(await listCommunities({ q: 'ДЕРГАЧ' }))).toEqual(['Дергачівська']);
      expect(namesOf(await listCommunities({ q: 'BROVARY' }))).toEqual(['Броварська']);
      expect(namesOf(await listCommunities({ q: 'rawicz' }))).toEqual(['Равич']);
      // The romanised Ukrainian name: found even without an English name.
      expect(namesOf(await listCommunities({ q: 'Ochakivska' }))).toEqual(['Очаківська']);
      expect(namesOf(await listCommunities({ q: 'kyiv' }))).toEqual([]);
      // LIKE's wildcards are taken literally.
      expect((await listCommunities({ q: '%' })).items).toEqual([]);
    });

    it('combines filters', async () => {
      expect(namesOf(await listCommunities({ q: 'a', kind: 'foreign-municipality' }))).toEqual(['Равич']);
      expect((await listCommunities({ q: 'brovary', status: 'outpost' })).items).toEqual([]);
    });

    it('pages through the list in Ukrainian alphabetical order', async () => {
      const first = await listCommunities({ limit: 3 });
      expect(namesOf(first)).toEqual(['Броварська', 'Дергачівська', 'Очаківська']);
      expect(first.next).toEqual(expect.any(String));
      const second = await listCommunities({ limit: '3', after: first.next });
      expect(namesOf(second)).toEqual(['Равич']);
      expect(second.next).toBeUndefined();
      expect(second.items[0]).toMatchObject({
        id: ids.rawicz,
        kind: 'foreign-municipality',
        countryCode: 'PL',
      });
    });

    it('answers one community with its settlements, organisations and frontline status', async () => {
      const ochakiv = await eventually(async () => {
        const detail = await query<CommunityDetail>(COMMUNITIES_SUBJECTS.getCommunity, { id: OCHAKIV });
        expect(detail.organisations).toHaveLength(1);
        return detail;
      });
      expect(ochakiv).toMatchObject({
        id: OCHAKIV,
        name: { uk: 'Очаківська', en: 'Ochakiv' },
        oblast: 'UA-48',
        status: null,
        frontline: null,
        organisations: [{ id: ids.centre, name: 'Очаківський центр соціальних служб', kind: 'institution' }],
      });
      expect(ochakiv.settlements).toEqual(
        codifier.get(KATOTTG.ochakiv)!.settlements.sort((a, b) => a.katottg.localeCompare(b.katottg)),
      );

      const derhachi = await query<CommunityDetail>(COMMUNITIES_SUBJECTS.getCommunity, { id: DERHACHI });
      expect(derhachi.frontline).toEqual({
        status: 'outpost',
        effectiveFrom: '2025-03-25',
        basis: 'Side by Side: cohesive communities',
      });
      expect(derhachi.settlements).toHaveLength(38);
      expect(derhachi.settlements).toEqual(
        expect.arrayContaining([
          { katottg: KATOTTG.slatyne, name: 'Слатине', category: 'selyshche' },
          { katottg: KATOTTG.prudianka, name: 'Прудянка', category: 'selyshche' },
        ]),
      );
      await expect(query(COMMUNITIES_SUBJECTS.getCommunity, { id: UNKNOWN_ID })).rejects.toThrow(
        NotFoundError,
      );
    });
  });

  describe('status on a date', () => {
    const statusOn = (communityId: string, date?: string) =>
      query<CommunityStatusOnDate>(COMMUNITIES_SUBJECTS.getStatusOn, { communityId, ...(date && { date }) });

    it('tells the frontline status in effect on a day', async () => {
      expect(await statusOn(DERHACHI, '2025-03-24')).toEqual({
        date: '2025-03-24',
        frontline: null,
        wholeCommunity: [],
        partial: [],
      });
      expect((await statusOn(DERHACHI, '2025-03-25')).frontline).toEqual({
        status: 'outpost',
        effectiveFrom: '2025-03-25',
        basis: 'Side by Side: cohesive communities',
      });
      expect((await statusOn(BROVARY, '2099-01-01')).frontline?.status).toBe('outpost');
      expect((await statusOn(BROVARY)).frontline?.status).toBe('rear');
    });

    it('tells the hostilities periods recorded through NATS, whole and partial', async () => {
      const source = 'Order No. 376 of 2025-02-28';
      await command(COMMUNITIES_SUBJECTS.recordHostilitiesPeriod, {
        communityId: DERHACHI,
        category: 'active-hostilities',
        start: '2022-02-24',
        end: '2022-09-13',
        source,
        partial: false,
        areaKatottg: KATOTTG.derhachi,
      });
      const slatyne = await command(COMMUNITIES_SUBJECTS.recordHostilitiesPeriod, {
        communityId: DERHACHI,
        category: 'occupied',
        start: '2022-02-24',
        end: '2022-04-22',
        source,
        partial: true,
        areaKatottg: KATOTTG.slatyne,
        areaName: 'с-ще Слатине',
      });
      expect(slatyne).toMatchObject({ id: DERHACHI, revision: 3, appended: true });

      const onTheDay = await eventually(async () => {
        const status = await statusOn(DERHACHI, '2022-03-01');
        expect(status.partial).toHaveLength(1);
        return status;
      });
      expect(onTheDay).toEqual({
        date: '2022-03-01',
        frontline: null,
        wholeCommunity: ['active-hostilities'],
        partial: [{ category: 'occupied', areaKatottg: [KATOTTG.slatyne] }],
      });
      // A period covers its start day up to, not including, its end day.
      expect(await statusOn(DERHACHI, '2022-04-22')).toMatchObject({
        wholeCommunity: ['active-hostilities'],
        partial: [],
      });
      expect(await statusOn(DERHACHI, '2022-09-13')).toMatchObject({ wholeCommunity: [], partial: [] });
    });

    it('refuses an unknown community and a date that is not a calendar day', async () => {
      await expect(statusOn(UNKNOWN_ID, '2025-03-25')).rejects.toThrow(NotFoundError);
      await expect(statusOn(DERHACHI, '2025-02-30')).rejects.toMatchObject({
        name: 'ValidationError',
        fields: [expect.objectContaining({ field: 'date' })],
      });
    });
  });

  describe('bad input', () => {
    const refusedFields = async (promise: Promise<unknown>): Promise<string[]> => {
      const error = await promise.then(
        () => {
          throw new Error('expected a refusal');
        },
        (refusal: unknown) => refusal,
      );
      expect(error).toBeInstanceOf(ValidationError);
      return [...new Set((error as ValidationError).fields.map((field) => field.field))].sort();
    };

    it.each([
      [
        'register-community',
        COMMUNITIES_SUBJECTS.registerCommunity,
        { name: { uk: ' ' }, kind: 'hromada', countryCode: 'UA', katottg: 'UA123' },
        ['katottg', 'name.uk'],
      ],
      [
        'register-community',
        COMMUNITIES_SUBJECTS.registerCommunity,
        { name: { uk: 'Громада' }, kind: 'city-state', countryCode: 'ua', colour: 'blue' },
        ['colour', 'countryCode', 'kind'],
      ],
      [
        'register-community',
        COMMUNITIES_SUBJECTS.registerCommunity,
        { name: { uk: 'Без коду' }, kind: 'hromada', countryCode: 'UA' },
        ['katottg'],
      ],
      [
        'change-frontline-status',
        COMMUNITIES_SUBJECTS.changeFrontlineStatus,
        { communityId: DERHACHI, status: 'frontline', effectiveFrom: '2025-02-30' },
        ['effectiveFrom', 'status'],
      ],
      [
        'change-frontline-status',
        COMMUNITIES_SUBJECTS.changeFrontlineStatus,
        { communityId: 'derhachi', status: 'rear', effectiveFrom: '2025-03-25' },
        ['communityId'],
      ],
      [
        'record-hostilities-period',
        COMMUNITIES_SUBJECTS.recordHostilitiesPeriod,
        {
          communityId: DERHACHI,
          category: 'shelling',
          start: '2022-02-24',
          source: 'x',
          areaKatottg: KATOTTG.derhachi,
        },
        ['category', 'partial'],
      ],
      [
        'record-hostilities-period',
        COMMUNITIES_SUBJECTS.recordHostilitiesPeriod,
        {
          communityId: DERHACHI,
          category: 'occupied',
          start: '2022-09-13',
          end: '2022-02-24',
          source: 'x',
          partial: false,
          areaKatottg: KATOTTG.derhachi,
        },
        ['end'],
      ],
      [
        'register-organisation',
        COMMUNITIES_SUBJECTS.registerOrganisation,
        { name: 'Charity', kind: 'charity', iatiRef: 'not an IATI ref' },
        ['iatiRef', 'kind'],
      ],
      [
        'register-organisation',
        COMMUNITIES_SUBJECTS.registerOrganisation,
        { name: 'Центр', kind: 'institution' },
        ['parentCommunityId'],
      ],
    ])('%s refuses %j naming the fields, and appends nothing', async (_name, subject, data, fields) => {
      const before = await eventCount();
      expect(await refusedFields(command(subject, data))).toEqual(fields);
      expect(await eventCount()).toBe(before);
    });

    it.each(Object.entries(COMMUNITIES_SUBJECTS).filter(([, subject]) => subject.includes('.cmd.')))(
      '%s refuses a request without an actor or without a body',
      async (_name, subject) => {
        const before = await eventCount();
        expect(await refusedFields(requester.request(subject, { data: {}, meta: {} }))).toEqual([
          'meta.actor',
        ]);
        expect(
          await refusedFields(requester.request(subject, { meta: { actor: PARTNERSHIPS_KEY } })),
        ).toEqual(['(body)']);
        expect(await eventCount()).toBe(before);
      },
    );

    it('refuses a body naming another community than the one addressed', async () => {
      expect(
        await refusedFields(
          command(
            COMMUNITIES_SUBJECTS.changeFrontlineStatus,
            { communityId: BROVARY, status: 'rear', effectiveFrom: '2025-03-25' },
            {},
            DERHACHI,
          ),
        ),
      ).toEqual(['communityId']);
    });

    it('refuses bad query parameters naming them', async () => {
      expect(await refusedFields(listCommunities({ oblast: 'UA-99', status: 'occupied', limit: 0 }))).toEqual(
        ['limit', 'oblast', 'status'],
      );
      expect(await refusedFields(listCommunities({ after: 'not-a-cursor' }))).toEqual(['after']);
      expect(await refusedFields(query(COMMUNITIES_SUBJECTS.getCommunity, { id: 'derhachi' }))).toEqual([
        'id',
      ]);
      expect(await refusedFields(query(COMMUNITIES_SUBJECTS.listOrganisations, { kind: 'charity' }))).toEqual(
        ['kind'],
      );
    });
  });

  describe('the read model', () => {
    it('rebuilds from the first event into the same answers', async () => {
      const before = await Promise.all([
        listCommunities({}),
        query(COMMUNITIES_SUBJECTS.getCommunity, { id: DERHACHI }),
        query(COMMUNITIES_SUBJECTS.listOrganisations, {}),
        query(COMMUNITIES_SUBJECTS.getStatusOn, { communityId: DERHACHI, date: '2022-03-01' }),
      ]);

      const rebuilt = await service.app.get(RegistryReadModel).runner.rebuild();

      expect(rebuilt.eventsReplayed).toBe(await eventCount());
      const after = await Promise.all([
        listCommunities({}),
        query(COMMUNITIES_SUBJECTS.getCommunity, { id: DERHACHI }),
        query(COMMUNITIES_SUBJECTS.listOrganisations, {}),
        query(COMMUNITIES_SUBJECTS.getStatusOn, { communityId: DERHACHI, date: '2022-03-01' }),
      ]);
      expect(after).toEqual(before);
    });
  });

  describe('the relay', () => {
    it('publishes every event of the registry to JetStream, day-stamped ones included', async () => {
      const connection = await connect({ servers: nats.url });
      try {
        const streams = (await jetstreamManager(connection)).streams;
        const appended = await eventCount();
        await eventually(async () => {
          expect((await streams.info('AID_EVENTS')).state.messages).toBe(appended);
        });
        const message = await streams.getMessage('AID_EVENTS', {
          last_by_subj: `aid.communities.FrontlineStatusChanged.${DERHACHI}`,
        });
        expect(message?.json()).toMatchObject({
          type: 'aid.communities.FrontlineStatusChanged.v1',
          time: '2025-03-25T00:00:00.000Z',
          data: { communityId: DERHACHI, status: 'outpost' },
        });
      } finally {
        await connection.close();
      }
    });
  });
});
