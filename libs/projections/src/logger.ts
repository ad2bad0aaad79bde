import { pino, type Logger } from 'pino';

let shared: Logger | null = null;

/** One process-wide pino logger for callers that pass none; LOG_LEVEL sets its level (default info). */
export function defaultLogger(): Logger {
  shared ??= pino({ name: 'aid', level: process.env.LOG_LEVEL ?? 'info' });
  return shared;
}
