/**
 * CSV as German systems export it: UTF-8 with or without BOM, or Windows-1252 (what Excel and many
 * specialist systems still write); semicolon (the German Excel default), comma or tab; RFC 4180
 * quoting with delimiters, line breaks and doubled quotes inside quoted fields.
 */

export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'windows-1252';

/** Decodes the bytes: a BOM decides; otherwise valid UTF-8 is UTF-8 and anything else Windows-1252. */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8-bom' };
  }
  // Excel's "Unicode text" export.
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: decodeWindows1252(bytes), encoding: 'windows-1252' };
  }
}

/**
 * Windows-1252 has letters at 0x80–0x9F (€, Š, š, Ž, ž, Œ, œ, Ÿ, „, “, –, …) where Latin-1 has
 * control codes. Node's TextDecoder('windows-1252') decodes those bytes as Latin-1 controls in
 * builds without full ICU, so the table is applied here.
 */
const CP1252_80_9F = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

export function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return latin1.replace(/[\u0080-\u009f]/g, (c) => CP1252_80_9F[c.charCodeAt(0) - 0x80]!);
}

export type Delimiter = ';' | ',' | '\t';

/** Excel's "sep=;" first line names the delimiter; the header follows on line 2. */
export function excelSeparatorLine(text: string): { delimiter: Delimiter; skip: number } | null {
  const match = /^sep=([;,\t])\r?\n/i.exec(text);
  return match ? { delimiter: match[1] as Delimiter, skip: match[0].length } : null;
}

/** The delimiter of the header line: whichever of ; , tab occurs most outside quotes (ties: semicolon). */
export function sniffDelimiter(text: string): Delimiter {
  const counts: Record<Delimiter, number> = { ';': 0, ',': 0, '\t': 0 };
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && (c === ';' || c === ',' || c === '\t')) counts[c]++;
  }
  const best = (Object.keys(counts) as Delimiter[]).reduce((a, b) => (counts[b] > counts[a] ? b : a), ';');
  return best;
}

export interface CsvRecord {
  /** 1-based line on which the record starts (as an editor shows it). */
  line: number;
  fields: string[];
  /** Set when the record is malformed; its fields are then not to be trusted. */
  error?: string;
  errorCode?: 'quote_text_after' | 'quote_unclosed';
  /** The 1-based field the quoting problem is in. */
  errorField?: number;
}

/**
 * Splits text into records. Malformed quoting is reported on the record (a quote inside an
 * unquoted field is taken literally, as Excel does; text after a closing quote and an unclosed
 * quote at the end are errors). Blank lines are skipped.
 */
export function* parseCsv(text: string, delimiter: Delimiter, start = { offset: 0, line: 1 }): Generator<CsvRecord> {
  let i = start.offset;
  let line = start.line;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const start = i;
    const fields: string[] = [];
    let error: string | undefined;
    let errorField = 0;
    let field = '';
    let atFieldStart = true;
    let quoted = false;
    let endOfRecord = false;
    while (i < n && !endOfRecord) {
      const c = text[i]!;
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          quoted = false;
          i++;
          // After the closing quote only a delimiter or the end of the record may follow.
          const next = text[i];
          if (next !== undefined && next !== delimiter && next !== '\r' && next !== '\n') {
            if (!error) {
              error = `text after a closing quote in field ${fields.length + 1}`;
              errorField = fields.length + 1;
            }
          }
          continue;
        }
        if (c === '\n') line++;
        field += c;
        i++;
        continue;
      }
      if (c === '"' && atFieldStart) {
        quoted = true;
        atFieldStart = false;
        i++;
        continue;
      }
      if (c === delimiter) {
        fields.push(field);
        field = '';
        atFieldStart = true;
        i++;
        continue;
      }
      if (c === '\r' || c === '\n') {
        i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line++;
        endOfRecord = true;
        continue;
      }
      field += c;
      atFieldStart = false;
      i++;
    }
    if (quoted) {
      // An unclosed quote would swallow the rest of the file: report this record and read on from its next line.
      yield { line: startLine, fields: [], error: `the quoted field ${fields.length + 1} is never closed (a " is missing)`, errorCode: 'quote_unclosed', errorField: fields.length + 1 };
      const newline = text.indexOf('\n', start);
      if (newline < 0) return;
      i = newline + 1;
      line = startLine + 1;
      continue;
    }
    fields.push(field);
    if (fields.length === 1 && fields[0]!.trim() === '' && !error) continue;
    yield error ? { line: startLine, fields, error, errorCode: 'quote_text_after', errorField } : { line: startLine, fields };
  }
}
