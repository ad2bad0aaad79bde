import { type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  AuditEventsQuery,
  type Page,
  StreamHistoryQuery,
  StreamStateAt,
  type StreamStateReply,
} from '@aid/contracts';
import { type ApiKeyPrincipal, CurrentPrincipal, Roles } from '../auth';
import type { AuditEvent } from './audit-event';
import { AuditService } from './audit.service';
import type { LedgerVerification } from './ledger-verification';
import type { LedgerReplay } from './read-model-replay';

/** The history as evidence: for auditors (and admins) only. */
@ApiTags('audit')
@ApiBearerAuth()
@Roles('auditor')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('events')
  @ApiResponse({ status: 200, description: '{items, next?}: events with metadata, hash and prevHash' })
  events(@Query() query: AuditEventsQuery): Promise<Page<AuditEvent>> {
    return this.audit.events(query);
  }

  @Get('streams/:stream')
  @ApiResponse({ status: 404, description: 'The stream has no events' })
  stream(@Param('stream') stream: string, @Query() query: StreamHistoryQuery): Promise<Page<AuditEvent>> {
    return this.audit.stream(stream, query);
  }

  @Get('streams/:stream/state')
  @ApiResponse({ status: 404, description: 'Unknown stream, or nothing recorded by then' })
  state(
    @Param('stream') stream: string,
    @Query() query: StreamStateAt,
    @CurrentPrincipal() principal: ApiKeyPrincipal,
  ): Promise<StreamStateReply> {
    return this.audit.state(stream, query, { id: principal.id, role: principal.role });
  }

  @Get('verify')
  @ApiResponse({
    status: 200,
    description: '{ok, streamsChecked, eventsChecked, broken, positions, positionGaps}',
  })
  verify(): Promise<LedgerVerification> {
    return this.audit.verify();
  }

  @Post('replay')
  @HttpCode(200)
  @ApiResponse({ status: 200, description: '{identical, eventsReplayed, tables, services}' })
  replay(@CurrentPrincipal() principal: ApiKeyPrincipal): Promise<LedgerReplay> {
    return this.audit.replay({ id: principal.id, role: principal.role });
  }

  @Get('export')
  @ApiProduces('application/x-ndjson')
  @ApiResponse({
    status: 200,
    description: 'One event per line, then {"manifest": {...}} (see docs/audit.md)',
  })
  async export(@Res() response: ServerResponse): Promise<void> {
    const lines = this.audit.exportLines();
    // The first batch is read before the status is sent: a store that cannot be read is an error answer.
    const first = await lines.next();
    response.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="aid-ledger-${new Date().toISOString().replace(/[:.]/g, '-')}.ndjson"`,
    });
    if (!first.done) response.write(first.value);
    // A failure half-way cuts the download short: without its manifest line, it does not verify.
    await pipeline(Readable.from(lines, { highWaterMark: 1 }), response);
  }
}
