import { type LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { type LogLevel } from './config';

export type { Logger } from 'pino';

/**
 * A JSON-lines logger for one service: every line carries `service`, an ISO time and a
 * textual level, so the lines of four services interleaved in one terminal or log store
 * can still be told apart and filtered. Without a destination, it writes to stdout (see
 * stdoutDestination).
 */
export function createLogger(service: string, level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return pino(options, destination ?? stdoutDestination()).child({ service });
}

const ERROR_LEVEL = 50;

/**
 * stdout, written asynchronously as pino's default destination does (lines that arrive while a
 * write is under way go out together in the next one, and what is left is flushed synchronously
 * when the process exits), except that error and fatal lines are flushed at once (pino.metadata
 * tells the line's level): the last error before a crash, even a SIGKILL, is never lost.
 */
function stdoutDestination(): DestinationStream {
  const stdout = pino.destination({ dest: 1, sync: false });
  const destination = {
    [Symbol.for('pino.metadata')]: true,
    lastLevel: 0,
    write(line: string): void {
      stdout.write(line);
      if (destination.lastLevel >= ERROR_LEVEL) stdout.flushSync();
    },
    flush: (callback?: (error?: Error) => void) => stdout.flush(callback),
    flushSync: () => stdout.flushSync(),
  };
  return destination;
}

/**
 * Lets Nest's own logs (module wiring, route mapping, transport status) go through pino, so
 * they are JSON lines like the rest. Nest passes the logging context as the last string
 * argument, and for errors an optional stack before it.
 */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    // Nest passes `undefined` for a missing stack; it carries nothing.
    const rest = params.filter((param) => param !== undefined);
    const context = rest.length > 0 && typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = {};
    if (context !== undefined) fields.context = context;

    if (message instanceof Error) {
      fields.err = message;
      this.logger[level](fields, message.message);
      return;
    }
    // Nest's Logger.error(message, stack, context) puts the stack second.
    if (level === 'error' && typeof rest[0] === 'string') fields.stack = rest.shift();
    if (rest.length > 0) fields.params = rest;
    if (typeof message === 'string') {
      this.logger[level](fields, message);
    } else {
      this.logger[level]({ ...fields, data: message });
    }
  }
}
