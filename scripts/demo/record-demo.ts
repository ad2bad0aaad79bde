/**
 * The five source stories (../shared/seeds, summarised in its README) recorded through the HTTP
 * API only, as a partnerships officer and a logistics coordinator would. Every write carries a
 * fixed Idempotency-Key, so a second run appends nothing.
 */
import { AidApiError, type AidClient } from '../aid-client';
import { createDemoKey, DEMO_KEY_NAMES, type DemoKeys, type DemoKeyStore, liveDemoKeys } from './demo-keys';
import { inReadModel, Recorder, waitFor } from './recorder';
import {
  brovaryAndDerhachi,
  connectiveCities,
  ochakivAndIrc,
  rawiczAid,
  type StoryContext,
  uLeadExchange,
  zhytomyrAndRawicz,
} from './stories';
import {
  DERHACHI_SETTLEMENTS,
  HROMADAS,
  type HromadaName,
  ORGANISATIONS,
  type OrganisationName,
  type PartnershipName,
} from './story-data';

export * from './story-data';

export interface DemoOptions {
  /** The gateway, with the admin key: it creates the demo's own keys. */
  admin: AidClient;
  keys: DemoKeyStore;
  log?: (line: string) => void;
}

export interface TonnageRow {
  key: string | null;
  label: string | null;
  shipments: number;
  dispatchedKg: number;
  receivedKg: number;
  inTransitKg: number;
  shortfallKg: number;
}

export interface DemoOutcome {
  /** Events the gateway reported appended by this run (0 on a second run). */
  eventsRecorded: number;
  writes: number;
  replayedWrites: number;
  keys: DemoKeys;
  communities: Record<HromadaName | 'rawicz', string>;
  organisations: Record<OrganisationName, string>;
  partnerships: Record<PartnershipName, string>;
  shipments: string[];
  /** GET /v1/tonnage?groupBy=destination once the demo's shipments show in it. */
  tonnageByDestination: TonnageRow[];
}

export async function recordDemo(options: DemoOptions): Promise<DemoOutcome> {
  const log = options.log ?? (() => undefined);
  const { admin } = options;
  const recorder = new Recorder();

  const keys = await demoKeys(options, log);
  const officer = admin.as(keys.partnerships.key);
  const coordinator = admin.as(keys.coordinator.key);

  // The registry: the hromadas with their KATOTTG codes, Rawicz, the organisations.
  const communities = {} as Record<HromadaName | 'rawicz', string>;
  for (const name of Object.keys(HROMADAS) as HromadaName[]) {
    communities[name] = await registerHromada(officer, recorder, name);
  }
  communities.rawicz = await recorder.create(
    officer,
    '/v1/communities',
    { name: { uk: 'Равич', en: 'Gmina Rawicz' }, kind: 'foreign-municipality', countryCode: 'PL' },
    'demo/register/rawicz',
  );
  const organisations = {} as Record<OrganisationName, string>;
  for (const [name, body] of Object.entries(ORGANISATIONS)) {
    organisations[name as OrganisationName] = await recorder.create(
      officer,
      '/v1/organisations',
      body,
      `demo/register/${name}`,
    );
  }
  organisations.ochakivCentre = await recorder.create(
    officer,
    '/v1/organisations',
    {
      name: 'Ochakiv centre for social services',
      kind: 'institution',
      countryCode: 'UA',
      parentCommunityId: communities.ochakiv,
    },
    'demo/register/ochakiv-centre',
  );
  log(
    `registry: ${Object.keys(communities).length} communities, ${Object.keys(organisations).length} organisations`,
  );
  // The other services learn of the registry through JetStream, about when its read model shows it.
  await inReadModel(officer, '/v1/communities', Object.values(communities), recorder);
  await inReadModel(officer, '/v1/organisations', Object.values(organisations), recorder);

  const context: StoryContext = { officer, coordinator, recorder, communities, organisations };
  const partnerships = {} as Record<PartnershipName, string>;
  partnerships.brovaryDerhachi = await brovaryAndDerhachi(context);
  log('story 1: Brovary and Derhachi, side by side: the visit and the memorandum of 25 March 2025');
  partnerships.zhytomyrRawicz = await zhytomyrAndRawicz(context);
  const shipments = await rawiczAid(context, partnerships.zhytomyrRawicz);
  log('story 2: Zhytomyr and gmina Rawicz: approval, agreement of 23 December, 50 t of aid in 4 shipments');
  partnerships.connectiveCities = await connectiveCities(context);
  log('story 3: Boratyn and Lviv at the Connective Cities insight session of 24 May 2022');
  partnerships.ochakivIrc = await ochakivAndIrc(context);
  log('story 4: the Ochakiv centre for social services and the IRC, with the results review of 19 May 2025');
  partnerships.uLead = await uLeadExchange(context);
  log('story 5: the U-LEAD exchange visit of 26 July 2023, with two follow-ups planned');

  keys.partner ??= await createDemoKey(admin, 'partner', {
    communityIds: [communities.ochakiv],
    organisationId: organisations.irc,
  });
  options.keys.save(admin.baseUrl, keys);

  await inReadModel(coordinator, '/v1/partnerships', Object.values(partnerships), recorder);
  await inReadModel(coordinator, '/v1/shipments', shipments, recorder);
  const tonnage = await coordinator.get<{ items: TonnageRow[] }>('/v1/tonnage', { groupBy: 'destination' });
  return {
    eventsRecorded: recorder.events,
    writes: recorder.writes,
    replayedWrites: recorder.replayed,
    keys,
    communities,
    organisations,
    partnerships,
    shipments,
    tonnageByDestination: tonnage.items,
  };
}

