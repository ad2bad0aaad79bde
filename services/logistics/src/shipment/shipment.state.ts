import type {
  DiscrepancyReason,
  ItemCategory,
  ItemReceipt,
  LogisticsEvent,
  ShipmentStatus,
} from '@aid/contracts';
import { kgToGrams } from './weight';

/** All weights in state are integer grams. */
export interface PlannedItem {
  category: ItemCategory;
  weightGrams: number;
}

/** One planned item as counted on arrival, or as last corrected. */
export interface ItemFigures {
  goodGrams: number;
  damagedGrams: number;
  /** Good grams recorded as lost or expired after the receipt. They did arrive, so they stay received. */
  writtenOffGrams: number;
}

export interface RecordedDiscrepancy {
  itemIndex: number;
  reason: DiscrepancyReason;
  expectedGrams: number;
  receivedGrams: number;
}

interface ShipmentBase {
  shipmentId: string;
  originPartyId: string;
  destinationCommunityId: string;
  partnershipId: string | null;
  items: PlannedItem[];
}

export interface PlannedShipment extends ShipmentBase {
  status: 'planned';
}

export interface SentShipment extends ShipmentBase {
  status: 'sent';
  sent: { at: string; totalGrams: number };
}

export interface ReceivedShipment extends ShipmentBase {
  status: 'received';
  sent: { at: string; totalGrams: number };
  /** `items[i]` belongs to planned item i. */
  received: { at: string; items: ItemFigures[] };
  /** Every discrepancy as recorded, in order. A later correction does not rewrite them: they are history. */
  discrepancies: RecordedDiscrepancy[];
}

export interface CancelledShipment extends ShipmentBase {
  status: 'cancelled';
  cancellationReason: string;
}

/** One type per status, so that a received shipment without dispatch figures cannot even be written. */
export type Shipment = PlannedShipment | SentShipment | ReceivedShipment | CancelledShipment;

/** null until the stream has its ShipmentPlanned. */
export type ShipmentState = Shipment | null;

export const initialState: ShipmentState = null;

export type ShipmentIn<S extends ShipmentStatus> = Extract<Shipment, { status: S }>;

/** A stream that breaks the rules decide enforces was not written by decide: stop, never guess. */
function corrupt(event: LogisticsEvent, why: string): never {
  throw new Error(`cannot apply ${event.type}: ${why}`);
}

function expectStatus<S extends ShipmentStatus>(
  state: ShipmentState,
  status: S,
  event: LogisticsEvent,
): ShipmentIn<S> {
  if (state === null) return corrupt(event, 'the stream has no ShipmentPlanned');
  if (state.status !== status) return corrupt(event, `the shipment is ${state.status}, not ${status}`);
  return state as ShipmentIn<S>;
}

function figuresOf(receipt: ItemReceipt, writtenOffGrams: number): ItemFigures {
  return {
    goodGrams: kgToGrams(receipt.goodKg, `items.${receipt.index}.goodKg`, { allowZero: true }),
    damagedGrams: kgToGrams(receipt.damagedKg, `items.${receipt.index}.damagedKg`, { allowZero: true }),
    writtenOffGrams,
  };
}

export function evolve(state: ShipmentState, event: LogisticsEvent): ShipmentState {
  switch (event.type) {
    case 'ShipmentPlanned': {
      if (state !== null) return corrupt(event, 'the shipment is already planned');
      const { data } = event;
      return {
        shipmentId: data.shipmentId,
        status: 'planned',
        originPartyId: data.originPartyId,
        destinationCommunityId: data.destinationCommunityId,
        partnershipId: data.partnershipId ?? null,
        items: data.items.map((item, index) => ({
          category: item.category,
          weightGrams: kgToGrams(item.weightKg, `items.${index}.weightKg`),
        })),
      };
    }
    case 'ShipmentSent': {
      const planned = expectStatus(state, 'planned', event);
      const totalGrams = kgToGrams(event.data.totalWeightKg, 'totalWeightKg');
      return { ...planned, status: 'sent', sent: { at: event.data.sentAt, totalGrams } };
    }
    case 'ShipmentCancelled': {
      const planned = expectStatus(state, 'planned', event);
      return { ...planned, status: 'cancelled', cancellationReason: event.data.reason };
    }
    case 'ShipmentReceived': {
      const sent = expectStatus(state, 'sent', event);
      const items = sent.items.map((_, index) => {
        const receipt = event.data.items.find((entry) => entry.index === index);
        return receipt ? figuresOf(receipt, 0) : corrupt(event, `no figures for item ${index}`);
      });
      return {
        ...sent,
        status: 'received',
        received: { at: event.data.receivedAt, items },
        discrepancies: [],
      };
    }
    case 'ShipmentReceiptCorrected': {
      const received = expectStatus(state, 'received', event);
      const items = received.received.items.map((figures, index) => {
        const correction = event.data.items.find((entry) => entry.index === index);
        return correction ? figuresOf(correction, figures.writtenOffGrams) : figures;
      });
      return { ...received, received: { ...received.received, items } };
    }
    case 'ShipmentDiscrepancyRecorded': {
      const received = expectStatus(state, 'received', event);
      const { itemIndex, reason } = event.data;
      const discrepancy: RecordedDiscrepancy = {
        itemIndex,
        reason,
        expectedGrams: kgToGrams(event.data.expectedKg, 'expectedKg', { allowZero: true }),
        receivedGrams: kgToGrams(event.data.receivedKg, 'receivedKg', { allowZero: true }),
      };
      const discrepancies = [...received.discrepancies, discrepancy];
      // short, surplus and damaged restate the receipt figures; lost and expired take goods out of use.
      if (reason !== 'lost' && reason !== 'expired') return { ...received, discrepancies };
      const writtenOff = discrepancy.expectedGrams - discrepancy.receivedGrams;
      const items = received.received.items.map((figures, index) =>
        index === itemIndex ? { ...figures, writtenOffGrams: figures.writtenOffGrams + writtenOff } : figures,
      );
      return { ...received, discrepancies, received: { ...received.received, items } };
    }
  }
}
