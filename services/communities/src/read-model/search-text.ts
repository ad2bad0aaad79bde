/*
 * Name search must find "Дергачівська" from "дергач", "DERHACHI" or "Derhachivska". The codifier
 * gives Ukrainian names only, so besides the English name (when one was registered) the search
 * text holds the official romanisation of the Ukrainian name (Cabinet of Ministers resolution
 * No. 55 of 2010, the one on Ukrainian road signs and passports): an English-speaking coordinator
 * finds every one of the 1,772 hromadas, not only those registered with an English name.
 */

const LATIN: Readonly<Record<string, string>> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'h',
  ґ: 'g',
  д: 'd',
  е: 'e',
  є: 'ie',
  ж: 'zh',
  з: 'z',
  и: 'y',
  і: 'i',
  ї: 'i',
  й: 'i',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ь: '',
  ю: 'iu',
  я: 'ia',
  "'": '',
};

/** At the start of a word these letters are written with y (Єнакієве -> Yenakiieve). */
const WORD_INITIAL: Readonly<Record<string, string>> = { є: 'ye', ї: 'yi', й: 'y', ю: 'yu', я: 'ya' };

const APOSTROPHES = /[’ʼ‘`´]/g;

/** Lower case (Ukrainian rules), one kind of apostrophe, single spaces: both sides of a search. */
export function normaliseForSearch(text: string): string {
  return text.toLocaleLowerCase('uk').replace(APOSTROPHES, "'").replace(/\s+/g, ' ').trim();
}

/** The official romanisation of a Ukrainian text, in lower case (Прип’ять -> prypiat). */
export function romaniseUkrainian(text: string): string {
  const letters = [...normaliseForSearch(text)];
  let result = '';
  letters.forEach((letter, index) => {
    const previous = letters[index - 1];
    const wordInitial = previous === undefined || !/[\p{L}']/u.test(previous);
    // зг is written zgh, so that it does not read as the zh of ж (Згурівка -> Zghurivka).
    if (letter === 'г' && previous === 'з') result += 'gh';
    else if (wordInitial && WORD_INITIAL[letter] !== undefined) result += WORD_INITIAL[letter];
    else result += LATIN[letter] ?? letter;
  });
  return result;
}

/** What a name search matches against: every name, the romanised Ukrainian one, and the code. */
export function searchTextOf(names: { uk: string; en?: string | null }, katottg?: string | null): string {
  const parts = [names.uk, names.en, romaniseUkrainian(names.uk), katottg]
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .map(normaliseForSearch);
  return [...new Set(parts)].join('\n');
}

/** A LIKE pattern finding the normalised query anywhere, with LIKE's own wildcards taken literally. */
export function containsPattern(query: string): string {
  return `%${normaliseForSearch(query).replace(/[\\%_]/g, (wildcard) => `\\${wildcard}`)}%`;
}
