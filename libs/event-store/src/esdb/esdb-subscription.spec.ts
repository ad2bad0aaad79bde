import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import {
  AccessDeniedError,
  START,
  UnavailableError,
  type AllStreamResolvedEvent,
  type EventStoreDBClient,
  type Position,
  type ReadPosition,
} from '@eventstore/db-client';
import type { EventBatch, GlobalFilter } from '../port';
import { comparePositions, parseCheckpoint } from './esdb-positions';
import { followAll } from './esdb-subscription';

/*
 * The follower against a stand-in for the client: an in-memory $all whose subscriptions can be told
 * to fail the ways real ones do (an error, an unexpected end, or silence after a keep-alive fault).
 * What EventStoreDB itself does is for the contract suite against a real server.
 */

interface Behaviour {
  /** Deliver this many events, then fail as `then` says. */
  deliver?: number;
  then?: 'silence' | 'error' | 'end';
  error?: Error;
  /** Start at the resume position itself instead of after it. */
  inclusiveStart?: boolean;
}

class FakeSubscription extends PassThrough {
  delivered = 0;
  unsubscribed = false;
  ready = false;

  constructor(
    readonly from: Position | 'start',
    readonly behaviour: Behaviour,
  ) {
    super({ objectMode: true });
  }

  unsubscribe(): Promise<void> {
    this.unsubscribed = true;
    return Promise.resolve();
  }

  offer(event: AllStreamResolvedEvent): void {
    if (this.unsubscribed || this.destroyed) return;
    const limit = this.behaviour.deliver ?? Infinity;
    if (this.delivered >= limit) return;
    this.delivered += 1;
    this.write(event);
    if (this.delivered === limit) this.fail();
  }

  fail(): void {
    if (this.behaviour.then === 'error') {
      setImmediate(() => this.emit('error', this.behaviour.error ?? new UnavailableError()));
    } else if (this.behaviour.then === 'end') {
      setImmediate(() => this.end());
    }
  }
}

class FakeClient {
  readonly log: AllStreamResolvedEvent[] = [];
  readonly subscriptions: FakeSubscription[] = [];
  probes = 0;

  constructor(private readonly behaviours: Behaviour[] = []) {}

  subscribeToAll(options: { fromPosition?: ReadPosition }): FakeSubscription {
    const from =
      options.fromPosition === undefined || options.fromPosition === START
        ? 'start'
        : (options.fromPosition as Position);
    const subscription = new FakeSubscription(from, this.behaviours[this.subscriptions.length] ?? {});
    this.subscriptions.push(subscription);
    setImmediate(() => {
      subscription.ready = true;
      if (subscription.behaviour.deliver === 0) subscription.fail();
      for (const event of this.log) if (this.startsAfter(subscription, event)) subscription.offer(event);
    });
    return subscription;
  }

  readAll(options: { maxCount?: number }): Readable & { cancel(): Promise<void> } {
    this.probes += 1;
    const newestFirst = [...this.log].reverse().slice(0, options.maxCount);
    return Object.assign(Readable.from(newestFirst), { cancel: () => Promise.resolve() });
  }

  append(event: AllStreamResolvedEvent): void {
    this.log.push(event);
    for (const subscription of this.subscriptions) if (subscription.ready) subscription.offer(event);
  }

  private startsAfter(subscription: FakeSubscription, resolved: AllStreamResolvedEvent): boolean {
    if (subscription.from === 'start') return true;
    const order = comparePositions(resolved.event!.position, subscription.from);
    return subscription.behaviour.inclusiveStart ? order >= 0 : order > 0;
  }
}

let lastPosition = 0n;

function stored(stream: string, revision: number, type = 'Step'): AllStreamResolvedEvent {
  lastPosition += 100n;
  return {
    event: {
      streamId: stream,
      id: randomUUID(),
      isJson: true,
      revision: BigInt(revision),
      type,
      created: new Date(),
      data: { revision },
      metadata: {
        occurredAt: '2024-04-01T08:30:00.000Z',
        recordedAt: '2024-04-01T08:30:01.000Z',
        actor: { id: 'test', role: 'admin' },
        correlationId: 'c',
        causationId: null,
        idempotencyKey: null,
        schemaVersion: 1,
        service: 'test',
        hash: 'h'.repeat(64),
        prevHash: 'p'.repeat(64),
      },
      position: { commit: lastPosition, prepare: lastPosition },
    },
  };
}

/** Every follower a test started, so a failing test cannot leave one running. */
const running: Array<{ stop(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((follower) => follower.stop()));
});

function follow(
  client: FakeClient,
  options: { from?: Position | 'start'; filter?: GlobalFilter; batchSize?: number } = {},
) {
  const abort = new AbortController();
  const batches: EventBatch[] = [];
  let failure: Error | undefined;
  const done = (async () => {
    const batchesOf = followAll(client as unknown as EventStoreDBClient, {
      from: options.from ?? 'start',
      filter: options.filter ?? {},
      batchSize: options.batchSize ?? 100,
      signal: abort.signal,
      watchdogMs: 40,
      idleGapMs: 5,
      probeLimit: 50,
    });
    for await (const batch of batchesOf) batches.push(batch);
  })().catch((error: unknown) => {
    failure = error as Error;
  });
  const follower = {
    batches,
    ids: () => batches.flatMap((batch) => batch.events.map((event) => event.id)),
    failure: () => failure,
    async until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (failure) throw failure;
        if (Date.now() > deadline) throw new Error('condition not met in time');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async stop(): Promise<void> {
      abort.abort();
      await done;
    },
  };
  running.push(follower);
  return follower;
}

