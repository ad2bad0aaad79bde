import type { DomainEvent } from '../decider';

/**
 * Events of the logistics context (v1). Weights are JSON numbers of kilograms with at most 3
 * decimals; services add and compare them in integer grams, never as floats. Date-times are ISO
 * 8601 strings of business time (when it happened); record time lives in the event metadata.
 */

export const ITEM_CATEGORIES = [
  'food',
  'medical',
  'hygiene',
  'shelter',
  'energy',
  'water',
  'clothing',
  'construction',
  'other',
] as const;
export type ItemCategory = (typeof ITEM_CATEGORIES)[number];

/**
 * short, surplus and damaged are found when the cargo is received; lost and expired are found
 * afterwards, while the goods are stored or handed out.
 */
export const DISCREPANCY_REASONS = ['short', 'damaged', 'lost', 'surplus', 'expired'] as const;
export type DiscrepancyReason = (typeof DISCREPANCY_REASONS)[number];

/** The reasons a coordinator records after the receipt; the others follow from the receipt figures. */
export const LATER_DISCREPANCY_REASONS = ['lost', 'expired'] as const satisfies readonly DiscrepancyReason[];
export type LaterDiscrepancyReason = (typeof LATER_DISCREPANCY_REASONS)[number];

export const SHIPMENT_STATUSES = ['planned', 'sent', 'received', 'cancelled'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

export interface ShipmentItem {
  category: ItemCategory;
  description: string;
  quantity: number;
  unit: string;
  weightKg: number;
}

export interface ShipmentPlannedData {
  shipmentId: string;
  originPartyId: string;
  destinationCommunityId: string;
  partnershipId?: string;
  donorPartyId?: string;
  /** The unique code of the cargo in the state register of humanitarian aid. */
  humanitarianAidCode?: string;
  items: ShipmentItem[];
}

export interface ShipmentSentData {
  sentAt: string;
  totalWeightKg: number;
  carrier?: string;
  waybillNumber?: string;
}

/** The figures of one planned item as counted on arrival; `index` points into the planned items. */
export interface ItemReceipt {
  index: number;
  goodKg: number;
  damagedKg: number;
}

export interface ShipmentReceivedData {
  receivedAt: string;
  /** Name of the official who signed the acceptance act. */
  receivedBy: string;
  acceptanceActNumber?: string;
  /** Good plus damaged over all items: damaged goods did arrive. The shortfall is sent minus received. */
  receivedWeightKg: number;
  items: ItemReceipt[];
}

/**
 * `expectedKg - receivedKg` is always the size of the discrepancy (negative for a surplus):
 * - short / surplus: expected = the planned item weight, received = good + damaged;
 * - damaged: expected = good + damaged (what arrived), received = good;
 * - lost / expired: expected = the item's usable kilograms before, received = what is left.
 */
export interface ShipmentDiscrepancyRecordedData {
  itemIndex: number;
  expectedKg: number;
  receivedKg: number;
  reason: DiscrepancyReason;
}

export interface ShipmentCancelledData {
  reason: string;
}

/** Replaces the receipt figures of the listed items; the original ShipmentReceived stays in the history. */
export interface ShipmentReceiptCorrectedData {
  items: ItemReceipt[];
  reason: string;
}

export type ShipmentPlanned = DomainEvent<'ShipmentPlanned', ShipmentPlannedData>;
export type ShipmentSent = DomainEvent<'ShipmentSent', ShipmentSentData>;
export type ShipmentReceived = DomainEvent<'ShipmentReceived', ShipmentReceivedData>;
export type ShipmentDiscrepancyRecorded = DomainEvent<
  'ShipmentDiscrepancyRecorded',
  ShipmentDiscrepancyRecordedData
>;
export type ShipmentCancelled = DomainEvent<'ShipmentCancelled', ShipmentCancelledData>;
export type ShipmentReceiptCorrected = DomainEvent<'ShipmentReceiptCorrected', ShipmentReceiptCorrectedData>;

export type LogisticsEvent =
  | ShipmentPlanned
  | ShipmentSent
  | ShipmentReceived
  | ShipmentDiscrepancyRecorded
  | ShipmentCancelled
  | ShipmentReceiptCorrected;

export type LogisticsEventType = LogisticsEvent['type'];

export const LOGISTICS_EVENT_TYPES = [
  'ShipmentPlanned',
  'ShipmentSent',
  'ShipmentReceived',
  'ShipmentDiscrepancyRecorded',
  'ShipmentCancelled',
  'ShipmentReceiptCorrected',
] as const satisfies readonly LogisticsEventType[];
