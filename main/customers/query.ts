/**
 * Turns what staff type into an FTS5 expression over the folded index: every word must match
 * (as a prefix, for search as you type). A word is read as
 *  - a birth date when it looks like one (01.02.1980, 1.2.80, 01.02., 1980-02-01),
 *  - a customer or BG number when it has a digit (by prefix, letters and digits only),
 *  - a name word otherwise (folded like the index, so Mueller finds Müller).
 * A query that is only a number with spaces in it ("12345 BG 0012345") is one number.
 */
import { typedDateTerms, type DateTerm } from './dates.js';
import { foldWords, numberKey } from './fold.js';

export interface ParsedQuery {
  /** FTS5 MATCH expression; null when nothing searchable was typed. */
  match: string | null;
  /** The whole query as a number key, for "exact number first" ('' when it has no digit). */
  exactKey: string;
}

const quote = (word: string) => `"${word.replace(/"/g, '""')}"`;
const term = (column: string, word: string, prefix: boolean) => `{${column}} : ${quote(word)}${prefix ? ' *' : ''}`;
const anyOf = (terms: string[]) => (terms.length === 1 ? terms[0]! : `(${terms.join(' OR ')})`);

/** Letters-and-digits run with at least one digit, maybe split by spaces, with short letter groups ("BG") between. */
function looksLikeOneNumber(query: string): boolean {
  if (!/^[\p{L}\p{N}\s\-/]+$/u.test(query) || !/\d/.test(query)) return false;
  const words = query.split(/\s+/).filter(Boolean);
  if (words.length < 2) return false;
  return words.every((word) => /\d/.test(word) || word.length <= 3);
}

function dateTerms(terms: DateTerm[]): string {
  return anyOf(terms.map((t) => term('dates', t.word, t.prefix)));
}

function numberTerm(word: string, today: Date): string | null {
  const key = numberKey(word).toLowerCase();
  if (!key) return null;
  const alternatives = [term('numbers', key, true)];
  // A four-digit year may be a birth year as well as the start of a number.
  if (/^\d{4}$/.test(key) && Number(key) >= 1880 && Number(key) <= today.getUTCFullYear()) alternatives.push(term('dates', `_i${key}`, true));
  return anyOf(alternatives);
}

export function parseQuery(query: string, today = new Date()): ParsedQuery {
  const text = query.normalize('NFC').trim().slice(0, 200);
  const exactKey = /\d/.test(text) ? numberKey(text) : '';
  if (!text) return { match: null, exactKey };
  const parts: string[] = [];
  if (looksLikeOneNumber(text)) {
    const one = numberTerm(text, today);
    if (one) parts.push(one);
  } else {
    for (const word of text.split(/\s+/)) {
      const dates = typedDateTerms(word, today);
      if (dates) {
        parts.push(dateTerms(dates));
      } else if (/\d/.test(word)) {
        const number = numberTerm(word, today);
        if (number) parts.push(number);
      } else {
        // "O'Brien", "Meyer-Lüd": each folded piece is a word of the name.
        for (const piece of foldWords(word)) parts.push(term('names', piece, true));
      }
    }
  }
  return { match: parts.length ? parts.join(' AND ') : null, exactKey };
}
