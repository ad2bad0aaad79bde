import { consumedReadModelAudit, serviceAuditModule } from '@aid/messaging';
import { ShipmentsReadModel } from '../read-model/shipments-read-model.service';
import { applyReferenceEvent } from '../references/reference-events';
import { REFERENCE_ENTITIES } from '../references/reference.entities';
import { REFERENCES_SCHEMA, REFERENCES_SUBJECTS } from '../references/references.service';
import { LOGISTICS_STREAM_FOLDERS } from './stream-folders';

/** Answers the audit: a shipment's state at a past moment, and the rebuild of every read model. */
export const LogisticsAuditModule = serviceAuditModule({
  context: 'logistics',
  folders: LOGISTICS_STREAM_FOLDERS,
  readModels: ({ service, store, modules }) => [
    modules.get(ShipmentsReadModel, { strict: false }).runner.auditedReadModel(),
    consumedReadModelAudit({
      name: REFERENCES_SCHEMA,
      entities: REFERENCE_ENTITIES,
      filterSubjects: REFERENCES_SUBJECTS,
      handle: applyReferenceEvent,
      store,
      connectionString: service.config.databaseUrl,
      natsUrl: service.config.natsUrl,
    }),
  ],
});
