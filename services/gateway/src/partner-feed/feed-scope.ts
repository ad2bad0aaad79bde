import { Inject, Injectable } from '@nestjs/common';
import { ALL_EVENT_TYPES, ValidationError } from '@aid/contracts';
import { type EventStore, type GlobalFilter, type JsonObject, type RecordedEvent } from '@aid/event-store';
import { EVENT_STORE } from '@aid/messaging';
import {
  contextOfStream,
  createConcernedCommunityResolver,
  KNOWN_STREAM_PREFIXES,
  toCloudEvent,
} from '@aid/relay';
import { type CloudEvent } from 'cloudevents';
import { type ApiKeyPrincipal } from '../auth';

/** The communities whose events a key may receive; null for every community (admin, auditor). */
export type FeedCommunities = readonly string[] | null;

export function feedCommunitiesOf(principal: ApiKeyPrincipal): FeedCommunities {
  return principal.role === 'partner' ? principal.communityIds : null;
}

/**
 * What the partner feed (event stream and webhooks) shows a key: the events of the four
 * aggregates, as the relay publishes them, that concern one of the key's communities by the
 * relay's own rules (so a partner sees over HTTP exactly what its NATS subjects carry), each as
 * the relay's CloudEvent.
 */
@Injectable()
export class FeedScope {
  // First events never change: one cache for every connection and webhook of this gateway.
  private readonly concernedCommunities = createConcernedCommunityResolver();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** The store filter: the relayed streams, of the given types (all when none). */
  storeFilter(types: readonly string[] = []): GlobalFilter {
    return { streamPrefixes: [...KNOWN_STREAM_PREFIXES], ...(types.length > 0 ? { types: [...types] } : {}) };
  }

  async includes(event: RecordedEvent, communities: FeedCommunities): Promise<boolean> {
    if (communities === null) return true;
    const { primary, others } = await this.concernedCommunities(event, this.store);
    return [primary, ...others].some((community) => community !== null && communities.includes(community));
  }

  cloudEvent(event: RecordedEvent): CloudEvent<JsonObject> {
    const context = contextOfStream(event.stream);
    // storeFilter keeps other streams out; an event here without a context is a bug upstream.
    if (context === null) throw new Error(`no context for stream ${event.stream}`);
    return toCloudEvent(event, context);
  }

  /** The checkpoint right after the event at `position` (a Last-Event-ID); 400 when no event has it. */
  async checkpointAfter(position: number, field: string): Promise<string> {
    try {
      return await this.store.checkpointAfter(position);
    } catch (error) {
      if (error instanceof RangeError) {
        throw new ValidationError(`${field} ${position} is not the position of an event`, [
          { field, message: 'names no event' },
        ]);
      }
      throw error;
    }
  }
}

/**
 * Event types from `?types=a,b` (or repeated `types=`); each must be a type of the contracts.
 * Empty or absent: every type.
 */
export function parseEventTypes(value: unknown, field = 'types'): string[] {
  if (value === undefined || value === '') return [];
  const parts = (Array.isArray(value) ? value : [value]).flatMap((part): unknown[] =>
    typeof part === 'string' ? part.split(',').map((type) => type.trim()) : [part],
  );
  const types = [...new Set(parts.filter((part) => part !== ''))];
  const unknown = types.filter((type) => typeof type !== 'string' || !ALL_EVENT_TYPES.includes(type));
  if (unknown.length > 0) {
    throw new ValidationError(`${field} names unknown event types: ${unknown.map(String).join(', ')}`, [
      { field, message: `must be event types among ${ALL_EVENT_TYPES.join(', ')}` },
    ]);
  }
  return types as string[];
}

/** A global position: a non-negative safe integer, from a header, query or body. */
export function parsePosition(value: unknown, field: string): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text === 'string' && /^\d{1,16}$/.test(text.trim()) && Number.isSafeInteger(Number(text))) {
    return Number(text);
  }
  throw new ValidationError(`${field} must be a global event position (a non-negative integer)`, [
    { field, message: 'must be a non-negative integer' },
  ]);
}
