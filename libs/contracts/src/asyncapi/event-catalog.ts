import { COMMUNITIES_EVENT_TYPES, type CommunitiesEvent } from '../communities/events';
import { LOGISTICS_EVENT_TYPES, type LogisticsEvent } from '../logistics/events';
import { PARTNERSHIP_EVENT_TYPES, type PartnershipEvent } from '../partnerships/events';

/**
 * The runtime list of a context's event types, checked at compile time against its union: a
 * type added to the union but not to the list makes this call fail to compile, naming it as
 * `missing`. The AsyncAPI document, the partner feed's `?types=` and webhooks all read these lists.
 */
function everyTypeOf<TUnion extends string>() {
  return <const TList extends readonly TUnion[]>(
    list: TList &
      ([Exclude<TUnion, TList[number]>] extends [never]
        ? unknown
        : { missing: Exclude<TUnion, TList[number]> }),
  ): TList => list;
}

/** Every event type, by the context that writes it (the second token of its subjects). */
export const EVENT_TYPES_BY_CONTEXT = {
  communities: everyTypeOf<CommunitiesEvent['type']>()(COMMUNITIES_EVENT_TYPES),
  partnerships: everyTypeOf<PartnershipEvent['type']>()(PARTNERSHIP_EVENT_TYPES),
  logistics: everyTypeOf<LogisticsEvent['type']>()(LOGISTICS_EVENT_TYPES),
} as const;

export type EventContext = keyof typeof EVENT_TYPES_BY_CONTEXT;

/** Every event type of the three contexts. */
export const ALL_EVENT_TYPES: readonly string[] = Object.values(EVENT_TYPES_BY_CONTEXT).flat();
