/**
 * `station import-customers <file.csv> [--data-dir <dir>] [--json]`: imports a customer export into
 * the station's directory and prints the report (bad rows by line). It opens the database beside a
 * running station (SQLite WAL allows that), so a site can import without stopping the station.
 */
import fs from 'node:fs';
import { loadConfig } from '../config/load.js';
import { stationPaths } from '../config/paths.js';
import { createCustomerDirectory, CsvImportError, type ImportReport } from '../customers/index.js';
import { openDatabase } from '../store/db.js';

const ENCODING_NAMES: Record<ImportReport['encoding'], string> = {
  'utf-8': 'UTF-8',
  'utf-8-bom': 'UTF-8 with BOM',
  'utf-16le': 'UTF-16 (Excel Unicode text)',
  'windows-1252': 'Windows-1252',
};
const DELIMITER_NAMES: Record<ImportReport['delimiter'], string> = { ';': 'semicolon', ',': 'comma', '\t': 'tab' };

export function formatImportReport(report: ImportReport): string {
  const lines = [
    `Read as ${ENCODING_NAMES[report.encoding]}, separated by ${DELIMITER_NAMES[report.delimiter]}.`,
    `New customers:        ${report.imported}`,
    `Updated customers:    ${report.updated}`,
    `Unchanged:            ${report.unchanged}`,
    `Bad rows (not taken): ${report.skipped}`,
  ];
  if (report.ignoredColumns.length) lines.push(`Columns not used:     ${report.ignoredColumns.join(', ')}`);
  for (const error of report.errors) lines.push(`  line ${error.line}: ${error.message}`);
  if (report.errorsTruncated) lines.push(`  … and ${report.skipped - report.errors.length} more bad rows.`);
  return lines.join('\n');
}

export async function runImportCustomers(options: { file: string; dataDir: string; json: boolean }): Promise<number> {
  if (!fs.existsSync(options.file)) {
    console.error(`There is no file ${options.file}.`);
    return 1;
  }
  const { config } = loadConfig(options.dataDir);
  const db = openDatabase(stationPaths(options.dataDir).database);
  try {
    const directory = createCustomerDirectory(db, config.customers);
    const report = await directory.importCsv(options.file);
    console.log(options.json ? JSON.stringify(report) : formatImportReport(report));
    if (!options.json) console.log(`The directory now holds ${directory.status().count} customers.`);
    // Bad rows are reported, not fatal: the good rows are in. Exit 3 lets a script notice them.
    return report.skipped > 0 ? 3 : 0;
  } catch (error) {
    if (error instanceof CsvImportError) {
      console.error(`Nothing was imported: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    db.close();
  }
}
