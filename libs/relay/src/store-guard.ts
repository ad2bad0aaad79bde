import type { JetStreamManager, StoredMsg, StreamInfo } from '@nats-io/jetstream';

/** The header on every relayed message naming the event store it came from (EventStore.storeId). */
export const STORE_ID_HEADER = 'Aid-Store-Id';

/**
 * A relay found its JetStream stream holding messages of another event store. Publishing into it
 * would mix two histories for every consumer, and JetStream would drop this store's events whose
 * ids repeat the old ones (ids derive from idempotency keys) within the duplicate window.
 */
export class ForeignEventsStreamError extends Error {
  constructor(
    readonly streamName: string,
    readonly storeId: string,
    /** The Aid-Store-Id of the stream's last message. */
    readonly foundStoreId: string,
    readonly sequence: number,
  ) {
    super(
      `JetStream stream ${streamName} holds events relayed from another event store: its last message ` +
        `(sequence ${sequence}) has ${STORE_ID_HEADER} ${foundStoreId}, and this event store's id is ` +
        `${storeId}. That happens when the database was replaced (dropped and created anew) while NATS kept ` +
        'its data, or when two systems share one NATS. The relay does not publish into it: consumers would read ' +
        'the old history mixed with the new, and JetStream would drop new events whose ids repeat old ones. ' +
        `To fix it, delete the stream if its history is not needed (nats stream rm ${streamName}; ` +
        '`npm start` does so when it creates a new database), or give this system a NATS of its own.',
    );
    this.name = 'ForeignEventsStreamError';
  }
}

/** Whose messages a stream holds, as far as its last message tells. */
export type StreamOrigin = 'empty' | 'this-store' | 'unstamped';

/**
 * Refuses a stream whose last message was relayed from another store. Only the last message is
 * read: a stream is only ever filled by one store's relays, so its last message names the store
 * it belongs to. A last message without the header was relayed before stores had ids (or by
 * something else): that cannot be told apart, so it is let through and reported as 'unstamped';
 * refusing it would stop every system upgraded with its database and stream kept. From the first
 * stamped message on, the stream is guarded.
 */
export async function assertStreamOfStore(
  jsm: JetStreamManager,
  stream: StreamInfo,
  storeId: string,
): Promise<StreamOrigin> {
  const streamName = stream.config.name;
  const last = await lastMessage(jsm, stream);
  if (last === null) return 'empty';
  const found = last.header.get(STORE_ID_HEADER) || null;
  if (found === null) return 'unstamped';
  if (found !== storeId) throw new ForeignEventsStreamError(streamName, storeId, found, last.seq);
  return 'this-store';
}

/**
 * The stream's last stored message, or null when it holds none. A message deleted from the end
 * leaves last_seq where it was (nats-server 2.9 has no "last of any subject" lookup either), so
 * this steps back over deleted sequences.
 */
async function lastMessage(jsm: JetStreamManager, stream: StreamInfo): Promise<StoredMsg | null> {
  const { state } = stream;
  if (state.messages === 0) return null;
  for (let seq = state.last_seq; seq >= state.first_seq; seq--) {
    const message = await jsm.streams.getMessage(stream.config.name, { seq });
    if (message !== null) return message;
  }
  return null;
}
