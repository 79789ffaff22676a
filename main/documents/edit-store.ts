/**
 * The SQL behind page edits (migration 5): the staff columns on pages, the document order within a
 * batch, and the durable undo history. Every function runs inside the caller's transaction.
 */
import type { Db } from '../store/db.js';
import type { DocumentRow } from '../store/documents.js';
import type { PageRow } from '../store/pages.js';
import { statement } from '../store/statements.js';
import { nowIso } from '../store/clock.js';

/** A page row with the columns migration 5 added. */
export interface EditablePageRow extends PageRow {
  edit_quarters: number;
  fine_degrees: number;
  removed: number;
}

export interface OrderedDocumentRow extends DocumentRow {
  order_key: number | null;
}

/** What undo puts back for one page. */
export interface PageState {
  id: string;
  document_id: string | null;
  position: number | null;
  dropped: number;
  removed: number;
  edit_quarters: number;
  fine_degrees: number;
}

/** Everything an edit may change, as it was before it. */
export interface EditSnapshot {
  /** Full rows of the touched documents; null: the edit created it (split). */
  documents: { id: string; row: OrderedDocumentRow | null }[];
  /** Rows of other areas' tables that pointed at a document the edit removed (merge), put back by undo. */
  detached?: DetachedRows[];
  pages: PageState[];
  /** Source files pointing at a touched document (merge re-points them). */
  sources: { id: string; document_id: string | null }[];
}

export interface DetachedRows {
  table: string;
  rows: Record<string, unknown>[];
}

/** Tables the edits handle themselves; any other table pointing at documents is detached generically. */
const OWN_REFERENCES = new Set(['pages', 'source_files', 'documents']);

export interface EditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  snapshot: string;
}

/** Documents ordered within their batch (or hot folder): the order key, else created_at in ms. */
const CREATED_MS = `(julianday(created_at) - 2440587.5) * 86400000.0`;
/**
 * The mailroom makes a batch's documents in one moment (equal created_at); their place in the
 * batch (seq) then orders them: a thousandth of a millisecond per place keeps the key rising.
 */
const MAILROOM_SEQ = `COALESCE((SELECT m.seq FROM mailroom_documents m WHERE m.document_id = documents.id), 0) * 0.001`;

export class DocumentEditStore {
  private readonly orderExpr: string;

