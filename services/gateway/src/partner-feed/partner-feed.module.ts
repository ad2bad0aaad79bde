import { Module } from '@nestjs/common';
import { type Pool } from 'pg';
import { ServiceContext } from '@aid/messaging';
import { GATEWAY_POOL } from '../gateway-infrastructure.module';
import { AsyncApiController } from './asyncapi.controller';
import { EventStreamController } from './event-stream.controller';
import { EventStreamService } from './event-stream.service';
import { FeedScope } from './feed-scope';
import { loadPartnerFeedSettings, PARTNER_FEED_SETTINGS } from './partner-feed.settings';
import { WebhookDispatcher } from './webhook.dispatcher';
import { WebhookRegistry } from './webhook.registry';
import { WebhookStore } from './webhook.store';
import { WebhooksController } from './webhooks.controller';

/** Partner feed: GET /v1/events (SSE), webhooks, /asyncapi.json. See docs/partner-feed.md. */
@Module({
  controllers: [EventStreamController, WebhooksController, AsyncApiController],
  providers: [
    {
      provide: PARTNER_FEED_SETTINGS,
      inject: [ServiceContext],
      useFactory: (service: ServiceContext) => loadPartnerFeedSettings(process.env, service.config.natsUrl),
    },
    { provide: WebhookStore, inject: [GATEWAY_POOL], useFactory: (pool: Pool) => new WebhookStore(pool) },
    FeedScope,
    EventStreamService,
    WebhookDispatcher,
    WebhookRegistry,
  ],
})
export class PartnerFeedModule {}
