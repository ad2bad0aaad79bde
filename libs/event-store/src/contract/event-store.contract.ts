import { randomUUID } from 'node:crypto';
import { IdempotencyMismatchError, WrongExpectedRevisionError } from '../errors';
import { canonicalEventText, chainHash, eventIdFor, GENESIS_HASH } from '../hash-chain';
import type {
  EventStore,
  JsonObject,
  LogPage,
  LogQuery,
  NewEvent,
  RecordedEvent,
  SubscribeOptions,
} from '../port';

/**
 * The behaviour every EventStore adapter must show. Adapter-neutral: it uses only the port, and
 * names its streams uniquely so it can run against a shared server. Call it at the top level of
 * an integration test file.
 */
export function describeEventStoreContract(
  adapterName: string,
  setup: () => Promise<{
    store: EventStore;
    /** Another instance on the same database or server, with its own connections (the caller closes it). */
    openAnother(): Promise<EventStore>;
    cleanup(): Promise<void>;
  }>,
): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let store: EventStore;
    let openAnother: () => Promise<EventStore>;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      const adapter = await setup();
      store = adapter.store;
      openAnother = () => adapter.openAnother();
      cleanup = () => adapter.cleanup();
    });

    describe('storeId', () => {
      it('is a UUID, the same at every call and for another instance on the same store', async () => {
        const id = await store.storeId();
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
        expect(await store.storeId()).toBe(id);
        const another = await openAnother();
        try {
          expect(await another.storeId()).toBe(id);
        } finally {
          await another.close();
        }
      });

      it('is not an event: no event of the log holds it', async () => {
        const id = await store.storeId();
        const holding = (await store.readAll()).filter((event) => JSON.stringify(event).includes(id));
        expect(holding).toEqual([]);
      });
    });

    afterAll(async () => {
      await cleanup();
    });

    describe('append with an expected revision', () => {
      it("'no-stream' creates a stream; revisions start at 0 and positions increase", async () => {
        const stream = streamName('shipment');
        const result = await store.append(
          stream,
          [newEvent('ShipmentPlanned'), newEvent('ShipmentSent')],
          'no-stream',
        );
        expect(result).toMatchObject({ stream, revision: 1, appended: true });
        const events = await store.readStream(stream);
        expect(events.map((event) => event.revision)).toEqual([0, 1]);
        expect(events[1].position).toBeGreaterThan(events[0].position);
        expect(result.position).toBe(events[1].position);
        expect(await store.streamRevision(stream)).toBe(1);
      });

      it("'no-stream' on an existing stream is a typed conflict naming stream, expected and actual", async () => {
        const stream = streamName('shipment');
        await store.append(stream, [newEvent('ShipmentPlanned'), newEvent('ShipmentSent')], 'no-stream');
        const error = await failureOf(store.append(stream, [newEvent('ShipmentPlanned')], 'no-stream'));
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ stream, expected: 'no-stream', actual: 1 });
        expect(await store.streamRevision(stream)).toBe(1);
      });

      it('an exact revision appends when it matches and conflicts when it is stale or the stream is missing', async () => {
        const stream = streamName('partnership');
        await store.append(stream, [newEvent('PartnershipProposed')], 'no-stream');
        await expect(store.append(stream, [newEvent('PartnershipApproved')], 0)).resolves.toMatchObject({
          revision: 1,
          appended: true,
        });
        const stale = await failureOf(store.append(stream, [newEvent('MemorandumSigned')], 0));
        expect(stale).toBeInstanceOf(WrongExpectedRevisionError);
        expect(stale).toMatchObject({ stream, expected: '0', actual: 1 });

        const missing = streamName('partnership');
        const absent = await failureOf(store.append(missing, [newEvent('PartnershipApproved')], 0));
        expect(absent).toBeInstanceOf(WrongExpectedRevisionError);
        expect(absent).toMatchObject({ stream: missing, expected: '0', actual: null });
        expect(await store.streamRevision(missing)).toBeNull();
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it("'any' appends to a new stream and to an existing one", async () => {
        const stream = streamName('community');
        await expect(store.append(stream, [newEvent('CommunityRegistered')], 'any')).resolves.toMatchObject({
          revision: 0,
          appended: true,
        });
        await expect(
          store.append(
            stream,
            [newEvent('FrontlineStatusChanged'), newEvent('FrontlineStatusChanged')],
            'any',
          ),
        ).resolves.toMatchObject({ revision: 2, appended: true });
        expect(await store.streamRevision(stream)).toBe(2);
      });
    });

    describe('idempotent append', () => {
      it('a retry with the same event ids appends nothing and returns the first result', async () => {
        const stream = streamName('shipment');
        await store.append(stream, [newEvent('ShipmentPlanned')], 'no-stream');
        const key = randomUUID();
        const command = () => [
          newEvent('ShipmentSent', { kg: 10 }, eventIdFor(stream, key, 0)),
          newEvent('ShipmentDiscrepancyRecorded', { kg: 1 }, eventIdFor(stream, key, 1)),
        ];
        const first = await store.append(stream, command(), 0);
        expect(first).toMatchObject({ stream, revision: 2, appended: true });
        const before = await store.readAll({ streamPrefixes: [stream] });

        const retry = await store.append(stream, command(), 0);
        expect(retry).toEqual({ ...first, appended: false });
        expect(await store.readAll({ streamPrefixes: [stream] })).toEqual(before);
        expect(await store.streamRevision(stream)).toBe(2);
      });

      it('a retry that repeats only some of the ids is an IdempotencyMismatchError', async () => {
        const stream = streamName('shipment');
        const stored = newEvent('ShipmentPlanned');
        await store.append(stream, [stored], 'no-stream');
        const error = await failureOf(store.append(stream, [stored, newEvent('ShipmentSent')], 'no-stream'));
        expect(error).toBeInstanceOf(IdempotencyMismatchError);
        expect(error).toMatchObject({ stream });
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('readStream', () => {
      let stream: string;
      let events: RecordedEvent[];

      beforeAll(async () => {
        stream = streamName('shipment');
        // Separate appends, a little apart, so record times differ.
        for (let revision = 0; revision < 5; revision++) {
          await store.append(
            stream,
            [newEvent('ShipmentActivity', { step: revision })],
            revision - 1 < 0 ? 'no-stream' : revision - 1,
          );
          await sleep(15);
        }
        events = await store.readStream(stream);
      });

      it('reads forwards by default, all of it', () => {
        expect(events.map((event) => event.data.step)).toEqual([0, 1, 2, 3, 4]);
        expect(events.every((event) => event.stream === stream)).toBe(true);
      });

      it('reads backwards', async () => {
        const backwards = await store.readStream(stream, { direction: 'backwards' });
        expect(backwards.map((event) => event.revision)).toEqual([4, 3, 2, 1, 0]);
        expect(backwards.map((event) => event.id)).toEqual([...events].reverse().map((event) => event.id));
      });

      it('honours fromRevision, toRevision and maxCount in both directions', async () => {
        const revisions = async (options: Parameters<EventStore['readStream']>[1]) =>
          (await store.readStream(stream, options)).map((event) => event.revision);
        expect(await revisions({ fromRevision: 2 })).toEqual([2, 3, 4]);
        expect(await revisions({ toRevision: 2 })).toEqual([0, 1, 2]);
        expect(await revisions({ fromRevision: 1, toRevision: 3 })).toEqual([1, 2, 3]);
        expect(await revisions({ fromRevision: 1, maxCount: 2 })).toEqual([1, 2]);
        expect(await revisions({ direction: 'backwards', fromRevision: 3 })).toEqual([3, 2, 1, 0]);
        expect(await revisions({ direction: 'backwards', fromRevision: 3, toRevision: 2 })).toEqual([3, 2]);
        expect(await revisions({ direction: 'backwards', maxCount: 2 })).toEqual([4, 3]);
      });

      it('reads up to a record time', async () => {
        const until = new Date(events[2].metadata.recordedAt);
        const upToThird = await store.readStream(stream, { recordedUntil: until });
        expect(upToThird.map((event) => event.revision)).toEqual([0, 1, 2]);
        const beforeAll = await store.readStream(stream, {
          recordedUntil: new Date(Date.parse(events[0].metadata.recordedAt) - 1),
        });
        expect(beforeAll).toEqual([]);
      });

      it('returns nothing for a stream that does not exist', async () => {
        expect(await store.readStream(streamName('shipment'))).toEqual([]);
        expect(await store.streamRevision(streamName('shipment'))).toBeNull();
      });
    });

    describe('readAll', () => {
      let prefix: string;
      let appended: RecordedEvent[];

      beforeAll(async () => {
        prefix = streamName('readall');
        const planned = `${prefix}-shipment-a`;
        const community = `${prefix}-community-b`;
        await store.append(planned, [newEvent('ShipmentPlanned'), newEvent('ShipmentSent')], 'no-stream');
        await store.append(community, [newEvent('CommunityRegistered')], 'no-stream');
        await store.append(planned, [newEvent('ShipmentReceived')], 1);
        appended = await store.readAll({ streamPrefixes: [prefix] });
      });

      it('returns the global log in position order', () => {
        expect(appended.map((event) => event.type)).toEqual([
          'ShipmentPlanned',
          'ShipmentSent',
          'CommunityRegistered',
          'ShipmentReceived',
        ]);
        const positions = appended.map((event) => event.position);
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
        expect(new Set(positions).size).toBe(positions.length);
      });

      it('starts after a position and stops at maxCount', async () => {
        const after = await store.readAll({ streamPrefixes: [prefix], afterPosition: appended[1].position });
        expect(after.map((event) => event.id)).toEqual(appended.slice(2).map((event) => event.id));
        const firstTwo = await store.readAll({ afterPosition: appended[0].position - 1, maxCount: 2 });
        expect(firstTwo).toHaveLength(2);
        expect(firstTwo[0].id).toBe(appended[0].id);
      });

      it('filters by stream prefix and by event type', async () => {
        const shipments = await store.readAll({ streamPrefixes: [`${prefix}-shipment-`] });
        expect(shipments.map((event) => event.type)).toEqual([
          'ShipmentPlanned',
          'ShipmentSent',
          'ShipmentReceived',
        ]);
        const typed = await store.readAll({
          streamPrefixes: [prefix],
          types: ['CommunityRegistered', 'ShipmentSent'],
        });
        expect(typed.map((event) => event.type)).toEqual(['ShipmentSent', 'CommunityRegistered']);
        const either = await store.readAll({
          streamPrefixes: [`${prefix}-community-`, `${prefix}-shipment-`],
        });
        expect(either).toHaveLength(4);
      });
    });

    describe('subscribe', () => {
      it('catches up, then delivers an event appended after it caught up', async () => {
        const prefix = streamName('live');
        const stream = `${prefix}-shipment`;
        await store.append(stream, [newEvent('ShipmentPlanned'), newEvent('ShipmentSent')], 'no-stream');
        const follower = follow(store, { from: 'start', streamPrefixes: [prefix] });
        try {
          await follower.until(2);
          await store.append(stream, [newEvent('ShipmentReceived')], 1);
          await follower.until(3);
          expect(follower.received.map((event) => event.revision)).toEqual([0, 1, 2]);
          expect(follower.received.map((event) => event.type)).toEqual([
            'ShipmentPlanned',
            'ShipmentSent',
            'ShipmentReceived',
          ]);
        } finally {
          await follower.stop();
        }
      });

      it('applies prefix and type filters', async () => {
        const prefix = streamName('filtered');
        await store.append(
          `${prefix}-shipment-1`,
          [newEvent('ShipmentPlanned'), newEvent('ShipmentSent')],
          'no-stream',
        );
        await store.append(`${prefix}-community-1`, [newEvent('CommunityRegistered')], 'no-stream');
        await store.append(`${prefix}-shipment-2`, [newEvent('ShipmentPlanned')], 'no-stream');
        const sent = follow(store, { from: 'start', streamPrefixes: [prefix], types: ['ShipmentPlanned'] });
        const communities = follow(store, { from: 'start', streamPrefixes: [`${prefix}-community-`] });
        try {
          await sent.until(2);
          await communities.until(1);
          await store.append(`${prefix}-community-1`, [newEvent('FrontlineStatusChanged')], 0);
          await communities.until(2);
          await sleep(150);
          expect(sent.received.map((event) => event.stream)).toEqual([
            `${prefix}-shipment-1`,
            `${prefix}-shipment-2`,
          ]);
          expect(communities.received.map((event) => event.type)).toEqual([
            'CommunityRegistered',
            'FrontlineStatusChanged',
          ]);
        } finally {
          await sent.stop();
          await communities.stop();
        }
      });

      it('resumes from a batch checkpoint with nothing repeated or missed', async () => {
        const prefix = streamName('resume');
        for (let index = 0; index < 7; index++) {
          await store.append(`${prefix}-s${index % 3}`, [newEvent('Step', { index })], 'any');
        }
        const first = follow(store, { from: 'start', streamPrefixes: [prefix], batchSize: 3 });
        let checkpoint: string;
        let delivered: RecordedEvent[];
        try {
          await first.until(3);
          checkpoint = first.checkpoints[0];
          delivered = first.received.slice(0, first.batchSizes[0]);
        } finally {
          await first.stop();
        }
        const rest = follow(store, { from: checkpoint, streamPrefixes: [prefix] });
        try {
          await rest.until(7 - delivered.length);
          await sleep(150);
          const all = [...delivered, ...rest.received].map((event) => Number(event.data.index));
          expect(all.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
          expect(rest.received.map((event) => event.id)).toEqual(
            (await store.readAll({ streamPrefixes: [prefix] }))
              .slice(delivered.length)
              .map((event) => event.id),
          );
        } finally {
          await rest.stop();
        }
      });

      it('resumes after a global position via checkpointAfter', async () => {
        const prefix = streamName('position');
        const stream = `${prefix}-shipment`;
        await store.append(stream, [newEvent('A'), newEvent('B'), newEvent('C'), newEvent('D')], 'no-stream');
        const events = await store.readStream(stream);
        const checkpoint = await store.checkpointAfter(events[1].position);
        const follower = follow(store, { from: checkpoint, streamPrefixes: [prefix] });
        try {
          await follower.until(2);
          await sleep(150);
          expect(follower.received.map((event) => event.type)).toEqual(['C', 'D']);
        } finally {
          await follower.stop();
        }
        // An event's own checkpoint resumes at the same place.
        const again = follow(store, { from: events[1].checkpoint, streamPrefixes: [prefix] });
        try {
          await again.until(2);
          expect(again.received.map((event) => event.type)).toEqual(['C', 'D']);
        } finally {
          await again.stop();
        }
      });

      it('keeps each stream in revision order and ends cleanly when aborted', async () => {
        const prefix = streamName('order');
        const streams = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`];
        await Promise.all(
          streams.map(async (stream) => {
            for (let revision = 0; revision < 10; revision++) {
              await store.append(
                stream,
                [newEvent('Step', { revision })],
                revision === 0 ? 'no-stream' : revision - 1,
              );
            }
          }),
        );
        const follower = follow(store, { from: 'start', streamPrefixes: [prefix], batchSize: 4 });
        await follower.until(30);
        await follower.stop();
        for (const stream of streams) {
          const revisions = follower.received
            .filter((event) => event.stream === stream)
            .map((event) => event.revision);
          expect(revisions).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        }
      });
    });

    describe('subscribe until a checkpoint (replays)', () => {
      it('delivers exactly the events up to the checkpoint, then ends by itself', async () => {
        const prefix = streamName('until');
        for (let index = 0; index < 6; index++) {
          await store.append(`${prefix}-s${index % 2}`, [newEvent('Step', { index })], 'any');
        }
        const all = await store.readAll({ streamPrefixes: [prefix] });
        const delivered = await collect(store, {
          from: 'start',
          streamPrefixes: [prefix],
          until: all[3].checkpoint,
          batchSize: 2,
        });
        expect(delivered.map((event) => event.data.index)).toEqual([0, 1, 2, 3]);
      });

      it('stops at a checkpoint of an event its filter leaves out, and resumes from a checkpoint', async () => {
        const prefix = streamName('until-filtered');
        await store.append(
          `${prefix}-shipment`,
          [newEvent('ShipmentPlanned'), newEvent('ShipmentSent')],
          'no-stream',
        );
        await store.append(`${prefix}-community`, [newEvent('CommunityRegistered')], 'no-stream');
        await store.append(`${prefix}-shipment`, [newEvent('ShipmentReceived')], 1);
        const [planned, , registered] = await store.readAll({ streamPrefixes: [prefix] });
        const shipments = await collect(store, {
          from: 'start',
          streamPrefixes: [`${prefix}-shipment`],
          until: registered.checkpoint,
        });
        expect(shipments.map((event) => event.type)).toEqual(['ShipmentPlanned', 'ShipmentSent']);
        const rest = await collect(store, {
          from: planned.checkpoint,
          streamPrefixes: [prefix],
          until: registered.checkpoint,
        });
        expect(rest.map((event) => event.type)).toEqual(['ShipmentSent', 'CommunityRegistered']);
      });
    });

    describe('readLog (the audit history)', () => {
      const correlationId = randomUUID();
      let stream: string;
      let events: RecordedEvent[];

      beforeAll(async () => {
        stream = streamName('audited');
        const tagged = (type: string, occurredAt: string): NewEvent => {
          const event = newEvent(type);
          return { ...event, metadata: { ...event.metadata, occurredAt, correlationId } };
        };
        await store.append(stream, [tagged('ShipmentPlanned', '2025-03-01T08:00:00.000Z')], 'no-stream');
        await store.append(`${stream}-other`, [newEvent('ShipmentPlanned')], 'no-stream');
        await store.append(stream, [tagged('ShipmentSent', '2025-03-02T08:00:00.000Z')], 0);
        await sleep(20);
        await store.append(stream, [tagged('ShipmentReceived', '2025-03-05T16:00:00.000Z')], 1);
        events = await store.readStream(stream);
        // Like a subscription, readLog shows an event once every transaction older than it has
        // ended (on PostgreSQL, anywhere on the server: other test files' too).
        const deadline = Date.now() + 20_000;
        while ((await store.readLog({ after: 'start', stream, limit: 10 })).events.length < 3) {
          if (Date.now() > deadline) throw new Error('the audited events did not become visible to readLog');
          await sleep(20);
        }
      });

      it('filters by stream, type, correlation id, business time and record time', async () => {
        const types = async (query: Omit<LogQuery, 'after' | 'limit'>) =>
          (await store.readLog({ after: 'start', limit: 100, ...query })).events.map((event) => event.type);

        expect(await types({ stream })).toEqual(['ShipmentPlanned', 'ShipmentSent', 'ShipmentReceived']);
        expect(await types({ correlationId, types: ['ShipmentSent', 'ShipmentReceived'] })).toEqual([
          'ShipmentSent',
          'ShipmentReceived',
        ]);
        expect(
          await types({
            correlationId,
            occurredFrom: new Date('2025-03-02T00:00:00Z'),
            occurredTo: new Date('2025-03-03T00:00:00Z'),
          }),
        ).toEqual(['ShipmentSent']);
        expect(await types({ stream, recordedFrom: new Date(events[2].metadata.recordedAt) })).toEqual([
          'ShipmentReceived',
        ]);
        expect(await types({ stream, recordedTo: new Date(events[1].metadata.recordedAt) })).toEqual([
          'ShipmentPlanned',
          'ShipmentSent',
        ]);
      });

      it('pages with next, also when a page examined too few events to fill itself', async () => {
        const seen: string[] = [];
        let after: string | undefined = 'start';
        let pages = 0;
        while (after !== undefined) {
          const page: LogPage = await store.readLog({ after, correlationId, limit: 2, scanLimit: 3 });
          expect(page.events.length).toBeLessThanOrEqual(2);
          seen.push(...page.events.map((event) => event.id));
          after = page.next;
          pages++;
        }
        expect(seen).toEqual(events.map((event) => event.id));
        expect(pages).toBeGreaterThan(1);
        const afterFirst = await store.readLog({ after: events[0].checkpoint, stream, limit: 1 });
        expect(afterFirst.events.map((event) => event.id)).toEqual([events[1].id]);
        expect(afterFirst.next).toBe(events[1].checkpoint);
      });
    });

    describe('readSnapshot (exports)', () => {
      it('yields every event once, in position order, in batches', async () => {
        const prefix = streamName('snapshot');
        await store.append(`${prefix}-a`, [newEvent('One'), newEvent('Two'), newEvent('Three')], 'no-stream');
        const positions: number[] = [];
        const sizes: number[] = [];
        for await (const batch of store.readSnapshot({ batchSize: 2 })) {
          positions.push(...batch.map((event) => event.position));
          sizes.push(batch.length);
        }
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
        expect(new Set(positions).size).toBe(positions.length);
        expect(Math.max(...sizes)).toBeLessThanOrEqual(2);
        const mine = await store.readStream(`${prefix}-a`);
        for (const event of mine) expect(positions).toContain(event.position);
      });
    });

    describe('hash chain', () => {
      it('links each event to the previous one and hashes the canonical text', async () => {
        const stream = streamName('partnership');
        await store.append(
          stream,
          [newEvent('PartnershipProposed'), newEvent('PartnershipApproved')],
          'no-stream',
        );
        await store.append(stream, [newEvent('MemorandumSigned', { signatories: 2 })], 1);
        const events = await store.readStream(stream);
        expect(events[0].prevHash).toBe(GENESIS_HASH);
        events.forEach((event, index) => {
          if (index > 0) expect(event.prevHash).toBe(events[index - 1].hash);
          const text = canonicalEventText({
            id: event.id,
            type: event.type,
            stream: event.stream,
            revision: event.revision,
            data: event.data,
            metadata: event.metadata,
          });
          expect(event.hash).toBe(chainHash(event.prevHash, text));
          expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
        });
      });

      it('verify passes on an untouched store', async () => {
        const prefix = streamName('verified');
        await store.append(`${prefix}-a`, [newEvent('One'), newEvent('Two')], 'no-stream');
        await store.append(`${prefix}-b`, [newEvent('One')], 'no-stream');
        await store.append(`${prefix}-a`, [newEvent('Three')], 1);
        const result = await store.verify({ streamPrefix: prefix });
        expect(result).toEqual({ ok: true, streamsChecked: 2, eventsChecked: 4, broken: [] });
        const everything = await store.verify();
        expect(everything.ok).toBe(true);
        expect(everything.eventsChecked).toBeGreaterThanOrEqual(4);
      });
    });

    describe('round trips', () => {
      it('keeps metadata as given and sets recordedAt itself', async () => {
        const stream = streamName('organisation');
        const event = newEvent('OrganisationRegistered', { name: 'International Rescue Committee' });
        const claimed = { ...event, metadata: { ...event.metadata, recordedAt: '1999-01-01T00:00:00.000Z' } };
        const before = Date.now();
        await store.append(stream, [claimed], 'no-stream');
        const after = Date.now();
        const [stored] = await store.readStream(stream);
        const { recordedAt, ...rest } = stored.metadata;
        expect(rest).toEqual(event.metadata);
        expect(new Date(recordedAt).toISOString()).toBe(recordedAt);
        expect(Date.parse(recordedAt)).toBeGreaterThanOrEqual(before - 1000);
        expect(Date.parse(recordedAt)).toBeLessThanOrEqual(after + 1000);
        expect(stored.data).toEqual(event.data);
        expect(stored.id).toBe(event.id);
      });

      it('keeps Ukrainian text in stream names, types and data exactly', async () => {
        const stream = streamName('громада-Бучанська');
        const data: JsonObject = {
          name: { uk: 'Бучанська міська територіальна громада', en: 'Bucha' },
          oblast: 'UA-32',
          settlements: ['Буча', 'Ворзель', 'Блиставиця', "Гаврилівка з апострофом: м'ясо, ʼ"],
          note: 'ґ є і ї — «лапки» і емодзі 🇺🇦',
          weights: [0.001, 12.5, 1000000],
        };
        await store.append(stream, [newEvent('ГромадуЗареєстровано', data)], 'no-stream');
        const [stored] = await store.readStream(stream);
        expect(stored.stream).toBe(stream);
        expect(stored.type).toBe('ГромадуЗареєстровано');
        expect(stored.data).toEqual(data);
        const [viaLog] = await store.readAll({ streamPrefixes: [stream] });
        expect(viaLog.data).toEqual(data);
        expect((await store.verify({ streamPrefix: stream })).ok).toBe(true);
      });
    });
  });
}

function streamName(aggregate: string): string {
  return `${aggregate}-${randomUUID()}`;
}

function newEvent(type: string, data: JsonObject = {}, id: string = randomUUID()): NewEvent {
  return {
    id,
    type,
    data,
    metadata: {
      occurredAt: '2024-04-01T08:30:00.000Z',
      actor: { id: 'contract-suite', role: 'admin' },
      correlationId: randomUUID(),
      causationId: null,
      idempotencyKey: null,
      schemaVersion: 1,
      service: 'contract',
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs a subscription in the background and records what it delivers. */
function follow(store: EventStore, options: Omit<SubscribeOptions, 'signal'>) {
  const abort = new AbortController();
  const received: RecordedEvent[] = [];
  const checkpoints: string[] = [];
  const batchSizes: number[] = [];
  let failure: unknown;
  const running = (async () => {
    for await (const batch of store.subscribe({ ...options, signal: abort.signal })) {
      received.push(...batch.events);
      checkpoints.push(batch.checkpoint);
      batchSizes.push(batch.events.length);
    }
  })().catch((error: unknown) => {
    failure = error;
  });
  return {
    received,
    checkpoints,
    batchSizes,
    async until(count: number, timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (failure) throw asError(failure);
        if (Date.now() > deadline) {
          throw new Error(
            `subscription delivered ${received.length} events, expected ${count} within ${timeoutMs} ms`,
          );
        }
        await sleep(5);
      }
    },
    async stop(): Promise<void> {
      abort.abort();
      await running;
      if (failure) throw asError(failure);
    },
  };
}

/** A subscription that must end by itself (it has `until`): everything it delivered. */
async function collect(store: EventStore, options: SubscribeOptions): Promise<RecordedEvent[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 10_000);
  const received: RecordedEvent[] = [];
  try {
    for await (const batch of store.subscribe({ ...options, signal: abort.signal }))
      received.push(...batch.events);
  } finally {
    clearTimeout(timer);
  }
  if (abort.signal.aborted) throw new Error('the subscription did not end by itself within 10 s');
  return received;
}

function asError(failure: unknown): Error {
  return failure instanceof Error ? failure : new Error(String(failure));
}
