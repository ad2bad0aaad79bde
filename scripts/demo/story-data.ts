/**
 * The facts of the five source stories (../shared/seeds) that the demo records: who, where, when,
 * how much. The KATOTTG codes are those of ../shared/data/README.md.
 */

/** The hromadas of the stories, by their KATOTTG codes (../shared/data/README.md). */
export const HROMADAS = {
  brovary: { katottg: 'UA32060050000030591', uk: 'Броварська', en: 'Brovary', oblast: 'UA-32' },
  derhachi: { katottg: 'UA63120070000018741', uk: 'Дергачівська', en: 'Derhachi', oblast: 'UA-63' },
  zhytomyr: { katottg: 'UA18040190000029215', uk: 'Житомирська', en: 'Zhytomyr', oblast: 'UA-18' },
  ochakiv: { katottg: 'UA48060250000061313', uk: 'Очаківська', en: 'Ochakiv', oblast: 'UA-48' },
  boratyn: { katottg: 'UA07080030000051738', uk: 'Боратинська', en: 'Boratyn', oblast: 'UA-07' },
  lviv: { katottg: 'UA46060250000025047', uk: 'Львівська', en: 'Lviv', oblast: 'UA-46' },
  nekhvoroshcha: {
    katottg: 'UA53080290000024637',
    uk: 'Нехворощанська',
    en: 'Nekhvoroshcha',
    oblast: 'UA-53',
  },
  bilozirska: { katottg: 'UA71080050000028174', uk: 'Білозірська', en: 'Bilozirska', oblast: 'UA-71' },
  chyhyryn: { katottg: 'UA71080510000028067', uk: 'Чигиринська', en: 'Chyhyryn', oblast: 'UA-71' },
  shevchenkivska: {
    katottg: 'UA71020310000027379',
    uk: 'Шевченківська',
    en: 'Shevchenkivska',
    oblast: 'UA-71',
  },
} as const;
export type HromadaName = keyof typeof HROMADAS;

/** Slatyne and Prudianka, the settlements of Derhachi "shelled almost daily" (KATOTTG category X). */
export const DERHACHI_SETTLEMENTS = [
  { katottg: 'UA63120070040082749', name: 'Слатине', category: 'selyshche' },
  { katottg: 'UA63120070030026955', name: 'Прудянка', category: 'selyshche' },
];

export const ORGANISATIONS = {
  sideBySide: { name: 'Side by Side: cohesive communities', kind: 'programme', countryCode: 'UA' },
  irc: {
    name: 'International Rescue Committee',
    kind: 'ingo',
    countryCode: 'US',
    iatiRef: 'US-EIN-135660870',
  },
  uLead: { name: 'U-LEAD with Europe', kind: 'programme' },
  connectiveCities: { name: 'Connective Cities', kind: 'network', countryCode: 'DE' },
} as const;
export type OrganisationName = keyof typeof ORGANISATIONS | 'ochakivCentre';

export type PartnershipName =
  'brovaryDerhachi' | 'zhytomyrRawicz' | 'ochakivIrc' | 'connectiveCities' | 'uLead';

/**
 * Rawicz's 50 tonnes, as four loads: three arrived in full; of the third, 49.25 kg of winter coats
 * never arrived. The story gives only the total; the loads, dates and contents stand in for it.
 */
export const RAWICZ_SHIPMENTS = [
  {
    sentAt: '2022-03-04T08:00:00+01:00',
    receivedAt: '2022-03-05T15:00:00+02:00',
    items: [
      {
        category: 'food',
        description: 'wheat flour',
        quantity: 400,
        unit: 'bags',
        weightKg: 10000,
        receivedKg: 10000,
      },
      {
        category: 'hygiene',
        description: 'hygiene kits',
        quantity: 800,
        unit: 'kits',
        weightKg: 2000.5,
        receivedKg: 2000.5,
      },
    ],
  },
  {
    sentAt: '2022-04-12T07:30:00+02:00',
    receivedAt: '2022-04-13T11:00:00+03:00',
    items: [
      {
        category: 'medical',
        description: 'first-aid kits and medicines',
        quantity: 20,
        unit: 'pallets',
        weightKg: 8000,
        receivedKg: 8000,
      },
    ],
  },
  {
    sentAt: '2022-10-18T06:00:00+02:00',
    receivedAt: '2022-10-20T12:00:00+03:00',
    items: [
      {
        category: 'food',
        description: 'canned food',
        quantity: 30,
        unit: 'pallets',
        weightKg: 15000,
        receivedKg: 15000,
      },
      {
        category: 'clothing',
        description: 'winter coats',
        quantity: 10,
        unit: 'pallets',
        weightKg: 2499.75,
        receivedKg: 2450.5,
      },
    ],
  },
  {
    sentAt: '2022-11-28T07:00:00+01:00',
    receivedAt: '2022-11-30T10:00:00+02:00',
    items: [
      {
        category: 'energy',
        description: 'power generators',
        quantity: 25,
        unit: 'pieces',
        weightKg: 4999.75,
        receivedKg: 4999.75,
      },
      {
        category: 'shelter',
        description: 'winter tents',
        quantity: 100,
        unit: 'pieces',
        weightKg: 7500,
        receivedKg: 7500,
      },
    ],
  },
] as const;

/** The cooperation areas of the Brovary-Derhachi memorandum, as the story lists them. */
export const SIDE_BY_SIDE_AREAS = [
  'recovery-teams',
  'children',
  'culture-education-sport',
  'material-humanitarian-aid',
  'co-financing',
];
