/** The customer directory as the station wires it: configuration in, `station.customers` out. */
import type { CustomersConfig } from '../config/schema.js';
import type { Db } from '../store/db.js';
import { CustomerDirectory, type DirectoryOptions } from './directory.js';

export { CustomerDirectory, toCustomerView, type CustomerView, type DirectoryStatus, type NumberMatch } from './directory.js';
export { CsvImportError, type ImportReport } from './import-csv.js';
export type { SyncOutcome } from './sync.js';
export { UploadError } from './uploads.js';

/** A token given as { env: "NAME" } is read from the environment when the station starts. */
function resolveToken(token: string | { env: string } | undefined): string | undefined {
  if (token === undefined || typeof token === 'string') return token;
  return process.env[token.env] || undefined;
}

export function createCustomerDirectory(db: Db, config: CustomersConfig, hooks: Pick<DirectoryOptions, 'onChanged' | 'onProblem' | 'fetch' | 'now'> = {}): CustomerDirectory {
  const sync = config.sync
    ? { url: config.sync.url, token: resolveToken(config.sync.token), intervalMinutes: config.sync.intervalMinutes, timeoutSeconds: config.sync.timeoutSeconds, cursorParam: config.sync.cursorParam }
    : undefined;
  return new CustomerDirectory(db, { ...hooks, sync, csvColumns: config.csvColumns });
}
