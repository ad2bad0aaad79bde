export * from './databases';
export * from './nats-server';
export * from './fork-worker';
export * from './system';
