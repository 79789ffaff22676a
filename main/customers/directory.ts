/**
 * The customer directory service (`station.customers`): search as you type, lookup by number for
 * barcodes, "recently used" for the assign flow, CSV import and the background sync. Everything
 * reads the local SQLite copy, so search works offline; sync failures are recorded quietly and
 * retried.
 */
import fs from 'node:fs/promises';
import type { CustomerDirectoryStatusView } from '../../preload/contract/customers.js';
import type { Db } from '../store/db.js';
import type { CustomerFieldName } from './columns.js';
import { importCustomersCsv, type ImportReport } from './import-csv.js';
import { numberKey } from './fold.js';
import { parseQuery } from './query.js';
import { displayName } from './record.js';
import { CustomerRepository, type CustomerRow } from './repository.js';
import { CsvUploads } from './uploads.js';
import { resetSyncCursor, syncCustomers, type FetchLike, type SyncOutcome, type SyncSettings } from './sync.js';

export interface CustomerView {
  id: string;
  customerNumber: string;
  bgNumber: string | null;
  /** "Nachname, Vorname". */
  name: string;
  familyName: string;
  givenNames: string;
  birthDate: string | null;
  street: string | null;
  postalCode: string | null;
  city: string | null;
  source: 'csv' | 'sync';
  updatedAt: string;
  lastUsedAt: string | null;
}

/** The directory's state as the UI's contract shows it. */
export type DirectoryStatus = CustomerDirectoryStatusView;

export interface DirectoryOptions {
  sync?: (SyncSettings & { intervalMinutes: number }) | undefined;
  csvColumns?: Record<string, CustomerFieldName>;
  fetch?: FetchLike;
  now?: () => Date;
  /** First retry after a failed sync (default one minute; doubles up to the interval). */
  retryBaseMs?: number;
  /** How long a use keeps a customer at the top of search (default 14 days). */
  recentDays?: number;
  /** Called after an import or sync changed the directory (the station tells the UI). */
  onChanged?: () => void;
  /** For the station log: no names, no numbers in these messages. */
  onProblem?: (message: string) => void;
}

/** Which number a lookup matched: a customer's own number, or a household (BG) number shared by several. */
export interface NumberMatch {
  kind: 'customer' | 'bg';
  customers: CustomerView[];
}

export const toCustomerView = (row: CustomerRow): CustomerView => ({
  id: row.id,
  customerNumber: row.customer_number,
  bgNumber: row.bg_number,
  name: displayName(row.family_name, row.given_names),
  familyName: row.family_name,
  givenNames: row.given_names,
  birthDate: row.birth_date,
  street: row.street,
  postalCode: row.postal_code,
  city: row.city,
  source: row.source,
  updatedAt: row.updated_at,
  lastUsedAt: row.last_used_at,
});

const LAST_IMPORT = 'import.last';
const LAST_SYNC = 'sync.lastAt';
const LAST_ATTEMPT = 'sync.lastAttemptAt';
const LAST_ERROR = 'lastError';
const SYNC_URL = 'sync.url';
/** After a failed sync the next try comes sooner than the interval: 1, 2, 4 … minutes, up to the interval. */
const RETRY_BASE_MS = 60_000;
/** Customers used in the last two weeks come first in search (a customer often brings papers again within days). */
const RECENT_DAYS = 14;
const FADE_CHECK_MS = 5 * 60_000;

export class CustomerDirectory {
  readonly repository: CustomerRepository;
  /** Large CSV files arriving in parts over the API. */
  readonly uploads = new CsvUploads();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SyncOutcome> | undefined;
  private failures = 0;
  private lastFade = -Infinity;
  private stopped = true;
  /** Aborts a sync in flight when the station stops (a stalled server must not hold up shutdown). */
  private readonly stopping = new AbortController();

