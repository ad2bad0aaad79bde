/**
 * The writes of each story, in the order a partnerships officer and a logistics coordinator would
 * make them. Where a story gives no exact day or figure, the comment says what stands in for it.
 */
import { type AidClient } from '../aid-client';
import { inReadModel, type Recorder } from './recorder';
import {
  HROMADAS,
  type HromadaName,
  type OrganisationName,
  RAWICZ_SHIPMENTS,
  SIDE_BY_SIDE_AREAS,
} from './story-data';

export interface StoryContext {
  officer: AidClient;
  coordinator: AidClient;
  recorder: Recorder;
  communities: Record<HromadaName | 'rawicz', string>;
  organisations: Record<OrganisationName, string>;
}

/**
 * The writes on one partnership, each with the Idempotency-Key `demo/partnership/<name>/<step>`.
 * A proposal and a signature are checked against the registry the partnerships service keeps from
 * JetStream, so they wait for it to catch up (Recorder.afterCatchingUp).
 */
class PartnershipWrites {
  id = '';

  constructor(
    private readonly context: StoryContext,
    private readonly name: string,
  ) {}

  async propose(body: object): Promise<string> {
    const { officer, recorder } = this.context;
    this.id = await recorder.afterCatchingUp(
      officer,
      '/v1/partnerships',
      body,
      `demo/partnership/${this.name}`,
    );
    return this.id;
  }

  activity(step: string, body: object): Promise<unknown> {
    return this.command('activities', step, body);
  }

  approve(body: object): Promise<unknown> {
    return this.command('approval', 'approval', body);
  }

  sign(step: string, body: object): Promise<unknown> {
    return this.command('memorandum', step, body, true);
  }

  private command(resource: string, step: string, body: object, afterCatchingUp = false): Promise<unknown> {
    const { officer, recorder } = this.context;
    const path = `/v1/partnerships/${this.id}/${resource}`;
    const key = `demo/partnership/${this.name}/${step}`;
    return afterCatchingUp
      ? recorder.afterCatchingUp(officer, path, body, key, this.id)
      : recorder.act(officer, path, this.id, body, key);
  }
}

function communityCommand(context: StoryContext, id: string, resource: string, body: object, key: string) {
  return context.recorder.act(context.officer, `/v1/communities/${id}/${resource}`, id, body, key);
}

/** Story 1 (000_…): Brovary visits the outpost community of Derhachi; they sign a memorandum. */
export async function brovaryAndDerhachi(context: StoryContext): Promise<string> {
  const { brovary, derhachi } = context.communities;
  // The project's lists of partner and outpost communities are not dated in the story; they stand
  // here as taking effect on 1 March 2025, before the visit.
  const basis = 'National project "Side by Side: cohesive communities"';
  const effectiveFrom = '2025-03-01';
  await communityCommand(
    context,
    brovary,
    'frontline-status',
    { status: 'rear', effectiveFrom, basis },
    'demo/frontline/brovary',
  );
  await communityCommand(
    context,
    derhachi,
    'frontline-status',
    { status: 'outpost', effectiveFrom, basis },
    'demo/frontline/derhachi',
  );
  // The Ministry's list (../shared/data): Derhachi was under active hostilities until 13 September
  // 2022, and has been a territory of possible hostilities since.
  const period = {
    partial: false,
    areaKatottg: HROMADAS.derhachi.katottg,
    source: 'Order No. 376 of 28 February 2025 of the Ministry for Communities and Territories Development',
  };
  await communityCommand(
    context,
    derhachi,
    'hostilities-periods',
    { ...period, category: 'active-hostilities', start: '2022-02-24', end: '2022-09-13' },
    'demo/hostilities/derhachi/active',
  );
  await communityCommand(
    context,
    derhachi,
    'hostilities-periods',
    { ...period, category: 'possible-hostilities', start: '2022-09-13' },
    'demo/hostilities/derhachi/possible',
  );

  const partnership = new PartnershipWrites(context, 'brovary-derhachi');
  await partnership.propose({
    kind: 'side-by-side',
    parties: [
      { partyId: brovary, role: 'partner' },
      { partyId: derhachi, role: 'outpost' },
    ],
    programmeId: context.organisations.sideBySide,
    areas: SIDE_BY_SIDE_AREAS,
    channel: 'programme',
  });
  await partnership.activity('visit', {
    type: 'visit',
    date: '2025-03-25',
    summary:
      'Brovary delegation, led by its mayor, in the outpost community of Derhachi: the hospital and its laboratory, ' +
      'the new family outpatient clinic, the works on Tsentralna street, and Slatyne and Prudianka.',
    participants: [brovary, derhachi],
  });
  // The memorandum is judged on the frontline statuses of the signing day.
  await inReadModel(context.officer, '/v1/communities', [brovary, derhachi], context.recorder);
  await partnership.sign('memorandum', {
    signedOn: '2025-03-25',
    signatories: [
      { partyId: brovary, name: 'Ihor Sapozhko', title: 'Mayor of Brovary' },
      { partyId: derhachi, name: 'Viacheslav Zdorenko', title: 'Head of the Derhachi city community' },
    ],
    areas: SIDE_BY_SIDE_AREAS,
  });
  return partnership.id;
}

