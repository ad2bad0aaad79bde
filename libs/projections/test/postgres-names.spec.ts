import { advisoryLockKey, assertIdentifier, quoteIdentifier } from '../src/postgres-names';

describe('PostgreSQL names', () => {
  it('accepts plain lowercase identifiers for schemas', () => {
    expect(assertIdentifier('shipments_shadow_1a2b', 'schema')).toBe('shipments_shadow_1a2b');
    expect(quoteIdentifier('tonnage')).toBe('"tonnage"');
  });

  it.each(['Shipments', 'ship-ments', '1shipments', 'a"; DROP SCHEMA public; --', '', 'x'.repeat(64)])(
    'refuses %j, which would need quoting or could inject DDL',
    (name) => {
      expect(() => assertIdentifier(name, 'schema')).toThrow(/lowercase PostgreSQL identifier/);
    },
  );

  it('derives a stable 32-bit lock key per name', () => {
    expect(advisoryLockKey('shipments')).toBe(advisoryLockKey('shipments'));
    expect(advisoryLockKey('shipments')).not.toBe(advisoryLockKey('tonnage'));
    expect(Number.isInteger(advisoryLockKey('shipments'))).toBe(true);
    expect(Math.abs(advisoryLockKey('shipments'))).toBeLessThan(2 ** 31 + 1);
  });
});
