import { type CommandMeta, type CommandOutcome } from '@aid/commands';
import {
  type CommandReply,
  type CommandRequest,
  type RequestActor,
  ValidationError,
  validateInput,
} from '@aid/contracts';
import { currentCorrelationId, newCorrelationId } from '@aid/messaging';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Min,
  ValidateNested,
} from 'class-validator';

/** The name the service writes into every event's metadata and into its idempotency scopes. */
export const SERVICE_NAME = 'communities';

const ROLES = [
  'admin',
  'coordinator',
  'partnerships',
  'auditor',
  'partner',
  'importer',
  'service',
] as const satisfies readonly RequestActor['role'][];

class ActorInput {
  @IsString() @Length(1, 200) id: string;
  @IsIn(ROLES) role: RequestActor['role'];
  @IsOptional() @IsArray() @IsUUID('all', { each: true }) communityIds?: string[];
}

class MetaInput {
  @IsObject() @ValidateNested() @Type(() => ActorInput) actor: ActorInput;
  @IsOptional() @IsString() @Length(1, 200) idempotencyKey?: string | null;
  @IsOptional() @IsInt() @Min(-1) expectedRevision?: number | null;
  @IsOptional() @IsString() @Length(1, 200) causationId?: string | null;
}

class EnvelopeInput {
  @IsObject() @ValidateNested() @Type(() => MetaInput) meta: MetaInput;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The request's meta, checked like its data: the actor and the idempotency key become event
 * metadata and scope idempotency, so a request without them is refused rather than recorded
 * anonymously. The correlation id is the one of the message being handled (docs/messaging.md).
 */
export function commandMetaOf(request: unknown): CommandMeta {
  const { meta } = validateInput(EnvelopeInput, isObject(request) ? { meta: request.meta } : request);
  return {
    actor: { id: meta.actor.id, role: meta.actor.role },
    correlationId: currentCorrelationId() ?? newCorrelationId(),
    causationId: meta.causationId ?? null,
    idempotencyKey: meta.idempotencyKey ?? null,
    expectedRevision: meta.expectedRevision ?? null,
  };
}

/**
 * The command's body with the id of the aggregate the request addresses (`request.id`, from the
 * URL) filled in as `field`. A body naming another aggregate than the URL is refused: which one
 * was meant cannot be guessed.
 */
export function bodyAddressedBy(request: CommandRequest, field: string): unknown {
  const { data, id } = request;
  if (id === undefined || id === null || !isObject(data)) return data;
  if (data[field] === undefined) return { ...data, [field]: id };
  if (data[field] !== id) {
    throw new ValidationError(`${field} differs from the id addressed`, [
      { field, message: `${JSON.stringify(data[field])} differs from the id addressed (${String(id)})` },
    ]);
  }
  return data;
}

/** A create command makes its aggregate's id itself: a caller cannot choose it. */
export function refuseCallerChosenId(request: CommandRequest): void {
  if (request.id !== undefined && request.id !== null) {
    throw new ValidationError('the service makes the id of what it registers', [
      { field: 'id', message: 'must be absent: the service makes the id' },
    ]);
  }
}

export function replyOf(id: string, outcome: CommandOutcome): CommandReply {
  return { id, revision: outcome.revision, position: outcome.position, appended: outcome.appended };
}
