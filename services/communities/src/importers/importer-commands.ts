import { type CommandRequest, communityIdForKatottg } from '@aid/contracts';
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

/** Who the importers append as: event metadata names them, and their idempotency keys are theirs. */
export const IMPORTER_ACTOR = { id: 'importer', role: 'importer' } as const;

/**
 * The request a codifier community becomes, as a client would send it, so that the import takes
 * the command path of the service (validation, decider, CommandHandler). Its idempotency key
 * comes from the row: a second import of the codifier appends nothing.
 */
export function registerCommunityRequest(community: CodifierCommunity): CommandRequest {
  const { communityId: _madeByTheService, ...data } = registerCommunityCommand(community).data;
  return { data, meta: { actor: IMPORTER_ACTOR, idempotencyKey: `katottg:${community.code}` } };
}

/**
 * The request that records an expanded period. The key names the period as the list does
 * (category, area, start, end), not by line, which shifts between editions: a later edition that
 * closes an open period has a new end, hence a new key, and is recorded.
 */
export function recordHostilitiesPeriodRequest(
  period: CommunityHostilitiesPeriod,
  source: string,
): CommandRequest {
  const { data } = recordHostilitiesPeriodCommand(period, source);
  const key = ['hostilities', period.category, period.areaKatottg, period.start, period.end ?? 'open'].join(
    ':',
  );
  return { data, meta: { actor: IMPORTER_ACTOR, idempotencyKey: key } };
}
