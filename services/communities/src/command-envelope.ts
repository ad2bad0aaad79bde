import { type CommandOutcome } from '@aid/commands';
import { type CommandReply } from '@aid/contracts';

/** The name the service writes into every event's metadata and into its idempotency scopes. */
export const SERVICE_NAME = 'communities';

export function replyOf(id: string, outcome: CommandOutcome): CommandReply {
  return { id, revision: outcome.revision, position: outcome.position, appended: outcome.appended };
}
