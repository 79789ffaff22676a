/**
 * Opens the station database: WAL for concurrent readers, foreign keys on, synchronous=NORMAL.
 * NORMAL keeps every commit through a process crash and keeps the file sound through a power cut,
 * where it may lose the last commits; those are steps that simply run again. Commits that must
 * survive a power cut because something irreversible follows them use StationStore.durableTransaction.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { migrations, type Migration } from './migrations.js';

export type Db = Database.Database;

export interface OpenOptions {
  readonly?: boolean;
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (!options.readonly) fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  if (!options.readonly) migrate(db, migrations);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db, list: Migration[]): number {
  const current = schemaVersion(db);
  const newest = Math.max(0, ...list.map((m) => m.version));
  if (current > newest) {
    throw new Error(`The station database has schema version ${current}, newer than this program knows (${newest}). Update the program.`);
  }
  for (const migration of [...list].sort((a, b) => a.version - b.version)) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return schemaVersion(db);
}

export function integrityCheck(db: Db): string {
  return db.pragma('integrity_check', { simple: true }) as string;
}
