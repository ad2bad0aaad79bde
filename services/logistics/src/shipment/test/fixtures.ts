import type {
  ItemReceipt,
  LogisticsEvent,
  PlanShipment,
  ShipmentItem,
  ShipmentPlannedData,
} from '@aid/contracts';
import type { PlanShipmentContext, ShipmentCommand } from '../shipment.commands';
import { gramsToKg, kgToGrams, sumGrams } from '../weight';

// Story 001: gmina Rawicz (Poland) hands 50 tonnes of aid to Zhytomyr under their partnership.
export const RAWICZ = '01900000-0000-7000-8000-000000000001';
export const ZHYTOMYR = '01900000-0000-7000-8000-000000000002';
export const RAWICZ_ZHYTOMYR = '01900000-0000-7000-8000-000000000003';
export const SHIPMENT = '01900000-0000-7000-8000-0000000000a1';

export function item(weightKg: number, category: ShipmentItem['category'] = 'food'): ShipmentItem {
  return { category, description: 'wheat flour, 50 kg bags', quantity: 1, unit: 'pallet', weightKg };
}

export const rawiczToZhytomyr: PlanShipmentContext = {
  destination: { registered: true, kind: 'hromada' },
  partnership: { status: 'active', partyIds: [RAWICZ, ZHYTOMYR] },
};

export function planInput(items: ShipmentItem[]): PlanShipment {
  return { originPartyId: RAWICZ, destinationCommunityId: ZHYTOMYR, partnershipId: RAWICZ_ZHYTOMYR, items };
}

export function plan(
  items: ShipmentItem[],
  context: PlanShipmentContext = rawiczToZhytomyr,
  shipmentId = SHIPMENT,
): ShipmentCommand {
  return { type: 'PlanShipment', shipmentId, data: planInput(items), context };
}

export function planned(items: ShipmentItem[], shipmentId = SHIPMENT): LogisticsEvent {
  const data: ShipmentPlannedData = { shipmentId, ...planInput(items) };
  return { type: 'ShipmentPlanned', data };
}

export function sent(totalWeightKg: number, sentAt = '2022-12-01T08:00:00Z'): LogisticsEvent {
  return { type: 'ShipmentSent', data: { sentAt, totalWeightKg } };
}

export function received(items: ItemReceipt[], receivedAt = '2022-12-02T15:30:00+02:00'): LogisticsEvent {
  const grams = items
    .flatMap((entry) => [entry.goodKg, entry.damagedKg])
    .map((kg) => kgToGrams(kg, 'kg', { allowZero: true }));
  const receivedWeightKg = gramsToKg(sumGrams(grams));
  return {
    type: 'ShipmentReceived',
    data: { receivedAt, receivedBy: 'Head of the municipal aid warehouse', receivedWeightKg, items },
  };
}