/**
 * The stored keys still live on this server, else new ones. New keys are new callers: the ids the
 * services derive from (caller, Idempotency-Key) would differ, and a second copy of every
 * partnership and shipment would be recorded. So new keys are made only while the demo's records
 * are not there yet.
 */
async function demoKeys(options: DemoOptions, log: (line: string) => void): Promise<DemoKeys> {
  const live = await liveDemoKeys(options.admin, options.keys);
  if (live.coordinator && live.partnerships) {
    log(`using the demo's keys kept in ${options.keys.describe()}`);
    return live as DemoKeys;
  }
  const earlier = await options.admin.get<{ items: unknown[] }>('/v1/organisations', {
    q: ORGANISATIONS.sideBySide.name,
  });
  if (earlier.items.length > 0) {
    throw new Error(
      `the demo's records are already on ${options.admin.baseUrl}, but the keys that recorded them are not in ` +
        `${options.keys.describe()} (or were revoked). Running it with new keys would record every partnership ` +
        'and shipment a second time. Restore that file, or run the demo on an empty database.',
    );
  }
  const keys = {
    coordinator: live.coordinator ?? (await createDemoKey(options.admin, 'coordinator')),
    partnerships: live.partnerships ?? (await createDemoKey(options.admin, 'partnerships')),
  } as DemoKeys;
  options.keys.save(options.admin.baseUrl, keys);
  log(
    `created the keys "${DEMO_KEY_NAMES.coordinator}" and "${DEMO_KEY_NAMES.partnerships}", kept in ${options.keys.describe()}`,
  );
  return keys;
}

/**
 * A hromada's id is derived from its KATOTTG code by the communities service. If it was registered
 * before (the KATOTTG import, another client), the registration is a 409 and the demo looks the
 * hromada up by its code instead.
 */
async function registerHromada(officer: AidClient, recorder: Recorder, name: HromadaName): Promise<string> {
  const { katottg, uk, en, oblast } = HROMADAS[name];
  const body = {
    name: { uk, en },
    kind: 'hromada',
    countryCode: 'UA',
    oblast,
    katottg,
    ...(name === 'derhachi' ? { settlements: DERHACHI_SETTLEMENTS } : {}),
  };
  try {
    return await recorder.create(officer, '/v1/communities', body, `demo/register/${name}`);
  } catch (error) {
    if (!(error instanceof AidApiError) || error.status !== 409) throw error;
    let found: { id: string; revision: number } | undefined;
    await waitFor(`${en} (${katottg}) in the registry`, async () => {
      const page = await officer.get<{ items: { id: string; katottg?: string; revision: number }[] }>(
        '/v1/communities',
        { q: katottg },
      );
      found = page.items.find((item) => item.katottg === katottg);
      return found !== undefined;
    });
    recorder.know(found!.id, found!.revision);
    return found!.id;
  }
}
