import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  BACKWARDS,
  START,
  type AllStreamResolvedEvent,
  type EventStoreDBClient,
  type Position,
  type ReadPosition,
} from '@eventstore/db-client';
import type { EventBatch, RecordedEvent } from '../port';
import { positionsNotChecked, readLogPage, readSnapshotBatches, readUntil } from './esdb-audit-reads';
import { comparePositions, formatCheckpoint } from './esdb-positions';

/*
 * The audit reads against a stand-in for the client's reads of $all (inclusive of the position
 * they start at, as EventStoreDB's are), with a system event in the log. What the server itself
 * does is for the contract suite against a real EventStoreDB.
 */

class FakeLog {
  readonly events: AllStreamResolvedEvent[] = [];
  private position = 0n;

  add(stream: string, type: string, correlationId = 'c', system = false): void {
    this.position += 100n;
    const revision = this.events.filter((resolved) => resolved.event!.streamId === stream).length;
    this.events.push({
      event: {
        streamId: system ? `$${stream}` : stream,
        id: randomUUID(),
        isJson: true,
        revision: BigInt(revision),
        type: system ? `$${type}` : type,
        created: new Date(),
        data: { n: this.events.length },
        metadata: {
          occurredAt: '2024-04-01T08:30:00.000Z',
          recordedAt: '2024-04-01T08:30:01.000Z',
          actor: { id: 'test', role: 'admin' },
          correlationId,
          causationId: null,
          idempotencyKey: null,
          schemaVersion: 1,
          service: 'test',
          hash: 'h'.repeat(64),
          prevHash: 'p'.repeat(64),
        },
        position: { commit: this.position, prepare: this.position },
      },
    });
  }

  get client(): EventStoreDBClient {
    return {
      readAll: (options: { direction?: unknown; fromPosition?: ReadPosition; maxCount?: number }) => {
        const from = options.fromPosition;
        const events =
          options.direction === BACKWARDS
            ? [...this.events].reverse()
            : this.events.filter(
                (resolved) =>
                  from === undefined ||
                  from === START ||
                  comparePositions(resolved.event!.position, from as Position) >= 0,
              );
        return Object.assign(Readable.from(events.slice(0, options.maxCount)), {
          cancel: () => Promise.resolve(),
        });
      },
    } as unknown as EventStoreDBClient;
  }
}

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

const typesOf = (events: RecordedEvent[]) => events.map((event) => event.type);

describe('EventStoreDB audit reads', () => {
  const log = new FakeLog();
  log.add('shipment-1', 'ShipmentPlanned', 'story');
  log.add('stats', 'statsCollected', 'c', true);
  log.add('community-1', 'CommunityRegistered');
  log.add('shipment-1', 'ShipmentSent', 'story');
  log.add('shipment-2', 'ShipmentPlanned');
  log.add('shipment-1', 'ShipmentReceived', 'story');
  const checkpointOf = (index: number) => formatCheckpoint(log.events[index].event!.position);

  it('subscribes until a checkpoint: the filtered events up to it, in batches, then ends', async () => {
    const batches: EventBatch[] = await all(
      readUntil(log.client, {
        from: 'start',
        until: checkpointOf(4),
        filter: { streamPrefixes: ['shipment-'] },
        batchSize: 2,
        signal: new AbortController().signal,
      }),
    );
    expect(batches.map((batch) => typesOf(batch.events))).toEqual([
      ['ShipmentPlanned', 'ShipmentSent'],
      ['ShipmentPlanned'],
    ]);
    expect(batches[1].checkpoint).toBe(checkpointOf(4));

    const after = await all(
      readUntil(log.client, {
        from: checkpointOf(0),
        until: checkpointOf(3),
        filter: {},
        batchSize: 10,
        signal: new AbortController().signal,
      }),
    );
    expect(after.flatMap((batch) => typesOf(batch.events))).toEqual(['CommunityRegistered', 'ShipmentSent']);
  });

  it('pages the log with filters, a scan limit and next', async () => {
    const first = await readLogPage(log.client, { after: 'start', correlationId: 'story', limit: 2 });
    expect(typesOf(first.events)).toEqual(['ShipmentPlanned', 'ShipmentSent']);
    expect(first.next).toBe(checkpointOf(3));
    const second = await readLogPage(log.client, { after: first.next!, correlationId: 'story', limit: 2 });
    expect(typesOf(second.events)).toEqual(['ShipmentReceived']);
    expect(second.next).toBeUndefined();

    const short = await readLogPage(log.client, {
      after: 'start',
      stream: 'shipment-2',
      limit: 5,
      scanLimit: 2,
    });
    expect(short.events).toEqual([]);
    expect(short.next).toBe(checkpointOf(2));
  });

  it('exports every event of the ledger up to the newest one, in batches, and checks no positions', async () => {
    const batches = await all(readSnapshotBatches(log.client, 2));
    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
    expect(batches.flat().map((event) => event.stream)).not.toContain('$stats');
    expect(positionsNotChecked()).toMatchObject({
      checked: false,
      note: expect.stringContaining('EventStoreDB'),
    });
  });
});
