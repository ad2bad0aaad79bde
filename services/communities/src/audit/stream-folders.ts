import { COMMUNITY_STREAM_PREFIX, ORGANISATION_STREAM_PREFIX } from '@aid/contracts';
import type { StreamFolders } from '@aid/projections';
import { communityDecider } from '../community/community.decider';
import { organisationDecider } from '../organisation/organisation.decider';

/**
 * How the audit folds this service's streams (their state at a past moment):
 * the very deciders the registry's commands go through.
 */
export const COMMUNITIES_STREAM_FOLDERS: StreamFolders = [
  [COMMUNITY_STREAM_PREFIX, communityDecider],
  [ORGANISATION_STREAM_PREFIX, organisationDecider],
];
