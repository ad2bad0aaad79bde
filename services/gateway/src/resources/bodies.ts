import { OmitType } from '@nestjs/swagger';
import {
  ApprovePartnership,
  CancelShipment,
  ChangeFrontlineStatus,
  CorrectReceipt,
  DispatchShipment,
  ReceiveShipment,
  RecordActivity,
  RecordDiscrepancy,
  RecordHostilitiesPeriod,
  SignMemorandum,
  TerminatePartnership,
} from '@aid/contracts';

/*
 * Bodies of the commands whose aggregate the path names: the contract's command without its id
 * field (the path gives it), with every other rule of the contract (OmitType copies the
 * class-validator and class-transformer metadata).
 */

export class ChangeFrontlineStatusBody extends OmitType(ChangeFrontlineStatus, ['communityId'] as const) {}
export class RecordHostilitiesPeriodBody extends OmitType(RecordHostilitiesPeriod, [
  'communityId',
] as const) {}

export class ApprovePartnershipBody extends OmitType(ApprovePartnership, ['partnershipId'] as const) {}
export class SignMemorandumBody extends OmitType(SignMemorandum, ['partnershipId'] as const) {}
export class RecordActivityBody extends OmitType(RecordActivity, ['partnershipId'] as const) {}
export class TerminatePartnershipBody extends OmitType(TerminatePartnership, ['partnershipId'] as const) {}

export class DispatchShipmentBody extends OmitType(DispatchShipment, ['shipmentId'] as const) {}
export class ReceiveShipmentBody extends OmitType(ReceiveShipment, ['shipmentId'] as const) {}
export class CancelShipmentBody extends OmitType(CancelShipment, ['shipmentId'] as const) {}
export class RecordDiscrepancyBody extends OmitType(RecordDiscrepancy, ['shipmentId'] as const) {}
export class CorrectReceiptBody extends OmitType(CorrectReceipt, ['shipmentId'] as const) {}
