import type { DiscrepancyReason, ItemCategory, ShipmentStatus } from '@aid/contracts';
import type { ShipmentRecord } from '../read-model/read-model.entities';
import type { ItemFigures } from '../shipment/shipment.state';
import { gramsToKg, sumGrams } from '../shipment/weight';
import type { TonnageDimension } from '../tonnage/tonnage';

/**
 * What the queries answer. Weights are JSON numbers of kilograms with at most 3 decimals, as in
 * the events, made from whole grams by one division (exact: see weight.ts). A field that does not
 * apply yet (sentAt of a planned shipment) is null rather than absent, so every answer of one kind
 * has the same keys.
 */

export interface ShipmentItemView {
  index: number;
  category: ItemCategory;
  description: string;
  quantity: number;
  unit: string;
  weightKg: number;
  /** The receipt figures of the item, after corrections; null until received. */
  goodKg: number | null;
  damagedKg: number | null;
  receivedKg: number | null;
  shortKg: number | null;
  surplusKg: number | null;
  /** Good kilograms recorded as lost or expired after the receipt. */
  writtenOffKg: number | null;
}

export interface ShipmentView {
  id: string;
  status: ShipmentStatus;
  originPartyId: string;
  destinationCommunityId: string;
  partnershipId: string | null;
  donorPartyId: string | null;
  humanitarianAidCode: string | null;
  items: ShipmentItemView[];
  plannedKg: number;
  plannedAt: string;
  /** Business times as recorded, with the offset the coordinator gave. */
  sentAt: string | null;
  sentKg: number | null;
  carrier: string | null;
  waybillNumber: string | null;
  receivedAt: string | null;
  receivedBy: string | null;
  acceptanceActNumber: string | null;
  receivedKg: number | null;
  shortfallKg: number | null;
  cancellationReason: string | null;
  discrepancies: { itemIndex: number; reason: DiscrepancyReason; expectedKg: number; receivedKg: number }[];
  revision: number;
  updatedAt: string;
}

export interface ShortItemView {
  index: number;
  category: ItemCategory;
  description: string;
  plannedKg: number;
  receivedKg: number;
  shortKg: number;
}

/** A receipt that fell short: at least one item arrived lighter than it was sent. */
export interface ShortfallView {
  shipmentId: string;
  originPartyId: string;
  destinationCommunityId: string;
  partnershipId: string | null;
  sentAt: string;
  receivedAt: string;
  receivedBy: string;
  acceptanceActNumber: string | null;
  dispatchedKg: number;
  receivedKg: number;
  shortfallKg: number;
  /** Only the items that fell short. */
  items: ShortItemView[];
}

export interface TonnageFigures {
  shipments: number;
  dispatchedKg: number;
  receivedKg: number;
  inTransitKg: number;
  shortfallKg: number;
}

export interface TonnageRowView extends TonnageFigures {
  /** The group's id (community, party, partnership), month (YYYY-MM) or category; null: no partnership. */
  key: string | null;
  label: string;
}

export interface TonnageAnswer {
  groupBy: TonnageDimension;
  from: string | null;
  to: string | null;
  items: TonnageRowView[];
  /** Over all rows; shipments counts each shipment once, however many rows it appears in. */
  totals: TonnageFigures;
}

const kgOrNull = (grams: number | null): number | null => (grams === null ? null : gramsToKg(grams));

function arrived(figures: ItemFigures): number {
  return sumGrams([figures.goodGrams, figures.damagedGrams]);
}

export function shipmentView(record: ShipmentRecord): ShipmentView {
  const { state } = record;
  const figures = state.status === 'received' ? state.received.items : null;
  return {
    id: record.shipmentId,
    status: record.status,
    originPartyId: record.originPartyId,
    destinationCommunityId: record.destinationCommunityId,
    partnershipId: record.partnershipId,
    donorPartyId: record.donorPartyId,
    humanitarianAidCode: record.humanitarianAidCode,
    items: record.items.map((item, index) => {
      const planned = state.items[index].weightGrams;
      const own = figures?.[index];
      return {
        index,
        category: item.category,
        description: item.description,
        quantity: item.quantity,
        unit: item.unit,
        weightKg: item.weightKg,
        goodKg: own ? gramsToKg(own.goodGrams) : null,
        damagedKg: own ? gramsToKg(own.damagedGrams) : null,
        receivedKg: own ? gramsToKg(arrived(own)) : null,
        shortKg: own ? gramsToKg(Math.max(0, planned - arrived(own))) : null,
        surplusKg: own ? gramsToKg(Math.max(0, arrived(own) - planned)) : null,
        writtenOffKg: own ? gramsToKg(own.writtenOffGrams) : null,
      };
    }),
    plannedKg: gramsToKg(record.plannedGrams),
    plannedAt: record.plannedAt.toISOString(),
    sentAt: state.status === 'sent' || state.status === 'received' ? state.sent.at : null,
    sentKg: kgOrNull(record.sentGrams),
    carrier: record.carrier,
    waybillNumber: record.waybillNumber,
    receivedAt: state.status === 'received' ? state.received.at : null,
    receivedBy: record.receivedBy,
    acceptanceActNumber: record.acceptanceActNumber,
    receivedKg: kgOrNull(record.receivedGrams),
    shortfallKg: kgOrNull(record.shortfallGrams),
    cancellationReason: record.cancellationReason,
    discrepancies:
      state.status === 'received'
        ? state.discrepancies.map(({ itemIndex, reason, expectedGrams, receivedGrams }) => ({
            itemIndex,
            reason,
            expectedKg: gramsToKg(expectedGrams),
            receivedKg: gramsToKg(receivedGrams),
          }))
        : [],
    revision: record.revision,
    updatedAt: record.updatedAt.toISOString(),
  };
}

export function shortfallView(record: ShipmentRecord): ShortfallView {
  const { state } = record;
  if (state.status !== 'received') throw new Error(`shipment ${record.shipmentId} is not received`);
  const items = state.items.flatMap((item, index) => {
    const receivedGrams = arrived(state.received.items[index]);
    const shortGrams = item.weightGrams - receivedGrams;
    if (shortGrams <= 0) return [];
    return [
      {
        index,
        category: item.category,
        description: record.items[index].description,
        plannedKg: gramsToKg(item.weightGrams),
        receivedKg: gramsToKg(receivedGrams),
        shortKg: gramsToKg(shortGrams),
      },
    ];
  });
  return {
    shipmentId: record.shipmentId,
    originPartyId: record.originPartyId,
    destinationCommunityId: record.destinationCommunityId,
    partnershipId: record.partnershipId,
    sentAt: state.sent.at,
    receivedAt: state.received.at,
    receivedBy: record.receivedBy ?? '',
    acceptanceActNumber: record.acceptanceActNumber,
    dispatchedKg: gramsToKg(state.sent.totalGrams),
    receivedKg: kgOrNull(record.receivedGrams) ?? 0,
    shortfallKg: kgOrNull(record.shortfallGrams) ?? 0,
    items,
  };
}
