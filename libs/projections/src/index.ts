export * from './projection';
export * from './projection-runner';
export * from './follower';
export * from './checkpoints';
export * from './session-lock';
export * from './head-position';
export { defaultLogger } from './logger';
export * from './read-model-audit';
export * from './stream-state';
