import { readFileSync } from 'node:fs';
import { type EventStore } from '@aid/event-store';
import {
  type AppConfig,
  ConfigError,
  ensurePostgresDatabase,
  loadConfig,
  newCorrelationId,
  openEventStore,
  runWithCorrelationId,
} from '@aid/messaging';
import { FileFormatError } from '../importers/file-format-error';

/** Where a command writes: the report to `out`, problems to `err`. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export const EXIT_OK = 0;
/** The import failed or was refused: a malformed file, a missing dependency, a refusal. */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** The parsed arguments, or undefined after printing why they cannot be parsed and the usage. */
export function argumentsOf<T>(io: CliIo, usage: string, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return undefined;
  }
}

/** A failure the user can act on: its message is the whole story, no stack needed. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}

export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliFailure(`cannot read the ${what} ${path}: ${reason}`);
  }
}

/** Parses a file; a malformed one stops the command before anything is appended. */
export function parseFile<T>(path: string, what: string, parse: (text: string) => T): T {
  const text = readTextFile(path, what);
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof FileFormatError) {
      throw new CliFailure(
        `${path}:${error.line}: ${error.reason}\nthe ${what} is malformed; nothing was imported`,
      );
    }
    throw error;
  }
}

/**
 * The configured event store (EVENT_STORE, DATABASE_URL, EVENTSTORE_URL), after checking that its
 * database answers: an importer needs nothing else, not NATS and not the services.
 */
export async function openConfiguredStore(env: NodeJS.ProcessEnv): Promise<EventStore> {
  let config: AppConfig;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliFailure(error.message);
    throw error;
  }
  try {
    if (config.eventStore === 'postgres') await ensurePostgresDatabase(config.databaseUrl);
    return await openEventStore(config);
  } catch (error) {
    throw new CliFailure(
      `the event store is unavailable: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Runs an import under one correlation id, so every event of the run can be traced to it. */
export function asOneOperation<T>(work: () => Promise<T>): Promise<T> {
  return runWithCorrelationId(newCorrelationId(), work);
}

/**
 * An import's run: the configured event store opened, the import run under one correlation id,
 * its report printed (one JSON line with --json, else the import's own lines), the store closed.
 */
export async function importIntoStore<TReport>(
  io: CliIo,
  env: NodeJS.ProcessEnv,
  options: { json: boolean; format: (report: TReport) => string[] },
  run: (store: EventStore) => Promise<TReport>,
): Promise<number> {
  const store = await openConfiguredStore(env);
  try {
    const report = await asOneOperation(() => run(store));
    for (const line of options.json ? [JSON.stringify(report)] : options.format(report)) io.out(line);
    return EXIT_OK;
  } finally {
    await store.close();
  }
}

/** Turns what a command throws into its exit code, with the message on `err`. */
export async function exitCodeOf(io: CliIo, command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (error) {
    if (error instanceof CliFailure) {
      io.err(error.message);
      return EXIT_FAILED;
    }
    io.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return EXIT_FAILED;
  }
}

export const formatCount = (value: number): string => value.toLocaleString('en-US');

export function formatRate(events: number, durationMs: number): string {
  if (events === 0 || durationMs === 0) return `${formatCount(events)} events`;
  return `${formatCount(events)} events in ${(durationMs / 1000).toFixed(1)} s (${formatCount(Math.round((events * 1000) / durationMs))} events/s)`;
}
