import { Inject, Injectable } from '@nestjs/common';
import { ArrayMaxSize, ArrayUnique, Allow, IsArray, IsIn, IsOptional, IsString } from 'class-validator';
import { v7 as uuidv7 } from 'uuid';
import { ALL_EVENT_TYPES, NotFoundError, type Page, validateInput, ValidationError } from '@aid/contracts';
import { type EventStore } from '@aid/event-store';
import { EVENT_STORE } from '@aid/messaging';
import { findHeadPosition } from '@aid/projections';
import { type ApiKeyPrincipal } from '../auth';
import { feedCommunitiesOf, FeedScope, parsePosition } from './feed-scope';
import { PARTNER_FEED_SETTINGS, type PartnerFeedSettings } from './partner-feed.settings';
import { WebhookDispatcher } from './webhook.dispatcher';
import { newWebhookSecret } from './webhook-signature';
import { checkWebhookUrl } from './webhook-url';
import {
  type Delivery,
  DELIVERY_STATUSES,
  type DeliveryStatus,
  type Webhook,
  WebhookStore,
} from './webhook.store';

/** POST /v1/webhooks. */
export class RegisterWebhookBody {
  /** Where each event is POSTed: an absolute http(s) URL. */
  @IsString() url: string;
  /** Only these event types; every type when absent or empty. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ALL_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(ALL_EVENT_TYPES, { each: true })
  types?: string[];
  /**
   * Where deliveries start: absent for the first event in the key's scope (as the event stream
   * does), a global position to start right after that event, or "now" for new events only.
   */
  @IsOptional() @Allow() after?: unknown;
}

/** The answer to a registration: the only time the secret is shown. */
export interface RegisteredWebhook extends Webhook {
  secret: string;
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/**
 * Registering, listing, removing webhooks and managing their deliveries, for the key that owns
 * them (an admin key sees every webhook). Another key's webhook answers 404, as an unknown id.
 */
@Injectable()
export class WebhookRegistry {
  constructor(
    private readonly webhooks: WebhookStore,
    private readonly dispatcher: WebhookDispatcher,
    private readonly scope: FeedScope,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PARTNER_FEED_SETTINGS) private readonly settings: PartnerFeedSettings,
  ) {}

  async register(principal: ApiKeyPrincipal, payload: unknown): Promise<RegisteredWebhook> {
    const body = validateInput(RegisterWebhookBody, payload);
    const url = checkWebhookUrl(body.url, this.settings.webhookAllowPrivateUrls);
    const types = body.types ?? [];
    const { cursor, position } = await this.startingPoint(body.after, types);
    const id = uuidv7();
    const secret = newWebhookSecret();
    const communities = feedCommunitiesOf(principal);
    await this.webhooks.create({
      id,
      apiKeyId: principal.id,
      url,
      types,
      communityIds: communities === null ? null : [...communities],
      secret,
      cursor,
      position,
    });
    void this.dispatcher.scan();
    const created = await this.find(principal, id);
    return { ...created, secret };
  }

  async list(principal: ApiKeyPrincipal): Promise<Page<Webhook>> {
    return { items: await this.webhooks.list(ownerFilter(principal)) };
  }

  async find(principal: ApiKeyPrincipal, id: string): Promise<Webhook> {
    const webhook = await this.webhooks.find(id, ownerFilter(principal));
    if (webhook === null) throw new NotFoundError(`no webhook ${id}`);
    return webhook;
  }

  async remove(principal: ApiKeyPrincipal, id: string): Promise<void> {
    await this.find(principal, id);
    await this.webhooks.delete(id);
  }

  async deliveries(
    principal: ApiKeyPrincipal,
    id: string,
    query: { status?: unknown; after?: unknown; limit?: unknown },
  ): Promise<Page<Delivery>> {
    await this.find(principal, id);
    const status = parseStatus(query.status);
    const after = query.after === undefined ? 0 : parsePosition(query.after, 'after');
    const limit = query.limit === undefined ? DEFAULT_PAGE : parsePosition(query.limit, 'limit');
    if (limit < 1 || limit > MAX_PAGE) {
      throw new ValidationError(`limit must be from 1 to ${MAX_PAGE}`, [
        { field: 'limit', message: `must be from 1 to ${MAX_PAGE}` },
      ]);
    }
    const items = await this.webhooks.deliveries(id, { status, after, limit });
    return items.length === limit ? { items, next: String(items[items.length - 1].sequence) } : { items };
  }

  /** Puts the parked deliveries back at the head of the queue, oldest first. */
  async replay(principal: ApiKeyPrincipal, id: string): Promise<{ requeued: number }> {
    await this.find(principal, id);
    return { requeued: await this.webhooks.replayParked(id) };
  }

  private async startingPoint(
    after: unknown,
    types: string[],
  ): Promise<{ cursor: string; position: number | null }> {
    if (after === undefined) return { cursor: 'start', position: null };
    if (after === 'now') {
      const head = await findHeadPosition(this.store, null, this.scope.storeFilter(types));
      return head === null
        ? { cursor: 'start', position: null }
        : { cursor: await this.scope.checkpointAfter(head, 'after'), position: head };
    }
    const position = parsePosition(after, 'after');
    return { cursor: await this.scope.checkpointAfter(position, 'after'), position };
  }
}

/** Whose webhooks a key may see: its own; an admin key every key's. */
function ownerFilter(principal: ApiKeyPrincipal): string | null {
  return principal.role === 'admin' ? null : principal.id;
}

function parseStatus(value: unknown): DeliveryStatus | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (DELIVERY_STATUSES as readonly string[]).includes(value)) {
    return value as DeliveryStatus;
  }
  throw new ValidationError(`status must be one of ${DELIVERY_STATUSES.join(', ')}`, [
    { field: 'status', message: `must be one of ${DELIVERY_STATUSES.join(', ')}` },
  ]);
}
