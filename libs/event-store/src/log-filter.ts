import type { LogFilter, RecordedEvent } from './port';

/** Whether an event passes every condition of the filter (what an adapter cannot ask its server). */
export function matchesLogFilter(event: RecordedEvent, filter: LogFilter): boolean {
  if (filter.stream !== undefined && event.stream !== filter.stream) return false;
  if (filter.types && filter.types.length > 0 && !filter.types.includes(event.type)) return false;
  if (filter.correlationId !== undefined && event.metadata.correlationId !== filter.correlationId)
    return false;
  if (!within(event.metadata.recordedAt, filter.recordedFrom, filter.recordedTo)) return false;
  return within(event.metadata.occurredAt, filter.occurredFrom, filter.occurredTo);
}

function within(time: string, from: Date | undefined, to: Date | undefined): boolean {
  if (from === undefined && to === undefined) return true;
  const instant = Date.parse(time);
  if (Number.isNaN(instant)) return false;
  return (from === undefined || instant >= from.getTime()) && (to === undefined || instant <= to.getTime());
}