  constructor(private readonly db: Db) {
    const mailroom = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'mailroom_documents'`).get();
    this.orderExpr = `COALESCE(order_key, ${CREATED_MS}${mailroom ? ` + ${MAILROOM_SEQ}` : ''})`;
  }

  document(id: string): OrderedDocumentRow | undefined {
    return statement(this.db, 'SELECT * FROM documents WHERE id = ?').get(id) as OrderedDocumentRow | undefined;
  }

  /** All pages of a document, removed ones included, in position order. */
  pages(documentId: string): EditablePageRow[] {
    return statement(this.db, 'SELECT * FROM pages WHERE document_id = ? ORDER BY position').all(documentId) as EditablePageRow[];
  }

  page(id: string): EditablePageRow | undefined {
    return statement(this.db, 'SELECT * FROM pages WHERE id = ?').get(id) as EditablePageRow | undefined;
  }

  orderKey(documentId: string): number {
    return (statement(this.db, `SELECT ${this.orderExpr} AS k FROM documents WHERE id = ?`).get(documentId) as { k: number }).k;
  }

  /**
   * The document right after this one: same batch (or, without a batch, same hot folder and no
   * batch), next by order key, whatever its state.
   */
  nextDocument(doc: DocumentRow): OrderedDocumentRow | undefined {
    const key = this.orderKey(doc.id);
    return statement(
      this.db,
      `SELECT *, ${this.orderExpr} AS k FROM documents
       WHERE id != @id AND (CASE WHEN @batch IS NULL THEN batch_id IS NULL AND hot_folder = @hot ELSE batch_id = @batch END)
         AND state NOT IN ('purged','quarantined')
         AND (${this.orderExpr} > @key OR (${this.orderExpr} = @key AND id > @id))
       ORDER BY k, id LIMIT 1`,
    ).get({ id: doc.id, batch: doc.batch_id, hot: doc.hot_folder, key }) as OrderedDocumentRow | undefined;
  }

  /** Writes a document's page order: `ordered` get positions 0..n-1 (two steps: positions are unique per document). */
  setOrder(documentId: string, ordered: EditablePageRow[]): void {
    const clear = statement(this.db, 'UPDATE pages SET position = NULL WHERE id = ?');
    for (const page of ordered) clear.run(page.id);
    const set = statement(this.db, 'UPDATE pages SET document_id = ?, position = ? WHERE id = ?');
    ordered.forEach((page, position) => set.run(documentId, position, page.id));
  }

  setTurn(pageId: string, quarters: number, fineDegrees: number): void {
    statement(this.db, 'UPDATE pages SET edit_quarters = ?, fine_degrees = ? WHERE id = ?').run(quarters, fineDegrees, pageId);
  }

  setRemoved(pageId: string): void {
    statement(this.db, 'UPDATE pages SET removed = 1, dropped = 1 WHERE id = ?').run(pageId);
  }

  setOrderKey(documentId: string, key: number): void {
    statement(this.db, 'UPDATE documents SET order_key = ? WHERE id = ?').run(key, documentId);
  }

  touch(documentId: string): void {
    statement(this.db, 'UPDATE documents SET updated_at = ? WHERE id = ?').run(nowIso(), documentId);
  }

  sourcesOf(documentIds: string[]): { id: string; document_id: string | null }[] {
    const select = statement(this.db, 'SELECT id, document_id FROM source_files WHERE document_id = ?');
    return documentIds.flatMap((id) => select.all(id) as { id: string; document_id: string | null }[]);
  }

  pointSources(fromDocument: string, toDocument: string): void {
    statement(this.db, 'UPDATE source_files SET document_id = ?, updated_at = ? WHERE document_id = ?').run(toDocument, nowIso(), fromDocument);
  }

  /**
   * Takes out the rows other areas keep about a document (say, the mailroom's record of how a batch
   * was split), so the document row can go; undo puts them back with reattach().
   */
  detachDocument(id: string): DetachedRows[] {
    const detached: DetachedRows[] = [];
    for (const { table, column } of this.referencesToDocuments()) {
      const where = `FROM "${table}" WHERE "${column}" = ?`;
      const rows = this.db.prepare(`SELECT * ${where}`).all(id) as Record<string, unknown>[];
      if (rows.length === 0) continue;
      this.db.prepare(`DELETE ${where}`).run(id);
      detached.push({ table, rows });
    }
    return detached;
  }

  reattach(detached: DetachedRows[]): void {
    for (const { table, rows } of detached) {
      for (const row of rows) {
        const columns = Object.keys(row);
        this.db.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(...columns.map((c) => row[c]));
      }
    }
  }

  /** Every (table, column) with a foreign key to documents, apart from the ones edits move themselves. */
  private referencesToDocuments(): { table: string; column: string }[] {
    const tables = this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[];
    const found: { table: string; column: string }[] = [];
    for (const { name } of tables) {
      if (OWN_REFERENCES.has(name)) continue;
      const keys = this.db.prepare(`SELECT "table" AS target, "from" AS column FROM pragma_foreign_key_list(?)`).all(name) as { target: string; column: string }[];
      for (const key of keys) if (key.target === 'documents') found.push({ table: name, column: key.column });
    }
    return found;
  }

  /** Removes a document row that no page or source points at any more (merged away, or a split undone). */
  deleteDocument(id: string): void {
    statement(this.db, `DELETE FROM jobs WHERE kind = 'assemble_document' AND subject_id = ?`).run(id);
    statement(this.db, 'DELETE FROM documents WHERE id = ?').run(id);
  }

  /** Puts a document row back exactly as it was (undo of a merge). */
  restoreDocument(row: OrderedDocumentRow): void {
    const columns = Object.keys(row);
    statement(this.db, `INSERT INTO documents (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`).run(row);
  }

  snapshot(documentIds: string[]): EditSnapshot {
    return {
      documents: documentIds.map((id) => ({ id, row: this.document(id) ?? null })),
      pages: documentIds.flatMap((id) =>
        this.pages(id).map(({ id: pageId, document_id, position, dropped, removed, edit_quarters, fine_degrees }) => ({
          id: pageId, document_id, position, dropped, removed, edit_quarters, fine_degrees,
        })),
      ),
      sources: this.sourcesOf(documentIds),
    };
  }

  /** Puts pages and sources back as the snapshot has them (positions cleared first: they are unique). */
  restorePages(snapshot: EditSnapshot): void {
    const clear = statement(this.db, 'UPDATE pages SET position = NULL WHERE id = ?');
    for (const page of snapshot.pages) clear.run(page.id);
    const set = statement(
      this.db,
      'UPDATE pages SET document_id = @document_id, position = @position, dropped = @dropped, removed = @removed, edit_quarters = @edit_quarters, fine_degrees = @fine_degrees WHERE id = @id',
    );
    for (const page of snapshot.pages) set.run(page);
    const source = statement(this.db, 'UPDATE source_files SET document_id = ?, updated_at = ? WHERE id = ?');
    for (const s of snapshot.sources) source.run(s.document_id, nowIso(), s.id);
  }

  recordEdit(actor: string, action: string, snapshot: EditSnapshot): number {
    const id = Number(
      statement(this.db, 'INSERT INTO document_edits (at, actor, action, snapshot) VALUES (?, ?, ?, ?)').run(nowIso(), actor, action, JSON.stringify(snapshot))
        .lastInsertRowid,
    );
    const subject = statement(this.db, 'INSERT INTO document_edit_subjects (edit_id, document_id) VALUES (?, ?)');
    for (const doc of snapshot.documents) subject.run(id, doc.id);
    return id;
  }

  /** The newest edit of a document that is not undone yet. */
  lastEdit(documentId: string): EditRow | undefined {
    return statement(
      this.db,
      `SELECT e.id, e.at, e.actor, e.action, e.snapshot FROM document_edits e JOIN document_edit_subjects s ON s.edit_id = e.id
       WHERE s.document_id = ? AND e.undone_at IS NULL ORDER BY e.id DESC LIMIT 1`,
    ).get(documentId) as EditRow | undefined;
  }

  markUndone(editId: number, actor: string): void {
    statement(this.db, 'UPDATE document_edits SET undone_at = ?, undone_by = ? WHERE id = ?').run(nowIso(), actor, editId);
  }

  /** Whether the document's PDF is waiting to be (re)built. */
  buildState(documentId: string): 'pending' | 'running' | 'done' | 'failed' | null {
    const row = statement(this.db, `SELECT state FROM jobs WHERE kind = 'assemble_document' AND subject_id = ?`).get(documentId) as { state: string } | undefined;
    return (row?.state as 'pending' | 'running' | 'done' | 'failed' | undefined) ?? null;
  }
}

/** Customer, type and note of a document, and its next state; call inside a transaction. */
export function writeAssignment(db: Db, id: string, fields: { customerId: string; documentType: string; note: string | null; state: 'ready' | 'queued' }): void {
  statement(db, 'UPDATE documents SET customer_id = ?, document_type = ?, note = ?, state = ?, error = NULL, updated_at = ? WHERE id = ?').run(
    fields.customerId,
    fields.documentType,
    fields.note,
    fields.state,
    nowIso(),
    id,
  );
}
