import { consumedReadModelAudit, serviceAuditModule } from '@aid/messaging';
import { PARTIES_ENTITIES } from '../parties/parties.entities';
import { PARTIES_READ_MODEL, PARTIES_SUBJECTS } from '../parties/parties.read-model';
import { applyRegistryEvent } from '../parties/registry-events';
import { PartnershipsReadModel } from '../partnership/partnerships.read-model';
import { PARTNERSHIPS_STREAM_FOLDERS } from './stream-folders';

/** Answers the audit: a partnership's state at a past moment, and the rebuild of every read model. */
export const PartnershipsAuditModule = serviceAuditModule({
  context: 'partnerships',
  folders: PARTNERSHIPS_STREAM_FOLDERS,
  readModels: ({ service, store, modules }) => [
    modules.get(PartnershipsReadModel, { strict: false }).runner.auditedReadModel(),
    consumedReadModelAudit({
      name: PARTIES_READ_MODEL,
      entities: PARTIES_ENTITIES,
      filterSubjects: PARTIES_SUBJECTS,
      handle: applyRegistryEvent,
      store,
      connectionString: service.config.databaseUrl,
      natsUrl: service.config.natsUrl,
    }),
  ],
});
