import { createServer } from 'node:net';
import { DependencyUnavailableError, IdempotencyMismatchError } from '../errors';
import type { NewEvent } from '../port';
import { EsdbEventStore } from './esdb-event-store';

/** A local port with nothing listening on it: connections are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function event(id: string): NewEvent {
  return {
    id,
    type: 'ShipmentPlanned',
    data: {},
    metadata: {
      occurredAt: '2024-04-01T08:30:00.000Z',
      actor: { id: 'test', role: 'admin' },
      correlationId: 'c',
      causationId: null,
      idempotencyKey: null,
      schemaVersion: 1,
      service: 'test',
    },
  };
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

describe('EsdbEventStore without a server', () => {
  it('fails fast when EventStoreDB is not running, saying where it looked and how to start it', async () => {
    const port = await closedPort();
    const store = new EsdbEventStore({ connectionString: `esdb://admin:s3cret@127.0.0.1:${port}?tls=false` });
    try {
      const started = Date.now();
      const error = await failureOf(store.connect());
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      const message = (error as Error).message;
      expect(message).toContain('EventStoreDB is not reachable');
      expect(message).toContain(`127.0.0.1:${port}`);
      expect(message).toContain('docker compose up eventstore');
      expect(message).not.toContain('s3cret');
    } finally {
      await store.close();
    }
  });

  it('open() checks the server too', async () => {
    const port = await closedPort();
    await expect(
      EsdbEventStore.open({ connectionString: `esdb://127.0.0.1:${port}?tls=false` }),
    ).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('refuses a connection string that is not one, without echoing credentials', () => {
    expect(() => new EsdbEventStore({ connectionString: 'http://admin:s3cret@localhost:2113' })).toThrow(
      /EVENTSTORE_URL "http:\/\/\*\*\*@localhost:2113" is not an EventStoreDB connection string/,
    );
    expect(() => new EsdbEventStore({ connectionString: 'esdb://localhost:2113', watchdogMs: 0 })).toThrow(
      RangeError,
    );
  });

  describe('checks its arguments before talking to the server', () => {
    let store: EsdbEventStore;

    beforeAll(async () => {
      store = new EsdbEventStore({ connectionString: `esdb://127.0.0.1:${await closedPort()}?tls=false` });
    });

    afterAll(async () => {
      await store.close();
    });

    it('refuses appends it could never store', async () => {
      const id = '11111111-1111-4111-8111-111111111111';
      await expect(store.append('shipment-1', [], 'any')).rejects.toThrow(/at least one event/);
      await expect(store.append('$stats-1', [event(id)], 'any')).rejects.toThrow(/reserved/);
      await expect(store.append('shipment-1', [{ ...event(id), type: '$metadata' }], 'any')).rejects.toThrow(
        /reserved/,
      );
      await expect(store.append('shipment-1', [event(id)], -1)).rejects.toThrow(/expected revision/);
      await expect(store.append('shipment-1', [event(id), event(id)], 'no-stream')).rejects.toBeInstanceOf(
        IdempotencyMismatchError,
      );
    });

    it('refuses checkpoints of another adapter and batch sizes below one', () => {
      expect(() => store.subscribe({ from: '123:45' })).toThrow(RangeError);
      expect(() => store.subscribe({ from: 'start', batchSize: 0 })).toThrow(TypeError);
    });

    it('answers what needs no server: empty ranges and the checkpoint before everything', async () => {
      await expect(store.readStream('shipment-1', { maxCount: 0 })).resolves.toEqual([]);
      await expect(store.readStream('shipment-1', { fromRevision: 5, toRevision: 3 })).resolves.toEqual([]);
      await expect(store.readAll({ maxCount: 0 })).resolves.toEqual([]);
      await expect(store.checkpointAfter(0)).resolves.toBe('0/0');
      await expect(store.checkpointAfter(-1)).rejects.toThrow(RangeError);
    });
  });
});
