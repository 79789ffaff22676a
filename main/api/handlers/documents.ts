import { documentOperations, type DocumentSummaryView } from '../../../preload/contract/documents.js';
import type { HandlerTable } from '../handler-types.js';
import { notFound } from '../errors.js';
import type { DocumentRow } from '../../store/documents.js';
import { listDocumentPage } from '../../store/document-pages.js';

export function documentSummary(row: DocumentRow): DocumentSummaryView {
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
    flags: [],
  };
}

export const documentHandlers: HandlerTable<typeof documentOperations> = {
  listDocuments: ({ station }, { states, offset, limit, changedSince }) => {
    // Filtered and paged in SQL: the queue asks for one window of up to 10,000+ documents at a time.
    const { rows, total } = listDocumentPage(station.store.db, { states, offset, limit, changedSince });
    return { items: rows.map(documentSummary), total };
  },
  getDocument: ({ station }, { id }) => {
    const row = station.store.documents.get(id);
    if (!row) throw notFound('Document', id);
    return documentSummary(row);
  },
};
