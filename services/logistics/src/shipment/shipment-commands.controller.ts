import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { LOGISTICS_SUBJECTS, type CommandReply, type CommandRequest } from '@aid/contracts';
import { ShipmentCommands } from './shipment-commands.service';

@Controller()
export class ShipmentCommandsController {
  constructor(private readonly shipments: ShipmentCommands) {}

  @MessagePattern(LOGISTICS_SUBJECTS.planShipment)
  plan(@Payload() request: CommandRequest): Promise<CommandReply> {
    return this.shipments.plan(request);
  }

  @MessagePattern(LOGISTICS_SUBJECTS.dispatchShipment)
  dispatch(@Payload() request: CommandRequest): Promise<CommandReply> {
    return this.shipments.dispatch(request);
  }

  @MessagePattern(LOGISTICS_SUBJECTS.receiveShipment)
  receive(@Payload() request: CommandRequest): Promise<CommandReply> {
    return this.shipments.receive(request);
  }

  @MessagePattern(LOGISTICS_SUBJECTS.recordDiscrepancy)
  recordDiscrepancy(@Payload() request: CommandRequest): Promise<CommandReply> {
    return this.shipments.recordDiscrepancy(request);
  }

  @MessagePattern(LOGISTICS_SUBJECTS.correctReceipt)
  correctReceipt(@Payload() request: CommandRequest): Promise<CommandReply> {
    return this.shipments.correctReceipt(request);
  }

  @MessagePattern(LOGISTICS_SUBJECTS.cancelShipment)
  cancel(@Payload() request: CommandRequest): Promise<CommandReply> {
    return this.shipments.cancel(request);
  }
}
