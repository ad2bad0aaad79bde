import type {
  CancelShipment,
  CorrectReceipt,
  DispatchShipment,
  PlanShipment,
  ReceiveShipment,
  RecordDiscrepancy,
} from '@aid/contracts';

/**
 * What the plan handler looked up in the communities and partnerships read models before calling
 * decide, so that decide stays pure. `partnership` is absent or null when no partnership with the
 * command's partnershipId is known.
 */
export interface PlanShipmentContext {
  destination: { registered: boolean; kind?: 'hromada' | 'foreign-municipality' };
  partnership?: { status: 'proposed' | 'approved' | 'active' | 'terminated'; partyIds: string[] } | null;
}

/** The commands the Shipment decider accepts: the validated DTOs, plus what the handler adds. */
export type ShipmentCommand =
  | { type: 'PlanShipment'; shipmentId: string; data: PlanShipment; context: PlanShipmentContext }
  | { type: 'DispatchShipment'; data: DispatchShipment }
  | { type: 'ReceiveShipment'; data: ReceiveShipment }
  | { type: 'RecordDiscrepancy'; data: RecordDiscrepancy }
  | { type: 'CorrectReceipt'; data: CorrectReceipt }
  | { type: 'CancelShipment'; data: CancelShipment };
