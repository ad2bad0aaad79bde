import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { type NatsContext } from '@nestjs/microservices';
import { DomainError } from '@aid/contracts';
import { type MsgHdrs } from '@nats-io/transport-node';
import { type Observable, tap } from 'rxjs';
import { CORRELATION_ID_HEADER, correlationIdOrNew, runWithCorrelationId } from './correlation';
import { type Logger } from './logging';

/**
 * Writes one log line per NATS message a service handles, with its subject, correlation id,
 * duration and outcome, and runs the handler with that correlation id as the current one.
 * The id comes from the message's header, else from a `correlationId` field of its payload,
 * else it is made up here.
 */
@Injectable()
export class MessageLoggingInterceptor implements NestInterceptor {
  constructor(private readonly logger: Logger) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const rpc = context.switchToRpc();
    const subject = rpc.getContext<NatsContext>().getSubject();
    const correlationId = correlationIdOrNew(
      headerCorrelationId(rpc.getContext<NatsContext>().getHeaders() as MsgHdrs | undefined) ??
        payloadCorrelationId(rpc.getData<unknown>()),
    );
    const startedAt = performance.now();
    const durationMs = () => Math.round((performance.now() - startedAt) * 10) / 10;

    // Nest binds the handler's async context when handle() is called, so calling it inside
    // runWithCorrelationId makes the id current for everything the handler awaits.
    return runWithCorrelationId(correlationId, () => next.handle()).pipe(
      tap({
        complete: () =>
          this.logger.info(
            { subject, correlationId, durationMs: durationMs(), outcome: 'ok' },
            'message handled',
          ),
        error: (error: unknown) => {
          if (error instanceof DomainError) {
            this.logger.info(
              { subject, correlationId, durationMs: durationMs(), outcome: 'refused', errorCode: error.code },
              `message refused: ${error.message}`,
            );
          } else {
            this.logger.error(
              { subject, correlationId, durationMs: durationMs(), outcome: 'failed', err: error },
              'message failed',
            );
          }
        },
      }),
    );
  }
}

function headerCorrelationId(headers: MsgHdrs | undefined): string | undefined {
  // MsgHdrs.get answers '' for a missing header.
  return headers?.get(CORRELATION_ID_HEADER) || undefined;
}

function payloadCorrelationId(payload: unknown): unknown {
  return typeof payload === 'object' && payload !== null && 'correlationId' in payload
    ? payload.correlationId
    : undefined;
}
