import { randomUUID } from 'node:crypto';
import type { EventStore, JsonObject, NewEvent } from '@aid/event-store';

/**
 * A synthetic history shaped like the real one, for the audit benchmark and the export test:
 * communities and organisations registered, partnerships proposed, approved and signed, and
 * shipments planned, sent and received (a few still planned or on the way), with contract-shaped
 * data that the services' own projections accept. Each aggregate's events go in one append.
 */

const REGIONS = [
  ['UA-63', 'Дергачівська'],
  ['UA-59', 'Краснопільська'],
  ['UA-65', 'Білозерська'],
  ['UA-23', 'Оріхівська'],
  ['UA-18', 'Житомирська'],
  ['UA-32', 'Броварська'],
] as const;
const ITEMS = [
  ['food', 'Борошно пшеничне вищого ґатунку, мішки по 50 кг', 'мішок', 50],
  ['medical', 'Аптечки першої допомоги для шкіл і амбулаторій', 'шт', 1.2],
  ['energy', 'Генератор бензиновий 5 кВт з комплектом мастила', 'шт', 78.5],
  ['hygiene', 'Гігієнічні набори для родин із дітьми', 'набір', 4.35],
  ['shelter', 'Плівка та брус для укриття пошкоджених дахів', 'рулон', 32],
  ['water', 'Вода питна бутильована, 6 л', 'бутель', 6.1],
] as const;
const CARRIERS = ['ТОВ «Нова Пошта»', 'Укрпошта', 'Волонтерський штаб громади'];

export interface HistorySize {
  events: number;
  streams: number;
  shipments: number;
}

/** One aggregate's events, appended together to a new stream. */
interface NewStream {
  stream: string;
  events: NewEvent[];
}

function event(type: string, data: JsonObject, occurredAt: string, service: string): NewEvent {
  return {
    id: randomUUID(),
    type,
    data,
    metadata: {
      occurredAt,
      actor: { id: 'bench-history', role: service === 'logistics' ? 'coordinator' : 'partnerships' },
      correlationId: randomUUID(),
      causationId: null,
      idempotencyKey: null,
      schemaVersion: 1,
      service,
    },
  };
}

function day(offset: number): string {
  return new Date(Date.UTC(2023, 0, 1) + offset * 86_400_000).toISOString();
}

