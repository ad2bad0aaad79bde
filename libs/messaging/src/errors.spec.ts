import { ConflictError, NotFoundError, ValidationError } from '@aid/contracts';
import { errorFromReply, RemoteDomainError, RemoteServiceError, toErrorReply } from './errors';

describe('error replies', () => {
  it('round-trips a validation error with its failing fields', () => {
    const original = new ValidationError('bad shipment', [
      { field: 'items[0].weightKg', message: 'must be positive' },
    ]);

    const restored = errorFromReply(
      'logistics.cmd.plan-shipment',
      JSON.parse(JSON.stringify(toErrorReply(original))),
    );

    expect(restored).toBeInstanceOf(ValidationError);
    expect(restored.message).toBe('bad shipment');
    expect((restored as ValidationError).fields).toEqual([
      { field: 'items[0].weightKg', message: 'must be positive' },
    ]);
  });

  it.each([
    ['not-found', NotFoundError],
    ['conflict', ConflictError],
    ['rate-limited', RemoteDomainError],
  ] as const)('maps code %s to %p', (code, type) => {
    const error = errorFromReply('s', { code, message: 'refused', details: { stream: 'shipment-1' } });

    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code, message: 'refused', details: { stream: 'shipment-1' } });
  });

  it.each([
    ['an internal failure', { code: 'internal', message: 'internal error in logistics' }],
    ["Nest's default error", { status: 'error', message: 'Internal server error' }],
    ['a bare string', 'There is no matching message handler defined in the remote service.'],
    ['nothing', null],
  ])('maps %s to RemoteServiceError naming the subject', (_, reply) => {
    const error = errorFromReply('logistics.query.health', reply);

    expect(error).toBeInstanceOf(RemoteServiceError);
    expect(error.message).toMatch(/^logistics\.query\.health: /);
  });
});
