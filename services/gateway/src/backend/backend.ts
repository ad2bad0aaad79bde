import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { type ServerResponse } from 'node:http';
import {
  ConflictError,
  DomainError,
  NotFoundError,
  ValidationError,
  type CommandReply,
  type CommandRequest,
  type QueryRequest,
  type RequestActor,
  type RequestMeta,
} from '@aid/contracts';
import { isAcceptableCorrelationId, NatsRequester, ServiceUnavailableError } from '@aid/messaging';
import { type ApiKeyPrincipal } from '../auth';
import { GATEWAY_SETTINGS, type GatewaySettings } from '../gateway-settings';
import { type GatewayRequest, headerOf } from '../http/gateway-request';
import { knownErrorBody } from '../http/http-error.filter';
import { PreconditionFailedError, ReplayedErrorAnswer } from '../http/http-errors';
import { IdempotencyStore, type KeyClaim } from '../idempotency/idempotency.store';
import { type CommandOutcome, GatewayMetrics } from '../metrics/gateway-metrics';

/** What a write answers: the aggregate, its stream revision (also the ETag) and the global position. */
export interface WriteAnswer {
  id: string;
  revision: number;
  position: number | null;
}

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const CAUSATION_ID_HEADER = 'x-causation-id';
const REPLAYED_HEADER = 'idempotent-replayed';
const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
// Printable ASCII: keys are echoed in messages and stored; anything else is a client mistake.
const ACCEPTABLE_IDEMPOTENCY_KEY = /^[\x21-\x7e]+$/;
const IF_MATCH = /^(?:W\/)?"?(-?\d{1,15})"?$/;
/** Refusals that stay true for the same request: replayed to its retries. */
const KEPT_REFUSALS = new Set<number>([HttpStatus.CONFLICT, HttpStatus.PRECONDITION_FAILED]);

/**
 * The gateway's one way to the services: a command (with its Idempotency-Key, If-Match, actor,
 * correlation and causation ids) or a query (with the actor, whose role and communities scope
 * what a partner sees), sent over NATS with a timeout, answered as HTTP. Controllers stay thin.
 */
