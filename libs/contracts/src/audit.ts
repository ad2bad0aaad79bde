// The audit: what the gateway asks each service over NATS, and what the services answer.
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { COMMUNITY_STREAM_PREFIX, ORGANISATION_STREAM_PREFIX } from './communities';
import { ValidationError } from './errors';
import { SHIPMENT_STREAM_PREFIX } from './logistics';
import { IsIsoDateTime } from './logistics/input-rules';
import { PARTNERSHIP_STREAM_PREFIX } from './partnerships';

/** The services that own streams, and so answer for their state and rebuild their read models. */
export const AUDITED_CONTEXTS = ['communities', 'partnerships', 'logistics'] as const;
export type AuditedContext = (typeof AUDITED_CONTEXTS)[number];

const OWNER_BY_PREFIX: ReadonlyArray<[prefix: string, owner: AuditedContext]> = [
  [COMMUNITY_STREAM_PREFIX, 'communities'],
  [ORGANISATION_STREAM_PREFIX, 'communities'],
  [PARTNERSHIP_STREAM_PREFIX, 'partnerships'],
  [SHIPMENT_STREAM_PREFIX, 'logistics'],
];

/** The service whose decider folds a stream, by the stream's prefix; null for a stream no service owns. */
export function ownerOfStream(stream: string): AuditedContext | null {
  return OWNER_BY_PREFIX.find(([prefix]) => stream.startsWith(prefix))?.[1] ?? null;
}

/** A stream's state at a past moment, folded by its service's own evolve: `<context>.query.stream-state`. */
export function streamStateSubject(context: AuditedContext): string {
  return `${context}.query.stream-state`;
}

/** Rebuild every read model of a service into shadow tables and compare: `<context>.cmd.replay-read-models`. */
export function replaySubject(context: AuditedContext): string {
  return `${context}.cmd.replay-read-models`;
}

export const TIME_KINDS = ['record', 'business'] as const;

const STREAM_NAME = /^[a-z]+-\S+$/;
const STREAM_NAME_MAX = 300;
export type TimeKind = (typeof TIME_KINDS)[number];

/** Absent is fine; null or an empty value is not. */
function Optional(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}

/**
 * "What did this stream look like then": at a time (record time by default, business time on
 * request) or at a revision, exactly one of the two. Values may arrive as strings (a query string).
 */
export class StreamStateAt {
  @Optional() @IsIsoDateTime() at?: string;
  @Optional() @Type(() => Number) @IsInt() @Min(0) revision?: number;
  @Optional() @IsIn(TIME_KINDS) timeKind?: TimeKind;
}

/** The payload of `<context>.query.stream-state`. */
export class StreamStateQuery extends StreamStateAt {
  @IsString()
  @MaxLength(STREAM_NAME_MAX)
  @Matches(STREAM_NAME, { message: 'stream must be <aggregate>-<id>' })
  stream: string;
}

export const DEFAULT_AUDIT_PAGE = 100;
export const MAX_AUDIT_PAGE = 1000;

/**
 * GET /v1/audit/events: the global log in the order the store delivers it, filtered. `after` is
 * a global position (an event's `position`); `cursor` is the `next` of the previous page.
 */
export class AuditEventsQuery {
  @Optional() @Type(() => Number) @IsInt() @Min(0) after?: number;
  @Optional()
  @IsString()
  @Matches(/^[0-9]{1,20}[:/][0-9]{1,20}$/, { message: 'cursor must be the next of a page' })
  cursor?: string;
  @Optional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_AUDIT_PAGE) limit?: number;
  @Optional()
  @IsString()
  @MaxLength(STREAM_NAME_MAX)
  @Matches(STREAM_NAME, { message: 'stream must be <aggregate>-<id>' })
  stream?: string;
  /** One event type, or several separated by commas. */
  @Optional()
  @IsString()
  @MaxLength(1000)
  @Matches(/^[A-Za-z][A-Za-z0-9]*(,[A-Za-z][A-Za-z0-9]*)*$/, {
    message: 'type must be event types separated by commas',
  })
  type?: string;
  @Optional() @IsIsoDateTime() from?: string;
  @Optional() @IsIsoDateTime() to?: string;
  /** Which time from/to bound: record time (when the store accepted the event, default) or business time. */
  @Optional() @IsIn(TIME_KINDS) timeKind?: TimeKind;
  @Optional() @IsString() @MaxLength(128) correlationId?: string;
}

/** GET /v1/audit/streams/:stream: the stream's events after a revision. */
export class StreamHistoryQuery {
  @Optional() @Type(() => Number) @IsInt() @Min(-1) after?: number;
  @Optional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_AUDIT_PAGE) limit?: number;
}

/** The rules class-validator cannot say field by field. */
export function refuseAmbiguousStateQuery(query: StreamStateAt): void {
  if ((query.at === undefined) === (query.revision === undefined)) {
    const message = 'give exactly one of at (an ISO date-time) and revision';
    throw new ValidationError(message, [
      { field: 'at', message },
      { field: 'revision', message },
    ]);
  }
  if (query.timeKind !== undefined && query.at === undefined) {
    const message = 'timeKind applies to at, not to revision';
    throw new ValidationError(message, [{ field: 'timeKind', message }]);
  }
}

export interface StreamStateReply {
  stream: string;
  /** The last revision folded. */
  revision: number;
  /** The moment asked about (or, when asked by revision, the record time of that revision). */
  at: string;
  timeKind: TimeKind;
  /** What the service's evolve makes of the events up to that point. */
  state: unknown;
  /** The last event folded. */
  lastEvent: { id: string; type: string; position: number; recordedAt: string; occurredAt: string };
}

export interface RowDifferenceReport {
  key: Record<string, unknown>;
  columns: string[];
  live: Record<string, unknown> | null;
  replayed: Record<string, unknown> | null;
}

export interface TableReport {
  /** `<schema>.<table>` of the live table. */
  name: string;
  rows: number;
  checksum: string;
  replayedRows: number;
  replayedChecksum: string;
  identical: boolean;
  differingRows?: number;
  differences?: RowDifferenceReport[];
  problem?: string;
}

export interface ReadModelReport {
  name: string;
  schema: string;
  /** Where the live tables stood when copied; the rebuild stopped at the same point. */
  comparedAt: Record<string, unknown>;
  eventsReplayed: number;
  identical: boolean;
  tables: TableReport[];
  durationMs: number;
  /** Where the time went: rebuilding (while the live tables were copied), then comparing. */
  stepsMs: { replay: number; compare: number };
}

/** A service's answer to `<context>.cmd.replay-read-models`. */
export interface ServiceReplayReply {
  service: AuditedContext;
  identical: boolean;
  eventsReplayed: number;
  readModels: ReadModelReport[];
  durationMs: number;
}
