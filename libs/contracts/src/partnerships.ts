// Events, commands (DTOs) and NATS subjects of the partnerships context.
export * from './partnerships/vocabulary';
export * from './partnerships/events';
export * from './partnerships/commands';
export * from './partnerships/subjects';
export * from './partnerships/queries';
