/**
 * Rules of the official codifier of administrative-territorial units (KATOTTG) that the registry
 * relies on: the shape of a code and the ISO 3166-2:UA region a code lies in.
 */
export const KATOTTG_CODE_PATTERN = /^UA\d{17}$/;

export function isKatottgCode(value: unknown): value is string {
  return typeof value === 'string' && KATOTTG_CODE_PATTERN.test(value);
}

/**
 * ISO 3166-2:UA codes of the regions, by the first two digits of a KATOTTG code. The ISO code
 * repeats those digits except for five regions the codifier numbers differently (Luhansk,
 * Chernivtsi, Crimea, Kyiv city, Sevastopol), so the table is written out in full rather than
 * computed: an unknown prefix is then an error instead of an invented region.
 */
const ISO_OBLAST_BY_KATOTTG_PREFIX: Readonly<Record<string, string>> = {
  '01': 'UA-43', // Autonomous Republic of Crimea
  '05': 'UA-05',
  '07': 'UA-07',
  '12': 'UA-12',
  '14': 'UA-14',
  '18': 'UA-18',
  '21': 'UA-21',
  '23': 'UA-23',
  '26': 'UA-26',
  '32': 'UA-32',
  '35': 'UA-35',
  '44': 'UA-09', // Luhansk
  '46': 'UA-46',
  '48': 'UA-48',
  '51': 'UA-51',
  '53': 'UA-53',
  '56': 'UA-56',
  '59': 'UA-59',
  '61': 'UA-61',
  '63': 'UA-63',
  '65': 'UA-65',
  '68': 'UA-68',
  '71': 'UA-71',
  '73': 'UA-77', // Chernivtsi
  '74': 'UA-74',
  '80': 'UA-30', // Kyiv, city with special status
  '85': 'UA-40', // Sevastopol, city with special status
};

/** Every ISO 3166-2:UA region code (24 oblasts, Crimea, Kyiv, Sevastopol). */
export const ISO_3166_2_UA_CODES: readonly string[] = Object.values(ISO_OBLAST_BY_KATOTTG_PREFIX).sort();

/**
 * The ISO 3166-2:UA region of a KATOTTG code, e.g. UA63120070000018741 (Derhachi) -> UA-63;
 * undefined when the value is not a KATOTTG code or its first two digits name no region.
 */
export function isoOblastOf(katottg: string): string | undefined {
  if (!isKatottgCode(katottg)) return undefined;
  return ISO_OBLAST_BY_KATOTTG_PREFIX[katottg.slice(2, 4)];
}
