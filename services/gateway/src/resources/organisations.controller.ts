import { Body, Controller, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  COMMUNITIES_SUBJECTS,
  ListOrganisationsQuery,
  NotFoundError,
  type Page,
  RegisterOrganisation,
} from '@aid/contracts';
import { Roles } from '../auth';
import { Backend, type WriteAnswer } from '../backend/backend';
import { type GatewayRequest } from '../http/gateway-request';
import { UuidParamPipe } from '../http/validation.pipes';
import { partnerCommunities } from './partner-scope';
import { READERS } from './roles';
import { CreateRoute, ListRoute, ResourceRoute } from './route-decorators';

/**
 * The registry's organisations: INGOs, programmes, institutions, governments, networks. A partner
 * key sees those inside its communities and those inside none (the public directory of who gives
 * aid, which its partnerships name as parties), never another community's institutions.
 */
@ApiTags('organisations')
@ApiBearerAuth()
@Controller('v1/organisations')
export class OrganisationsController {
  constructor(private readonly backend: Backend) {}

  @Roles('partnerships')
  @CreateRoute()
  register(@Body() body: RegisterOrganisation, @Req() request: GatewayRequest): Promise<WriteAnswer> {
    return this.backend.create(COMMUNITIES_SUBJECTS.registerOrganisation, body, request);
  }

  @Roles(...READERS)
  @ListRoute()
  list(@Query() query: ListOrganisationsQuery, @Req() request: GatewayRequest): Promise<Page<unknown>> {
    const scopeCommunityIds = partnerCommunities(request);
    return this.backend.query(
      COMMUNITIES_SUBJECTS.listOrganisations,
      scopeCommunityIds === undefined ? query : { ...query, scopeCommunityIds },
      request,
    );
  }

  @Roles(...READERS)
  @ResourceRoute(':id')
  async get(@Param('id', UuidParamPipe) id: string, @Req() request: GatewayRequest): Promise<unknown> {
    const organisation = await this.backend.query<{ revision?: unknown; parentCommunityId?: string }>(
      COMMUNITIES_SUBJECTS.getOrganisation,
      { id },
      request,
    );
    const scope = partnerCommunities(request);
    const parent = organisation.parentCommunityId;
    if (scope !== undefined && parent !== undefined && !scope.includes(parent)) {
      throw new NotFoundError(`organisation ${id} is not registered`);
    }
    return this.backend.tagged(request, organisation);
  }
}