/** Story 2 (001_…): Zhytomyr and gmina Rawicz; the executive committee approves, the mayors sign. */
export async function zhytomyrAndRawicz(context: StoryContext): Promise<string> {
  const { zhytomyr, rawicz } = context.communities;
  const areas = ['material-humanitarian-aid', 'social-services'];
  const partnership = new PartnershipWrites(context, 'zhytomyr-rawicz');
  // Zhytomyr's request went through the Ministry's e-platform ("Cooperate").
  await partnership.propose({
    kind: 'international',
    parties: [
      { partyId: zhytomyr, role: 'partner' },
      { partyId: rawicz, role: 'partner' },
    ],
    areas,
    channel: 'platform-request',
  });
  // The story reports the total on 23 December: 50 tonnes since 24 February.
  await partnership.activity('aid', {
    type: 'aid-delivery',
    date: '2022-12-23',
    summary: 'Rawicz collected, formed and handed over humanitarian cargo for Zhytomyr since 24 February.',
    participants: [rawicz, zhytomyr],
    indicators: { 'aid-kg': 50000 },
  });
  // The story says only that the executive committee approved it beforehand; 21 December stands in.
  await partnership.approve({
    decision: { body: 'Executive committee of the Zhytomyr City Council', date: '2022-12-21' },
  });
  await partnership.sign('agreement', {
    signedOn: '2022-12-23',
    signatories: [
      { partyId: zhytomyr, name: 'Serhii Sukhomlyn', title: 'Mayor of Zhytomyr' },
      { partyId: rawicz, name: 'Grzegorz Kubik', title: 'Burmistrz of Gmina Rawicz' },
    ],
    areas,
  });
  await partnership.activity('review', {
    type: 'results-review',
    date: '2022-12-23',
    summary:
      'Online meeting with the representatives of gmina Rawicz: 650 Ukrainian women hosted since 24 February, and a ' +
      'support centre for displaced women and children with psychological help.',
    participants: [zhytomyr, rawicz],
    indicators: { 'women-hosted': 650 },
  });
  return partnership.id;
}

/** Story 2, its cargo: Rawicz's 50 t as shipments along the partnership, planned, sent, received. */
export async function rawiczAid(context: StoryContext, partnershipId: string): Promise<string[]> {
  const { coordinator, recorder, communities } = context;
  // Logistics accepts shipments only along an active partnership, which it learns of through JetStream.
  await inReadModel(coordinator, '/v1/partnerships', [partnershipId], recorder);
  const ids: string[] = [];
  for (const [index, load] of RAWICZ_SHIPMENTS.entries()) {
    const key = `demo/shipment/rawicz-${index + 1}`;
    const plan = {
      originPartyId: communities.rawicz,
      destinationCommunityId: communities.zhytomyr,
      partnershipId,
      donorPartyId: communities.rawicz,
      items: load.items.map(({ receivedKg: _received, ...item }) => item),
    };
    const id = await recorder.afterCatchingUp(coordinator, '/v1/shipments', plan, key);
    // The waybill total, summed in grams as the service does.
    const totalWeightKg =
      load.items.reduce((grams, item) => grams + Math.round(item.weightKg * 1000), 0) / 1000;
    await recorder.act(
      coordinator,
      `/v1/shipments/${id}/dispatch`,
      id,
      { sentAt: load.sentAt, totalWeightKg },
      `${key}/dispatch`,
    );
    const receipt = {
      receivedAt: load.receivedAt,
      receivedBy: 'Head of the Zhytomyr humanitarian aid warehouse',
      items: load.items.map((item, itemIndex) => ({
        index: itemIndex,
        goodKg: item.receivedKg,
        damagedKg: 0,
      })),
    };
    await recorder.act(coordinator, `/v1/shipments/${id}/receipt`, id, receipt, `${key}/receipt`);
    ids.push(id);
  }
  return ids;
}

