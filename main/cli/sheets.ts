/**
 * `station separator-sheet --out <file.pdf>` and
 * `station cover-sheet --customer <number> --type <type> [--pages N] [--name <name>] --out <file.pdf>`:
 * print the station's sheets in advance. The cover sheet takes the customer's name from the
 * station's directory (read-only, beside a running station); --name prints a sheet for someone not
 * in it yet. Output names the file and number only: no customer names on the console.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { stationPaths } from '../config/paths.js';
import { parseConfig, type StationConfig } from '../config/schema.js';
import { createCustomerDirectory } from '../customers/index.js';
import { coverSheet, separatorSheet, SheetRequestError, type SheetContext } from '../mailroom/sheets/requests.js';
import { openDatabase } from '../store/db.js';
import { writeFileAtomic } from '../store/files.js';

export async function runSeparatorSheet(options: { out: string }): Promise<number> {
  const sheet = await separatorSheet();
  if (!writeOut(options.out, sheet.pdf)) return 1;
  console.log(`Separator sheet written to ${options.out}.`);
  return 0;
}

export interface CoverSheetCliOptions {
  out: string;
  customer: string;
  type: string;
  pages?: string;
  name?: string;
  dataDir: string;
}

export async function runCoverSheet(options: CoverSheetCliOptions): Promise<number> {
  let expectedPages: number | null = null;
  if (options.pages !== undefined) {
    if (!/^\d{1,4}$/.test(options.pages.trim()) || Number(options.pages) < 1) {
      console.error(`--pages must be a whole number from 1 to 9999, not "${options.pages}".`);
      return 1;
    }
    expectedPages = Number(options.pages);
  }
  const config = readConfig(options.dataDir);
  const directory = options.name ? null : openDirectory(options.dataDir, config);
  try {
    const context: SheetContext = { documentTypes: config.documentTypes, findCustomer: directory ? (number) => directory.find(number) : undefined };
    const sheet = await coverSheet({ customerNumber: options.customer, documentType: options.type, expectedPages, customerName: options.name }, context);
    if (!writeOut(options.out, sheet.pdf)) return 1;
    console.log(`Cover sheet for customer number ${sheet.customerNumber} (${sheet.documentType}${expectedPages ? `, ${expectedPages} pages` : ''}) written to ${options.out}.`);
    return 0;
  } catch (error) {
    if (error instanceof SheetRequestError) {
      const hint = error.code === 'unknown_customer' ? ' (--name "<name>" prints the sheet anyway)' : '';
      console.error(`No cover sheet made: ${error.message}${hint}`);
      return 1;
    }
    throw error;
  } finally {
    directory?.close();
  }
}

/** The station's configuration when it has one; the defaults otherwise (nothing is created). */
function readConfig(dataDir: string): StationConfig {
  return fs.existsSync(stationPaths(dataDir).configFile) ? loadConfig(dataDir).config : parseConfig({}, 'the default configuration');
}

/** The customer directory, read-only; null when the station has no database (yet). */
function openDirectory(dataDir: string, config: StationConfig): { find(number: string): { customerNumber: string; name: string } | null; close(): void } | null {
  const file = stationPaths(dataDir).database;
  if (!fs.existsSync(file)) return null;
  const db = openDatabase(file, { readonly: true });
  // No sync from here: this process only reads.
  const customers = createCustomerDirectory(db, { ...config.customers, sync: undefined });
  return {
    find(number) {
      try {
        return customers.findByNumber(number);
      } catch {
        // A database from before the customer directory: nobody is in it.
        return null;
      }
    },
    close: () => db.close(),
  };
}

function writeOut(out: string, pdf: Uint8Array): boolean {
  const target = path.resolve(out);
  if (!fs.existsSync(path.dirname(target))) {
    console.error(`The folder ${path.dirname(target)} does not exist.`);
    return false;
  }
  writeFileAtomic(target, Buffer.from(pdf));
  return true;
}
