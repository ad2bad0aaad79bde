/** NATS request subjects of the logistics service: `<context>.cmd.<kebab-command>` and `<context>.query.<kebab-query>`. */
export const LOGISTICS_SUBJECTS = {
  planShipment: 'logistics.cmd.plan-shipment',
  dispatchShipment: 'logistics.cmd.dispatch-shipment',
  receiveShipment: 'logistics.cmd.receive-shipment',
  recordDiscrepancy: 'logistics.cmd.record-discrepancy',
  correctReceipt: 'logistics.cmd.correct-receipt',
  cancelShipment: 'logistics.cmd.cancel-shipment',
  queryShipment: 'logistics.query.shipment',
  queryShipments: 'logistics.query.shipments',
  queryTonnage: 'logistics.query.tonnage',
  queryShortfalls: 'logistics.query.shortfalls',
} as const;
export type LogisticsSubject = (typeof LOGISTICS_SUBJECTS)[keyof typeof LOGISTICS_SUBJECTS];

export const SHIPMENT_STREAM_PREFIX = 'shipment-';

export function shipmentStream(shipmentId: string): string {
  return SHIPMENT_STREAM_PREFIX + shipmentId;
}
