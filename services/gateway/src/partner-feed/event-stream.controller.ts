import { type ServerResponse } from 'node:http';
import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type ApiKeyPrincipal, CurrentPrincipal, Roles } from '../auth';
import { EventStreamService } from './event-stream.service';

@ApiTags('partner feed')
@ApiBearerAuth()
@Controller('v1/events')
export class EventStreamController {
  constructor(private readonly streams: EventStreamService) {}

  @Get()
  @Roles('partner', 'auditor')
  @ApiProduces('text/event-stream')
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The `id:` (global position) of the last event received: the stream resumes right after it',
  })
  @ApiQuery({ name: 'types', required: false, description: 'Comma-separated event types, e.g. ShipmentSent' })
  @ApiQuery({
    name: 'after',
    required: false,
    description: 'Like Last-Event-ID, for clients that cannot set it',
  })
  @ApiResponse({
    status: 200,
    description: 'Server-Sent Events: `id:` the global position, `data:` the CloudEvent; heartbeat comments',
  })
  @ApiResponse({ status: 400, description: 'Unknown event type, or a Last-Event-ID that names no event' })
  async events(
    @CurrentPrincipal() principal: ApiKeyPrincipal,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('types') types: unknown,
    @Query('after') after: unknown,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const plan = await this.streams.plan(principal, { types, lastEventId: lastEventId ?? after });
    await this.streams.stream(response, plan);
  }
}
