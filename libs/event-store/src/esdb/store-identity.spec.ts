import {
  EventStoreDBClient,
  NO_STREAM,
  WrongExpectedVersionError,
  type AppendResult,
  type GetStreamMetadataResult,
  type StreamMetadata,
} from '@eventstore/db-client';
import { EsdbEventStore } from './esdb-event-store';
import { readOrCreateStoreId, STORE_IDENTITY_STREAM, type StoreIdentityClient } from './store-identity';

/*
 * Against a stand-in for the client's metadata calls, which refuses a write expecting no metadata
 * stream once one exists, as EventStoreDB does. The real server is for the contract suite.
 */
class FakeMetadata implements StoreIdentityClient {
  readonly writes: Array<{ metadata: StreamMetadata; expectedRevision: unknown }> = [];
  /** Runs before each write: to let another process write first. */
  beforeWrite: () => void = () => undefined;

  constructor(public stored: StreamMetadata | undefined = undefined) {}

  getStreamMetadata<T extends Record<string, unknown>>(
    streamName: string,
  ): Promise<GetStreamMetadataResult<T>> {
    expect(streamName).toBe(STORE_IDENTITY_STREAM);
    return Promise.resolve({ streamName, metadata: this.stored as StreamMetadata<T> | undefined });
  }

  setStreamMetadata(
    streamName: string,
    metadata: StreamMetadata,
    options?: { expectedRevision?: unknown },
  ): Promise<AppendResult> {
    expect(streamName).toBe(STORE_IDENTITY_STREAM);
    this.beforeWrite();
    this.writes.push({ metadata, expectedRevision: options?.expectedRevision });
    if (options?.expectedRevision === NO_STREAM && this.stored !== undefined) {
      return Promise.reject(
        new WrongExpectedVersionError(undefined, {
          streamName: `$$${streamName}`,
          expected: NO_STREAM,
          current: 0n,
        }),
      );
    }
    this.stored = metadata;
    return Promise.resolve({ success: true, nextExpectedRevision: 0n, position: undefined });
  }
}

describe('the EventStoreDB store id', () => {
  it('is written once into the metadata of a new server, expecting no metadata stream, and read back', async () => {
    const client = new FakeMetadata();
    await expect(readOrCreateStoreId(client, () => 'id-1')).resolves.toBe('id-1');
    expect(client.writes).toEqual([{ metadata: { storeId: 'id-1' }, expectedRevision: NO_STREAM }]);

    // Another process on the same server reads it and writes nothing.
    await expect(readOrCreateStoreId(client, () => 'id-2')).resolves.toBe('id-1');
    expect(client.writes).toHaveLength(1);
  });

  it('is the winner of a race: a refused write reads the id the other process wrote', async () => {
    const client = new FakeMetadata();
    client.beforeWrite = () => {
      client.beforeWrite = () => undefined;
      client.stored = { storeId: 'theirs' };
    };
    await expect(readOrCreateStoreId(client, () => 'mine')).resolves.toBe('theirs');
    expect(client.stored).toEqual({ storeId: 'theirs' });
  });

  it('says what is wrong when the metadata exists without a usable storeId', async () => {
    const foreign = new FakeMetadata({ maxAge: 60 });
    await expect(readOrCreateStoreId(foreign, () => 'mine')).rejects.toThrow(
      /metadata of "aid-store" exists but holds no storeId/,
    );
    expect(foreign.stored).toEqual({ maxAge: 60 });

    const broken = new FakeMetadata({ storeId: 42 });
    await expect(readOrCreateStoreId(broken)).rejects.toThrow(/storeId that is not a string: 42/);
  });

  it('lets other client errors through', async () => {
    const client = new FakeMetadata();
    client.beforeWrite = () => {
      throw new Error('access denied');
    };
    await expect(readOrCreateStoreId(client)).rejects.toThrow('access denied');
  });

  describe('EsdbEventStore.storeId', () => {
    afterEach(() => jest.restoreAllMocks());

    it('asks the server once and keeps the answer, but not a failure', async () => {
      const read = jest
        .spyOn(EventStoreDBClient.prototype, 'getStreamMetadata')
        .mockRejectedValueOnce(new Error('unavailable'))
        .mockResolvedValue({ streamName: STORE_IDENTITY_STREAM, metadata: { storeId: 'the-id' } });
      const store = new EsdbEventStore({ connectionString: 'esdb://127.0.0.1:1?tls=false' });
      try {
        await expect(store.storeId()).rejects.toThrow('unavailable');
        await expect(store.storeId()).resolves.toBe('the-id');
        await expect(store.storeId()).resolves.toBe('the-id');
        expect(read).toHaveBeenCalledTimes(2);
      } finally {
        await store.close();
      }
    });
  });
});
