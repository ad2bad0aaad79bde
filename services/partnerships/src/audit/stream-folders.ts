import { PARTNERSHIP_STREAM_PREFIX } from '@aid/contracts';
import type { StreamFolders } from '@aid/projections';
import { partnershipDecider } from '../partnership/partnership.decider';

/**
 * How the audit folds this service's streams (their state at a past moment):
 * the very decider the partnership commands go through.
 */
export const PARTNERSHIPS_STREAM_FOLDERS: StreamFolders = [[PARTNERSHIP_STREAM_PREFIX, partnershipDecider]];
