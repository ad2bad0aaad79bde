import { ConflictError } from '@aid/contracts';
import { type CommunityCommands } from '../community/community.commands';
import { forEachConcurrently } from './concurrently';
import { registerCommunityRequest } from './importer-commands';
import { type CodifierCommunity, type KatottgCodifier } from './katottg-parser';

const CRIMEA_ISO = 'UA-43';
export const DEFAULT_IMPORT_CONCURRENCY = 8;

export interface CodifierUnitRef {
  line: number;
  code: string;
  name: string;
}

export interface KatottgImportReport {
  /** Hromadas plus Kyiv and Sevastopol: every territorial community of the codifier. */
  communities: number;
  hromadas: number;
  hromadasOutsideCrimea: number;
  citiesWithSpecialStatus: CodifierUnitRef[];
  settlements: number;
  /** City districts (B) are parts of a city, not settlements: no community lists them. */
  cityDistricts: number;
  /** Settlements that lie in no community (Pripyat and Chornobyl): registered nowhere. */
  outsideCommunities: CodifierUnitRef[];
  registered: number;
  /** Registered by an earlier run of this import: nothing appended. */
  alreadyImported: number;
  /** Registered before through another path (the API): left as they are. */
  registeredOtherwise: CodifierUnitRef[];
  eventsAppended: number;
  durationMs: number;
}

const refOf = (unit: { line: number; code: string; name: string }): CodifierUnitRef => ({
  line: unit.line,
  code: unit.code,
  name: unit.name,
});

/**
 * Registers every territorial community of the codifier (the hromadas, Kyiv and Sevastopol) with
 * its settlements, each through the service's command path under an idempotency key of its row.
 * Communities are independent streams, so several are registered at once.
 */
export async function importKatottg(
  commands: CommunityCommands,
  codifier: KatottgCodifier,
  options: { concurrency?: number } = {},
): Promise<KatottgImportReport> {
  const startedAt = performance.now();
  const communities: CodifierCommunity[] = [...codifier.hromadas, ...codifier.citiesWithSpecialStatus];
  let registered = 0;
  let alreadyImported = 0;
  const registeredOtherwise: CodifierUnitRef[] = [];

  await forEachConcurrently(
    communities,
    options.concurrency ?? DEFAULT_IMPORT_CONCURRENCY,
    async (community) => {
      try {
        const reply = await commands.registerCommunity(registerCommunityRequest(community));
        if (reply.appended) registered += 1;
        else alreadyImported += 1;
      } catch (error) {
        // The code is registered, but not by this import: someone registered it through the API.
        if (!(error instanceof ConflictError)) throw error;
        registeredOtherwise.push(refOf(community));
      }
    },
  );

  return {
    communities: communities.length,
    hromadas: codifier.hromadas.length,
    hromadasOutsideCrimea: codifier.hromadas.filter((hromada) => hromada.isoOblast !== CRIMEA_ISO).length,
    citiesWithSpecialStatus: codifier.citiesWithSpecialStatus.map(refOf),
    settlements: communities.reduce((sum, community) => sum + community.settlements.length, 0),
    cityDistricts: codifier.units.filter((unit) => unit.category === 'B').length,
    outsideCommunities: codifier.units
      .filter((unit) => ['M', 'X', 'C'].includes(unit.category) && unit.hromadaCode === undefined)
      .map(refOf),
    registered,
    alreadyImported,
    registeredOtherwise: registeredOtherwise.sort((a, b) => a.line - b.line),
    eventsAppended: registered,
    durationMs: Math.round(performance.now() - startedAt),
  };
}
