import { Controller, type DynamicModule, Inject, Module } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  type AuditedContext,
  type QueryRequest,
  replaySubject,
  type ServiceReplayReply,
  streamStateSubject,
  type StreamStateReply,
} from '@aid/contracts';
import type { EventStore } from '@aid/event-store';
import {
  answerStreamState,
  type AuditedReadModel,
  ReadModelAudit,
  type StreamFolders,
} from '@aid/projections';
import { EVENT_STORE } from './event-sourcing.module';
import { ServiceContext } from './service-context';

/** What a service has at hand to name its read models. */
export interface ServiceAuditContext {
  service: ServiceContext;
  store: EventStore;
  /** To find the service's read-model providers, which live in its own module. */
  modules: ModuleRef;
}

export interface ServiceAuditOptions {
  context: AuditedContext;
  /** The deciders that fold the service's streams, by stream prefix. */
  folders: StreamFolders;
  /** Every read model of the service, asked for when a replay is: the providers are running by then. */
  readModels(context: ServiceAuditContext): Array<AuditedReadModel<unknown>>;
}

const SERVICE_AUDIT = Symbol('SERVICE_AUDIT');

/** The audit's answers for one service: states folded by its deciders, its read models rebuilt and compared. */
class ServiceAudit {
  private readonly readModelAudit: ReadModelAudit;

  constructor(
    private readonly options: ServiceAuditOptions,
    private readonly context: ServiceAuditContext,
  ) {
    this.readModelAudit = new ReadModelAudit({
      connectionString: context.service.config.databaseUrl,
      logger: context.service.logger,
    });
  }

  streamState(request: QueryRequest | undefined): Promise<StreamStateReply> {
    return answerStreamState(this.context.store, request?.params, this.options.folders);
  }

  replay(): Promise<ServiceReplayReply> {
    return this.readModelAudit.replayService(this.options.context, this.options.readModels(this.context));
  }
}

@Module({})
class ServiceAuditModule {}

/**
 * The audit's NATS requests for one service (see docs/audit.md): `<context>.query.stream-state`
 * and `<context>.cmd.replay-read-models`. Each service registers it with what differs: its
 * deciders and its read models.
 */
export function serviceAuditModule(options: ServiceAuditOptions): DynamicModule {
  @Controller()
  class ServiceAuditController {
    constructor(@Inject(SERVICE_AUDIT) private readonly audit: ServiceAudit) {}

    @MessagePattern(streamStateSubject(options.context))
    streamState(@Payload() request: QueryRequest | undefined): Promise<StreamStateReply> {
      return this.audit.streamState(request);
    }

    @MessagePattern(replaySubject(options.context))
    replay(): Promise<ServiceReplayReply> {
      return this.audit.replay();
    }
  }

  return {
    module: ServiceAuditModule,
    controllers: [ServiceAuditController],
    providers: [
      {
        provide: SERVICE_AUDIT,
        inject: [ServiceContext, EVENT_STORE, ModuleRef],
        useFactory: (service: ServiceContext, store: EventStore, modules: ModuleRef) =>
          new ServiceAudit(options, { service, store, modules }),
      },
    ],
  };
}
