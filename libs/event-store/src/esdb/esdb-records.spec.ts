import type { EventData, RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import { GENESIS_HASH, canonicalEventText, chainHash } from '../hash-chain';
import type { NewEvent } from '../port';
import {
  fromEsdbRecord,
  isSystemEvent,
  matchesFilter,
  normalizeFilter,
  prepareAppend,
  serverFilter,
  toEventData,
} from './esdb-records';

const STREAM = 'shipment-0190f3a0-7d1c-7cc3-9a39-1b2c3d4e5f60';
const RECORDED_AT = '2024-04-02T10:00:00.000Z';

function newEvent(id: string, type: string, data: NewEvent['data'] = {}): NewEvent {
  return {
    id,
    type,
    data,
    metadata: {
      occurredAt: '2024-04-01T08:30:00.000Z',
      actor: { id: 'key-1', role: 'coordinator' },
      correlationId: 'c0ffee00-0000-4000-8000-000000000001',
      causationId: null,
      idempotencyKey: 'dispatch-17',
      schemaVersion: 1,
      service: 'logistics',
    },
  };
}

/** What the client hands back for an event the server stored from `data`: JSON parsed from bytes. */
function storedAs(data: EventData, revision: number, commit: bigint, prepare = commit): EsdbRecordedEvent {
  return {
    streamId: STREAM,
    id: data.id,
    isJson: true,
    revision: BigInt(revision),
    type: data.type,
    created: new Date(RECORDED_AT),
    data: JSON.parse(JSON.stringify(data.data)) as Record<string, unknown>,
    metadata: JSON.parse(JSON.stringify(data.metadata)) as Record<string, unknown>,
    position: { commit, prepare },
  };
}

const events = [
  newEvent('11111111-1111-4111-8111-111111111111', 'ShipmentSent', {
    totalWeightKg: '1250.500',
    carrier: 'Нова пошта',
  }),
  newEvent('22222222-2222-4222-8222-222222222222', 'ShipmentDiscrepancyRecorded', {
    itemIndex: 0,
    reason: 'short',
  }),
];

describe('prepareAppend', () => {
  it('numbers a new stream from 0 and links its first event to the genesis hash', () => {
    const prepared = prepareAppend(STREAM, events, null, RECORDED_AT);
    expect(prepared.map((event) => event.revision)).toEqual([0, 1]);
    expect(prepared[0].prevHash).toBe(GENESIS_HASH);
    expect(prepared[1].prevHash).toBe(prepared[0].hash);
  });

  it('continues after the head and hashes the canonical text of each event', () => {
    const head = { revision: 6, hash: 'a'.repeat(64) };
    const prepared = prepareAppend(STREAM, events, head, RECORDED_AT);
    expect(prepared.map((event) => event.revision)).toEqual([7, 8]);
    expect(prepared[0].prevHash).toBe(head.hash);
    for (const event of prepared) {
      const { hash, prevHash, ...content } = event;
      expect(hash).toBe(chainHash(prevHash, canonicalEventText(content)));
    }
  });

  it('sets recordedAt itself, over whatever the caller claimed', () => {
    const claimed = {
      ...events[0],
      metadata: { ...events[0].metadata, recordedAt: '1999-01-01T00:00:00.000Z' },
    };
    const [prepared] = prepareAppend(STREAM, [claimed], null, RECORDED_AT);
    expect(prepared.metadata.recordedAt).toBe(RECORDED_AT);
    expect(prepared.metadata.actor).toEqual({ id: 'key-1', role: 'coordinator' });
  });
});

describe('event <-> EventStoreDB record', () => {
  it('stores JSON data and our metadata plus the two hashes', () => {
    const [prepared] = prepareAppend(STREAM, events, null, RECORDED_AT);
    const data = toEventData(prepared);
    expect(data).toMatchObject({ id: prepared.id, type: 'ShipmentSent', contentType: 'application/json' });
    expect(data.data).toEqual(events[0].data);
    expect(data.metadata).toEqual({
      ...events[0].metadata,
      recordedAt: RECORDED_AT,
      hash: prepared.hash,
      prevHash: GENESIS_HASH,
    });
  });

  it('reads a stored record back into the same event, whose hash still verifies', () => {
    const prepared = prepareAppend(STREAM, events, { revision: 2, hash: 'b'.repeat(64) }, RECORDED_AT);
    const read = prepared.map((event, index) =>
      fromEsdbRecord(storedAs(toEventData(event), event.revision, 4_000n + BigInt(index) * 150n)),
    );
    expect(read[1]).toEqual({
      id: prepared[1].id,
      type: 'ShipmentDiscrepancyRecorded',
      stream: STREAM,
      revision: 4,
      position: 4_150,
      data: { itemIndex: 0, reason: 'short' },
      metadata: { ...events[1].metadata, recordedAt: RECORDED_AT },
      hash: prepared[1].hash,
      prevHash: prepared[0].hash,
      checkpoint: '4150/4150',
    });
    for (const event of read) {
      const text = canonicalEventText({ ...event });
      expect(chainHash(event.prevHash, text)).toBe(event.hash);
    }
  });

  it('keeps both halves of the position in the checkpoint', () => {
    const [prepared] = prepareAppend(STREAM, events, null, RECORDED_AT);
    const event = fromEsdbRecord(storedAs(toEventData(prepared), 0, 9_000n, 8_800n));
    expect(event.position).toBe(9_000);
    expect(event.checkpoint).toBe('9000/8800');
  });

  it('refuses records this store did not write', () => {
    const [prepared] = prepareAppend(STREAM, events, null, RECORDED_AT);
    const good = storedAs(toEventData(prepared), 0, 500n);
    expect(() => fromEsdbRecord({ ...good, metadata: { occurredAt: 'x' } })).toThrow(
      /no hash chain metadata/,
    );
    expect(() => fromEsdbRecord({ ...good, metadata: undefined })).toThrow(/no hash chain metadata/);
    expect(() => fromEsdbRecord({ ...good, isJson: false, data: new Uint8Array([1]) })).toThrow(
      /not a JSON object event/,
    );
    expect(() => fromEsdbRecord({ ...good, data: [1, 2] } as EsdbRecordedEvent)).toThrow(
      /not a JSON object event/,
    );
  });

  it('refuses a record whose $all position the server did not send', () => {
    const [prepared] = prepareAppend(STREAM, events, null, RECORDED_AT);
    const good = storedAs(toEventData(prepared), 0, 500n);
    expect(() => fromEsdbRecord({ ...good, position: undefined })).toThrow(/without its \$all position/);
    expect(() => fromEsdbRecord({ ...good, position: { commit: 0n, prepare: 0n } })).toThrow(
      /without its \$all position/,
    );
    const unknown = 2n ** 64n - 1n;
    expect(() => fromEsdbRecord({ ...good, position: { commit: unknown, prepare: unknown } })).toThrow(
      /without its \$all position/,
    );
  });

  it('refuses revisions a number cannot hold', () => {
    const [prepared] = prepareAppend(STREAM, events, null, RECORDED_AT);
    const huge = { ...storedAs(toEventData(prepared), 0, 500n), revision: 2n ** 60n };
    expect(() => fromEsdbRecord(huge)).toThrow(RangeError);
  });
});

describe('system events and filters', () => {
  it("treats EventStoreDB's own streams and event types as system events", () => {
    expect(isSystemEvent({ streamId: '$stats-127.0.0.1:2113', type: '$statsCollected' })).toBe(true);
    expect(isSystemEvent({ streamId: '$$shipment-1', type: '$metadata' })).toBe(true);
    expect(isSystemEvent({ streamId: '$ce-shipment', type: '$>' })).toBe(true);
    expect(isSystemEvent({ streamId: 'shipment-1', type: '$>' })).toBe(true);
    expect(isSystemEvent({ streamId: 'shipment-1', type: 'ShipmentSent' })).toBe(false);
  });

  it('matches any of the prefixes and exactly one of the types, both when both are given', () => {
    const filter = { streamPrefixes: ['shipment-', 'community-'], types: ['ShipmentSent'] };
    expect(matchesFilter(filter, { streamId: 'shipment-1', type: 'ShipmentSent' })).toBe(true);
    expect(matchesFilter(filter, { streamId: 'community-1', type: 'ShipmentSent' })).toBe(true);
    expect(matchesFilter(filter, { streamId: 'partnership-1', type: 'ShipmentSent' })).toBe(false);
    expect(matchesFilter(filter, { streamId: 'shipment-1', type: 'ShipmentSentCorrected' })).toBe(false);
    expect(matchesFilter({}, { streamId: 'anything', type: 'Anything' })).toBe(true);
  });

  it('treats empty lists as no constraint', () => {
    expect(normalizeFilter({ streamPrefixes: [], types: [] })).toEqual({
      streamPrefixes: undefined,
      types: undefined,
    });
    expect(matchesFilter({ streamPrefixes: [], types: [] }, { streamId: 'a', type: 'B' })).toBe(true);
  });

  it('sends stream prefixes to the server when given', () => {
    const filter = serverFilter({ streamPrefixes: ['shipment-'], types: ['ShipmentSent'] });
    expect(filter).toMatchObject({ filterOn: 'streamName', prefixes: ['shipment-'] });
  });

  it('sends exact event types to the server as an anchored, escaped regex', () => {
    const filter = serverFilter({ types: ['ShipmentSent', 'Odd.Type(1)'] });
    expect(filter).toMatchObject({ filterOn: 'eventType' });
    const regex = new RegExp('regex' in filter ? filter.regex : '');
    expect(regex.test('ShipmentSent')).toBe(true);
    expect(regex.test('Odd.Type(1)')).toBe(true);
    expect(regex.test('ShipmentSentCorrected')).toBe(false);
    expect(regex.test('OddXType(1)')).toBe(false);
  });

  it('still keeps system events out when nothing else is filtered', () => {
    const filter = serverFilter({});
    expect(filter).toMatchObject({ filterOn: 'eventType' });
    const regex = new RegExp('regex' in filter ? filter.regex : '');
    expect(regex.test('$statsCollected')).toBe(false);
    expect(regex.test('ShipmentSent')).toBe(true);
  });
});
