import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { buildAsyncApiDocument } from '@aid/contracts';
import { Public } from '../auth';
import { PARTNER_FEED_SETTINGS, type PartnerFeedSettings } from './partner-feed.settings';

/** GET /asyncapi.json: the events' contract, public like /docs. */
@ApiExcludeController()
@Controller()
export class AsyncApiController {
  private readonly document: Record<string, unknown>;

  constructor(@Inject(PARTNER_FEED_SETTINGS) settings: PartnerFeedSettings) {
    this.document = buildAsyncApiDocument({ natsHost: settings.partnerNatsHost });
  }

  @Public()
  @Get('asyncapi.json')
  @Header('Cache-Control', 'public, max-age=300')
  asyncApi(): Record<string, unknown> {
    return this.document;
  }
}
