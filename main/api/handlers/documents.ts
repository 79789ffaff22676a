import { documentOperations, type DocumentSummaryView } from '../../../preload/contract/documents.js';
import type { HandlerTable } from '../handler-types.js';
import { notFound } from '../errors.js';
import type { DocumentRow } from '../../store/documents.js';

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
  listDocuments: ({ station }, { states, offset, limit }) => {
    const rows = station.store.documents.list().filter((row) => !states || states.includes(row.state));
    return { items: rows.slice(offset, offset + limit).map(documentSummary), total: rows.length };
  },
  getDocument: ({ station }, { id }) => {
    const row = station.store.documents.get(id);
    if (!row) throw notFound('Document', id);
    return documentSummary(row);
  },
};
