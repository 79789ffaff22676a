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
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

export type Delimiter = ';' | ',' | '\t';

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
}

/**
 * Splits text into records. Malformed quoting is reported on the record (a quote inside an
 * unquoted field is taken literally, as Excel does; text after a closing quote and an unclosed
 * quote at the end are errors). Blank lines are skipped.
 */
export function* parseCsv(text: string, delimiter: Delimiter): Generator<CsvRecord> {
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const start = i;
    const fields: string[] = [];
    let error: string | undefined;
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
            error ??= `text after a closing quote in field ${fields.length + 1}`;
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
      yield { line: startLine, fields: [], error: `the quoted field ${fields.length + 1} is never closed (a " is missing)` };
      const newline = text.indexOf('\n', start);
      if (newline < 0) return;
      i = newline + 1;
      line = startLine + 1;
      continue;
    }
    fields.push(field);
    if (fields.length === 1 && fields[0]!.trim() === '' && !error) continue;
    yield error ? { line: startLine, fields, error } : { line: startLine, fields };
  }
}
