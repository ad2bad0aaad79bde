import {
  COMMUNITY_KINDS,
  type CommunitiesEvent,
  FRONTLINE_STATUSES,
  HOSTILITIES_CATEGORIES,
  ORGANISATION_KINDS,
  SETTLEMENT_CATEGORIES,
} from '../communities/events';
import {
  DISCREPANCY_REASONS,
  ITEM_CATEGORIES,
  type ItemReceipt,
  type LogisticsEvent,
} from '../logistics/events';
import { type PartnershipEvent } from '../partnerships/events';
import {
  COOPERATION_AREAS,
  PARTNERSHIP_ACTIVITY_TYPES,
  PARTNERSHIP_CHANNELS,
  PARTNERSHIP_KINDS,
  PARTNERSHIP_PARTY_ROLES,
} from '../partnerships/vocabulary';
import {
  arrayOf,
  date,
  dateTime,
  described,
  integer,
  kilograms,
  literal,
  number,
  object,
  oneOf,
  optional,
  recordOf,
  type Schema,
  string,
  uuid,
} from './json-schema';

type AnyEvent = CommunitiesEvent | PartnershipEvent | LogisticsEvent;
export type EventType = AnyEvent['type'];
type DataOf<K extends EventType> = Extract<AnyEvent, { type: K }>['data'];

const text = (description?: string) => string({ minLength: 1, ...(description ? { description } : {}) });
const countryCode = string({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' });
const boolean: Schema<boolean> = { json: { type: 'boolean' } };
const cooperationAreas = arrayOf(oneOf(COOPERATION_AREAS));
const itemReceipt = object<ItemReceipt>({
  index: integer({ minimum: 0, description: 'Index into the planned items' }),
  goodKg: kilograms(),
  damagedKg: kilograms(),
});

/**
 * The JSON Schema of every event's data, keyed by event type. The mapped type makes the compiler
 * require one entry per event type of the three contexts, each describing exactly its data type.
 */
export const EVENT_DATA_SCHEMAS: { [K in EventType]: Schema<DataOf<K>> } = {
  CommunityRegistered: object(
    {
      communityId: uuid(),
      name: object({ uk: text('Name in Ukrainian'), en: optional(text('Name in English')) }),
      kind: oneOf(COMMUNITY_KINDS),
      countryCode,
      oblast: optional(string({ description: 'ISO 3166-2:UA region of a hromada' })),
      katottg: optional(string({ description: 'KATOTTG code of a hromada' })),
      settlements: optional(
        arrayOf(object({ katottg: string(), name: text(), category: oneOf(SETTLEMENT_CATEGORIES) })),
      ),
    },
    'A hromada or foreign municipality entered the registry',
  ),
  FrontlineStatusChanged: object(
    {
      communityId: uuid(),
      status: oneOf(FRONTLINE_STATUSES),
      effectiveFrom: date('The day from which the status holds'),
      basis: optional(text('The programme or decision behind it')),
    },
    'A community became an outpost (frontline) or rear community',
  ),
  HostilitiesPeriodRecorded: object(
    {
      communityId: uuid(),
      category: oneOf(HOSTILITIES_CATEGORIES),
      start: date('First day of the period'),
      end: optional(date('The day it ended (not included); absent while open')),
      source: text('The Ministry order and edition it comes from'),
      partial: described(boolean, 'True when it covers only part of the hromada'),
      areaKatottg: string({ description: 'The KATOTTG code the Ministry list named' }),
      areaName: optional(text()),
    },
    "A period from the Ministry's list of territories of hostilities and occupation",
  ),
  OrganisationRegistered: object(
    {
      organisationId: uuid(),
      name: text(),
      kind: oneOf(ORGANISATION_KINDS),
      countryCode: optional(countryCode),
      iatiRef: optional(string({ description: 'IATI organisation identifier' })),
      parentCommunityId: optional(uuid('The community an institution belongs to')),
    },
    'An international organisation, programme, institution, government body or network',
  ),

  PartnershipProposed: object(
    {
      partnershipId: uuid(),
      kind: oneOf(PARTNERSHIP_KINDS),
      parties: arrayOf(
        object({ partyId: uuid('A community or organisation'), role: oneOf(PARTNERSHIP_PARTY_ROLES) }),
        { minItems: 1 },
      ),
      programmeId: optional(uuid('The programme (organisation) it runs under')),
      areas: cooperationAreas,
      term: optional(object({ from: date(), to: date() })),
      channel: optional(oneOf(PARTNERSHIP_CHANNELS)),
    },
    'A partnership between communities and organisations was proposed',
  ),
  PartnershipApproved: object(
    { decision: object({ body: text(), number: optional(text()), date: date() }) },
    'The decision approving it, e.g. of a council executive committee',
  ),
  MemorandumSigned: object(
    {
      signedOn: date(),
      signatories: arrayOf(object({ partyId: uuid(), name: text(), title: text() })),
      areas: cooperationAreas,
    },
    'A memorandum or agreement was signed; its areas supersede the proposed ones',
  ),
  PartnershipActivityRecorded: object(
    {
      type: oneOf(PARTNERSHIP_ACTIVITY_TYPES),
      date: string({
        pattern: '^\\d{4}-\\d{2}(-\\d{2})?$',
        description: 'A day, or a month when only planned',
      }),
      summary: text(),
      participants: arrayOf(uuid('A party of the partnership')),
      indicators: optional(recordOf(number(), 'Figures it reports, e.g. {"women-hosted": 650}')),
      planned: optional(literal(true)),
    },
    'Something done (or planned) along the partnership',
  ),
  PartnershipTerminated: object({ effectiveOn: date(), reason: text() }, 'The partnership ended'),

  ShipmentPlanned: object(
    {
      shipmentId: uuid(),
      originPartyId: uuid(),
      destinationCommunityId: uuid(),
      partnershipId: optional(uuid()),
      donorPartyId: optional(uuid()),
      humanitarianAidCode: optional(text('The cargo code in the state register of humanitarian aid')),
      items: arrayOf(
        object({
          category: oneOf(ITEM_CATEGORIES),
          description: text(),
          quantity: number({ minimum: 0 }),
          unit: text(),
          weightKg: kilograms(),
        }),
        { minItems: 1 },
      ),
    },
    'A shipment of aid was planned',
  ),
  ShipmentSent: object(
    {
      sentAt: dateTime(),
      totalWeightKg: kilograms(),
      carrier: optional(text()),
      waybillNumber: optional(text()),
    },
    'The shipment left',
  ),
  ShipmentReceived: object(
    {
      receivedAt: dateTime(),
      receivedBy: text('The official who signed the acceptance act'),
      acceptanceActNumber: optional(text()),
      receivedWeightKg: kilograms('Good plus damaged; the shortfall is sent minus received'),
      items: arrayOf(itemReceipt),
    },
    'The shipment arrived and was counted',
  ),
  ShipmentDiscrepancyRecorded: object(
    {
      itemIndex: integer({ minimum: 0 }),
      expectedKg: kilograms(),
      receivedKg: kilograms(),
      reason: oneOf(DISCREPANCY_REASONS),
    },
    'A difference between what was expected and what was received or is left',
  ),
  ShipmentCancelled: object({ reason: text() }, 'The shipment will not be sent'),
  ShipmentReceiptCorrected: object(
    { items: arrayOf(itemReceipt), reason: text() },
    'Corrected receipt figures of the listed items; the original receipt stays in the history',
  ),
};
