import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, commandMeta, newAggregateId, refuseAddressedId } from '@aid/commands';
import {
  COMMUNITIES_EVENT_SCHEMA_VERSION,
  type CommandReply,
  type CommandRequest,
  RegisterOrganisation,
  communityStream,
  organisationStream,
  validateInput,
} from '@aid/contracts';
import { type EventStore } from '@aid/event-store';
import { EVENT_STORE } from '@aid/messaging';
import { SERVICE_NAME, replyOf } from '../command-envelope';
import { organisationDecider } from './organisation.decider';

/** The command path of the Organisation aggregate: validate, look up the context, decide, append. */
@Injectable()
export class OrganisationCommands {
  private readonly handler: CommandHandler;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {
    this.handler = new CommandHandler(store, SERVICE_NAME);
  }

  async registerOrganisation(request: CommandRequest): Promise<CommandReply> {
    const meta = commandMeta(request);
    refuseAddressedId(request);
    const input = validateInput(RegisterOrganisation, request.data);
    const organisationId = newAggregateId('register-organisation', meta.actor.id, meta.idempotencyKey);
    const parentCommunity =
      input.parentCommunityId === undefined
        ? null
        : { registered: await this.isRegistered(input.parentCommunityId) };
    const outcome = await this.handler.handle({
      decider: organisationDecider,
      stream: organisationStream(organisationId),
      commandName: 'register-organisation',
      command: {
        type: 'RegisterOrganisation',
        data: {
          organisationId,
          name: input.name,
          kind: input.kind,
          ...(input.countryCode !== undefined && { countryCode: input.countryCode }),
          ...(input.iatiRef !== undefined && { iatiRef: input.iatiRef }),
          ...(input.parentCommunityId !== undefined && { parentCommunityId: input.parentCommunityId }),
        },
        context: { parentCommunity },
      },
      meta,
      schemaVersion: COMMUNITIES_EVENT_SCHEMA_VERSION,
    });
    return replyOf(organisationId, outcome);
  }

  /**
   * Asked of this service's own event store, not of its read model: a community stream exists
   * only once its CommunityRegistered is stored, and registrations are never undone, so the answer
   * cannot go stale; the read model could still lag behind a registration made a moment ago (a
   * client registering a municipality and then its institution would be refused).
   */
  private async isRegistered(communityId: string): Promise<boolean> {
    return (await this.store.streamRevision(communityStream(communityId))) !== null;
  }
}
