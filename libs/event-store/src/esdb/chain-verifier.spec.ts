import type { NewEvent, RecordedEvent } from '../port';
import { ChainVerifier } from './chain-verifier';
import { prepareAppend } from './esdb-records';

const RECORDED_AT = '2024-04-02T10:00:00.000Z';
let nextPosition = 1_000;

function step(index: number): NewEvent {
  return {
    id: `00000000-0000-4000-8000-${String(nextPosition + index).padStart(12, '0')}`,
    type: 'Step',
    data: { index },
    metadata: {
      occurredAt: '2024-04-01T08:30:00.000Z',
      actor: { id: 'auditor-test', role: 'admin' },
      correlationId: 'c',
      causationId: null,
      idempotencyKey: null,
      schemaVersion: 1,
      service: 'test',
    },
  };
}

function stored(
  stream: string,
  events: NewEvent[],
  head: { revision: number; hash: string } | null,
): RecordedEvent[] {
  return prepareAppend(stream, events, head, RECORDED_AT).map((event) => {
    nextPosition += 100;
    return { ...event, position: nextPosition, checkpoint: `${nextPosition}/${nextPosition}` };
  });
}

function chain(stream: string, count: number): RecordedEvent[] {
  return stored(
    stream,
    Array.from({ length: count }, (_, index) => step(index)),
    null,
  );
}

function verify(events: RecordedEvent[]) {
  const verifier = new ChainVerifier();
  events.forEach((event) => verifier.add(event));
  return verifier.result();
}

describe('ChainVerifier', () => {
  it('passes intact chains of interleaved streams and counts them', () => {
    const a = chain('shipment-a', 3);
    const b = chain('shipment-b', 2);
    expect(verify([a[0], b[0], a[1], b[1], a[2]])).toEqual({
      ok: true,
      streamsChecked: 2,
      eventsChecked: 5,
      broken: [],
    });
  });

  it('names altered data by its revision and reports only the first break of a stream', () => {
    const a = chain('shipment-a', 4);
    a[1] = { ...a[1], data: { index: 99 } };
    a[3] = { ...a[3], data: { index: 77 } };
    const result = verify([...a, ...chain('shipment-b', 2)]);
    expect(result.ok).toBe(false);
    expect(result.broken).toEqual([
      { stream: 'shipment-a', revision: 1, reason: 'data or metadata altered: hash mismatch' },
    ]);
    expect(result.eventsChecked).toBe(6);
  });

  it('catches altered metadata too', () => {
    const a = chain('shipment-a', 2);
    a[0] = { ...a[0], metadata: { ...a[0].metadata, actor: { id: 'someone-else', role: 'admin' } } };
    expect(verify(a).broken).toEqual([
      { stream: 'shipment-a', revision: 0, reason: 'data or metadata altered: hash mismatch' },
    ]);
  });

  it('names missing revisions', () => {
    const a = chain('shipment-a', 5);
    expect(verify([a[0], a[3], a[4]]).broken).toEqual([
      { stream: 'shipment-a', revision: 1, reason: 'revisions 1 to 2 missing' },
    ]);
    expect(verify([a[1], a[2]]).broken).toEqual([
      { stream: 'shipment-a', revision: 0, reason: 'revision 0 missing' },
    ]);
  });

  it('names a link that points elsewhere: an event replaced by one with a valid hash of its own', () => {
    const a = chain('shipment-a', 3);
    const [forged] = stored('shipment-a', [{ ...step(1), data: { index: 42 } }], {
      revision: 0,
      hash: a[0].hash,
    });
    expect(forged.revision).toBe(1);
    const result = verify([a[0], forged, a[2]]);
    expect(result.broken).toEqual([
      {
        stream: 'shipment-a',
        revision: 2,
        reason: 'prevHash does not match the hash of revision 1: events reordered, replaced or removed',
      },
    ]);
  });

  it('names a first event that does not start from the genesis hash', () => {
    const a = chain('shipment-a', 2);
    expect(verify([{ ...a[0], prevHash: 'f'.repeat(64) }]).broken).toEqual([
      {
        stream: 'shipment-a',
        revision: 0,
        reason: 'prevHash is not the genesis hash: events reordered, replaced or removed',
      },
    ]);
  });

  it('names a revision that appears twice', () => {
    const a = chain('shipment-a', 2);
    expect(verify([a[0], a[1], a[1]]).broken).toEqual([
      { stream: 'shipment-a', revision: 1, reason: 'revision 1 appears twice' },
    ]);
  });

  it('reports an unreadable event as the break of its stream', () => {
    const verifier = new ChainVerifier();
    const a = chain('shipment-a', 2);
    verifier.add(a[0]);
    verifier.addUnreadable('shipment-a', 1, 'not written by the aid ledger event store');
    verifier.add(a[1]);
    expect(verifier.result()).toEqual({
      ok: false,
      streamsChecked: 1,
      eventsChecked: 3,
      broken: [{ stream: 'shipment-a', revision: 1, reason: 'not written by the aid ledger event store' }],
    });
  });

  it('lists broken streams in name order', () => {
    const b = chain('shipment-b', 1);
    const a = chain('shipment-a', 1);
    const result = verify([
      { ...b[0], hash: '0'.repeat(64) },
      { ...a[0], hash: '0'.repeat(64) },
    ]);
    expect(result.broken.map((entry) => entry.stream)).toEqual(['shipment-a', 'shipment-b']);
  });
});
