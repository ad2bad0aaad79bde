import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, newAggregateId, type CommandMeta } from '@aid/commands';
import {
  ApprovePartnership,
  PARTNERSHIP_EVENT_SCHEMA_VERSION,
  partnershipStream,
  ProposePartnership,
  RecordActivity,
  SignMemorandum,
  TerminatePartnership,
  validateInput,
  ValidationError,
  type CommandReply,
  type CommandRequest,
  type PartnershipEvent,
  type PartnershipProposedData,
} from '@aid/contracts';
import { type EventStore } from '@aid/event-store';
import { currentCorrelationId, EVENT_STORE, newCorrelationId, ServiceContext } from '@aid/messaging';
import { PartiesReadModel } from '../parties/parties.read-model';
import { requestMeta } from './request-meta';
import {
  partnershipDecider,
  partnershipEventOccurredOn,
  type PartnershipCommand,
} from './partnership.decider';

type PartnershipCommandName =
  | 'propose-partnership'
  | 'approve-partnership'
  | 'sign-memorandum'
  | 'record-activity'
  | 'terminate-partnership';

/**
 * The command side: validate the request's data, look up what the decider needs about the
 * parties, and let the one CommandHandler load, decide and append. Nothing here decides.
 */
@Injectable()
export class PartnershipCommands {
  private readonly handler: CommandHandler;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly parties: PartiesReadModel,
    service: ServiceContext,
  ) {
    this.handler = new CommandHandler(store, service.name);
  }

  async propose(request: CommandRequest): Promise<CommandReply> {
    const meta = commandMeta(request);
    const data = validateInput(ProposePartnership, request.data);
    // A retry with the same Idempotency-Key lands on the same stream, and appends nothing new.
    const partnershipId = newAggregateId('propose-partnership', meta.actor.id, meta.idempotencyKey);
    const partyIds = data.parties.map(({ partyId }) => partyId);
    if (data.programmeId !== undefined) partyIds.push(data.programmeId);
    // The proposal does not depend on frontline status; today's is as good as any.
    const context = await this.parties.partiesOn(partyIds, today());
    return this.run(meta, 'propose-partnership', partnershipId, {
      type: 'ProposePartnership',
      partnershipId,
      data,
      context,
    });
  }

  async approve(request: CommandRequest): Promise<CommandReply> {
    const meta = commandMeta(request);
    const data = validateInput(ApprovePartnership, addressed(request));
    return this.run(meta, 'approve-partnership', data.partnershipId, { type: 'ApprovePartnership', data });
  }

  async sign(request: CommandRequest): Promise<CommandReply> {
    const meta = commandMeta(request);
    const data = validateInput(SignMemorandum, addressed(request));
    // Frontline status counts as it was on the signing day, not as it is when the command arrives.
    const context = await this.parties.partiesOn(await this.partiesOf(data.partnershipId), data.signedOn);
    return this.run(meta, 'sign-memorandum', data.partnershipId, {
      type: 'SignMemorandum',
      data,
      context,
    });
  }

  async recordActivity(request: CommandRequest): Promise<CommandReply> {
    const meta = commandMeta(request);
    const data = validateInput(RecordActivity, addressed(request));
    return this.run(meta, 'record-activity', data.partnershipId, { type: 'RecordActivity', data });
  }

  async terminate(request: CommandRequest): Promise<CommandReply> {
    const meta = commandMeta(request);
    const data = validateInput(TerminatePartnership, addressed(request));
    return this.run(meta, 'terminate-partnership', data.partnershipId, {
      type: 'TerminatePartnership',
      data,
    });
  }

  private async run(
    meta: CommandMeta,
    commandName: PartnershipCommandName,
    partnershipId: string,
    command: PartnershipCommand,
  ): Promise<CommandReply> {
    const outcome = await this.handler.handle({
      decider: partnershipDecider,
      stream: partnershipStream(partnershipId),
      commandName,
      command,
      meta,
      occurredAt: occurredAtOf,
      schemaVersion: PARTNERSHIP_EVENT_SCHEMA_VERSION,
    });
    return {
      id: partnershipId,
      revision: outcome.revision,
      position: outcome.position,
      appended: outcome.appended,
    };
  }

  /**
   * The parties of a partnership, from the proposal that opens its stream: no event changes
   * them afterwards, so that one event is all the lookup needs. None for an unknown partnership,
   * which the decider then refuses as not found.
   */
  private async partiesOf(partnershipId: string): Promise<string[]> {
    const [first] = await this.store.readStream(partnershipStream(partnershipId), {
      fromRevision: 0,
      maxCount: 1,
    });
    if (first?.type !== 'PartnershipProposed') return [];
    return (first.data as unknown as PartnershipProposedData).parties.map(({ partyId }) => partyId);
  }
}

/** The request's meta, checked, with the correlation id of the message being handled. */
function commandMeta(request: CommandRequest): CommandMeta {
  return { ...requestMeta(request?.meta), correlationId: currentCorrelationId() ?? newCorrelationId() };
}

/**
 * The command's data with the partnership the request addresses. The gateway may name it as the
 * request's `id` (from the URL), in `data.partnershipId`, or both, as long as they agree.
 */
function addressed(request: CommandRequest): unknown {
  const { id, data } = request;
  if (id === undefined || data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const named = (data as { partnershipId?: unknown }).partnershipId;
  if (named !== undefined && named !== id) {
    const message = `names partnership ${JSON.stringify(named)}, but the request addresses ${id}`;
    throw new ValidationError(`partnershipId: ${message}`, [{ field: 'partnershipId', message }]);
  }
  return { ...data, partnershipId: id };
}

/**
 * Metadata's occurredAt is an instant: the relay publishes it as the CloudEvent's `time`, which
 * must be an RFC 3339 date-time. The business day stays exact in the event's data (signedOn,
 * date, effectiveOn); its start in UTC stands for it here. Undefined lets the handler use the
 * arrival time (a proposal, a planned activity).
 */
function occurredAtOf(event: PartnershipEvent): string | undefined {
  const day = partnershipEventOccurredOn(event);
  return day === undefined ? undefined : `${day}T00:00:00.000Z`;
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}
