import { type ApiKeyRole } from '../auth';

/** Who may read the registry, partnerships and shipments (a partner only within its communities). */
export const READERS: ApiKeyRole[] = ['coordinator', 'partnerships', 'auditor', 'partner'];
