export * from './api-key.store';
export * from './api-key.guard';
export * from './auth.decorators';
