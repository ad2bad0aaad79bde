import { ValidationError } from '@aid/contracts';
import { runWithCorrelationId } from '@aid/messaging';
import { commandMeta, dataAddressing, refuseAddressedId } from './command-envelope';

const actor = { id: 'key-1', role: 'coordinator' };
const SHIPMENT = '01900000-0000-7000-8000-0000000000a1';

function refusedField(work: () => unknown): string[] {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).fields.map((failing) => failing.field);
  }
  throw new Error('expected a ValidationError');
}

describe('commandMeta', () => {
  it('takes the correlation id of the message being handled', () => {
    const meta = runWithCorrelationId('corr-42', () =>
      commandMeta({ data: {}, meta: { actor, idempotencyKey: 'k-1', expectedRevision: 2 } }),
    );
    expect(meta).toEqual({
      actor,
      correlationId: 'corr-42',
      causationId: null,
      idempotencyKey: 'k-1',
      expectedRevision: 2,
    });
  });

  it('keeps only the id and role of the actor', () => {
    const meta = commandMeta({ meta: { actor: { ...actor, communityIds: ['x'] } } });
    expect(meta.actor).toEqual(actor);
    expect(meta.correlationId).toEqual(expect.any(String));
  });

  it('names the part of the envelope that is wrong', () => {
    expect(refusedField(() => commandMeta(null))).toEqual(['(request)']);
    expect(refusedField(() => commandMeta({ data: {} }))).toEqual(['meta']);
    expect(refusedField(() => commandMeta({ meta: { actor: { id: '', role: 'coordinator' } } }))).toEqual([
      'meta.actor',
    ]);
    expect(refusedField(() => commandMeta({ meta: { actor, idempotencyKey: 42 } }))).toEqual([
      'meta.idempotencyKey',
    ]);
    expect(refusedField(() => commandMeta({ meta: { actor, expectedRevision: 1.5 } }))).toEqual([
      'meta.expectedRevision',
    ]);
    expect(refusedField(() => commandMeta({ meta: { actor, causationId: {} } }))).toEqual([
      'meta.causationId',
    ]);
  });
});

describe('dataAddressing', () => {
  it('puts the addressed shipment into the data', () => {
    expect(dataAddressing({ id: SHIPMENT, data: { reason: 'x' } }, 'shipmentId')).toEqual({
      shipmentId: SHIPMENT,
      reason: 'x',
    });
    expect(dataAddressing({ id: SHIPMENT, data: { shipmentId: SHIPMENT } }, 'shipmentId')).toEqual({
      shipmentId: SHIPMENT,
    });
  });

  it('leaves the data alone when no shipment is addressed, or when it is no object', () => {
    expect(dataAddressing({ data: { shipmentId: SHIPMENT } }, 'shipmentId')).toEqual({
      shipmentId: SHIPMENT,
    });
    expect(dataAddressing({ id: SHIPMENT, data: 'text' }, 'shipmentId')).toBe('text');
  });

  it('refuses a shipmentId that contradicts the addressed shipment', () => {
    expect(
      refusedField(() => dataAddressing({ id: SHIPMENT, data: { shipmentId: 'other' } }, 'shipmentId')),
    ).toEqual(['shipmentId']);
    expect(refusedField(() => dataAddressing({ id: 7, data: {} }, 'shipmentId'))).toEqual(['id']);
  });

  it('refuses an addressed id where the service makes the id', () => {
    expect(refusedField(() => refuseAddressedId({ id: SHIPMENT }))).toEqual(['id']);
    expect(() => refuseAddressedId({})).not.toThrow();
  });
});
