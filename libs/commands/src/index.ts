export * from './command-handler';
export * from './ids';
export * from './command-envelope';
