import { Inject, Injectable } from '@nestjs/common';
import {
  CommandHandler,
  commandMeta,
  dataAddressing,
  newAggregateId,
  refuseAddressedId,
  type CommandMeta,
} from '@aid/commands';
import {
  CancelShipment,
  CorrectReceipt,
  DispatchShipment,
  PlanShipment,
  ReceiveShipment,
  RecordDiscrepancy,
  shipmentStream,
  validateInput,
  type CommandReply,
  type CommandRequest,
  type LogisticsEvent,
} from '@aid/contracts';
import type { EventStore } from '@aid/event-store';
import { EVENT_STORE } from '@aid/messaging';
import { ReferencesService } from '../references/references.service';
import type { ShipmentCommand } from './shipment.commands';
import { shipmentDecider } from './shipment.decider';

const SERVICE = 'logistics';

/**
 * Metadata times are instants in UTC (RFC 3339, as CloudEvents wants its `time`), whatever offset
 * the coordinator gave; the event's data keeps sentAt or receivedAt as written. Without a business
 * time of its own (undefined), an event happened when the command arrived. decide has checked
 * that the time parses before anything is appended.
 */
function instantOf(businessTime: string | undefined): string | undefined {
  return businessTime === undefined ? undefined : new Date(Date.parse(businessTime)).toISOString();
}

/**
 * Each command: envelope and data validated first (nothing is read or written for bad input),
 * then what the decider needs looked up, then the one CommandHandler. The events keep business
 * time: a dispatch happened at its sentAt, a receipt (and what it found) at its receivedAt.
 */
@Injectable()
export class ShipmentCommands {
  private readonly handler: CommandHandler;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    private readonly references: ReferencesService,
  ) {
    this.handler = new CommandHandler(store, SERVICE);
  }

  async plan(request: CommandRequest): Promise<CommandReply> {
    const meta = commandMeta(request);
    refuseAddressedId(request);
    const data = validateInput(PlanShipment, request.data);
    const shipmentId = newAggregateId('plan-shipment', meta.actor.id, meta.idempotencyKey);
    const context = await this.references.planContext(data);
    return this.run(shipmentId, 'plan-shipment', { type: 'PlanShipment', shipmentId, data, context }, meta);
  }

  dispatch(request: CommandRequest): Promise<CommandReply> {
    const meta = commandMeta(request);
    const data = validateInput(DispatchShipment, dataAddressing(request, 'shipmentId'));
    return this.run(
      data.shipmentId,
      'dispatch-shipment',
      { type: 'DispatchShipment', data },
      meta,
      data.sentAt,
    );
  }

  receive(request: CommandRequest): Promise<CommandReply> {
    const meta = commandMeta(request);
    const data = validateInput(ReceiveShipment, dataAddressing(request, 'shipmentId'));
    return this.run(
      data.shipmentId,
      'receive-shipment',
      { type: 'ReceiveShipment', data },
      meta,
      data.receivedAt,
    );
  }

  recordDiscrepancy(request: CommandRequest): Promise<CommandReply> {
    const meta = commandMeta(request);
    const data = validateInput(RecordDiscrepancy, dataAddressing(request, 'shipmentId'));
    return this.run(data.shipmentId, 'record-discrepancy', { type: 'RecordDiscrepancy', data }, meta);
  }

  correctReceipt(request: CommandRequest): Promise<CommandReply> {
    const meta = commandMeta(request);
    const data = validateInput(CorrectReceipt, dataAddressing(request, 'shipmentId'));
    return this.run(data.shipmentId, 'correct-receipt', { type: 'CorrectReceipt', data }, meta);
  }

  cancel(request: CommandRequest): Promise<CommandReply> {
    const meta = commandMeta(request);
    const data = validateInput(CancelShipment, dataAddressing(request, 'shipmentId'));
    return this.run(data.shipmentId, 'cancel-shipment', { type: 'CancelShipment', data }, meta);
  }

  private async run(
    shipmentId: string,
    commandName: string,
    command: ShipmentCommand,
    meta: CommandMeta,
    businessTime?: string,
  ): Promise<CommandReply> {
    const outcome = await this.handler.handle({
      createsStream: command.type === 'PlanShipment',
      decider: shipmentDecider,
      stream: shipmentStream(shipmentId),
      commandName,
      command,
      meta,
      occurredAt: (_event: LogisticsEvent) => instantOf(businessTime),
    });
    return {
      id: shipmentId,
      revision: outcome.revision,
      position: outcome.position,
      appended: outcome.appended,
    };
  }
}
