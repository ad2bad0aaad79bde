import { communityIdForKatottg, type PlanShipment, type RegisterCommunity } from '@aid/contracts';

/** Story 001: gmina Rawicz (Poland) sends aid to Zhytomyr; Derhachi is another community. */
export const ZHYTOMYR_KATOTTG = 'UA18040470000046571';
export const DERHACHI_KATOTTG = 'UA63120070000097263';
export const ZHYTOMYR = communityIdForKatottg(ZHYTOMYR_KATOTTG);
export const DERHACHI = communityIdForKatottg(DERHACHI_KATOTTG);

export const zhytomyr: RegisterCommunity = {
  name: { uk: 'Житомирська', en: 'Zhytomyr' },
  kind: 'hromada',
  countryCode: 'UA',
  oblast: 'UA-18',
  katottg: ZHYTOMYR_KATOTTG,
};

export const derhachi: RegisterCommunity = {
  name: { uk: 'Дергачівська', en: 'Derhachi' },
  kind: 'hromada',
  countryCode: 'UA',
  oblast: 'UA-63',
  katottg: DERHACHI_KATOTTG,
};

export const rawicz: RegisterCommunity = {
  name: { uk: 'Равич', en: 'Rawicz' },
  kind: 'foreign-municipality',
  countryCode: 'PL',
};

export function planTo(destinationCommunityId: string, originPartyId: string, weightKg = 1200): PlanShipment {
  return {
    originPartyId,
    destinationCommunityId,
    items: [
      { category: 'food', description: 'wheat flour, 50 kg bags', quantity: 24, unit: 'bag', weightKg },
    ],
  };
}

export const dispatchBody = { sentAt: '2022-12-01T08:00:00Z', carrier: 'Rawicz municipal transport' };

export const receiptBody = (goodKg: number, damagedKg = 0) => ({
  receivedAt: '2022-12-02T15:30:00+02:00',
  receivedBy: 'Head of the municipal aid warehouse',
  items: [{ index: 0, goodKg, damagedKg }],
});
