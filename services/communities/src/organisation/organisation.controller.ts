import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMUNITIES_SUBJECTS,
  type CommandReply,
  type CommandRequest,
  type Page,
  type QueryRequest,
} from '@aid/contracts';
import { paramsOf } from '../read-model/query-support';
import { OrganisationCommands } from './organisation.commands';
import {
  type OrganisationDetail,
  OrganisationQueries,
  type OrganisationSummary,
} from './organisation.queries';

/** NATS requests about organisations. */
@Controller()
export class OrganisationController {
  constructor(
    private readonly commands: OrganisationCommands,
    private readonly queries: OrganisationQueries,
  ) {}

  @MessagePattern(COMMUNITIES_SUBJECTS.registerOrganisation)
  registerOrganisation(@Payload() request: CommandRequest): Promise<CommandReply> {
    return this.commands.registerOrganisation(request);
  }

  @MessagePattern(COMMUNITIES_SUBJECTS.listOrganisations)
  list(@Payload() request: QueryRequest): Promise<Page<OrganisationSummary>> {
    return this.queries.list(paramsOf(request));
  }

  @MessagePattern(COMMUNITIES_SUBJECTS.getOrganisation)
  get(@Payload() request: QueryRequest): Promise<OrganisationDetail> {
    return this.queries.get(paramsOf(request));
  }
}
