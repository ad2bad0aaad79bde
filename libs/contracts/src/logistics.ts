// The logistics context: events, command DTOs, NATS subjects and the weight rule they share.
export * from './logistics/events';
export * from './logistics/commands';
export * from './logistics/subjects';
export { MAX_WEIGHT_KG, MAX_SHIPMENT_ITEMS, kilogramsProblem } from './logistics/input-rules';
export * from './logistics/queries';