const idsOf = (events: AllStreamResolvedEvent[]) => events.map((resolved) => resolved.event!.id);

describe('followAll', () => {
  it('catches up in batches, follows live appends, and unsubscribes when aborted', async () => {
    const client = new FakeClient();
    const history = [0, 1, 2, 3, 4].map((revision) => stored('shipment-1', revision));
    history.forEach((event) => client.log.push(event));
    const follower = follow(client, { batchSize: 2 });

    await follower.until(() => follower.ids().length === 5);
    expect(follower.batches.map((batch) => batch.events.length)).toEqual([2, 2, 1]);
    expect(follower.batches[1].checkpoint).toBe(
      `${history[3].event!.position.commit}/${history[3].event!.position.prepare}`,
    );

    const live = stored('shipment-1', 5);
    client.append(live);
    await follower.until(() => follower.ids().length === 6);
    await follower.stop();

    expect(follower.ids()).toEqual(idsOf([...history, live]));
    expect(client.subscriptions).toHaveLength(1);
    expect(client.subscriptions[0].unsubscribed).toBe(true);
    expect(client.subscriptions[0].destroyed).toBe(true);
    expect(follower.failure()).toBeUndefined();
  });

  it('replaces a subscription that went silent while $all has an event for it, repeating and skipping nothing', async () => {
    const client = new FakeClient([{ deliver: 2, then: 'silence' }, { inclusiveStart: true }]);
    const first = [stored('shipment-1', 0), stored('shipment-1', 1)];
    first.forEach((event) => client.log.push(event));
    const follower = follow(client);
    await follower.until(() => follower.ids().length === 2);

    const lost = stored('shipment-1', 2);
    client.append(lost);
    await follower.until(() => follower.ids().length === 3);
    await follower.stop();

    expect(follower.ids()).toEqual(idsOf([...first, lost]));
    expect(client.subscriptions).toHaveLength(2);
    expect(client.subscriptions[0].unsubscribed).toBe(true);
    expect(client.subscriptions[1].from).toEqual(first[1].event!.position);
  });

  it('resubscribes after an error and after an unexpected end', async () => {
    const client = new FakeClient([
      { deliver: 1, then: 'error' },
      { deliver: 1, then: 'end' },
    ]);
    const events = [0, 1, 2, 3].map((revision) => stored('shipment-1', revision));
    events.forEach((event) => client.log.push(event));
    const follower = follow(client);
    await follower.until(() => follower.ids().length === 4);
    await follower.stop();

    expect(follower.ids()).toEqual(idsOf(events));
    expect(client.subscriptions).toHaveLength(3);
    expect(client.subscriptions[2].from).toEqual(events[1].event!.position);
  });

  it('leaves a quiet subscription alone when the newer events of $all are not for it', async () => {
    const client = new FakeClient();
    client.log.push(stored('shipment-1', 0));
    const follower = follow(client, { filter: { streamPrefixes: ['shipment-'] } });
    await follower.until(() => follower.ids().length === 1);
    client.append(stored('community-1', 0));
    client.append(stored('$stats-127.0.0.1:2113', 0, '$statsCollected'));
    await follower.until(() => client.probes >= 3);
    await follower.stop();

    expect(client.subscriptions).toHaveLength(1);
    expect(follower.ids()).toHaveLength(1);
  });

  it('delivers only matching events and never system events', async () => {
    const client = new FakeClient();
    const wanted = stored('shipment-1', 0, 'ShipmentSent');
    client.log.push(stored('$stats-127.0.0.1:2113', 0, '$statsCollected'));
    client.log.push(stored('shipment-1', 1, 'ShipmentPlanned'));
    client.log.push(stored('community-1', 0, 'ShipmentSent'));
    client.log.push(wanted);
    const follower = follow(client, { filter: { streamPrefixes: ['shipment-'], types: ['ShipmentSent'] } });
    await follower.until(() => follower.ids().length === 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await follower.stop();

    expect(follower.ids()).toEqual([wanted.event!.id]);
  });

  it('resumes after a checkpoint without delivering the event it names', async () => {
    const client = new FakeClient([{ inclusiveStart: true }]);
    const events = [0, 1, 2].map((revision) => stored('shipment-1', revision));
    events.forEach((event) => client.log.push(event));
    const checkpoint = `${events[0].event!.position.commit}/${events[0].event!.position.prepare}`;
    const follower = follow(client, { from: parseCheckpoint(checkpoint) });
    await follower.until(() => follower.ids().length === 2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await follower.stop();

    expect(follower.ids()).toEqual(idsOf(events.slice(1)));
  });

  it('hands an error no new subscription can cure to the consumer', async () => {
    const denied = new AccessDeniedError();
    const client = new FakeClient([{ deliver: 0, then: 'error', error: denied }]);
    const follower = follow(client);
    await expect(follower.until(() => false, 2_000)).rejects.toBe(denied);
    await follower.stop();
    expect(client.subscriptions).toHaveLength(1);
    expect(client.subscriptions[0].destroyed).toBe(true);
  });
});
