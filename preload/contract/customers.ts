/** The local customer directory: search as you type, import, sync. */
import { z } from 'zod';
import { operation } from './define.js';

/** One search hit, as the assign panel shows it. */
export interface CustomerSummaryView {
  id: string;
  customerNumber: string;
  bgNumber: string | null;
  /** Display form: "Nachname, Vorname". */
  name: string;
  familyName: string;
  givenNames: string;
  /** ISO date (YYYY-MM-DD) or null. */
  birthDate: string | null;
}

export interface CustomerDetailView extends CustomerSummaryView {
  street: string | null;
  postalCode: string | null;
  city: string | null;
  /** Where the record came from last: a CSV import or the directory server. */
  source: 'csv' | 'sync';
  updatedAt: string;
  /** When staff last assigned a document to this customer (recent first in search). */
  lastUsedAt: string | null;
}

export interface CustomerImportReportView {
  /** New customers. */
  imported: number;
  /** Known customers whose data changed. */
  updated: number;
  /** Rows identical to what the directory had. */
  unchanged: number;
  /** Bad rows, not taken. */
  skipped: number;
  /**
   * Bad rows by the line they start on (1 = header), at most 1,000: a stable code the UI words
   * (customer_number_missing, customer_number_invalid, bg_number_invalid, family_name_missing,
   * name_too_long, address_too_long, date_format, date_impossible, date_future, date_too_early,
   * field_count, quote_text_after, quote_unclosed) with its values, and the station's English message.
   */
  errors: { line: number; code: string; message: string; params?: Record<string, string | number> }[];
  errorsTruncated: boolean;
  encoding: 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'windows-1252';
  delimiter: ';' | ',' | '\t';
  ignoredColumns: string[];
}

export interface CustomerSyncView {
  ok: boolean;
  /** The server said nothing changed (304). */
  notModified: boolean;
  imported: number;
  updated: number;
  deleted: number;
  skipped: number;
  /** Plain-words reason when ok is false. */
  error: string | null;
}

export interface CustomerDirectoryStatusView {
  count: number;
  lastImport: { at: string; fileName: string; imported: number; updated: number; unchanged: number; skipped: number } | null;
  /** Last successful sync. */
  lastSyncAt: string | null;
  lastSyncAttemptAt: string | null;
  lastError: { at: string; source: 'import' | 'sync'; message: string } | null;
  syncConfigured: boolean;
  syncIntervalMinutes: number | null;
  syncing: boolean;
}

export const customerId = z.string().min(1).max(100).regex(/^[A-Za-z0-9_-]+$/, 'a customer id');

/** Base64 of up to 64 MB of CSV (a directory of 100,000 customers is about 10 MB). */
const MAX_CSV_BASE64 = Math.ceil((64 * 1024 * 1024) / 3) * 4;
const base64 = z.string().max(MAX_CSV_BASE64, 'the file is larger than 64 MB').regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
export const uploadId = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/, 'an upload id');

export const customerOperations = {
  searchCustomers: operation<{ items: CustomerSummaryView[] }>()(
    z.strictObject({
      query: z.string().max(200),
      limit: z.number().int().min(1).max(200).default(20),
    }),
  ),
  getCustomer: operation<CustomerDetailView>()(z.strictObject({ id: customerId })),
  /**
   * Imports a CSV file: small files in one call (contentBase64); a file larger than one call may
   * carry (IPC and browser mode take 1 MB) is sent first in parts with uploadCustomersCsvPart and
   * then imported by its uploadId.
   */
  importCustomersCsv: operation<CustomerImportReportView>()(
    z
      .strictObject({
        fileName: z.string().min(1).max(255),
        contentBase64: base64.min(1).optional(),
        uploadId: uploadId.optional(),
      })
      .refine((input) => (input.contentBase64 === undefined) !== (input.uploadId === undefined), 'give either contentBase64 or uploadId'),
  ),
  /** One part of a large CSV file, in order from 0; parts are kept in memory for 10 minutes. */
  uploadCustomersCsvPart: operation<{ uploadId: string; parts: number; bytes: number }>()(
    z.strictObject({
      uploadId,
      index: z.number().int().min(0).max(10_000),
      contentBase64: base64.min(1),
    }),
  ),
  syncCustomers: operation<CustomerSyncView>()(z.strictObject({})),
  getDirectoryStatus: operation<CustomerDirectoryStatusView>()(z.strictObject({})),
};
