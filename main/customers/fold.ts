/**
 * Folding for name search: one function applied alike to what is indexed and to what staff type, so
 * every spelling of a German name meets in one form: Müller = Mueller = Muller = MÜLLER -> "muller",
 * Straße = Strasse = Strase -> "strase", Çelik = Celik -> "celik", Šimić -> "simic".
 *
 * The rule, in order:
 *  1. lower case (German rules), ß -> ss, and letters that are not "letter + accent" spelled out
 *     (æ -> ae, ø -> o, ł -> l, đ -> d, ı -> i, þ -> th);
 *  2. accents stripped (NFD, combining marks dropped): é -> e, ç -> c, š -> s, ä -> a, ü -> u;
 *  3. the transliteration digraphs reduced everywhere: ae -> a, oe -> o, ue -> u, ss -> s.
 *
 * Step 3 also reduces spellings that are no umlaut at all (Michael -> michal, Manuel -> manul,
 * Joel -> jol, Russ -> rus). Because the index and the query are folded by the same function that
 * costs no hits, only the odd extra one (Michal also finds Michael), which beats missing "Mueller"
 * when the file says "Müller". Telling a real "ue" from a transliterated one needs a dictionary.
 *
 * Prefix-safe: the fold of what has been typed so far is always a prefix of the fold of the whole
 * word (each digraph keeps its first letter), so search as you type works ("Mue" -> "mu").
 */

const SPELLED_OUT: Record<string, string> = {
  ß: 'ss',
  ẞ: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  ı: 'i',
  þ: 'th',
  ŋ: 'n',
  ħ: 'h',
};
const SPELLED_OUT_RE = new RegExp(`[${Object.keys(SPELLED_OUT).join('')}]`, 'g');
const COMBINING_MARKS = /\p{M}+/gu;
const ASCII = /^[\x00-\x7f]*$/;
// ae/oe/ue -> a/o/u and ss -> s, left to right (so "sss" -> "ss", "aee" -> "ae", both prefix-safe).
const DIGRAPHS = /([aou])e|(s)s/g;

/** Folds one piece of text (letters, digits, punctuation kept as they are apart from the rules above). */
export function foldText(text: string): string {
  // Plain toLowerCase: German needs no locale rules, and the locale-aware one costs a lot per import row.
  const lowered = text.toLowerCase();
  const plain = ASCII.test(lowered) ? lowered : lowered.normalize('NFC').replace(SPELLED_OUT_RE, (c) => SPELLED_OUT[c] ?? c).normalize('NFD').replace(COMBINING_MARKS, '');
  return plain.replace(DIGRAPHS, (_m, vowel: string | undefined, s: string | undefined) => vowel ?? s ?? '');
}

/** Folded words of a text: runs of letters and digits; everything else separates. */
export function foldWords(text: string): string[] {
  return foldText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

/** Name particles that alphabetical order skips ("von der Heide" sorts under H), folded. */
const PARTICLES = new Set(['von', 'vom', 'van', 'der', 'den', 'de', 'del', 'della', 'di', 'da', 'dos', 'du', 'la', 'le', 'zu', 'zum', 'zur', 'ten', 'ter', 'al', 'el']);

export function isParticle(word: string): boolean {
  return PARTICLES.has(foldText(word));
}

/**
 * The words indexed for a name: each folded word, plus the whole name run together so that
 * "vonderheide", "obrien" or "meyerludenscheidt" find "von der Heide", "O'Brien", "Meyer-Lüdenscheidt".
 */
export function nameIndexWords(name: string): string[] {
  const words = foldWords(name);
  const joined = words.join('');
  return words.length > 1 ? [...words, joined] : words;
}

/** Sort key: folded family name without leading particles, then given names (German phone-book order). */
export function sortKey(familyName: string, givenNames: string): string {
  const words = foldWords(familyName);
  let first = 0;
  while (first < words.length - 1 && PARTICLES.has(words[first]!)) first++;
  return `${words.slice(first).join(' ')} ${words.slice(0, first).join(' ')}\u0001${foldWords(givenNames).join(' ')}`.trim();
}

/** Customer and BG numbers compared as letters and digits only, upper case ("12345 bg 0012345" = "12345BG0012345"). */
export function numberKey(value: string): string {
  return value
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** A number as stored: as given, with runs of white space made one space and the ends trimmed. */
export function normaliseSpaces(value: string): string {
  return value.replace(/[\s\u00a0\u202f]+/gu, ' ').trim();
}
