import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Logger } from '@nestjs/common';
import { DomainError } from '@aid/contracts';
import { DependencyUnavailableError, type EventStore } from '@aid/event-store';
import {
  ConfigError,
  loadConfig,
  NatsRequester,
  openEventStore,
  ServiceUnavailableError,
  START_COMMANDS,
} from '@aid/messaging';
import { answerStreamState } from '@aid/projections';
import { COMMUNITIES_STREAM_FOLDERS } from '../services/communities/src/audit/stream-folders';
import { exportLines, verifyExport } from '../services/gateway/src/audit/ledger-export';
import { verifyLedger } from '../services/gateway/src/audit/ledger-verification';
import { replayEveryReadModel } from '../services/gateway/src/audit/read-model-replay';
import { LOGISTICS_STREAM_FOLDERS } from '../services/logistics/src/audit/stream-folders';
import { PARTNERSHIPS_STREAM_FOLDERS } from '../services/partnerships/src/audit/stream-folders';

const USAGE = `Usage: npm run audit -- <command> [options]

  verify                      walk every stream's hash chain, stream heads and global positions
                              (the event store at DATABASE_URL, or EventStoreDB with EVENT_STORE=esdb)
  export [--out <file>]       the whole history as NDJSON with a manifest line (default: standard output)
  verify-export <file>        check an export offline: every hash chain, the digest and the counts
  state <stream> --at <ISO date-time> [--business] | --revision <n>
                              the stream folded with its service's own evolve, up to then
  replay                      rebuild every read model into shadow tables and compare (asks the
                              running services over NATS_URL, as POST /v1/audit/replay does)

verify, verify-export and replay exit 1 when they find a difference; every command exits 2 on bad usage.`;

const EXIT_OK = 0;
const EXIT_FOUND_PROBLEMS = 1;
const EXIT_USAGE = 2;

class UsageError extends Error {}

const ALL_STREAM_FOLDERS = [
  ...COMMUNITIES_STREAM_FOLDERS,
  ...PARTNERSHIPS_STREAM_FOLDERS,
  ...LOGISTICS_STREAM_FOLDERS,
];

function report(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function withStore<T>(work: (store: EventStore) => Promise<T>): Promise<T> {
  const store = await openEventStore(loadConfig());
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function verify(): Promise<number> {
  const result = await withStore((store) => verifyLedger(store));
  report(result);
  const gaps = result.positions.checked ? `, ${result.positions.gapCount} position gap(s)` : '';
  say(
    `${result.ok ? 'ok' : 'BROKEN'}: ${result.eventsChecked} events in ${result.streamsChecked} streams, ` +
      `${result.broken.length} broken stream(s)${gaps}`,
  );
  return result.ok ? EXIT_OK : EXIT_FOUND_PROBLEMS;
}

async function exportHistory(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } }, strict: true });
  const target: Writable = values.out ? createWriteStream(values.out) : process.stdout;
  await withStore(async (store) => {
    let manifest = '';
    const lines = exportLines(store);
    // The manifest is the last chunk; keep a copy for the summary.
    const tapped = (async function* () {
      for await (const chunk of lines) {
        manifest = chunk;
        yield chunk;
      }
    })();
    await pipeline(Readable.from(tapped, { highWaterMark: 1 }), target);
    const { events, sha256 } = (JSON.parse(manifest) as { manifest: { events: number; sha256: string } })
      .manifest;
    say(
      `exported ${events} events${values.out ? ` to ${values.out}` : ''}; sha256 of the event lines ${sha256}`,
    );
  });
  return EXIT_OK;
}

async function verifyExportFile(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('verify-export takes the path of one export file');
  const lines = createInterface({ input: createReadStream(positionals[0]), crlfDelay: Infinity });
  const result = await verifyExport(lines);
  report(result);
  say(
    `${result.ok ? 'ok' : 'BROKEN'}: ${result.events} events in ${result.streamsChecked} streams, ` +
      `${result.broken.length} broken stream(s), ${result.problems.length} other problem(s)`,
  );
  return result.ok ? EXIT_OK : EXIT_FOUND_PROBLEMS;
}

async function state(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { at: { type: 'string' }, revision: { type: 'string' }, business: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new UsageError('state takes one stream, e.g. shipment-<id>');
  const query = {
    stream: positionals[0],
    ...(values.at !== undefined && { at: values.at }),
    ...(values.revision !== undefined && { revision: values.revision }),
    ...(values.business && { timeKind: 'business' }),
  };
  report(await withStore((store) => answerStreamState(store, query, ALL_STREAM_FOLDERS)));
  return EXIT_OK;
}

async function replay(): Promise<number> {
  // Nest's NATS client logs its connection status on standard output, where the report goes.
  Logger.overrideLogger(false);
  const requester = new NatsRequester({ natsUrl: loadConfig().natsUrl, name: 'audit-cli' });
  try {
    const result = await replayEveryReadModel(requester, { id: 'audit-cli', role: 'auditor' });
    report(result);
    const differing = result.tables.filter((table) => !table.identical).map((table) => table.name);
    say(
      result.identical
        ? `identical: ${result.tables.length} tables, ${result.eventsReplayed} events replayed in ${result.durationMs} ms`
        : `DIFFERENT: ${differing.join(', ')}`,
    );
    return result.identical ? EXIT_OK : EXIT_FOUND_PROBLEMS;
  } finally {
    await requester.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'verify':
        return await verify();
      case 'export':
        return await exportHistory(args);
      case 'verify-export':
        return await verifyExportFile(args);
      case 'state':
        return await state(args);
      case 'replay':
        return await replay();
      default:
        throw new UsageError(command === undefined ? 'no command given' : `unknown command: ${command}`);
    }
  } catch (error) {
    // parseArgs throws TypeErrors with a code (ERR_PARSE_ARGS_...) for options it does not know.
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      say(`${error.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    if (error instanceof DomainError) {
      say(`${error.message}${error.details ? `\n${JSON.stringify(error.details)}` : ''}`);
      return error.code === 'validation' ? EXIT_USAGE : EXIT_FOUND_PROBLEMS;
    }
    if (error instanceof ServiceUnavailableError) {
      say(
        `${error.message}: are the services running? Start them with npm start (NATS: ${START_COMMANDS.nats})`,
      );
      return EXIT_FOUND_PROBLEMS;
    }
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      say(`cannot read or write ${(error as NodeJS.ErrnoException).path ?? 'the file'}: ${code}`);
      return EXIT_USAGE;
    }
    if (error instanceof ConfigError || error instanceof DependencyUnavailableError) {
      say(error.message);
      return EXIT_FOUND_PROBLEMS;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      say(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = EXIT_FOUND_PROBLEMS;
    },
  );
}
