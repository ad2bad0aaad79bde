// Events, commands, subjects and identity rules of the communities context.
export * from './communities/katottg';
export * from './communities/dates';
export * from './communities/ids';
export * from './communities/events';
export * from './communities/commands';
export * from './communities/subjects';
export * from './communities/status';
export * from './communities/queries';
