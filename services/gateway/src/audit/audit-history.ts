import {
  type AuditEventsQuery,
  DEFAULT_AUDIT_PAGE,
  NotFoundError,
  type Page,
  type StreamHistoryQuery,
  ValidationError,
} from '@aid/contracts';
import type { Checkpoint, EventStore, LogPage, LogQuery } from '@aid/event-store';
import { type AuditEvent, toAuditEvent } from './audit-event';

/**
 * Who recorded what and when: the global log and one stream's history, page by page, each event
 * with its metadata and its place in the hash chain.
 */
export class AuditHistory {
  constructor(private readonly store: EventStore) {}

  /**
   * The global log in the order the store delivers it (which never passes over an event that
   * commits late), filtered. A page may hold fewer events than `limit` when the filter is rare:
   * the store examines a bounded window per page; follow `next` until it is absent.
   */
  async events(query: AuditEventsQuery): Promise<Page<AuditEvent>> {
    const after = await this.startOf(query);
    const time =
      query.timeKind === 'business'
        ? { occurredFrom: dateOf(query.from), occurredTo: dateOf(query.to) }
        : { recordedFrom: dateOf(query.from), recordedTo: dateOf(query.to) };
    const page = await this.readLog(query.cursor !== undefined, {
      after,
      limit: query.limit ?? DEFAULT_AUDIT_PAGE,
      stream: query.stream,
      types: query.type?.split(','),
      correlationId: query.correlationId,
      ...time,
    });
    return { items: page.events.map(toAuditEvent), ...(page.next !== undefined && { next: page.next }) };
  }

  /** One stream's events after a revision (`after`, default: from the first), in revision order. */
  async stream(stream: string, query: StreamHistoryQuery): Promise<Page<AuditEvent>> {
    const head = await this.store.streamRevision(stream);
    if (head === null) throw new NotFoundError(`stream ${stream} has no events`);
    const limit = query.limit ?? DEFAULT_AUDIT_PAGE;
    const events = await this.store.readStream(stream, {
      fromRevision: (query.after ?? -1) + 1,
      maxCount: limit,
    });
    const last = events.at(-1);
    const more = last !== undefined && last.revision < head;
    return { items: events.map(toAuditEvent), ...(more && { next: String(last.revision) }) };
  }

  /** A cursor the store cannot read (another adapter's, or made up) is the caller's mistake. */
  private async readLog(fromCursor: boolean, query: LogQuery): Promise<LogPage> {
    try {
      return await this.store.readLog(query);
    } catch (error) {
      if (!fromCursor || !(error instanceof TypeError || error instanceof RangeError)) throw error;
      throw new ValidationError('cursor is not the next of a page of this store', [
        { field: 'cursor', message: 'must be the next of a page' },
      ]);
    }
  }

  private async startOf(query: AuditEventsQuery): Promise<Checkpoint> {
    if (query.after !== undefined && query.cursor !== undefined) {
      const message = "give after (a position) or cursor (a page's next), not both";
      throw new ValidationError(message, [
        { field: 'after', message },
        { field: 'cursor', message },
      ]);
    }
    if (query.cursor !== undefined) return query.cursor;
    if (query.after === undefined || query.after === 0) return 'start';
    try {
      return await this.store.checkpointAfter(query.after);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new ValidationError(`after: no event has position ${query.after}`, [
        { field: 'after', message: 'must be the position of an event' },
      ]);
    }
  }
}

function dateOf(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value);
}
