import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsPositive,
  IsUUID,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  ITEM_CATEGORIES,
  LATER_DISCREPANCY_REASONS,
  type ItemCategory,
  type LaterDiscrepancyReason,
} from './events';
import { IsAbsentOr, IsIsoDateTime, IsKilograms, IsText, MAX_SHIPMENT_ITEMS } from './input-rules';

/**
 * Commands of the logistics context as class-validator DTOs: `validateInput(Dto, payload)` turns
 * an untrusted payload (HTTP body, NATS message) into one of these or a ValidationError. The
 * decider checks the business rules again, because it must never trust its caller either.
 */

export class ShipmentItemInput {
  @IsIn(ITEM_CATEGORIES) category: ItemCategory;
  @IsText(500) description: string;
  @IsNumber({ allowNaN: false, allowInfinity: false }) @IsPositive() @Max(1_000_000_000) quantity: number;
  /** What `quantity` counts: boxes, pallets, litres, pieces. */
  @IsText(32) unit: string;
  @IsKilograms() weightKg: number;
}

/** The shipment id is not part of the input: the service makes it (UUIDv7). */
export class PlanShipment {
  @IsUUID() originPartyId: string;
  @IsUUID() destinationCommunityId: string;
  @IsAbsentOr() @IsUUID() partnershipId?: string;
  @IsAbsentOr() @IsUUID() donorPartyId?: string;
  @IsAbsentOr() @IsText(64) humanitarianAidCode?: string;
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SHIPMENT_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => ShipmentItemInput)
  items: ShipmentItemInput[];
}

export class DispatchShipment {
  @IsUUID() shipmentId: string;
  @IsIsoDateTime() sentAt: string;
  /** The total on the waybill, if the coordinator states one: it must match the planned items. */
  @IsAbsentOr() @IsKilograms() totalWeightKg?: number;
  @IsAbsentOr() @IsText(200) carrier?: string;
  @IsAbsentOr() @IsText(100) waybillNumber?: string;
}

export class ItemReceiptInput {
  @IsInt() @Min(0) @Max(MAX_SHIPMENT_ITEMS - 1) index: number;
  @IsKilograms({ allowZero: true }) goodKg: number;
  @IsKilograms({ allowZero: true }) damagedKg: number;
}

export class ReceiveShipment {
  @IsUUID() shipmentId: string;
  @IsIsoDateTime() receivedAt: string;
  /** Name of the official who signs the acceptance act. */
  @IsText(200) receivedBy: string;
  @IsAbsentOr() @IsText(100) acceptanceActNumber?: string;
  /** One entry for every planned item, an item that did not arrive with 0 and 0. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SHIPMENT_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => ItemReceiptInput)
  items: ItemReceiptInput[];
}

/**
 * Goods lost or expired after the receipt. Short, surplus and damaged goods follow from the receipt
 * figures; if those were wrong, CorrectReceipt fixes them.
 */
export class RecordDiscrepancy {
  @IsUUID() shipmentId: string;
  @IsInt() @Min(0) @Max(MAX_SHIPMENT_ITEMS - 1) itemIndex: number;
  @IsIn(LATER_DISCREPANCY_REASONS) reason: LaterDiscrepancyReason;
  /** How many of the item's good kilograms are lost or expired. */
  @IsKilograms() affectedKg: number;
}

/** New receipt figures for the listed items; items not listed keep theirs. */
export class CorrectReceipt {
  @IsUUID() shipmentId: string;
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SHIPMENT_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => ItemReceiptInput)
  items: ItemReceiptInput[];
  @IsText(1000) reason: string;
}

export class CancelShipment {
  @IsUUID() shipmentId: string;
  @IsText(1000) reason: string;
}
