/**
 * Start-up clean-up for quarantine: retry and discard delete the kept original right after their
 * commit, so a crash in between leaves a folder quarantine/<sourceId>/ whose row already says it
 * was dealt with. Those folders (and only those) are removed; anything not known is left alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../store/db.js';
import { statement } from '../store/statements.js';

export function sweepClosedQuarantine(db: Db, quarantineDir: string): number {
  let removed = 0;
  let names: string[];
  try {
    names = fs.readdirSync(quarantineDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const row = statement(db, 'SELECT quarantine_outcome FROM source_files WHERE id = ?').get(name) as { quarantine_outcome: string | null } | undefined;
    if (!row || row.quarantine_outcome === null) continue;
    fs.rmSync(path.join(quarantineDir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
