import type { ItemCategory, LogisticsEvent, TonnageDimension } from '@aid/contracts';
import { evolve, type Shipment, type ShipmentState } from '../shipment/shipment.state';
import { sumGrams } from '../shipment/weight';

/**
 * Tonnage: how much left, arrived, is in transit and fell short, grouped by destination, origin,
 * partnership, month of sending and category. This is the reference the tonnage read model is
 * checked against, so it recomputes everything from the whole history and favours plain over fast.
 *
 * Definitions (all in integer grams):
 * - A shipment counts once it is sent; planned and cancelled shipments move no weight.
 * - dispatched: the planned weight of the items of every sent or received shipment.
 * - received: good + damaged of received shipments, after the latest corrections. Goods lost or
 *   expired after the receipt did arrive and stay received.
 * - in transit: dispatched weight of shipments sent but not yet received.
 * - shortfall: per received item, max(0, dispatched - received). Never negative, and a surplus of
 *   one item does not make up for a shortage of another: extra blankets do not replace missing
 *   flour. So dispatched = received + shortfall - surplus, not always received + shortfall. It is
 *   counted per item rather than per shipment so that every grouping sums to the same total.
 * - month: the UTC month (YYYY-MM) the shipment was sent in.
 */

// The groupings are part of the query contract (GET /v1/tonnage?groupBy=), so they live there.
export { TONNAGE_DIMENSIONS, type TonnageDimension } from '@aid/contracts';

/** The finest grouping; `partnership` is null for shipments outside any partnership. */
export interface TonnageCell {
  destination: string;
  origin: string;
  partnership: string | null;
  month: string;
  category: ItemCategory;
}

export interface TonnageRow<D extends TonnageDimension = TonnageDimension> {
  key: Pick<TonnageCell, D>;
  /** Distinct shipments with weight in this row; one shipment may appear in several categories. */
  shipments: number;
  dispatchedGrams: number;
  receivedGrams: number;
  inTransitGrams: number;
  shortfallGrams: number;
}

/** A logistics event as read from the store, with the stream it belongs to. */
export type StreamedLogisticsEvent = LogisticsEvent & { stream: string };

/**
 * What one planned item of one sent shipment contributes. The tonnage read model stores exactly
 * these lines and sums them in SQL, so the reference and the read model share one definition.
 */
export interface ItemLine {
  shipmentId: string;
  cell: TonnageCell;
  dispatchedGrams: number;
  receivedGrams: number;
  inTransitGrams: number;
  shortfallGrams: number;
}

function sentMonth(sentAt: string): string {
  return new Date(Date.parse(sentAt)).toISOString().slice(0, 7);
}

export function itemLines(shipment: Shipment): ItemLine[] {
  if (shipment.status !== 'sent' && shipment.status !== 'received') return [];
  const month = sentMonth(shipment.sent.at);
  return shipment.items.map((item, index) => {
    const figures = shipment.status === 'received' ? shipment.received.items[index] : null;
    const receivedGrams = figures ? sumGrams([figures.goodGrams, figures.damagedGrams]) : 0;
    return {
      shipmentId: shipment.shipmentId,
      cell: {
        destination: shipment.destinationCommunityId,
        origin: shipment.originPartyId,
        partnership: shipment.partnershipId,
        month,
        category: item.category,
      },
      dispatchedGrams: item.weightGrams,
      receivedGrams,
      inTransitGrams: figures ? 0 : item.weightGrams,
      shortfallGrams: figures ? Math.max(0, item.weightGrams - receivedGrams) : 0,
    };
  });
}

/** Folds the history into tonnage rows grouped by the given dimensions, sorted by key. */
export function tonnageRows<D extends TonnageDimension>(
  events: Iterable<StreamedLogisticsEvent>,
  groupBy: readonly D[],
): TonnageRow<D>[] {
  const shipments = new Map<string, ShipmentState>();
  for (const event of events) {
    shipments.set(event.stream, evolve(shipments.get(event.stream) ?? null, event));
  }

  const groups = new Map<string, { key: Pick<TonnageCell, D>; lines: ItemLine[] }>();
  for (const shipment of shipments.values()) {
    for (const line of shipment ? itemLines(shipment) : []) {
      const key = Object.fromEntries(groupBy.map((dimension) => [dimension, line.cell[dimension]])) as Pick<
        TonnageCell,
        D
      >;
      const id = JSON.stringify(groupBy.map((dimension) => line.cell[dimension]));
      const group = groups.get(id) ?? { key, lines: [] };
      group.lines.push(line);
      groups.set(id, group);
    }
  }

  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { key, lines }]) => ({
      key,
      shipments: new Set(lines.map((line) => line.shipmentId)).size,
      dispatchedGrams: sumGrams(lines.map((line) => line.dispatchedGrams)),
      receivedGrams: sumGrams(lines.map((line) => line.receivedGrams)),
      inTransitGrams: sumGrams(lines.map((line) => line.inTransitGrams)),
      shortfallGrams: sumGrams(lines.map((line) => line.shortfallGrams)),
    }));
}
