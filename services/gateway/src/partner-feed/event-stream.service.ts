import { type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type Checkpoint, type EventStore } from '@aid/event-store';
import { currentCorrelationId, EVENT_STORE, ServiceContext } from '@aid/messaging';
import { type ApiKeyPrincipal, ApiKeyStore } from '../auth';
import {
  feedCommunitiesOf,
  FeedScope,
  type FeedCommunities,
  parseEventTypes,
  parsePosition,
} from './feed-scope';
import { PARTNER_FEED_SETTINGS, type PartnerFeedSettings } from './partner-feed.settings';

/** What a request for the event stream asks for, checked before the first byte is sent. */
export interface EventStreamPlan {
  keyId: string;
  /** A store checkpoint, or 'start'. */
  from: Checkpoint;
  types: string[];
  communities: FeedCommunities;
}

/** How long a client waits before reconnecting (EventSource honours it). */
const RECONNECT_AFTER_MS = 3000;

/**
 * GET /v1/events as Server-Sent Events, read from the event store: a new connection replays the
 * key's events from the first one (Last-Event-ID: from right after that position), then follows
 * the store live. The store's subscription never skips an event that commits late, so neither
 * does the stream; `id:` is the event's global position, so a reconnecting client resumes exactly.
 */
@Injectable()
export class EventStreamService implements OnModuleDestroy {
  private readonly open = new Set<AbortController>();

  constructor(
    private readonly scope: FeedScope,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PARTNER_FEED_SETTINGS) private readonly settings: PartnerFeedSettings,
    private readonly keys: ApiKeyStore,
    private readonly service: ServiceContext,
  ) {}

  /** 400 for unknown types or a Last-Event-ID that names no event. */
  async plan(
    principal: ApiKeyPrincipal,
    request: { types?: unknown; lastEventId?: unknown },
  ): Promise<EventStreamPlan> {
    const types = parseEventTypes(request.types);
    const from =
      request.lastEventId === undefined
        ? 'start'
        : await this.scope.checkpointAfter(
            parsePosition(request.lastEventId, 'Last-Event-ID'),
            'Last-Event-ID',
          );
    return { keyId: principal.id, from, types, communities: feedCommunitiesOf(principal) };
  }

  /** Streams until the client disconnects or the gateway shuts down. */
  async stream(response: ServerResponse, plan: EventStreamPlan): Promise<void> {
    const stop = new AbortController();
    this.open.add(stop);
    response.on('close', () => stop.abort());
    const log = this.service.logger.child({ correlationId: currentCorrelationId(), keyId: plan.keyId });
    let sent = 0;
    let lastPosition: number | null = null;

    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      // The stream holds the connection until one side leaves; it is never reused for another request.
      Connection: 'close',
      // Proxies such as nginx would otherwise hold events back in their buffers.
      'X-Accel-Buffering': 'no',
    });
    response.write(`retry: ${RECONNECT_AFTER_MS}\n: events of ${describe(plan.communities)}\n\n`);
    const heartbeat = setInterval(
      () => void this.beat(response, plan.keyId, stop),
      this.settings.heartbeatMs,
    );
    log.info({ from: plan.from, types: plan.types }, 'event stream opened');
    try {
      const batches = this.store.subscribe({
        from: plan.from,
        ...this.scope.storeFilter(plan.types),
        signal: stop.signal,
      });
      for await (const batch of batches) {
        for (const event of batch.events) {
          if (stop.signal.aborted) break;
          if (!(await this.scope.includes(event, plan.communities))) continue;
          const data = JSON.stringify(this.scope.cloudEvent(event));
          await writeWithBackpressure(response, `id: ${event.position}\ndata: ${data}\n\n`, stop.signal);
          sent++;
          lastPosition = event.position;
        }
      }
    } catch (error) {
      // Headers are sent: the client sees the stream end and reconnects with its Last-Event-ID.
      if (!stop.signal.aborted) log.error({ err: error, lastPosition }, 'event stream failed');
    } finally {
      clearInterval(heartbeat);
      this.open.delete(stop);
      response.end();
      log.info({ sent, lastPosition }, 'event stream closed');
    }
  }

  /**
   * A heartbeat keeps proxies from closing an idle stream; it also ends the stream of a key
   * revoked since it connected (the key was checked only when the stream opened).
   */
  private async beat(response: ServerResponse, keyId: string, stop: AbortController): Promise<void> {
    const key = await this.keys.get(keyId).catch(() => undefined);
    if (key === null || key?.revokedAt) {
      stop.abort();
      return;
    }
    if (!stop.signal.aborted) response.write(': heartbeat\n\n');
  }

  /** Open streams would hold the HTTP server open forever: end them, clients will reconnect. */
  onModuleDestroy(): void {
    for (const stop of this.open) stop.abort();
  }
}

function describe(communities: FeedCommunities): string {
  return communities === null ? 'every community' : `communities ${communities.join(', ') || '(none)'}`;
}

/** Writes, and when the socket's buffer is full waits until it drains (or the client leaves). */
async function writeWithBackpressure(
  response: ServerResponse,
  chunk: string,
  signal: AbortSignal,
): Promise<void> {
  if (response.write(chunk) || signal.aborted) return;
  await once(response, 'drain', { signal }).catch(() => undefined);
}
