import { Inject, Injectable } from '@nestjs/common';
import {
  type AuditEventsQuery,
  NotFoundError,
  ownerOfStream,
  refuseAmbiguousStateQuery,
  type Page,
  type RequestActor,
  StreamStateQuery,
  streamStateSubject,
  type StreamHistoryQuery,
  type StreamStateAt,
  type StreamStateReply,
  validateInput,
} from '@aid/contracts';
import type { EventStore } from '@aid/event-store';
import { EVENT_STORE, NatsRequester } from '@aid/messaging';
import { GATEWAY_SETTINGS, type GatewaySettings } from '../gateway-settings';
import type { AuditEvent } from './audit-event';
import { AuditHistory } from './audit-history';
import { exportLines } from './ledger-export';
import { type LedgerVerification, verifyLedger } from './ledger-verification';
import { type LedgerReplay, replayEveryReadModel } from './read-model-replay';

/** The audit's answers: the history from the store, states and rebuilds from the owning services. */
@Injectable()
export class AuditService {
  private readonly history: AuditHistory;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly requester: NatsRequester,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
  ) {
    this.history = new AuditHistory(store);
  }

  events(query: AuditEventsQuery): Promise<Page<AuditEvent>> {
    return this.history.events(query);
  }

  stream(stream: string, query: StreamHistoryQuery): Promise<Page<AuditEvent>> {
    return this.history.stream(validateInput(StreamStateQuery, { stream }).stream, query);
  }

  /** Folded by the service that owns the stream, with its own evolve: what it knew then. */
  state(stream: string, at: StreamStateAt, actor: RequestActor): Promise<StreamStateReply> {
    const query = validateInput(StreamStateQuery, { ...at, stream });
    refuseAmbiguousStateQuery(query);
    const owner = ownerOfStream(query.stream);
    if (owner === null) throw new NotFoundError(`stream ${query.stream} belongs to no service`);
    return this.requester.request<StreamStateReply>(
      streamStateSubject(owner),
      { params: { ...query }, meta: { actor } },
      { timeoutMs: this.settings.serviceTimeoutMs },
    );
  }

  verify(): Promise<LedgerVerification> {
    return verifyLedger(this.store);
  }

  replay(actor: RequestActor): Promise<LedgerReplay> {
    return replayEveryReadModel(this.requester, actor);
  }

  exportLines(): AsyncGenerator<string> {
    return exportLines(this.store);
  }
}
