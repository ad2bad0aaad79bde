import { communityIdForKatottg } from '@aid/contracts';
import { type CommunityCommand } from '../community/community.decider';
import { type CommunityHostilitiesPeriod } from './hostilities-expansion';
import { type CodifierCommunity } from './katottg-parser';

/** The command that registers a community of the codifier, under the id its code determines. */
export function registerCommunityCommand(community: CodifierCommunity): CommunityCommand {
  return {
    type: 'RegisterCommunity',
    data: {
      communityId: communityIdForKatottg(community.code),
      name: { uk: community.name },
      kind: 'hromada',
      countryCode: 'UA',
      oblast: community.isoOblast,
      katottg: community.code,
      settlements: community.settlements,
    },
  };
}

/**
 * The command that records an expanded period against its community. `source` names the list
 * and its edition, e.g. "Order No. 376 of 2025-02-28, as amended to 2025-05-07".
 */
export function recordHostilitiesPeriodCommand(
  period: CommunityHostilitiesPeriod,
  source: string,
): CommunityCommand {
  return {
    type: 'RecordHostilitiesPeriod',
    data: {
      communityId: communityIdForKatottg(period.communityKatottg),
      category: period.category,
      start: period.start,
      ...(period.end !== undefined && { end: period.end }),
      source,
      partial: period.partial,
      areaKatottg: period.areaKatottg,
      areaName: period.areaName,
    },
  };
}
