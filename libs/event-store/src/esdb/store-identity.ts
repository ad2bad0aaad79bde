import { randomUUID } from 'node:crypto';
import { NO_STREAM, WrongExpectedVersionError, type EventStoreDBClient } from '@eventstore/db-client';

/**
 * The stream whose metadata holds the store's id. Metadata, not an event: the stream stays empty,
 * so nothing that reads or counts events ($all, the audit, the demo) meets it.
 */
export const STORE_IDENTITY_STREAM = 'aid-store';

/** Lost races to write the id; the winner's id is there to read after the first. */
const WRITE_ATTEMPTS = 3;

export type StoreIdentityClient = Pick<EventStoreDBClient, 'getStreamMetadata' | 'setStreamMetadata'>;

/**
 * The id kept in the metadata of STORE_IDENTITY_STREAM, written on first use. Writers expect the
 * metadata stream not to exist, so of two processes starting on a new server one writes and the
 * other is refused (WrongExpectedVersion) and reads the winner's id.
 */
export async function readOrCreateStoreId(
  client: StoreIdentityClient,
  newId: () => string = randomUUID,
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const { metadata } = await client.getStreamMetadata(STORE_IDENTITY_STREAM);
    const stored = metadata?.storeId;
    if (typeof stored === 'string' && stored.length > 0) return stored;
    if (stored !== undefined) {
      throw new Error(
        `EventStoreDB stream metadata of "${STORE_IDENTITY_STREAM}" holds a storeId that is not a string: ` +
          JSON.stringify(stored),
      );
    }
    try {
      await client.setStreamMetadata(
        STORE_IDENTITY_STREAM,
        { storeId: newId() },
        { expectedRevision: NO_STREAM },
      );
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      if (attempt >= WRITE_ATTEMPTS) {
        throw new Error(
          `EventStoreDB stream metadata of "${STORE_IDENTITY_STREAM}" exists but holds no storeId, so this ` +
            'store cannot be given one. Its metadata was written by something else: remove it ' +
            `(the stream $$${STORE_IDENTITY_STREAM}) or restore the storeId it held.`,
          { cause: error },
        );
      }
    }
  }
}
