import {
  AUDITED_CONTEXTS,
  replaySubject,
  type RequestActor,
  type ServiceReplayReply,
  type TableReport,
} from '@aid/contracts';
import type { NatsRequester } from '@aid/messaging';

/** A rebuild of every read model replays the whole history: minutes for millions of events. */
export const REPLAY_TIMEOUT_MS = 15 * 60 * 1000;

export interface LedgerReplay {
  identical: boolean;
  /** Events replayed into read models, summed over them (an event several read models follow counts in each). */
  eventsReplayed: number;
  tables: TableReport[];
  services: ServiceReplayReply[];
  durationMs: number;
}

/**
 * Do the read models tell the truth: each service rebuilds every one of its read models from the
 * first event into shadow tables and compares them with its live ones (see ReadModelAudit in
 * libs/projections); the three run at once, and their answers are put together here.
 */
export async function replayEveryReadModel(
  requester: NatsRequester,
  actor: RequestActor,
  timeoutMs = REPLAY_TIMEOUT_MS,
): Promise<LedgerReplay> {
  const startedAt = performance.now();
  const services = await Promise.all(
    AUDITED_CONTEXTS.map((context) =>
      requester.request<ServiceReplayReply>(replaySubject(context), { meta: { actor } }, { timeoutMs }),
    ),
  );
  return {
    identical: services.every((service) => service.identical),
    eventsReplayed: services.reduce((sum, service) => sum + service.eventsReplayed, 0),
    tables: services.flatMap((service) => service.readModels.flatMap((model) => model.tables)),
    services,
    durationMs: Math.round(performance.now() - startedAt),
  };
}
