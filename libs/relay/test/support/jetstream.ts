import { PRIMARY_SUBJECT_HEADER, STORE_ID_HEADER } from '../../src';
import type { JetStreamManager } from '@nats-io/jetstream';

export interface StoredEvent {
  seq: number;
  subject: string;
  msgId: string;
  /** The Aid-Primary-Subject header of a copy; null on an original. */
  primarySubject: string | null;
  /** The Aid-Store-Id header; null when missing. */
  storeId: string | null;
  cloudEvent: Record<string, unknown> & { id: string };
}

/** Every message of a JetStream stream, in sequence order. */
export async function storedEvents(jsm: JetStreamManager, stream: string): Promise<StoredEvent[]> {
  const { state } = await jsm.streams.info(stream);
  const events: StoredEvent[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const message = await jsm.streams.getMessage(stream, { seq });
    if (!message) continue;
    events.push({
      seq,
      subject: message.subject,
      msgId: message.header.get('Nats-Msg-Id'),
      primarySubject: message.header.get(PRIMARY_SUBJECT_HEADER) || null,
      storeId: message.header.get(STORE_ID_HEADER) || null,
      cloudEvent: message.json(),
    });
  }
  return events;
}

export async function messageCount(jsm: JetStreamManager, stream: string): Promise<number> {
  return (await jsm.streams.info(stream)).state.messages;
}
