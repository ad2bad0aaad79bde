import { communityIdForKatottg, communityStream } from '@aid/contracts';
import { type EventStore } from '@aid/event-store';
import { type CommunityCommands } from '../community/community.commands';
import { forEachConcurrently } from './concurrently';
import { type CommunityHostilitiesPeriod, expandHostilitiesList } from './hostilities-expansion';
import { type HostilitiesListRow } from './hostilities-parser';
import { recordHostilitiesPeriodRequest } from './importer-commands';
import { DEFAULT_IMPORT_CONCURRENCY } from './katottg-import';
import { type KatottgCodifier } from './katottg-parser';

export interface SkippedRow {
  line: number;
  code: string;
  name: string;
  reason: string;
}

export interface HostilitiesImportReport {
  source: string;
  rows: number;
  /** Rows expanded to the communities they concern: a raion or oblast row gives one per hromada. */
  periods: number;
  partialPeriods: number;
  communities: number;
  recorded: number;
  /** Known already (an earlier run, or the same period recorded otherwise): nothing appended. */
  alreadyRecorded: number;
  /** Rows naming a unit that lies in no community (Pripyat, Chornobyl). */
  skipped: SkippedRow[];
  eventsAppended: number;
  durationMs: number;
}

/** The import cannot go ahead as the files stand; nothing was appended. */
export class ImportRefusedError extends Error {
  override readonly name = 'ImportRefusedError';
}

const SHOWN = 10;
const listed = (items: string[]) =>
  items.slice(0, SHOWN).join(', ') + (items.length > SHOWN ? ` and ${items.length - SHOWN} more` : '');

/**
 * Records every period of the Ministry's list against the communities it concerns, through the
 * service's command path. The codifier tells which hromadas an oblast or raion row covers and
 * which hromada a settlement or city district row belongs to; the communities must be registered
 * already (import the same codifier first). Periods of one community are recorded in list order,
 * one after the other (a later one may amend an earlier); different communities at once.
 */
export async function importHostilities(
  commands: CommunityCommands,
  store: EventStore,
  codifier: KatottgCodifier,
  rows: readonly HostilitiesListRow[],
  options: { source: string; concurrency?: number },
): Promise<HostilitiesImportReport> {
  const startedAt = performance.now();
  const concurrency = options.concurrency ?? DEFAULT_IMPORT_CONCURRENCY;
  const { periods, outsideCodifier, outsideCommunities } = expandHostilitiesList(codifier, rows);

  // Checked before anything is appended, so a refused import leaves the store as it was.
  if (outsideCodifier.length > 0) {
    throw new ImportRefusedError(
      `${outsideCodifier.length} rows name codes the codifier does not hold, so the list and the ` +
        `codifier are editions that do not match: ${listed(outsideCodifier.map((row) => `line ${row.line} ${row.code}`))}. ` +
        'Import with the codifier edition the list was written against.',
    );
  }
  const byCommunity = new Map<string, CommunityHostilitiesPeriod[]>();
  for (const period of periods) {
    const ofCommunity = byCommunity.get(period.communityKatottg) ?? [];
    ofCommunity.push(period);
    byCommunity.set(period.communityKatottg, ofCommunity);
  }
  const unregistered: string[] = [];
  await forEachConcurrently([...byCommunity.keys()], concurrency, async (code) => {
    const revision = await store.streamRevision(communityStream(communityIdForKatottg(code)));
    if (revision === null) unregistered.push(code);
  });
  if (unregistered.length > 0) {
    throw new ImportRefusedError(
      `${unregistered.length} communities the list concerns are not registered: ${listed(unregistered.sort())}. ` +
        'Import the codifier first: npm run import:katottg -- <codifier file>.',
    );
  }

  let recorded = 0;
  let alreadyRecorded = 0;
  await forEachConcurrently([...byCommunity.values()], concurrency, async (ofCommunity) => {
    for (const period of ofCommunity) {
      const reply = await commands.recordHostilitiesPeriod(
        recordHostilitiesPeriodRequest(period, options.source),
      );
      if (reply.appended) recorded += 1;
      else alreadyRecorded += 1;
    }
  });

  return {
    source: options.source,
    rows: rows.length,
    periods: periods.length,
    partialPeriods: periods.filter((period) => period.partial).length,
    communities: byCommunity.size,
    recorded,
    alreadyRecorded,
    skipped: outsideCommunities.map((row) => ({
      line: row.line,
      code: row.code,
      name: row.name,
      reason:
        'lies in no territorial community (listed directly under its oblast), so no community can hold the period',
    })),
    eventsAppended: recorded,
    durationMs: Math.round(performance.now() - startedAt),
  };
}
