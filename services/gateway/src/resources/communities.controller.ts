import { Body, Controller, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  COMMUNITIES_SUBJECTS,
  ListCommunitiesQuery,
  type Page,
  RegisterCommunity,
  StatusOnQuery,
} from '@aid/contracts';
import { Roles } from '../auth';
import { Backend, type WriteAnswer } from '../backend/backend';
import { type GatewayRequest } from '../http/gateway-request';
import { UuidParamPipe } from '../http/validation.pipes';
import { ChangeFrontlineStatusBody, RecordHostilitiesPeriodBody } from './bodies';
import { assertCommunityVisible, partnerCommunities } from './partner-scope';
import { READERS } from './roles';
import { CommandRoute, CreateRoute, ListRoute, ResourceRoute } from './route-decorators';

const notRegistered = (id: string) => `community ${id} is not registered`;

/** The registry's communities: hromadas and foreign municipalities. */
@ApiTags('communities')
@ApiBearerAuth()
@Controller('v1/communities')
export class CommunitiesController {
  constructor(private readonly backend: Backend) {}

  @Roles('partnerships')
  @CreateRoute()
  register(@Body() body: RegisterCommunity, @Req() request: GatewayRequest): Promise<WriteAnswer> {
    return this.backend.create(COMMUNITIES_SUBJECTS.registerCommunity, body, request);
  }

  @Roles(...READERS)
  @ListRoute()
  list(@Query() query: ListCommunitiesQuery, @Req() request: GatewayRequest): Promise<Page<unknown>> {
    const scopeCommunityIds = partnerCommunities(request);
    return this.backend.query(
      COMMUNITIES_SUBJECTS.listCommunities,
      scopeCommunityIds === undefined ? query : { ...query, scopeCommunityIds },
      request,
    );
  }

  @Roles(...READERS)
  @ResourceRoute(':id')
  get(@Param('id', UuidParamPipe) id: string, @Req() request: GatewayRequest): Promise<unknown> {
    assertCommunityVisible(request, id, notRegistered(id));
    return this.backend.read(COMMUNITIES_SUBJECTS.getCommunity, { id }, request);
  }

  /** Frontline status and hostilities on a day (default: today in Ukraine). */
  @Roles(...READERS)
  @ResourceRoute(':id/status')
  statusOn(
    @Param('id', UuidParamPipe) id: string,
    @Query() query: StatusOnQuery,
    @Req() request: GatewayRequest,
  ): Promise<unknown> {
    assertCommunityVisible(request, id, notRegistered(id));
    return this.backend.query(COMMUNITIES_SUBJECTS.getStatusOn, { ...query, communityId: id }, request);
  }

  @Roles('partnerships')
  @CommandRoute(':id/frontline-status')
  changeFrontlineStatus(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: ChangeFrontlineStatusBody,
    @Req() request: GatewayRequest,
  ): Promise<WriteAnswer> {
    return this.backend.act(COMMUNITIES_SUBJECTS.changeFrontlineStatus, id, body, request);
  }

  /** A period of the Ministry's list of territories of hostilities or occupation. */
  @Roles('partnerships')
  @CommandRoute(':id/hostilities-periods')
  recordHostilitiesPeriod(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: RecordHostilitiesPeriodBody,
    @Req() request: GatewayRequest,
  ): Promise<WriteAnswer> {
    return this.backend.act(COMMUNITIES_SUBJECTS.recordHostilitiesPeriod, id, body, request);
  }
}
