import { type HostilitiesCategory } from '@aid/contracts';
import { type HostilitiesListRow } from './hostilities-parser';
import { type KatottgCodifier, type KatottgUnit } from './katottg-parser';

/** A period of the list as it applies to one community (a hromada, Kyiv or Sevastopol). */
export interface CommunityHostilitiesPeriod {
  /** The community's KATOTTG code; its communityId follows from it (communityIdForKatottg). */
  communityKatottg: string;
  category: HostilitiesCategory;
  start: string;
  end?: string;
  /** True when the list named a settlement or city district of the community, not all of it. */
  partial: boolean;
  /** The code the list named: the settlement, the community, or the raion or oblast around it. */
  areaKatottg: string;
  areaName: string;
  /** The line of the list the period comes from. */
  line: number;
}

export interface HostilitiesExpansion {
  periods: CommunityHostilitiesPeriod[];
  /**
   * Rows whose code the codifier does not hold, left out of `periods`. They mean the list and the
   * codifier are editions that do not match; the importer should refuse to import and name them
   * rather than drop a period silently (none with the 2025-05-07 list and 2025-05-16 codifier).
   */
  outsideCodifier: HostilitiesListRow[];
  /**
   * Rows naming a unit that lies in no community: Pripyat and Chornobyl, in the exclusion zone,
   * are listed directly under Kyiv oblast (2 rows of the 2025-05-07 list). There is nothing to
   * record them against; the importer should report them and go on.
   */
  outsideCommunities: HostilitiesListRow[];
}

function push<K, V>(map: Map<K, V[]>, key: K | undefined, value: V): void {
  if (key === undefined) return;
  const values = map.get(key) ?? [];
  values.push(value);
  map.set(key, values);
}

/**
 * Turns the list's rows, named at any level of the codifier, into periods of the communities they
 * concern: an oblast or raion row applies whole to every hromada inside it; a hromada, Kyiv or
 * Sevastopol row to itself; a settlement or city district row to its community, as partial.
 */
export function expandHostilitiesList(
  codifier: KatottgCodifier,
  rows: readonly HostilitiesListRow[],
): HostilitiesExpansion {
  const unitByCode = new Map(codifier.units.map((unit) => [unit.code, unit]));
  const cityCodes = new Set(codifier.citiesWithSpecialStatus.map((city) => city.code));
  const hromadasByOblast = new Map<string, string[]>();
  const hromadasByRaion = new Map<string, string[]>();
  for (const hromada of codifier.hromadas) {
    push(hromadasByOblast, hromada.oblastCode, hromada.code);
    push(hromadasByRaion, hromada.raionCode, hromada.code);
  }

  /** The communities a unit's period applies to, and whether it covers them whole. */
  function communitiesOf(unit: KatottgUnit): { codes: string[]; partial: boolean } {
    switch (unit.category) {
      case 'O':
        return { codes: hromadasByOblast.get(unit.code) ?? [], partial: false };
      case 'P':
        return { codes: hromadasByRaion.get(unit.code) ?? [], partial: false };
      case 'H':
      case 'K':
        return { codes: [unit.code], partial: false };
      case 'M':
      case 'X':
      case 'C':
      case 'B': {
        // A district of Kyiv or Sevastopol lies in no hromada: its community is the city.
        const community = unit.hromadaCode ?? (cityCodes.has(unit.oblastCode) ? unit.oblastCode : undefined);
        return { codes: community === undefined ? [] : [community], partial: true };
      }
    }
  }

  const periods: CommunityHostilitiesPeriod[] = [];
  const outsideCodifier: HostilitiesListRow[] = [];
  const outsideCommunities: HostilitiesListRow[] = [];
  for (const row of rows) {
    const unit = unitByCode.get(row.code);
    if (unit === undefined) {
      outsideCodifier.push(row);
      continue;
    }
    const { codes, partial } = communitiesOf(unit);
    if (codes.length === 0) outsideCommunities.push(row);
    for (const communityKatottg of codes) {
      periods.push({
        communityKatottg,
        category: row.category,
        start: row.start,
        ...(row.end !== undefined && { end: row.end }),
        partial,
        areaKatottg: row.code,
        areaName: row.name,
        line: row.line,
      });
    }
  }
  return { periods, outsideCodifier, outsideCommunities };
}
