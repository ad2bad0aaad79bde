import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type Page } from '@aid/contracts';
import { type ApiKeyPrincipal, CurrentPrincipal, Roles } from '../auth';
import { UuidParamPipe } from '../http/validation.pipes';
import { type Delivery, type Webhook } from './webhook.store';
import { RegisterWebhookBody, type RegisteredWebhook, WebhookRegistry } from './webhook.registry';

/** Signed webhooks for partners without NATS; docs/partner-feed.md says how to verify them. */
@ApiTags('partner feed')
@ApiBearerAuth()
@Roles('partner')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly registry: WebhookRegistry) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiBody({ type: RegisterWebhookBody })
  @ApiResponse({ status: 201, description: 'The webhook, with its signing secret (shown this once)' })
  @ApiResponse({ status: 400, description: 'Invalid url, types or after: details name each' })
  register(
    @CurrentPrincipal() principal: ApiKeyPrincipal,
    @Body() body: unknown,
  ): Promise<RegisteredWebhook> {
    return this.registry.register(principal, body);
  }

  @Get()
  @ApiResponse({ status: 200, description: "{items}: the key's webhooks, with pending and parked counts" })
  list(@CurrentPrincipal() principal: ApiKeyPrincipal): Promise<Page<Webhook>> {
    return this.registry.list(principal);
  }

  @Get(':id')
  @ApiResponse({ status: 404, description: "Unknown id, or another key's webhook" })
  get(
    @CurrentPrincipal() principal: ApiKeyPrincipal,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<Webhook> {
    return this.registry.find(principal, id);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiResponse({ status: 204, description: 'Removed: nothing more is delivered' })
  remove(
    @CurrentPrincipal() principal: ApiKeyPrincipal,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<void> {
    return this.registry.remove(principal, id);
  }

  @Get(':id/deliveries')
  @ApiQuery({ name: 'status', required: false, enum: ['pending', 'delivered', 'parked'] })
  @ApiQuery({ name: 'after', required: false, description: 'The `next` of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 1000, default 100' })
  @ApiResponse({ status: 200, description: '{items, next?}: deliveries in queue order' })
  deliveries(
    @CurrentPrincipal() principal: ApiKeyPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @Query('status') status: unknown,
    @Query('after') after: unknown,
    @Query('limit') limit: unknown,
  ): Promise<Page<Delivery>> {
    return this.registry.deliveries(principal, id, { status, after, limit });
  }

  @Post(':id/replay')
  @HttpCode(HttpStatus.OK)
  @ApiResponse({ status: 200, description: '{requeued}: parked deliveries queued again, oldest first' })
  replay(
    @CurrentPrincipal() principal: ApiKeyPrincipal,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<{ requeued: number }> {
    return this.registry.replay(principal, id);
  }
}
