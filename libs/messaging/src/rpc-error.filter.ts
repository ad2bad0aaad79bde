import { type ArgumentsHost, Catch, type RpcExceptionFilter } from '@nestjs/common';
import { type NatsContext, RpcException } from '@nestjs/microservices';
import { DomainError } from '@aid/contracts';
import { type Observable, throwError } from 'rxjs';
import { toErrorReply, type ErrorReply } from './errors';

/**
 * Turns whatever a message handler throws into an ErrorReply. Refusals (DomainError) keep their
 * code, message and details; anything else becomes 'internal' without its message, which may
 * hold internals the caller has no business seeing (MessageLoggingInterceptor logs it in full).
 */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  constructor(private readonly service: string) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    if (exception instanceof DomainError) return throwError(() => toErrorReply(exception));
    if (exception instanceof RpcException) {
      // Handlers throw RpcException on purpose to pick the reply themselves.
      const error = exception.getError();
      return throwError(() => (typeof error === 'object' ? error : { code: 'internal', message: error }));
    }
    const subject = host.switchToRpc().getContext<NatsContext>().getSubject();
    const reply: ErrorReply = {
      code: 'internal',
      message: `internal error in ${this.service} while handling ${subject}`,
    };
    return throwError(() => reply);
  }
}
