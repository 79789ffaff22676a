/**
 * One page of the document queue, filtered and counted in SQL (newest first), so the UI can page
 * through 10,000 documents without the station loading them all for every scroll.
 */
import type { Db } from './db.js';
import type { DocumentRow, DocumentState } from './documents.js';
import { statement } from './statements.js';

export interface DocumentPageQuery {
  states?: readonly DocumentState[];
  offset: number;
  limit: number;
  /** ISO instant: only documents whose updated_at is at or after it. */
  changedSince?: string;
  /** 'created' (default): newest first by creation; 'changed': most recently changed first. */
  order?: 'created' | 'changed';
}

export function listDocumentPage(db: Db, query: DocumentPageQuery): { rows: DocumentRow[]; total: number } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (query.states) {
    if (query.states.length === 0) return { rows: [], total: 0 };
    where.push(`state IN (${query.states.map(() => '?').join(',')})`);
    params.push(...query.states);
  }
  if (query.changedSince) {
    // Stored timestamps are ISO UTC strings; compare in UTC.
    where.push('updated_at >= ?');
    params.push(new Date(query.changedSince).toISOString());
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (statement(db, `SELECT COUNT(*) AS n FROM documents ${clause}`).get(...params) as { n: number }).n;
  const orderBy = query.order === 'changed' ? 'updated_at DESC, id DESC' : 'created_at DESC, id DESC';
  const rows = statement(db, `SELECT * FROM documents ${clause} ORDER BY ${orderBy} LIMIT ? OFFSET ?`)
    .all(...params, query.limit, query.offset) as DocumentRow[];
  return { rows, total };
}
