import { GENESIS_HASH, type RecordedEvent } from '@aid/event-store';
import { toCloudEvent } from '../src';

const shipmentSent: RecordedEvent = {
  id: '0190a4c2-7d1e-7000-8000-00000000abcd',
  type: 'ShipmentSent',
  stream: 'shipment-0190a4c2-7d1e-7000-8000-000000000001',
  revision: 1,
  position: 4711,
  data: { sentAt: '2024-05-01T08:00:00.000Z', totalWeightKg: 1200.5 },
  metadata: {
    occurredAt: '2024-05-01T08:00:00.000Z',
    recordedAt: '2024-05-01T08:03:12.345Z',
    actor: { id: 'key-1', role: 'coordinator' },
    correlationId: 'corr-1',
    causationId: null,
    idempotencyKey: 'idem-1',
    schemaVersion: 1,
    service: 'logistics',
  },
  hash: 'f'.repeat(64),
  prevHash: GENESIS_HASH,
  checkpoint: '1:4711',
};

describe('toCloudEvent', () => {
  it('maps an event to a CloudEvent 1.0 with the store bookkeeping as extensions', () => {
    const json = JSON.parse(JSON.stringify(toCloudEvent(shipmentSent, 'logistics'))) as Record<
      string,
      unknown
    >;
    expect(json).toEqual({
      specversion: '1.0',
      id: shipmentSent.id,
      source: '/aid/logistics',
      type: 'aid.logistics.ShipmentSent.v1',
      subject: shipmentSent.stream,
      time: '2024-05-01T08:00:00.000Z',
      datacontenttype: 'application/json',
      data: { sentAt: '2024-05-01T08:00:00.000Z', totalWeightKg: 1200.5 },
      position: 4711,
      revision: 1,
      recordedat: '2024-05-01T08:03:12.345Z',
      correlationid: 'corr-1',
    });
  });

  it('passes the CloudEvents schema validation', () => {
    expect(toCloudEvent(shipmentSent, 'logistics').validate()).toBe(true);
  });

  it('gives a business day as the start of that day: CloudEvents time must be a date-time', () => {
    const dateOnly = { ...shipmentSent, metadata: { ...shipmentSent.metadata, occurredAt: '2024-05-01' } };
    const cloudEvent = toCloudEvent(dateOnly, 'logistics');
    expect(cloudEvent.time).toBe('2024-05-01T00:00:00.000Z');
    expect(cloudEvent.validate()).toBe(true);
  });

  it('falls back to the record time rather than stop the relay on a malformed business time', () => {
    const malformed = { ...shipmentSent, metadata: { ...shipmentSent.metadata, occurredAt: 'yesterday' } };
    expect(toCloudEvent(malformed, 'logistics').time).toBe(
      new Date(shipmentSent.metadata.recordedAt).toISOString(),
    );
  });

  it('refuses an event without id rather than let the library invent one', () => {
    expect(() => toCloudEvent({ ...shipmentSent, id: '' }, 'logistics')).toThrow(/no id/);
  });
});
