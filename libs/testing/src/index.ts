export * from './databases';
export * from './nats-server';