/** Kilograms with at most three decimals, as the contract wants them. */
function kg(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function registry(count: number): { streams: NewStream[]; communities: string[]; partners: string[] } {
  const streams: NewStream[] = [];
  const communities: string[] = [];
  const partners: string[] = [];
  for (let index = 0; index < count; index++) {
    const communityId = randomUUID();
    const [oblast, name] = REGIONS[index % REGIONS.length];
    const foreign = index % 5 === 4;
    const registered = event(
      'CommunityRegistered',
      foreign
        ? {
            communityId,
            name: { uk: `Ґміна ${index}`, en: `Gmina ${index}` },
            kind: 'foreign-municipality',
            countryCode: 'PL',
          }
        : {
            communityId,
            name: { uk: `${name} громада ${index}` },
            kind: 'hromada',
            countryCode: 'UA',
            oblast,
          },
      day(index % 30),
      'communities',
    );
    const events = [registered];
    if (!foreign && index % 3 === 0) {
      events.push(
        event(
          'FrontlineStatusChanged',
          { communityId, status: index % 2 === 0 ? 'outpost' : 'rear', effectiveFrom: day(40).slice(0, 10) },
          day(40),
          'communities',
        ),
      );
    }
    streams.push({ stream: `community-${communityId}`, events });
    (foreign ? partners : communities).push(communityId);
  }
  for (let index = 0; index < Math.max(2, Math.floor(count / 10)); index++) {
    const organisationId = randomUUID();
    streams.push({
      stream: `organisation-${organisationId}`,
      events: [
        event(
          'OrganisationRegistered',
          { organisationId, name: `Міжнародна організація ${index}`, kind: 'ingo', countryCode: 'US' },
          day(index % 30),
          'communities',
        ),
      ],
    });
    partners.push(organisationId);
  }
  return { streams, communities, partners };
}

function partnership(destination: string, partner: string, index: number): NewStream {
  const partnershipId = randomUUID();
  const areas = ['material-humanitarian-aid'];
  return {
    stream: `partnership-${partnershipId}`,
    events: [
      event(
        'PartnershipProposed',
        {
          partnershipId,
          kind: 'international',
          parties: [
            { partyId: destination, role: 'partner' },
            { partyId: partner, role: 'partner' },
          ],
          areas,
        },
        day(50 + (index % 20)),
        'partnerships',
      ),
      event(
        'PartnershipApproved',
        { decision: { body: 'Виконавчий комітет міської ради', date: day(60).slice(0, 10) } },
        day(60),
        'partnerships',
      ),
      event(
        'MemorandumSigned',
        {
          signedOn: day(62).slice(0, 10),
          signatories: [
            { partyId: destination, name: 'Голова громади', title: 'міський голова' },
            { partyId: partner, name: 'Burmistrz', title: 'burmistrz' },
          ],
          areas,
        },
        day(62),
        'partnerships',
      ),
    ],
  };
}

function shipment(
  index: number,
  destination: string,
  origin: string,
  partnershipId: string | undefined,
): NewStream {
  const shipmentId = randomUUID();
  const items = [ITEMS[index % ITEMS.length], ITEMS[(index + 2) % ITEMS.length]].map(
    ([category, description, unit, kgEach], line) => {
      const quantity = 10 + ((index * 7 + line * 13) % 90);
      return { category, description, quantity, unit, weightKg: kg(quantity * kgEach) };
    },
  );
  const totalKg = kg(items.reduce((sum, item) => sum + item.weightKg, 0));
  const plannedAt = day(70 + (index % 600));
  const events = [
    event(
      'ShipmentPlanned',
      {
        shipmentId,
        originPartyId: origin,
        destinationCommunityId: destination,
        ...(partnershipId !== undefined && { partnershipId }),
        items,
      },
      plannedAt,
      'logistics',
    ),
  ];
  // Nine in ten leave, and eight in ten of those arrive: the rest are still planned or on the way.
  if (index % 10 !== 9) {
    const sentAt = day(72 + (index % 600));
    events.push(
      event(
        'ShipmentSent',
        {
          sentAt,
          totalWeightKg: totalKg,
          carrier: CARRIERS[index % CARRIERS.length],
          waybillNumber: `ТТН-${100000 + index}`,
        },
        sentAt,
        'logistics',
      ),
    );
    if (index % 5 !== 4) {
      const receivedAt = day(75 + (index % 600));
      const receipts = items.map((item, line) => {
        const damagedKg = line === 0 && index % 7 === 0 ? kg(item.weightKg / 10) : 0;
        return { index: line, goodKg: kg(item.weightKg - damagedKg), damagedKg };
      });
      events.push(
        event(
          'ShipmentReceived',
          {
            receivedAt,
            receivedBy: 'Начальник складу гуманітарної допомоги',
            acceptanceActNumber: `АПП-${index}`,
            receivedWeightKg: totalKg,
            items: receipts,
          },
          receivedAt,
          'logistics',
        ),
      );
    }
  }
  return { stream: `shipment-${shipmentId}`, events };
}

/**
 * Appends about `targetEvents` events (never fewer), `concurrency` appends at a time so that the
 * store's group commit sends them together (64 appends per round trip at most): 512 callers load
 * about 20,000 events/s on 2 cores, 16 callers about 5,000.
 */
export async function appendHistory(
  store: EventStore,
  targetEvents: number,
  options: { concurrency?: number; onProgress?: (events: number) => void } = {},
): Promise<HistorySize> {
  const concurrency = options.concurrency ?? 512;
  const {
    streams: registryStreams,
    communities,
    partners,
  } = registry(Math.max(10, Math.floor(targetEvents / 2000)));
  const partnerships = communities
    .slice(0, Math.max(1, Math.floor(communities.length / 2)))
    .map((community, index) => ({ community, partner: partners[index % partners.length], index }))
    .map(({ community, partner, index }) => ({
      community,
      partner,
      stream: partnership(community, partner, index),
    }));
  let events = 0;
  let streams = 0;
  let shipments = 0;
  const append = async ({ stream, events: batch }: NewStream) => {
    await store.append(stream, batch, 'no-stream');
    events += batch.length;
    streams++;
    options.onProgress?.(events);
  };
  await inParallel(registryStreams, concurrency, append);
  await inParallel(
    partnerships.map(({ stream }) => stream),
    concurrency,
    append,
  );
  let planned = registryStreams
    .concat(partnerships.map(({ stream }) => stream))
    .reduce((sum, { events: batch }) => sum + batch.length, 0);
  const next = (): NewStream | undefined => {
    if (planned >= targetEvents) return undefined;
    const index = shipments++;
    const link = partnerships[index % partnerships.length];
    const withPartnership = index % 4 !== 0;
    const made = shipment(
      index,
      withPartnership ? link.community : communities[index % communities.length],
      withPartnership ? link.partner : partners[index % partners.length],
      withPartnership ? link.stream.stream.slice('partnership-'.length) : undefined,
    );
    planned += made.events.length;
    return made;
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let item = next(); item !== undefined; item = next()) await append(item);
    }),
  );
  return { events, streams, shipments };
}

async function inParallel<T>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let nextIndex = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nextIndex < items.length) await work(items[nextIndex++]);
    }),
  );
}
