import {
  fold,
  NotFoundError,
  refuseAmbiguousStateQuery,
  StreamStateQuery,
  type Decider,
  type DomainEvent,
  type StreamStateReply,
  validateInput,
} from '@aid/contracts';
import type { EventStore, RecordedEvent } from '@aid/event-store';

/** What folds a stream: a decider's initial state and evolve, the very ones its command handler uses. */
export type StreamFolder = Pick<Decider<never, DomainEvent, unknown>, 'initialState' | 'evolve'>;

/** The folders of a service's streams, by stream prefix (e.g. ['shipment-', shipmentDecider]). */
export type StreamFolders = ReadonlyArray<readonly [prefix: string, folder: StreamFolder]>;

/**
 * Answers `<context>.query.stream-state`: the stream's events up to a revision, or up to a moment
 * (record time: recorded at or before it; business time: happened by then, see eventsUpTo),
 * folded with the service's own evolve. So the answer is what the
 * service itself knew of the aggregate then, not a reconstruction by other code.
 */
export async function answerStreamState(
  store: EventStore,
  params: unknown,
  folders: StreamFolders,
): Promise<StreamStateReply> {
  const query = validateInput(StreamStateQuery, params);
  refuseAmbiguousStateQuery(query);
  const folder = folders.find(([prefix]) => query.stream.startsWith(prefix))?.[1];
  if (!folder) throw new NotFoundError(`stream ${query.stream} does not belong to this service`);
  const head = await store.streamRevision(query.stream);
  if (head === null) throw new NotFoundError(`stream ${query.stream} has no events`);

  const timeKind = query.timeKind ?? 'record';
  const events = await eventsUpTo(store, query, head);
  if (events.length === 0) {
    const happened = timeKind === 'business' ? 'that happened' : 'recorded';
    throw new NotFoundError(`stream ${query.stream} has no event ${happened} at or before ${query.at}`);
  }
  const last = events[events.length - 1];
  return {
    stream: query.stream,
    revision: last.revision,
    at: query.at ?? last.metadata.recordedAt,
    timeKind,
    state: fold(
      folder,
      events.map((event) => ({ type: event.type, data: event.data }) as never),
    ),
    lastEvent: {
      id: last.id,
      type: last.type,
      position: last.position,
      recordedAt: last.metadata.recordedAt,
      occurredAt: last.metadata.occurredAt,
    },
  };
}

async function eventsUpTo(
  store: EventStore,
  query: StreamStateQuery,
  head: number,
): Promise<RecordedEvent[]> {
  if (query.revision !== undefined) {
    if (query.revision > head) {
      throw new NotFoundError(
        `stream ${query.stream} has no revision ${query.revision}: its last is ${head}`,
      );
    }
    return store.readStream(query.stream, { toRevision: query.revision });
  }
  const at = new Date(query.at!);
  if (query.timeKind !== 'business') return store.readStream(query.stream, { recordedUntil: at });
  // A prefix, never a selection: evolve only ever sees a stream's events in their order. An event
  // cannot have happened after a later event of its own stream (a shipment is planned before it
  // is sent), so each counts as happened by the earliest business time of itself and what
  // follows it: a plan recorded without a business time of its own (its record time stands in)
  // still precedes a dispatch entered afterwards with an earlier sentAt.
  const all = await store.readStream(query.stream);
  let happenedBy = Infinity;
  const happened = all
    .map((event) => Date.parse(event.metadata.occurredAt))
    .reverse()
    .map((time) => (happenedBy = Math.min(happenedBy, Number.isNaN(time) ? Infinity : time)))
    .reverse();
  return all.filter((_event, index) => happened[index] <= at.getTime());
}
