import 'reflect-metadata';
export * from './decider';
export * from './errors';
export * from './envelope';
export * from './validation';
export * from './communities';
export * from './partnerships';
export * from './logistics';
