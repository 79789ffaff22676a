/** Source files: what the scanner wrote, as ingested into the station store. */
import type { Db } from './db.js';
import { statement } from './statements.js';
import { nowIso } from './clock.js';

export type SourceState = 'ingested' | 'processed' | 'quarantined' | 'duplicate';

export interface SourceRow {
  id: string;
  seq: number;
  sha256: string | null;
  size: number | null;
  original_name: string;
  hot_folder: string;
  hot_path: string;
  hot_mtime_ms: number | null;
  hot_removed: number;
  stored_path: string | null;
  format: string | null;
  page_count: number | null;
  state: SourceState;
  duplicate_of: string | null;
  batch_id: string | null;
  document_id: string | null;
  reason_code: string | null;
  reason: string | null;
  ingested_at: string;
  updated_at: string;
}

export interface NewSource {
  id: string;
  sha256: string | null;
  size: number | null;
  originalName: string;
  hotFolder: string;
  hotPath: string;
  hotMtimeMs: number | null;
  storedPath: string | null;
  state: SourceState;
  duplicateOf?: string | null;
  batchId?: string | null;
  reasonCode?: string | null;
  reason?: string | null;
}

export class SourceRepository {
  constructor(private readonly db: Db) {}

  insert(source: NewSource): SourceRow {
    const now = nowIso();
    const seq = (statement(this.db, 'SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM source_files').get() as { next: number }).next;
    statement(this.db, 
        `INSERT INTO source_files (id, seq, sha256, size, original_name, hot_folder, hot_path, hot_mtime_ms, stored_path, state,
           duplicate_of, batch_id, reason_code, reason, ingested_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        source.id, seq, source.sha256, source.size, source.originalName, source.hotFolder, source.hotPath, source.hotMtimeMs,
        source.storedPath, source.state, source.duplicateOf ?? null, source.batchId ?? null, source.reasonCode ?? null,
        source.reason ?? null, now, now,
      );
    return this.get(source.id)!;
  }

  get(id: string): SourceRow | undefined {
    return statement(this.db, 'SELECT * FROM source_files WHERE id = ?').get(id) as SourceRow | undefined;
  }

  /** The first source with these bytes that was taken for processing (not itself a duplicate). */
  firstWithHash(sha256: string): SourceRow | undefined {
    return statement(this.db, `SELECT * FROM source_files WHERE sha256 = ? AND state != 'duplicate' ORDER BY seq LIMIT 1`)
      .get(sha256) as SourceRow | undefined;
  }

  /** The row made when this very file (same place, same bytes) was taken before. */
  findIngestOf(hotPath: string, sha256: string): SourceRow | undefined {
    return statement(this.db, 'SELECT * FROM source_files WHERE hot_path = ? AND sha256 = ? ORDER BY seq DESC LIMIT 1')
      .get(hotPath, sha256) as SourceRow | undefined;
  }

  /** Files still in a hot folder although their copy is committed (crash between commit and delete). */
  awaitingRemoval(): SourceRow[] {
    return statement(this.db, 'SELECT * FROM source_files WHERE hot_removed = 0 AND stored_path IS NOT NULL').all() as SourceRow[];
  }

  markRemovedFromHotFolder(id: string): void {
    statement(this.db, 'UPDATE source_files SET hot_removed = 1, updated_at = ? WHERE id = ?').run(nowIso(), id);
  }

  markProcessed(id: string, format: string, pageCount: number): void {
    statement(this.db, `UPDATE source_files SET state = 'processed', format = ?, page_count = ?, updated_at = ? WHERE id = ?`)
      .run(format, pageCount, nowIso(), id);
  }

  markQuarantined(id: string, reasonCode: string, reason: string, storedPath: string | null): void {
    statement(this.db, `UPDATE source_files SET state = 'quarantined', reason_code = ?, reason = ?, stored_path = ?, updated_at = ? WHERE id = ?`)
      .run(reasonCode, reason, storedPath, nowIso(), id);
  }

  setDocument(id: string, documentId: string): void {
    statement(this.db, 'UPDATE source_files SET document_id = ?, updated_at = ? WHERE id = ?').run(documentId, nowIso(), id);
  }

  /** A file of the batch still waiting to be processed (cheap: a closing check runs every tick). */
  anyIngestedInBatch(batchId: string): boolean {
    return statement(this.db, `SELECT 1 FROM source_files WHERE batch_id = ? AND state = 'ingested' LIMIT 1`).get(batchId) !== undefined;
  }

  inBatch(batchId: string): SourceRow[] {
    return statement(this.db, 'SELECT * FROM source_files WHERE batch_id = ? ORDER BY seq').all(batchId) as SourceRow[];
  }

  quarantined(): SourceRow[] {
    // Rows staff retried or discarded stay 'quarantined' for the record but are no longer waiting (migration 8).
    return statement(this.db, `SELECT * FROM source_files WHERE state = 'quarantined' AND quarantine_outcome IS NULL ORDER BY seq DESC`).all() as SourceRow[];
  }

  duplicates(): SourceRow[] {
    return statement(this.db, `SELECT * FROM source_files WHERE state = 'duplicate' ORDER BY seq DESC`).all() as SourceRow[];
  }

  all(): SourceRow[] {
    return statement(this.db, 'SELECT * FROM source_files ORDER BY seq').all() as SourceRow[];
  }

  /** Other rows that still point at the same stored copy (duplicates share the content-addressed file). */
  countUsingStoredPath(storedPath: string, exceptId: string): number {
    return (statement(this.db, `SELECT COUNT(*) AS n FROM source_files WHERE stored_path = ? AND id != ?`)
      .get(storedPath, exceptId) as { n: number }).n;
  }
}
