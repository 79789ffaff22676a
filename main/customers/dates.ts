/**
 * Birth dates as German systems write them (01.02.1980, 1.2.1980, 1.2.80, 01.02.1980 00:00:00) and
 * as ISO (1980-02-01), read into ISO; and dates typed in the search box, into index words.
 */

export type DateProblem = 'date_format' | 'date_impossible' | 'date_future' | 'date_too_early';
export type DateParse = { ok: true; iso: string } | { ok: false; code: DateProblem; message: string; value: string };

const GERMAN = /^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

/**
 * A two-digit year is a birth year: 19yy unless 20yy is not in the future ("1.2.80" = 1980,
 * "1.2.05" = 2005 in 2026). People over 100 are written with four digits in every export seen.
 */
export function expandTwoDigitYear(yy: number, today = new Date()): number {
  const thisYear = today.getUTCFullYear();
  return 2000 + yy <= thisYear ? 2000 + yy : 1900 + yy;
}

/** Reads a birth date; `today` bounds it (no births in the future, none before 1880). */
export function parseBirthDate(text: string, today = new Date()): DateParse {
  const value = text.trim();
  let year: number;
  let month: number;
  let day: number;
  let match = GERMAN.exec(value);
  if (match) {
    day = Number(match[1]);
    month = Number(match[2]);
    year = match[3]!.length === 2 ? expandTwoDigitYear(Number(match[3]), today) : Number(match[3]);
  } else if ((match = ISO.exec(value) ?? COMPACT.exec(value))) {
    year = Number(match[1]);
    month = Number(match[2]);
    day = Number(match[3]);
  } else {
    return { ok: false, code: 'date_format', value: value.slice(0, 40), message: `"${value.slice(0, 40)}" is not a date (expected TT.MM.JJJJ or JJJJ-MM-TT)` };
  }
  if (!isRealDate(year, month, day)) return { ok: false, code: 'date_impossible', value: value.slice(0, 40), message: `"${value.slice(0, 40)}" is not a real calendar date` };
  const iso = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  const todayIso = today.toISOString().slice(0, 10);
  if (iso > todayIso) return { ok: false, code: 'date_future', value: value.slice(0, 40), message: `birth date ${iso} is in the future` };
  if (year < 1880) return { ok: false, code: 'date_too_early', value: value.slice(0, 40), message: `birth date ${iso} is implausibly early` };
  return { ok: true, iso };
}

/**
 * Index words for a birth date: "_b" + MMDD + YYYY (so "01.02." and "01.02.19" are prefixes of it)
 * and "_i" + YYYYMMDD (so "1980-02" is a prefix of it). The "_" keeps them apart from name words.
 */
export function birthDateIndexWords(iso: string | null): string[] {
  if (!iso) return [];
  const [year, month, day] = iso.split('-');
  return [`_b${month}${day}${year}`, `_i${year}${month}${day}`];
}

/** One alternative the search accepts for a typed date: an index word, possibly as a prefix. */
export interface DateTerm {
  word: string;
  prefix: boolean;
}

const TYPED_GERMAN = /^(\d{1,2})\.(\d{1,2})\.?(\d{0,4})$/;
const TYPED_ISO = /^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$/;

/**
 * What a typed date may mean, as alternatives (any may match), or null when the word is no date.
 * "1.2.80" -> 1980-02-01; "01.02.19" -> 1919-02-01, 2019-02-01 or a year starting 19; "01.02." -> any year.
 */
export function typedDateTerms(word: string, today = new Date()): DateTerm[] | null {
  let match = TYPED_GERMAN.exec(word);
  if (match) {
    const day = Number(match[1]);
    const month = Number(match[2]);
    const yearText = match[3] ?? '';
    // "1.2" without a second dot is a date only with a plausible day and month.
    if (!isRealDate(2000, month, day)) return null;
    const md = `_b${pad(month)}${pad(day)}`;
    if (yearText.length === 0) return [{ word: md, prefix: true }];
    if (yearText.length === 4) return [{ word: `${md}${yearText}`, prefix: false }];
    const terms: DateTerm[] = [{ word: `${md}${yearText}`, prefix: true }];
    if (yearText.length === 2) {
      // Searching, either century is fine ("25" finds 1925 and 2025); the import decides with expandTwoDigitYear.
      for (const century of [1900, 2000]) {
        const full = century + Number(yearText);
        if (full <= today.getUTCFullYear()) terms.push({ word: `${md}${full}`, prefix: false });
      }
    }
    return terms;
  }
  match = TYPED_ISO.exec(word);
  if (match) {
    const month = Number(match[2]);
    if (match[2]!.length === 2 && (month < 1 || month > 12)) return null;
    if (match[3] === undefined) {
      // "1980-0" or "1980-02": what has been typed is a prefix of the ISO form.
      return [{ word: `_i${match[1]}${match[2]}`, prefix: true }];
    }
    if (match[2]!.length === 1) return null;
    // "1980-02-0": still being typed.
    if (match[3].length === 1) return [{ word: `_i${match[1]}${match[2]}${match[3]}`, prefix: true }];
    const day = Number(match[3]);
    if (!isRealDate(Number(match[1]), month, day)) return null;
    return [{ word: `_i${match[1]}${pad(month)}${pad(day)}`, prefix: false }];
  }
  return null;
}
