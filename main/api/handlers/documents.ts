import { documentOperations, type DocumentSummaryView } from '../../../preload/contract/documents.js';
import type { HandlerTable } from '../handler-types.js';
import { notFound } from '../errors.js';
import { statement } from '../../store/statements.js';
import type { DocumentRow } from '../../store/documents.js';
import type { Station } from '../../station.js';
import { flagText, openFlags } from '../../mailroom/flow/review.js';
import { parseFlags } from '../../mailroom/flow/store.js';
import type { BatchFlagView } from '../../../preload/contract/mailroom.js';
import { listDocumentPage } from '../../store/document-pages.js';
import { PageEditor } from '../../documents/page-edits.js';
import { documentDetail } from '../../documents/detail.js';
import { assignDocument, documentTypes } from '../../documents/assign.js';

/**
 * The code of the sending failure that put a document into "error" (the audit's last move into it),
 * so the UI can word it in the user's language; null when it got there another way (processing).
 */
function sendErrorCode(station: Pick<Station, 'store'>, row: DocumentRow): string | null {
  if (row.state !== 'error') return null;
  const entry = statement(station.store.db, `SELECT action, detail FROM audit WHERE subject_type = 'document' AND subject_id = ? AND to_state = 'error' ORDER BY id DESC LIMIT 1`)
    .get(row.id) as { action: string; detail: string | null } | undefined;
  if (entry?.action !== 'send_failed' || !entry.detail) return null;
  try {
    const code = (JSON.parse(entry.detail) as { code?: unknown }).code;
    return typeof code === 'string' ? code : null;
  } catch {
    return null;
  }
}

/** A mailroom document's open flags with their codes (the UI words them), [] for any other document. */
function mailroomFlags(station: Pick<Station, 'mailroom'>, row: DocumentRow): BatchFlagView[] {
  const mailroom = station.mailroom.store.document(row.id);
  return mailroom ? openFlags(parseFlags(mailroom), row).map((flag): BatchFlagView => ({ ...flag, text: flagText(flag) })) : [];
}

/** `station` adds the mailroom's flags (unknown customer, page-count mismatch, ...) in plain words and the sending error's code. */
export function documentSummary(row: DocumentRow, station?: Pick<Station, 'mailroom' | 'store' | 'customers'>): DocumentSummaryView {
  const flagDetails = station ? mailroomFlags(station, row) : [];
  // Staff know customers by name and number, not by the directory's internal id.
  const customer = station && row.customer_id ? station.customers.get(row.customer_id) : null;
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
    customerName: customer?.name ?? null,
    customerNumber: customer?.customerNumber ?? null,
    error: row.error,
    sendErrorCode: station ? sendErrorCode(station, row) : null,
    flags: flagDetails.map((flag) => flag.text),
    flagDetails,
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
  getDocumentDetail: ({ station }, { id }) => documentDetail(station, id),
  rotatePage: ({ station, actor }, { id, pageId, degrees }) => {
    new PageEditor(station, actor).rotatePage(id, pageId, degrees);
    return documentDetail(station, id);
  },
  fineTurnPage: ({ station, actor }, { id, pageId, degrees }) => {
    new PageEditor(station, actor).fineTurnPage(id, pageId, degrees);
    return documentDetail(station, id);
  },
  deletePage: ({ station, actor }, { id, pageId }) => {
    new PageEditor(station, actor).deletePage(id, pageId);
    return documentDetail(station, id);
  },
  movePage: ({ station, actor }, { id, pageId, toIndex }) => {
    new PageEditor(station, actor).movePage(id, pageId, toIndex);
    return documentDetail(station, id);
  },
  splitDocument: ({ station, actor }, { id, pageId }) => {
    const outcome = new PageEditor(station, actor).splitDocument(id, pageId);
    return { document: documentDetail(station, id), newDocumentId: outcome.createdId! };
  },
  mergeWithNext: ({ station, actor }, { id }) => {
    const outcome = new PageEditor(station, actor).mergeWithNext(id);
    return { document: documentDetail(station, id), mergedId: outcome.removedId! };
  },
  undoEdit: ({ station, actor }, { id }) => {
    const outcome = new PageEditor(station, actor).undo(id);
    return { document: station.store.documents.get(id) ? documentDetail(station, id) : null, undone: outcome.undone };
  },
  assignDocument: async ({ station, actor }, input) => {
    await assignDocument(station, actor, input);
    return documentDetail(station, input.id);
  },
  listDocumentTypes: ({ station }) => {
    const items = documentTypes(station);
    const fallback = station.config.hotFolders[0]?.profile.defaultDocumentType;
    return { items, defaultType: fallback && items.includes(fallback) ? fallback : items[items.length - 1] };
  },
};
