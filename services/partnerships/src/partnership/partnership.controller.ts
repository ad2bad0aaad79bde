import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  PARTNERSHIPS_SUBJECTS,
  type CommandReply,
  type CommandRequest,
  type Page,
  type QueryRequest,
} from '@aid/contracts';
import { PartnershipCommands } from './partnership.commands';
import { PartnershipQueries, type PartnershipDetails, type PartnershipView } from './partnership.queries';

@Controller()
export class PartnershipController {
  constructor(
    private readonly commands: PartnershipCommands,
    private readonly queries: PartnershipQueries,
  ) {}

  @MessagePattern(PARTNERSHIPS_SUBJECTS.proposePartnership)
  propose(@Payload() request: CommandRequest): Promise<CommandReply> {
    return this.commands.propose(request);
  }

  @MessagePattern(PARTNERSHIPS_SUBJECTS.approvePartnership)
  approve(@Payload() request: CommandRequest): Promise<CommandReply> {
    return this.commands.approve(request);
  }

  @MessagePattern(PARTNERSHIPS_SUBJECTS.signMemorandum)
  sign(@Payload() request: CommandRequest): Promise<CommandReply> {
    return this.commands.sign(request);
  }

  @MessagePattern(PARTNERSHIPS_SUBJECTS.recordActivity)
  recordActivity(@Payload() request: CommandRequest): Promise<CommandReply> {
    return this.commands.recordActivity(request);
  }

  @MessagePattern(PARTNERSHIPS_SUBJECTS.terminatePartnership)
  terminate(@Payload() request: CommandRequest): Promise<CommandReply> {
    return this.commands.terminate(request);
  }

  @MessagePattern(PARTNERSHIPS_SUBJECTS.listPartnerships)
  list(@Payload() request: QueryRequest): Promise<Page<PartnershipView>> {
    return this.queries.list(request);
  }

  @MessagePattern(PARTNERSHIPS_SUBJECTS.getPartnership)
  get(@Payload() request: QueryRequest): Promise<PartnershipDetails> {
    return this.queries.get(request);
  }
}