@Injectable()
export class Backend {
  constructor(
    private readonly nats: NatsRequester,
    private readonly idempotency: IdempotencyStore,
    private readonly metrics: GatewayMetrics,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  /** A command that creates an aggregate: 201 {id, revision, position}. */
  create(subject: string, data: object, request: GatewayRequest): Promise<WriteAnswer> {
    return this.write(subject, { data }, HttpStatus.CREATED, request);
  }

  /** A command on the aggregate the URL names: 200 {id, revision, position}. */
  act(subject: string, id: string, data: object, request: GatewayRequest): Promise<WriteAnswer> {
    return this.write(subject, { id, data }, HttpStatus.OK, request);
  }

  /** A query answered as it comes (a list, tonnage rows). */
  query<T>(subject: string, params: object, request: GatewayRequest): Promise<T> {
    const payload: QueryRequest = { params: { ...params }, meta: { actor: actorOf(request, true) } };
    return this.nats.request<T>(subject, payload, { timeoutMs: this.settings.serviceTimeoutMs });
  }

  /** A query of one resource: its revision becomes the ETag. */
  async read<T extends { revision?: unknown }>(
    subject: string,
    params: object,
    request: GatewayRequest,
  ): Promise<T> {
    return this.tagged(request, await this.query<T>(subject, params, request));
  }

  /** The resource as it is, with its revision as the response's ETag. */
  tagged<T extends { revision?: unknown }>(request: GatewayRequest, resource: T): T {
    if (typeof resource.revision === 'number') setEtag(request, resource.revision);
    return resource;
  }

  private async write(
    subject: string,
    addressed: Pick<CommandRequest, 'id' | 'data'>,
    successStatus: number,
    request: GatewayRequest,
  ): Promise<WriteAnswer> {
    const principal = principalOf(request);
    const idempotencyKey = idempotencyKeyOf(request);
    const expectedRevision = expectedRevisionOf(request);
    const meta: RequestMeta = {
      actor: actorOf(request, false),
      idempotencyKey: idempotencyKey ?? null,
      expectedRevision,
      causationId: causationIdOf(request),
    };

    const keyClaim: KeyClaim | undefined =
      idempotencyKey === undefined
        ? undefined
        : {
            apiKeyId: principal.id,
            key: idempotencyKey,
            fingerprint: IdempotencyStore.fingerprint({
              method: request.method ?? 'POST',
              path: request.originalUrl.split('?')[0] ?? request.originalUrl,
              ifMatch: headerOf(request, 'if-match'),
              body: request.body,
            }),
          };
    if (keyClaim !== undefined) {
      const claim = await this.idempotency.claim(keyClaim);
      if (claim.kind === 'replay') {
        this.metrics.countCommand(subject, 'replayed');
        responseOf(request).setHeader(REPLAYED_HEADER, 'true');
        const { statusCode, body } = claim.answer;
        if (statusCode >= 400) throw new ReplayedErrorAnswer(statusCode, body);
        const answer = body as WriteAnswer;
        setEtag(request, answer.revision);
        return answer;
      }
    }

    let answer: WriteAnswer;
    try {
      answer = await this.send(subject, { ...addressed, meta });
    } catch (error) {
      if (keyClaim !== undefined) await this.settle(keyClaim, error);
      throw error;
    }
    if (keyClaim !== undefined)
      this.idempotency.recordAnswer(keyClaim, { statusCode: successStatus, body: answer });
    setEtag(request, answer.revision);
    return answer;
  }

  private async send(subject: string, command: CommandRequest): Promise<WriteAnswer> {
    try {
      const reply = await this.nats.request<CommandReply>(subject, command, {
        timeoutMs: this.settings.serviceTimeoutMs,
      });
      this.metrics.countCommand(subject, reply.appended ? 'appended' : 'unchanged');
      return { id: reply.id, revision: reply.revision, position: reply.position };
    } catch (error) {
      const refusal = asPreconditionFailure(error, command.meta.expectedRevision);
      this.metrics.countCommand(subject, outcomeOf(refusal));
      throw refusal;
    }
  }

  /**
   * After a failed command: a conflict (409, 412) is the request's answer for good, since a
   * stream's state only moves forward, and is kept for its retries. Anything else is not kept, so
   * a retry runs the command again: an outage (503, 502), and also a 400 or 404 from a service,
   * which may come from a read model that has not caught up yet (a destination registered a moment
   * ago). The service appended nothing, and its own idempotency keeps a rerun from appending twice.
   */
  private async settle(keyClaim: KeyClaim, error: unknown): Promise<void> {
    const body = knownErrorBody(error);
    if (body !== null && KEPT_REFUSALS.has(body.statusCode)) {
      this.idempotency.recordAnswer(keyClaim, { statusCode: body.statusCode, body });
    } else {
      await this.idempotency.release(keyClaim);
    }
  }
}

function responseOf(request: GatewayRequest): ServerResponse {
  // Express links the two; the gateway runs only on Express.
  if (!request.res) throw new Error('no response linked to the request');
  return request.res;
}

function setEtag(request: GatewayRequest, revision: number): void {
  responseOf(request).setHeader('ETag', `"${revision}"`);
}

function principalOf(request: GatewayRequest): ApiKeyPrincipal {
  // Every route but the @Public ones runs behind the ApiKeyGuard, which sets it.
  if (!request.principal) throw new Error('no authenticated principal on a route that needs one');
  return request.principal;
}

/** The caller as the services see it; a partner's communities travel with its queries, which they scope. */
function actorOf(request: GatewayRequest, withScope: boolean): RequestActor {
  const { id, role, communityIds } = principalOf(request);
  return withScope && role === 'partner' ? { id, role, communityIds } : { id, role };
}

function idempotencyKeyOf(request: GatewayRequest): string | undefined {
  const key = headerOf(request, IDEMPOTENCY_KEY_HEADER);
  if (key === undefined) return undefined;
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !ACCEPTABLE_IDEMPOTENCY_KEY.test(key)) {
    const message = `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without spaces`;
    throw new ValidationError(`Idempotency-Key ${message}`, [{ field: 'Idempotency-Key', message }]);
  }
  return key;
}

/** If-Match: "<revision>" (the ETag as given); `*` pins nothing. */
function expectedRevisionOf(request: GatewayRequest): number | null {
  const ifMatch = headerOf(request, 'if-match');
  if (ifMatch === undefined || ifMatch === '*') return null;
  const match = IF_MATCH.exec(ifMatch);
  const revision = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(revision) || revision < -1) {
    const message = 'must be the ETag of the resource as last read, e.g. "3"';
    throw new ValidationError(`If-Match ${message}`, [{ field: 'If-Match', message }]);
  }
  return revision;
}

/** What caused the command: the client may name it (X-Causation-Id); otherwise this HTTP request. */
function causationIdOf(request: GatewayRequest): string | null {
  const named = headerOf(request, CAUSATION_ID_HEADER);
  if (named !== undefined && isAcceptableCorrelationId(named)) return named;
  return request.requestId ?? null;
}

/**
 * A revision conflict on a write that sent If-Match is a failed precondition (412), whereas the
 * same conflict without If-Match, or an illegal transition, stays a 409. The services mark a
 * revision conflict with the stream's current revision in the details.
 */
function asPreconditionFailure(error: unknown, expectedRevision: number | null | undefined): unknown {
  if (
    expectedRevision !== null &&
    expectedRevision !== undefined &&
    error instanceof ConflictError &&
    typeof error.details === 'object' &&
    error.details !== null &&
    'currentRevision' in error.details
  ) {
    return new PreconditionFailedError(
      `If-Match "${expectedRevision}" does not match: ${error.message}`,
      error.details,
    );
  }
  return error;
}

function outcomeOf(error: unknown): CommandOutcome {
  if (error instanceof PreconditionFailedError) return 'precondition-failed';
  if (error instanceof ConflictError) return 'conflict';
  if (error instanceof NotFoundError) return 'not-found';
  if (error instanceof DomainError) return 'refused';
  if (error instanceof ServiceUnavailableError) return 'unavailable';
  return 'failed';
}
