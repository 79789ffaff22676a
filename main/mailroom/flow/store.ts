/**
 * The mailroom flow's tables (migration 6): the marks read on each page, and for each document made
 * from a batch how it was split and assigned and what is uncertain about it.
 */
import type { Db } from '../../store/db.js';
import { statement } from '../../store/statements.js';
import { nowIso } from '../../store/clock.js';
import type { DocumentState } from '../../store/documents.js';
import type { Assignment, Flag, MarksLike, SplitReason } from './types.js';

export interface MailroomDocumentRow {
  document_id: string;
  batch_id: string;
  seq: number;
  split_reason: SplitReason;
  split_at: number;
  assignment_json: string | null;
  expected_pages: number | null;
  flags_json: string;
  state_after_assembly: DocumentState | null;
  created_at: string;
}

/** How a document got its customer: from a barcode/cover sheet, or by hand later (then customer_id differs). */
export interface StoredAssignment extends Assignment {
  /** The directory's customer id when the number was found, else null (then flagged). */
  customerId: string | null;
}

export interface NewMailroomDocument {
  documentId: string;
  batchId: string;
  seq: number;
  reason: SplitReason;
  splitAt: number;
  assignment: StoredAssignment | null;
  expectedPages: number | null;
  flags: Flag[];
  stateAfterAssembly: DocumentState | null;
}

export class MailroomStore {
  constructor(private readonly db: Db) {}

  /** Re-reading a page after a crash replaces its marks. */
  saveMarks(pageId: string, marks: MarksLike | null, error: string | null, readMs: number | null): void {
    statement(
      this.db,
      `INSERT INTO page_marks (page_id, marks_json, error, read_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (page_id) DO UPDATE SET marks_json = excluded.marks_json, error = excluded.error, read_ms = excluded.read_ms`,
    ).run(pageId, marks ? JSON.stringify(marks) : null, error, readMs);
  }

  /** The marks of a page; null when they could not be read or were never read. */
  marks(pageId: string): MarksLike | null {
    const row = statement(this.db, 'SELECT marks_json FROM page_marks WHERE page_id = ?').get(pageId) as { marks_json: string | null } | undefined;
    return row?.marks_json ? (JSON.parse(row.marks_json) as MarksLike) : null;
  }

  /**
   * Pages processed in a batch, and pages known so far: a processed file counts its pages, a file
   * still waiting counts one (a scanner's single-page file, until it is processed).
   */
  batchPageCounts(batchId: string): { done: number; total: number } {
    const row = statement(
      this.db,
      `SELECT COALESCE(SUM(CASE WHEN state = 'processed' THEN COALESCE(page_count, 0) ELSE 0 END), 0) AS done,
              COALESCE(SUM(CASE WHEN state = 'ingested' THEN 1 ELSE 0 END), 0) AS waiting
       FROM source_files WHERE batch_id = ?`,
    ).get(batchId) as { done: number; waiting: number };
    return { done: row.done, total: row.done + row.waiting };
  }

  insertDocument(doc: NewMailroomDocument): void {
    statement(
      this.db,
      `INSERT INTO mailroom_documents (document_id, batch_id, seq, split_reason, split_at, assignment_json, expected_pages, flags_json, state_after_assembly, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      doc.documentId,
      doc.batchId,
      doc.seq,
      doc.reason,
      doc.splitAt,
      doc.assignment ? JSON.stringify(doc.assignment) : null,
      doc.expectedPages,
      JSON.stringify(doc.flags),
      doc.stateAfterAssembly,
      nowIso(),
    );
  }

  document(documentId: string): MailroomDocumentRow | undefined {
    return statement(this.db, 'SELECT * FROM mailroom_documents WHERE document_id = ?').get(documentId) as MailroomDocumentRow | undefined;
  }

  forBatch(batchId: string): MailroomDocumentRow[] {
    return statement(this.db, 'SELECT * FROM mailroom_documents WHERE batch_id = ? ORDER BY seq').all(batchId) as MailroomDocumentRow[];
  }

  /** The state a document takes once its PDF is built, consumed once (a rebuild after an edit keeps its state). */
  takeStateAfterAssembly(documentId: string): DocumentState | null {
    const row = this.document(documentId);
    if (!row?.state_after_assembly) return null;
    statement(this.db, 'UPDATE mailroom_documents SET state_after_assembly = NULL WHERE document_id = ?').run(documentId);
    return row.state_after_assembly;
  }

  /** Batches that have mailroom documents, newest first. */
  batches(limit: number): { batch_id: string; documents: number; created_at: string }[] {
    return statement(
      this.db,
      `SELECT batch_id, COUNT(*) AS documents, MIN(created_at) AS created_at FROM mailroom_documents
       GROUP BY batch_id ORDER BY MIN(created_at) DESC LIMIT ?`,
    ).all(limit) as { batch_id: string; documents: number; created_at: string }[];
  }
}

export function parseFlags(row: MailroomDocumentRow | undefined): Flag[] {
  return row ? (JSON.parse(row.flags_json) as Flag[]) : [];
}

export function parseAssignment(row: MailroomDocumentRow | undefined): StoredAssignment | null {
  return row?.assignment_json ? (JSON.parse(row.assignment_json) as StoredAssignment) : null;
}
