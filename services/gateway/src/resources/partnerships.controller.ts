import { Body, Controller, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ListPartnershipsParams, type Page, PARTNERSHIPS_SUBJECTS, ProposePartnership } from '@aid/contracts';
import { Roles } from '../auth';
import { Backend, type WriteAnswer } from '../backend/backend';
import { type GatewayRequest } from '../http/gateway-request';
import { UuidParamPipe } from '../http/validation.pipes';
import {
  ApprovePartnershipBody,
  RecordActivityBody,
  SignMemorandumBody,
  TerminatePartnershipBody,
} from './bodies';
import { READERS } from './roles';
import { CommandRoute, CreateRoute, ListRoute, ResourceRoute } from './route-decorators';

/** Partnerships from proposal to termination. The service scopes a partner key's reads itself. */
@ApiTags('partnerships')
@ApiBearerAuth()
@Controller('v1/partnerships')
export class PartnershipsController {
  constructor(private readonly backend: Backend) {}

  @Roles('partnerships')
  @CreateRoute()
  propose(@Body() body: ProposePartnership, @Req() request: GatewayRequest): Promise<WriteAnswer> {
    return this.backend.create(PARTNERSHIPS_SUBJECTS.proposePartnership, body, request);
  }

  @Roles('partnerships')
  @CommandRoute(':id/approval')
  approve(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: ApprovePartnershipBody,
    @Req() request: GatewayRequest,
  ): Promise<WriteAnswer> {
    return this.backend.act(PARTNERSHIPS_SUBJECTS.approvePartnership, id, body, request);
  }

  @Roles('partnerships')
  @CommandRoute(':id/memorandum')
  signMemorandum(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: SignMemorandumBody,
    @Req() request: GatewayRequest,
  ): Promise<WriteAnswer> {
    return this.backend.act(PARTNERSHIPS_SUBJECTS.signMemorandum, id, body, request);
  }

  @Roles('partnerships')
  @CommandRoute(':id/activities')
  recordActivity(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: RecordActivityBody,
    @Req() request: GatewayRequest,
  ): Promise<WriteAnswer> {
    return this.backend.act(PARTNERSHIPS_SUBJECTS.recordActivity, id, body, request);
  }

  @Roles('partnerships')
  @CommandRoute(':id/termination')
  terminate(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: TerminatePartnershipBody,
    @Req() request: GatewayRequest,
  ): Promise<WriteAnswer> {
    return this.backend.act(PARTNERSHIPS_SUBJECTS.terminatePartnership, id, body, request);
  }

  @Roles(...READERS)
  @ListRoute()
  list(@Query() query: ListPartnershipsParams, @Req() request: GatewayRequest): Promise<Page<unknown>> {
    return this.backend.query(PARTNERSHIPS_SUBJECTS.listPartnerships, query, request);
  }

  @Roles(...READERS)
  @ResourceRoute(':id')
  get(@Param('id', UuidParamPipe) id: string, @Req() request: GatewayRequest): Promise<unknown> {
    return this.backend.read(PARTNERSHIPS_SUBJECTS.getPartnership, { id }, request);
  }
}
