import { Controller, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ConflictError, NotFoundError, ValidationError } from '@aid/contracts';
import { createTestDatabase, TEST_NATS_URL, type TestDatabase, uniqueName } from '@aid/testing';
import { bootstrapService, type RunningService } from './bootstrap';
import { loadConfig } from './config';
import { currentCorrelationId } from './correlation';
import { RemoteServiceError, ServiceUnavailableError } from './errors';
import { createLogger } from './logging';
import { NatsRequester } from './nats-requester';

// Unique subjects, so parallel runs and a running system never answer these requests.
const prefix = uniqueName('test');
const subjects = {
  echo: `${prefix}.query.echo`,
  notFound: `${prefix}.query.not-found`,
  invalid: `${prefix}.cmd.invalid`,
  conflict: `${prefix}.cmd.conflict`,
  bug: `${prefix}.cmd.bug`,
  nobody: `${prefix}.query.nobody-listens`,
};

@Controller()
class ProbeController {
  @MessagePattern(subjects.echo)
  echo(@Payload() payload: unknown) {
    return { payload, correlationId: currentCorrelationId() };
  }

  @MessagePattern(subjects.notFound)
  notFound(): never {
    throw new NotFoundError('shipment 42 not found', { shipmentId: '42' });
  }

  @MessagePattern(subjects.invalid)
  async invalid(): Promise<never> {
    await Promise.resolve();
    throw new ValidationError('invalid shipment', [{ field: 'items', message: 'must not be empty' }]);
  }

  @MessagePattern(subjects.conflict)
  conflict(): never {
    throw new ConflictError('shipment already sent');
  }

  @MessagePattern(subjects.bug)
  bug(): never {
    throw new TypeError('secret internals: cannot read properties of undefined');
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe('NatsRequester against a service over the real NATS', () => {
  let database: TestDatabase;
  let service: RunningService;
  let requester: NatsRequester;
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('requester');
    service = await bootstrapService({
      name: 'logistics',
      module: ProbeModule,
      queue: uniqueName('probe'),
      config: { ...loadConfig({}), databaseUrl: database.url, natsUrl: TEST_NATS_URL },
      logger: createLogger('logistics', 'info', {
        write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>),
      }),
    });
    requester = new NatsRequester({ natsUrl: TEST_NATS_URL, defaultTimeoutMs: 2000 });
  });

  afterAll(async () => {
    await requester?.close();
    await service?.close();
    await database?.drop();
  });

  it('returns the reply, and the handler sees the correlation id the request carried', async () => {
    const reply = await requester.request(
      subjects.echo,
      { shipmentId: '42' },
      { correlationId: 'corr-echo-1' },
    );

    expect(reply).toEqual({ payload: { shipmentId: '42' }, correlationId: 'corr-echo-1' });
  });

  it('makes up a correlation id for a request without one', async () => {
    const reply = await requester.request<{ correlationId: string }>(subjects.echo);

    expect(reply.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('turns a NotFoundError thrown by the handler back into a NotFoundError with its details', async () => {
    const failure = requester.request(subjects.notFound);

    await expect(failure).rejects.toBeInstanceOf(NotFoundError);
    await expect(failure).rejects.toMatchObject({
      message: 'shipment 42 not found',
      details: { shipmentId: '42' },
    });
  });

  it('turns a ValidationError back into a ValidationError with its fields', async () => {
    const failure = requester.request(subjects.invalid);

    await expect(failure).rejects.toBeInstanceOf(ValidationError);
    await expect(failure).rejects.toMatchObject({
      fields: [{ field: 'items', message: 'must not be empty' }],
    });
  });

  it('turns a ConflictError back into a ConflictError', async () => {
    await expect(requester.request(subjects.conflict)).rejects.toBeInstanceOf(ConflictError);
  });

  it('reports a bug in the handler as RemoteServiceError without leaking its message, and logs it in full', async () => {
    const failure = requester.request(subjects.bug, {}, { correlationId: 'corr-bug-1' });

    await expect(failure).rejects.toBeInstanceOf(RemoteServiceError);
    await expect(failure).rejects.toThrow(`internal error in logistics while handling ${subjects.bug}`);
    await expect(failure).rejects.not.toThrow('secret internals');
    expect(logLines.find((line) => line.correlationId === 'corr-bug-1')).toMatchObject({
      level: 'error',
      outcome: 'failed',
      err: { message: 'secret internals: cannot read properties of undefined' },
    });
  });

  it('logs a refusal as such, with its code', async () => {
    await expect(
      requester.request(subjects.conflict, {}, { correlationId: 'corr-refused-1' }),
    ).rejects.toThrow();

    expect(logLines.find((line) => line.correlationId === 'corr-refused-1')).toMatchObject({
      level: 'info',
      outcome: 'refused',
      errorCode: 'conflict',
      subject: subjects.conflict,
    });
  });

  it('fails with ServiceUnavailableError when nobody listens on the subject', async () => {
    const failure = requester.request(subjects.nobody, {}, { timeoutMs: 1000 });

    await expect(failure).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(failure).rejects.toMatchObject({ subject: subjects.nobody });
  });

  it('fails with ServiceUnavailableError naming the URL when NATS is unreachable', async () => {
    const offline = new NatsRequester({ natsUrl: 'nats://127.0.0.1:1' });
    try {
      await expect(offline.request(subjects.echo)).rejects.toThrow(
        new ServiceUnavailableError(subjects.echo, 'NATS is not reachable at nats://127.0.0.1:1: ').message,
      );
    } finally {
      await offline.close();
    }
  });
});