  constructor(
    private readonly db: Db,
    private readonly options: DirectoryOptions = {},
  ) {
    this.repository = new CustomerRepository(db);
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  search(query: string, limit = 20): CustomerView[] {
    this.fadeRecent();
    const capped = Math.max(1, Math.min(200, Math.floor(limit)));
    const parsed = parseQuery(query, this.now());
    const rows = parsed.match ? this.repository.search(parsed.match, parsed.exactKey, capped) : this.repository.recent(capped);
    return rows.map(toCustomerView);
  }

  /** "Recently used" means the last RECENT_DAYS days; older uses go back into name order (checked every few minutes). */
  private fadeRecent(): void {
    const nowMs = this.now().getTime();
    if (nowMs - this.lastFade < FADE_CHECK_MS && nowMs >= this.lastFade) return;
    this.lastFade = nowMs;
    this.repository.demoteBefore(nowMs - (this.options.recentDays ?? RECENT_DAYS) * 86_400_000);
  }

  get(id: string): CustomerView | null {
    const row = this.repository.get(id);
    return row ? toCustomerView(row) : null;
  }

  /** Everyone a number names: the customer with that customer number, else the household with that BG number. */
  matchNumber(number: string): NumberMatch | null {
    const key = numberKey(number);
    if (!key) return null;
    const own = this.repository.byCustomerKey(key);
    if (own) return { kind: 'customer', customers: [toCustomerView(own)] };
    const household = this.repository.byBgKey(key);
    return household.length ? { kind: 'bg', customers: household.map(toCustomerView) } : null;
  }

  /**
   * The one customer a number (from a barcode or typed) stands for: by customer number, or by BG
   * number when only one customer in the directory has it. Null when unknown or a household of several.
   */
  findByNumber(number: string): CustomerView | null {
    const match = this.matchNumber(number);
    return match && match.customers.length === 1 ? match.customers[0]! : null;
  }

  /** Staff assigned a document to this customer: they come first in the next search. */
  markUsed(id: string): boolean {
    return this.repository.markUsed(id, this.now());
  }

  /** Imports a CSV file (path or bytes); throws CsvImportError when the file as a whole cannot be read. */
  async importCsv(source: string | Uint8Array, fileName?: string): Promise<ImportReport> {
    const bytes = typeof source === 'string' ? await fs.readFile(source) : source;
    const name = fileName ?? (typeof source === 'string' ? source.split(/[\\/]/).pop()! : 'upload.csv');
    let report: ImportReport;
    try {
      report = importCustomersCsv(this.db, this.repository, bytes, { columns: this.options.csvColumns ?? {}, now: () => this.now() });
    } catch (error) {
      this.recordError('import', (error as Error).message);
      throw error;
    }
    const at = this.now().toISOString();
    this.repository.setState(LAST_IMPORT, JSON.stringify({ at, fileName: name.slice(0, 200), imported: report.imported, updated: report.updated, unchanged: report.unchanged, skipped: report.skipped }));
    this.clearError('import');
    if (report.imported + report.updated > 0) this.options.onChanged?.();
    return report;
  }

  /** Syncs now (joins a sync already running). Never throws: the outcome says what happened. */
  sync(): Promise<SyncOutcome> {
    this.running ??= this.runSync().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  status(): DirectoryStatus {
    const lastImport = this.repository.getState(LAST_IMPORT);
    const lastError = this.repository.getState(LAST_ERROR);
    return {
      count: this.repository.count(),
      lastImport: lastImport ? JSON.parse(lastImport) : null,
      lastSyncAt: this.repository.getState(LAST_SYNC) ?? null,
      lastSyncAttemptAt: this.repository.getState(LAST_ATTEMPT) ?? null,
      lastError: lastError ? JSON.parse(lastError) : null,
      syncConfigured: this.options.sync !== undefined,
      syncIntervalMinutes: this.options.sync?.intervalMinutes ?? null,
      syncing: this.running !== undefined,
    };
  }

  /** Starts the background sync (when configured): a first sync soon, then every interval. */
  start(firstDelayMs = 2_000): void {
    this.stopped = false;
    if (this.options.sync) this.schedule(firstDelayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sync();
    }, delayMs);
    this.timer.unref();
  }

  private async runSync(): Promise<SyncOutcome> {
    const settings = this.options.sync;
    if (!settings) {
      return { ok: false, notModified: false, pages: 0, imported: 0, updated: 0, deleted: 0, skipped: 0, problems: [], error: 'No directory server is configured (customers.sync.url).' };
    }
    // A different server: its cursor and ETags mean nothing here.
    if (this.repository.getState(SYNC_URL) !== settings.url) {
      resetSyncCursor(this.repository);
      this.repository.setState(SYNC_URL, settings.url);
    }
    this.repository.setState(LAST_ATTEMPT, this.now().toISOString());
    const fetchFn = this.options.fetch ?? (globalThis.fetch as unknown as FetchLike);
    let outcome: SyncOutcome;
    try {
      outcome = await syncCustomers(this.db, this.repository, settings, fetchFn, () => this.now(), this.stopping.signal);
    } catch (error) {
      // A fault of ours, not the network's: reported the same quiet way, and retried.
      outcome = { ok: false, notModified: false, pages: 0, imported: 0, updated: 0, deleted: 0, skipped: 0, problems: [], error: `The sync failed: ${(error as Error).message}` };
    }
    // Stopped in the middle: not a failure of the server, nothing to record or retry.
    if (this.stopping.signal.aborted) return outcome;
    const intervalMs = settings.intervalMinutes * 60_000;
    if (outcome.ok) {
      this.failures = 0;
      this.repository.setState(LAST_SYNC, this.now().toISOString());
      this.clearError('sync');
      if (outcome.skipped > 0) this.options.onProblem?.(`Customer sync skipped ${outcome.skipped} record(s) the server sent.`);
      this.schedule(intervalMs);
    } else {
      this.failures++;
      this.recordError('sync', outcome.error ?? 'The sync failed.');
      this.schedule(Math.min(intervalMs, (this.options.retryBaseMs ?? RETRY_BASE_MS) * 2 ** Math.min(this.failures - 1, 10)));
    }
    if (outcome.imported + outcome.updated + outcome.deleted > 0) this.options.onChanged?.();
    return outcome;
  }

  private clearError(source: 'import' | 'sync'): void {
    const last = this.repository.getState(LAST_ERROR);
    if (last && (JSON.parse(last) as { source: string }).source === source) this.repository.setState(LAST_ERROR, null);
  }

  private recordError(source: 'import' | 'sync', message: string): void {
    this.repository.setState(LAST_ERROR, JSON.stringify({ at: this.now().toISOString(), source, message }));
    this.options.onProblem?.(`Customer ${source}: ${message}`);
  }
}
