import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { CommunityCommands } from '../community/community.commands';
import { parseHostilitiesList } from '../importers/hostilities-parser';
import {
  type HostilitiesImportReport,
  ImportRefusedError,
  importHostilities,
} from '../importers/hostilities-import';
import { parseKatottg } from '../importers/katottg-parser';
import {
  type CliIo,
  CliFailure,
  EXIT_OK,
  EXIT_USAGE,
  argumentsOf,
  importIntoStore,
  exitCodeOf,
  formatCount,
  formatRate,
  parseFile,
  processIo,
} from './cli-support';

const USAGE = `usage: npm run import:hostilities -- <list.csv> --katottg <codifier.csv> [--source <text>] [--json]

Records every period of the Ministry's list of territories of hostilities and occupation against
the communities it concerns. The codifier (the edition the communities were imported from) says
which hromadas an oblast or raion row covers and which hromada a settlement belongs to. A second
run appends nothing. --source names the document (default: Order No. 376 and the edition in the
file name); --json prints the report as JSON.`;

/** The document the periods come from, as recorded in every event. */
export function defaultSource(listFile: string): string {
  const edition = /\d{4}-\d{2}-\d{2}/.exec(basename(listFile))?.[0];
  const order = 'Order of the Ministry for Communities and Territories Development No. 376 of 2025-02-28';
  return edition === undefined ? `${order} (${basename(listFile)})` : `${order}, as amended to ${edition}`;
}

export function formatHostilitiesReport(file: string, report: HostilitiesImportReport): string[] {
  const lines = [
    `Hostilities import of ${basename(file)} (${report.source})`,
    `  rows: ${formatCount(report.rows)}, applying to ${formatCount(report.communities)} communities as ` +
      `${formatCount(report.periods)} periods (${formatCount(report.partialPeriods)} partial: a settlement or district of the community)`,
    `  periods recorded: ${formatCount(report.recorded)}`,
    `  already recorded: ${formatCount(report.alreadyRecorded)}`,
    `  rows skipped: ${report.skipped.length}`,
  ];
  for (const row of report.skipped) lines.push(`    line ${row.line} ${row.code} ${row.name}: ${row.reason}`);
  lines.push(`  appended: ${formatRate(report.eventsAppended, report.durationMs)}`);
  return lines;
}

/** The command: returns its exit code. */
export async function runImportHostilities(
  args: string[],
  io: CliIo = processIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return exitCodeOf(io, async () => {
    const parsed = argumentsOf(io, USAGE, () =>
      parseArgs({
        args,
        options: {
          katottg: { type: 'string' },
          source: { type: 'string' },
          json: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
        allowPositionals: true,
      }),
    );
    if (parsed === undefined) return EXIT_USAGE;
    const { values, positionals } = parsed;
    if (values.help === true) {
      io.out(USAGE);
      return EXIT_OK;
    }
    if (positionals.length !== 1 || values.katottg === undefined) {
      io.err(USAGE);
      return EXIT_USAGE;
    }
    const [file] = positionals;
    const rows = parseFile(file, 'list', parseHostilitiesList);
    const codifier = parseFile(values.katottg, 'codifier', parseKatottg);
    const source = values.source?.trim() || defaultSource(file);
    return importIntoStore<HostilitiesImportReport>(
      io,
      env,
      { json: values.json === true, format: (report) => formatHostilitiesReport(file, report) },
      (store) =>
        importHostilities(new CommunityCommands(store), store, codifier, rows, { source }).catch(
          (error: unknown) => {
            if (error instanceof ImportRefusedError)
              throw new CliFailure(`${error.message}\nnothing was imported`);
            throw error;
          },
        ),
    );
  });
}

if (require.main === module) {
  void runImportHostilities(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
