import { serviceAuditModule } from '@aid/messaging';
import { RegistryReadModel } from '../read-model/registry-read-model';
import { COMMUNITIES_STREAM_FOLDERS } from './stream-folders';

/** Answers the audit: a community's or organisation's state at a past moment, and the rebuild of the registry. */
export const CommunitiesAuditModule = serviceAuditModule({
  context: 'communities',
  folders: COMMUNITIES_STREAM_FOLDERS,
  readModels: ({ modules }) => [modules.get(RegistryReadModel, { strict: false }).runner.auditedReadModel()],
});
