export * from './command-handler';
export * from './ids';
