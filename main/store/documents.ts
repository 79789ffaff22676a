/** Documents: pages grouped for one customer file, with their state in the flow. */
import type { Db } from './db.js';
import { statement } from './statements.js';
import { nowIso } from './clock.js';

export const documentStates = ['processing', 'needs_review', 'ready', 'queued', 'uploading', 'uploaded', 'purged', 'error', 'quarantined'] as const;
export type DocumentState = (typeof documentStates)[number];

export interface DocumentRow {
  id: string;
  state: DocumentState;
  title: string;
  hot_folder: string;
  profile_name: string;
  document_type: string | null;
  customer_id: string | null;
  note: string | null;
  batch_id: string | null;
  page_count: number;
  pdf_path: string | null;
  pdf_sha256: string | null;
  pdf_bytes: number | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}

export interface NewDocument {
  id: string;
  title: string;
  hotFolder: string;
  profileName: string;
  documentType: string | null;
  batchId: string | null;
}

export class DocumentRepository {
  constructor(private readonly db: Db) {}

  insert(doc: NewDocument): DocumentRow {
    const now = nowIso();
    statement(this.db, 
        `INSERT INTO documents (id, state, title, hot_folder, profile_name, document_type, batch_id, created_at, updated_at)
         VALUES (?, 'processing', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(doc.id, doc.title, doc.hotFolder, doc.profileName, doc.documentType, doc.batchId, now, now);
    return this.get(doc.id)!;
  }

  get(id: string): DocumentRow | undefined {
    return statement(this.db, 'SELECT * FROM documents WHERE id = ?').get(id) as DocumentRow | undefined;
  }

  setAssembled(id: string, pdfPath: string, sha256: string, bytes: number, pageCount: number, state: DocumentState): void {
    statement(this.db, `UPDATE documents SET pdf_path = ?, pdf_sha256 = ?, pdf_bytes = ?, page_count = ?, state = ?, error = NULL, updated_at = ? WHERE id = ?`)
      .run(pdfPath, sha256, bytes, pageCount, state, nowIso(), id);
  }

  setState(id: string, state: DocumentState, error: string | null = null): void {
    statement(this.db, 'UPDATE documents SET state = ?, error = ?, updated_at = ? WHERE id = ?').run(state, error, nowIso(), id);
  }

  countsByState(): Record<DocumentState, number> {
    const counts = Object.fromEntries(documentStates.map((s) => [s, 0])) as Record<DocumentState, number>;
    for (const row of statement(this.db, 'SELECT state, COUNT(*) AS n FROM documents GROUP BY state').all() as { state: DocumentState; n: number }[]) {
      counts[row.state] = row.n;
    }
    return counts;
  }

  list(state?: DocumentState): DocumentRow[] {
    return state
      ? (statement(this.db, 'SELECT * FROM documents WHERE state = ? ORDER BY created_at DESC').all(state) as DocumentRow[])
      : (statement(this.db, 'SELECT * FROM documents ORDER BY created_at DESC').all() as DocumentRow[]);
  }
}
