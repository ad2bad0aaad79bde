export * from './relay';
export * from './cloud-event';
export * from './concerned-community';
export * from './subjects';
export * from './partner-access';
export * from './store-guard';
export * from './stream-incarnation';
