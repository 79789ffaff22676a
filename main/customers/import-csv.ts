/**
 * CSV import: every good row is kept (upsert by customer number), every bad row is reported by the
 * line it starts on with the reason. The whole file is one transaction, so a crash leaves either the
 * old directory or the new one.
 */
import type { Db } from '../store/db.js';
import { ColumnMapError, mapColumns, rawCustomerFrom, type CustomerFieldName } from './columns.js';
import { decodeCsv, excelSeparatorLine, parseCsv, sniffDelimiter, type CsvEncoding, type Delimiter } from './csv.js';
import { checkCustomer } from './record.js';
import type { CustomerRepository } from './repository.js';

export interface ImportError {
  line: number;
  /** Stable code the UI words (customer_number_missing, date_impossible, field_count, quote_unclosed, …). */
  code: string;
  /** English, for logs and the CLI. */
  message: string;
  params?: Record<string, string | number>;
}

export interface ImportReport {
  /** New customers. */
  imported: number;
  /** Customers already in the directory whose data changed. */
  updated: number;
  /** Rows identical to what the directory already had. */
  unchanged: number;
  /** Bad rows, not taken (each listed in errors, up to the cap). */
  skipped: number;
  errors: ImportError[];
  /** More bad rows than listed. */
  errorsTruncated: boolean;
  encoding: CsvEncoding;
  delimiter: Delimiter;
  /** Header names that were not used. */
  ignoredColumns: string[];
}

export interface ImportOptions {
  columns?: Record<string, CustomerFieldName>;
  now?: () => Date;
  /** At most this many errors are listed (default 1,000). */
  maxErrors?: number;
}

/** A file that cannot be imported at all (no header, no customer-number column): nothing was changed. */
export class CsvImportError extends Error {
  override name = 'CsvImportError';
  constructor(
    readonly code: 'csv_empty' | 'csv_columns',
    message: string,
  ) {
    super(message);
  }
}

export function importCustomersCsv(db: Db, repository: CustomerRepository, bytes: Uint8Array, options: ImportOptions = {}): ImportReport {
  const { text, encoding } = decodeCsv(bytes);
  const hint = excelSeparatorLine(text);
  const delimiter = hint?.delimiter ?? sniffDelimiter(text);
  const records = parseCsv(text, delimiter, hint ? { offset: hint.skip, line: 2 } : undefined);
  const first = records.next();
  if (first.done) throw new CsvImportError('csv_empty', 'The file is empty: it has no header line.');
  if (first.value.error) throw new CsvImportError('csv_columns', `The header line cannot be read: ${first.value.error}.`);
  let map;
  try {
    map = mapColumns(first.value.fields, options.columns);
  } catch (error) {
    if (error instanceof ColumnMapError) throw new CsvImportError('csv_columns', error.message);
    throw error;
  }
  const width = first.value.fields.length;
  const maxErrors = options.maxErrors ?? 1_000;
  const today = options.now?.() ?? new Date();
  const now = today.toISOString();
  const report: ImportReport = { imported: 0, updated: 0, unchanged: 0, skipped: 0, errors: [], errorsTruncated: false, encoding, delimiter, ignoredColumns: map.unknown };
  const fail = (line: number, problem: Omit<ImportError, 'line'>) => {
    report.skipped++;
    if (report.errors.length < maxErrors) report.errors.push({ line, ...problem });
    else report.errorsTruncated = true;
  };
  db.transaction(() => {
    for (const record of records) {
      if (record.error) {
        fail(record.line, { code: record.errorCode ?? 'csv_row', message: record.error, params: { field: record.errorField ?? 0 } });
        continue;
      }
      // Trailing empty fields (a spreadsheet's stray delimiters) are harmless; missing or extra data is not.
      let fields = record.fields;
      while (fields.length > width && fields[fields.length - 1]!.trim() === '') fields = fields.slice(0, -1);
      if (fields.length !== width) {
        fail(record.line, { code: 'field_count', params: { found: fields.length, expected: width }, message: `has ${fields.length} fields, the header has ${width} (a delimiter too many or too few?)` });
        continue;
      }
      const checked = checkCustomer(rawCustomerFrom(fields, map), today);
      if (!checked.ok) {
        fail(record.line, { code: checked.code, message: checked.message, ...(checked.params ? { params: checked.params } : {}) });
        continue;
      }
      const outcome = repository.upsert(checked.customer, 'csv', now);
      if (outcome === 'inserted') report.imported++;
      else if (outcome === 'updated') report.updated++;
      else report.unchanged++;
    }
  }).immediate();
  return report;
}
