import { newAggregateId } from './ids';

describe('newAggregateId', () => {
  it('derives the same id for the same key, caller and command', () => {
    expect(newAggregateId('plan-shipment', 'key-1', 'abc')).toBe(
      newAggregateId('plan-shipment', 'key-1', 'abc'),
    );
  });

  it('derives different ids for another caller, command or key', () => {
    const base = newAggregateId('plan-shipment', 'key-1', 'abc');
    expect(newAggregateId('plan-shipment', 'key-2', 'abc')).not.toBe(base);
    expect(newAggregateId('propose-partnership', 'key-1', 'abc')).not.toBe(base);
    expect(newAggregateId('plan-shipment', 'key-1', 'abd')).not.toBe(base);
  });

  it('makes a fresh time-ordered UUIDv7 without a key', () => {
    const first = newAggregateId('plan-shipment', 'key-1');
    const second = newAggregateId('plan-shipment', 'key-1');
    expect(first).not.toBe(second);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
