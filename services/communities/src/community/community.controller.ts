import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMUNITIES_SUBJECTS,
  type CommandReply,
  type CommandRequest,
  type CommunityStatusOnDate,
  type Page,
  type QueryRequest,
} from '@aid/contracts';
import { paramsOf } from '../read-model/query-support';
import { CommunityCommands } from './community.commands';
import { type CommunityDetail, CommunityQueries, type CommunitySummary } from './community.queries';

/** NATS requests about communities. Input is checked where it is used, in the commands and queries. */
@Controller()
export class CommunityController {
  constructor(
    private readonly commands: CommunityCommands,
    private readonly queries: CommunityQueries,
  ) {}

  @MessagePattern(COMMUNITIES_SUBJECTS.registerCommunity)
  registerCommunity(@Payload() request: CommandRequest): Promise<CommandReply> {
    return this.commands.registerCommunity(request);
  }

  @MessagePattern(COMMUNITIES_SUBJECTS.changeFrontlineStatus)
  changeFrontlineStatus(@Payload() request: CommandRequest): Promise<CommandReply> {
    return this.commands.changeFrontlineStatus(request);
  }

  @MessagePattern(COMMUNITIES_SUBJECTS.recordHostilitiesPeriod)
  recordHostilitiesPeriod(@Payload() request: CommandRequest): Promise<CommandReply> {
    return this.commands.recordHostilitiesPeriod(request);
  }

  @MessagePattern(COMMUNITIES_SUBJECTS.listCommunities)
  list(@Payload() request: QueryRequest): Promise<Page<CommunitySummary>> {
    return this.queries.list(paramsOf(request));
  }

  @MessagePattern(COMMUNITIES_SUBJECTS.getCommunity)
  get(@Payload() request: QueryRequest): Promise<CommunityDetail> {
    return this.queries.get(paramsOf(request));
  }

  @MessagePattern(COMMUNITIES_SUBJECTS.getStatusOn)
  statusOn(@Payload() request: QueryRequest): Promise<CommunityStatusOnDate> {
    return this.queries.statusOn(paramsOf(request));
  }
}
