import { randomBytes, randomUUID } from 'node:crypto';
import type { JsonObject, NewEvent } from '@aid/event-store';

/** The one event shape the bench writes; each store gets it translated into its own API. */
export type BenchEvent = NewEvent;

/**
 * Event ids of one bench log: a random UUID prefix shared by the log, and the event's index in
 * the last 12 hex digits. A reader can then tell which written event it got back with a parse
 * instead of a hash-set lookup of a million strings, so the check costs both stores next to nothing.
 */
export class EventIdSpace {
  constructor(readonly prefix: string = randomIdPrefix()) {}

  idFor(index: number): string {
    return this.prefix + index.toString(16).padStart(12, '0');
  }

  /** The index an id was made from, or undefined when it is not an id of this space. */
  indexOf(id: string): number | undefined {
    if (!id.startsWith(this.prefix)) return undefined;
    return parseInt(id.slice(this.prefix.length), 16);
  }
}

function randomIdPrefix(): string {
  const hex = randomBytes(12).toString('hex');
  // Version 4 and RFC 4122 variant nibbles, so the ids are valid UUIDs for any store that checks.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(12, 15)}-8${hex.slice(15, 18)}-`;
}

const communities = [
  { id: 'ua-kharkivska-derhachivska', name: 'Дергачівська міська територіальна громада' },
  { id: 'ua-sumska-krasnopilska', name: 'Краснопільська селищна територіальна громада' },
  { id: 'ua-khersonska-bilozerska', name: 'Білозерська селищна територіальна громада' },
  { id: 'ua-zaporizka-orikhivska', name: 'Оріхівська міська територіальна громада' },
];

const origins = [
  { id: 'ua-lvivska-zhovkivska', name: 'Жовківська міська територіальна громада' },
  { id: 'org-irc', name: 'Міжнародний комітет порятунку' },
  { id: 'ua-zakarpatska-uzhhorodska', name: 'Ужгородська міська територіальна громада' },
];

const itemLines = [
  {
    category: 'food',
    description: 'Борошно пшеничне вищого ґатунку, мішки по 50 кг',
    unit: 'мішок',
    kgEach: 50,
  },
  {
    category: 'medical',
    description: 'Аптечки першої допомоги для шкіл і амбулаторій',
    unit: 'шт',
    kgEach: 1.2,
  },
  {
    category: 'energy',
    description: 'Генератор бензиновий 5 кВт з комплектом мастила',
    unit: 'шт',
    kgEach: 78.5,
  },
  { category: 'hygiene', description: 'Гігієнічні набори для родин із дітьми', unit: 'набір', kgEach: 4.35 },
  {
    category: 'shelter',
    description: 'Плівка та брус для укриття пошкоджених дахів',
    unit: 'рулон',
    kgEach: 32,
  },
  { category: 'water', description: 'Вода питна бутильована, 6 л', unit: 'бутель', kgEach: 6.1 },
];

const carriers = ['ТОВ «Нова Пошта»', 'Укрпошта', 'Волонтерський штаб громади', 'ТОВ «Делівері»'];

/** Realistic shipment events: 300 to 500 bytes of UTF-8 JSON, Ukrainian text, a shipment's life cycle. */
function shipmentData(variant: number): { type: string; data: JsonObject } {
  const destination = communities[variant % communities.length];
  const origin = origins[variant % origins.length];
  const line = itemLines[variant % itemLines.length];
  const quantity = 10 + ((variant * 7) % 90);
  const weightKg = Math.round(quantity * line.kgEach * 1000) / 1000;
  const shipmentId = `0190c1d2-${(4096 + variant).toString(16)}-7abc-8def-${variant.toString(16).padStart(12, '0')}`;
  switch (variant % 3) {
    case 0:
      return {
        type: 'ShipmentPlanned',
        data: {
          shipmentId,
          originPartyId: origin.id,
          destinationCommunityId: destination.id,
          partnershipId: `partnership-${variant % 17}`,
          humanitarianAidCode: `UA-HUM-2025-${(100000 + variant).toString()}`,
          items: [
            { category: line.category, description: line.description, quantity, unit: line.unit, weightKg },
          ],
        },
      };
    case 1:
      return {
        type: 'ShipmentSent',
        data: {
          shipmentId,
          sentAt: new Date(Date.UTC(2025, 2, 1 + (variant % 28), 7, 30)).toISOString(),
          totalWeightKg: weightKg,
          carrier: carriers[variant % carriers.length],
          waybillNumber: `20450${(1000000 + variant).toString()}`,
          note: `Відправлено до громади: ${destination.name}`,
        },
      };
    default:
      return {
        type: 'ShipmentReceived',
        data: {
          shipmentId,
          receivedAt: new Date(Date.UTC(2025, 2, 2 + (variant % 27), 15, 10)).toISOString(),
          receivedBy: 'Коваленко Олена Миколаївна, староста',
          acceptanceActNumber: `АПП-${(variant % 500) + 1}/2025`,
          receivedWeightKg: weightKg,
          items: [{ index: 0, goodKg: weightKg, damagedKg: 0 }],
          note: `Прийнято на складі: ${destination.name}`,
        },
      };
  }
}

// Shared, never mutated: the stores only serialise the payloads, so reusing them costs no realism.
const payloads = Array.from({ length: 96 }, (_, variant) => shipmentData(variant));

/** The index-th event of a bench log. The same index gives the same type and payload for both stores. */
export function benchEvent(ids: EventIdSpace, index: number): BenchEvent {
  const { type, data } = payloads[index % payloads.length];
  return {
    id: ids.idFor(index),
    type,
    data,
    metadata: {
      occurredAt: new Date(Date.UTC(2025, 2, 1) + index * 1000).toISOString(),
      actor: { id: 'key_01J8Z6coordinator', role: 'coordinator' },
      correlationId: randomUUID(),
      causationId: randomUUID(),
      idempotencyKey: `dispatch-${index}`,
      schemaVersion: 1,
      service: 'logistics',
    },
  };
}

export function benchEvents(ids: EventIdSpace, from: number, count: number): BenchEvent[] {
  return Array.from({ length: count }, (_, offset) => benchEvent(ids, from + offset));
}

/** Streams look like the system's own: `shipment-<uuid>`. */
export function streamName(): string {
  return `shipment-${randomUUID()}`;
}

export function payloadSizes(): { minBytes: number; maxBytes: number } {
  const sizes = payloads.map(({ data }) => Buffer.byteLength(JSON.stringify(data)));
  return { minBytes: Math.min(...sizes), maxBytes: Math.max(...sizes) };
}
