import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { CommunityCommands } from '../community/community.commands';
import { importKatottg, type KatottgImportReport } from '../importers/katottg-import';
import { parseKatottg } from '../importers/katottg-parser';
import {
  type CliIo,
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

const USAGE = `usage: npm run import:katottg -- <codifier.csv> [--json]

Registers every territorial community of the official KATOTTG codifier (the hromadas, Kyiv and
Sevastopol) with its settlements. A second run appends nothing. Reads DATABASE_URL and
EVENT_STORE (see README.md); --json prints the report as JSON.`;

export function formatKatottgReport(file: string, report: KatottgImportReport): string[] {
  const lines = [
    `KATOTTG import of ${basename(file)}`,
    `  communities in the codifier: ${formatCount(report.communities)} = ${formatCount(report.hromadas)} hromadas ` +
      `(${formatCount(report.hromadasOutsideCrimea)} outside Crimea) + ${report.citiesWithSpecialStatus.length} cities ` +
      `with special status (${report.citiesWithSpecialStatus.map((city) => city.name).join(', ')})`,
    `  registered: ${formatCount(report.registered)}`,
    `  already present: ${formatCount(report.alreadyImported + report.registeredOtherwise.length)} ` +
      `(${formatCount(report.alreadyImported)} by an earlier import, ${report.registeredOtherwise.length} registered otherwise)`,
  ];
  for (const unit of report.registeredOtherwise) {
    lines.push(`    line ${unit.line} ${unit.code} ${unit.name}: registered otherwise, left as it is`);
  }
  lines.push(
    `  settlements: ${formatCount(report.settlements)} listed in their communities; ` +
      `${formatCount(report.cityDistricts)} city districts are parts of cities, not settlements`,
  );
  for (const unit of report.outsideCommunities) {
    lines.push(
      `  outside any community: line ${unit.line} ${unit.code} ${unit.name} (listed directly under its oblast)`,
    );
  }
  lines.push(`  appended: ${formatRate(report.eventsAppended, report.durationMs)}`);
  return lines;
}

/** The command: returns its exit code. */
export async function runImportKatottg(
  args: string[],
  io: CliIo = processIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return exitCodeOf(io, async () => {
    const parsed = argumentsOf(io, USAGE, () =>
      parseArgs({
        args,
        options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
        allowPositionals: true,
      }),
    );
    if (parsed === undefined) return EXIT_USAGE;
    const { values, positionals } = parsed;
    if (values.help === true) {
      io.out(USAGE);
      return EXIT_OK;
    }
    if (positionals.length !== 1) {
      io.err(USAGE);
      return EXIT_USAGE;
    }
    const [file] = positionals;
    const codifier = parseFile(file, 'codifier', parseKatottg);
    return importIntoStore<KatottgImportReport>(
      io,
      env,
      { json: values.json === true, format: (report) => formatKatottgReport(file, report) },
      (store) => importKatottg(new CommunityCommands(store), codifier),
    );
  });
}

if (require.main === module) {
  void runImportKatottg(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
