export * from './port';
export * from './errors';
export * from './hash-chain';
export * from './log-filter';
export { ChainVerifier } from './esdb/chain-verifier';
export { PostgresEventStore } from './postgres/postgres-event-store';
export type { PostgresEventStoreOptions, EventStoreTransaction } from './postgres/postgres-event-store';
export { EsdbEventStore } from './esdb/esdb-event-store';
export type { EsdbEventStoreOptions } from './esdb/esdb-event-store';
