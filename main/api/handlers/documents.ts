import { documentOperations, type DocumentSummaryView } from '../../../preload/contract/documents.js';
import type { HandlerTable } from '../handler-types.js';
import { notFound } from '../errors.js';
import type { DocumentRow } from '../../store/documents.js';
import type { Station } from '../../station.js';
import { flagTextsFor } from '../../mailroom/flow/review.js';
import { listDocumentPage } from '../../store/document-pages.js';

/** `station` adds the mailroom's flags (unknown customer, page-count mismatch, ...) in plain words. */
export function documentSummary(row: DocumentRow, station?: Pick<Station, 'mailroom'>): DocumentSummaryView {
  return {
    id: row.id,
    state: row.state,
    title: row.title,
    pageCount: row.page_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    profileName: row.profile_name,
    documentType: row.document_type,
    customerId: row.customer_id,
    error: row.error,
    flags: station ? flagTextsFor(station, row) : [],
  };
}

export const documentHandlers: HandlerTable<typeof documentOperations> = {
  listDocuments: ({ station }, { states, offset, limit, changedSince, order }) => {
    // Filtered and paged in SQL: the queue asks for one window of up to 10,000+ documents at a time.
    const { rows, total } = listDocumentPage(station.store.db, { states, offset, limit, changedSince, order });
    return { items: rows.map((row) => documentSummary(row, station)), total };
  },
  getDocument: ({ station }, { id }) => {
    const row = station.store.documents.get(id);
    if (!row) throw notFound('Document', id);
    return documentSummary(row, station);
  },
};
