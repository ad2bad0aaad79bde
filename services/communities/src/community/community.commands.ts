import { Inject, Injectable } from '@nestjs/common';
import {
  type CommandMeta,
  CommandHandler,
  commandMeta,
  dataAddressing,
  newAggregateId,
  refuseAddressedId,
} from '@aid/commands';
import {
  COMMUNITIES_EVENT_SCHEMA_VERSION,
  ChangeFrontlineStatus,
  type CommandReply,
  type CommandRequest,
  type CommunityEvent,
  RecordHostilitiesPeriod,
  RegisterCommunity,
  communityIdForKatottg,
  communityStream,
  validateInput,
} from '@aid/contracts';
import { type EventStore } from '@aid/event-store';
import { EVENT_STORE } from '@aid/messaging';
import { SERVICE_NAME, replyOf } from '../command-envelope';
import { type CommunityCommand, communityDecider } from './community.decider';

/**
 * Business time of a community event: the day a status or a period starts, else the arrival.
 * Metadata times are instants (the relay's CloudEvent `time` must be an RFC 3339 date-time), so a
 * day is written as its midnight UTC; the day itself stays exact in the event's data.
 */
function occurredAt(event: CommunityEvent): string | undefined {
  switch (event.type) {
    case 'FrontlineStatusChanged':
      return startOfDay(event.data.effectiveFrom);
    case 'HostilitiesPeriodRecorded':
      return startOfDay(event.data.start);
    case 'CommunityRegistered':
      return undefined;
  }
}

const startOfDay = (day: string): string => `${day}T00:00:00.000Z`;

/**
 * The command path of the Community aggregate, shared by the NATS controller and the importers:
 * validate the request, build the decider's command, and run it through the one CommandHandler.
 */
@Injectable()
export class CommunityCommands {
  private readonly handler: CommandHandler;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.handler = new CommandHandler(store, SERVICE_NAME);
  }

  async registerCommunity(request: CommandRequest): Promise<CommandReply> {
    const meta = commandMeta(request);
    refuseAddressedId(request);
    const input = validateInput(RegisterCommunity, request.data);
    // A hromada's id is its KATOTTG code's, so the store itself refuses a second registration of
    // the code (ids.ts). The decider refuses a hromada without a code; the id it is refused under
    // does not matter.
    const communityId =
      input.kind === 'hromada' && input.katottg !== undefined
        ? communityIdForKatottg(input.katottg)
        : newAggregateId('register-community', meta.actor.id, meta.idempotencyKey);
    return this.run('register-community', communityId, meta, {
      type: 'RegisterCommunity',
      data: {
        communityId,
        name: { uk: input.name.uk, ...(input.name.en !== undefined && { en: input.name.en }) },
        kind: input.kind,
        countryCode: input.countryCode,
        ...(input.oblast !== undefined && { oblast: input.oblast }),
        ...(input.katottg !== undefined && { katottg: input.katottg }),
        ...(input.settlements !== undefined && {
          settlements: input.settlements.map(({ katottg, name, category }) => ({ katottg, name, category })),
        }),
      },
    });
  }

  async changeFrontlineStatus(request: CommandRequest): Promise<CommandReply> {
    const meta = commandMeta(request);
    const input = validateInput(ChangeFrontlineStatus, dataAddressing(request, 'communityId'));
    return this.run('change-frontline-status', input.communityId, meta, {
      type: 'ChangeFrontlineStatus',
      data: {
        communityId: input.communityId,
        status: input.status,
        effectiveFrom: input.effectiveFrom,
        ...(input.basis !== undefined && { basis: input.basis }),
      },
    });
  }

  async recordHostilitiesPeriod(request: CommandRequest): Promise<CommandReply> {
    const meta = commandMeta(request);
    const input = validateInput(RecordHostilitiesPeriod, dataAddressing(request, 'communityId'));
    return this.run('record-hostilities-period', input.communityId, meta, {
      type: 'RecordHostilitiesPeriod',
      data: {
        communityId: input.communityId,
        category: input.category,
        start: input.start,
        ...(input.end !== undefined && { end: input.end }),
        source: input.source,
        partial: input.partial,
        areaKatottg: input.areaKatottg,
        ...(input.areaName !== undefined && { areaName: input.areaName }),
      },
    });
  }

  private async run(
    commandName: string,
    communityId: string,
    meta: CommandMeta,
    command: CommunityCommand,
  ): Promise<CommandReply> {
    const outcome = await this.handler.handle({
      decider: communityDecider,
      stream: communityStream(communityId),
      commandName,
      command,
      meta,
      occurredAt,
      schemaVersion: COMMUNITIES_EVENT_SCHEMA_VERSION,
    });
    return replyOf(communityId, outcome);
  }
}
