import { createLogger, PinoLoggerService } from './logging';

function capture(level: 'trace' | 'info' | 'warn' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('logistics', level, {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { lines, logger };
}

describe('createLogger', () => {
  it('writes JSON lines with the service, a textual level and an ISO time', () => {
    const { lines, logger } = capture();

    logger.info({ correlationId: 'c-1' }, 'message handled');

    expect(lines).toEqual([
      expect.objectContaining({
        service: 'logistics',
        level: 'info',
        correlationId: 'c-1',
        msg: 'message handled',
      }),
    ]);
    expect(new Date(lines[0].time as string).toISOString()).toBe(lines[0].time);
  });

  it('drops lines below its level', () => {
    const { lines, logger } = capture('warn');

    logger.info('not written');
    logger.warn('written');

    expect(lines.map((line) => line.msg)).toEqual(['written']);
  });
});

describe('PinoLoggerService', () => {
  it("keeps Nest's context as a field", () => {
    const { lines, logger } = capture();

    new PinoLoggerService(logger).log('Nest microservice successfully started', 'NestMicroservice');

    expect(lines[0]).toMatchObject({
      level: 'info',
      context: 'NestMicroservice',
      msg: 'Nest microservice successfully started',
    });
  });

  it('keeps the stack Nest passes to error()', () => {
    const { lines, logger } = capture();

    new PinoLoggerService(logger).error('boom', 'Error: boom\n    at somewhere', 'ExceptionsHandler');

    expect(lines[0]).toMatchObject({
      level: 'error',
      context: 'ExceptionsHandler',
      stack: 'Error: boom\n    at somewhere',
      msg: 'boom',
    });
  });

  it('leaves out the undefined stack Nest passes for errors without one', () => {
    const { lines, logger } = capture();

    new PinoLoggerService(logger).error('listen EADDRINUSE', undefined, 'NestApplication');

    expect(lines[0]).toEqual(
      expect.objectContaining({ level: 'error', context: 'NestApplication', msg: 'listen EADDRINUSE' }),
    );
    expect(lines[0]).not.toHaveProperty('params');
    expect(lines[0]).not.toHaveProperty('stack');
  });

  it('serialises an Error passed as the message', () => {
    const { lines, logger } = capture();

    new PinoLoggerService(logger).error(new Error('connection lost'));

    expect(lines[0]).toMatchObject({
      level: 'error',
      msg: 'connection lost',
      err: { message: 'connection lost' },
    });
  });

  it('maps verbose to trace', () => {
    const { lines, logger } = capture('trace');

    new PinoLoggerService(logger).verbose('details', 'Wiring');

    expect(lines[0]).toMatchObject({ level: 'trace', context: 'Wiring', msg: 'details' });
  });
});