/** Story 3 (002_…): Boratyn and Lviv share their wartime experience at a Connective Cities session. */
export async function connectiveCities(context: StoryContext): Promise<string> {
  const { boratyn, lviv } = context.communities;
  const network = context.organisations.connectiveCities;
  const partnership = new PartnershipWrites(context, 'connective-cities');
  await partnership.propose({
    kind: 'exchange',
    parties: [
      { partyId: network, role: 'organiser' },
      { partyId: boratyn, role: 'participant' },
      { partyId: lviv, role: 'participant' },
    ],
    areas: ['experience-exchange'],
    channel: 'direct',
  });
  await partnership.activity('insight-session', {
    type: 'event',
    date: '2022-05-24',
    summary:
      'Connective Cities Insight Session - Special Edition Ukraine, online, backed by the German BMZ: financing ' +
      'communities in wartime, internally displaced people, volunteering, cooperation between municipalities.',
    participants: [network, boratyn, lviv],
  });
  return partnership.id;
}

/** Story 4 (003_…): the Ochakiv centre for social services and the IRC, October 2024 to May 2025. */
export async function ochakivAndIrc(context: StoryContext): Promise<string> {
  const { ochakivCentre, irc } = context.organisations;
  const partnership = new PartnershipWrites(context, 'ochakiv-irc');
  // The story names months only: the term runs from the first of October to the last of May.
  await partnership.propose({
    kind: 'humanitarian',
    parties: [
      { partyId: ochakivCentre, role: 'recipient' },
      { partyId: irc, role: 'donor' },
    ],
    areas: ['social-services'],
    term: { from: '2024-10-01', to: '2025-05-31' },
    channel: 'direct',
  });
  await partnership.activity('review', {
    type: 'results-review',
    date: '2025-05-19',
    summary:
      'Closing meeting with the city executive committee: more people reached, more and better social services, extra ' +
      'resources, social workers trained, psychological stabilisation; both sides mean to continue.',
    participants: [ochakivCentre, irc],
  });
  return partnership.id;
}

/** Story 5 (004_…): U-LEAD takes Poltava oblast communities to three Cherkasy oblast communities. */
export async function uLeadExchange(context: StoryContext): Promise<string> {
  const { nekhvoroshcha, bilozirska, chyhyryn, shevchenkivska } = context.communities;
  const { uLead } = context.organisations;
  const communities = [nekhvoroshcha, bilozirska, chyhyryn, shevchenkivska];
  const everyone = [uLead, ...communities];
  const partnership = new PartnershipWrites(context, 'u-lead');
  await partnership.propose({
    kind: 'exchange',
    programmeId: uLead,
    channel: 'programme',
    areas: ['experience-exchange'],
    parties: [
      { partyId: uLead, role: 'organiser' },
      ...communities.map((partyId) => ({ partyId, role: 'participant' })),
    ],
  });
  // U-LEAD's report of 26 July 2023 gives no day for the visit: the report's day stands in.
  await partnership.activity('visit', {
    type: 'exchange',
    date: '2023-07-26',
    summary:
      'Study visit to Bilozirska, Chyhyryn and Shevchenkivska: municipal services under martial law, shelters, a ' +
      'return to offline schooling, and the project approach that brings in international resources.',
    participants: everyone,
  });
  await partnership.activity('round-table', {
    type: 'event',
    date: '2023-08',
    summary:
      'Round table on shelters in communities, for the heads of Poltava oblast communities and the SES.',
    participants: [uLead, nekhvoroshcha],
    planned: true,
  });
  await partnership.activity('september-visit', {
    type: 'visit',
    date: '2023-09',
    summary:
      'Poltava oblast to share its practice with communities of Dnipropetrovsk and Zaporizhzhia oblasts.',
    participants: [uLead, nekhvoroshcha],
    planned: true,
  });
  return partnership.id;
}
