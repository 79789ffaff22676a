/**
 * Batch review: the batches of mailroom profiles, each batch's documents with how they were split
 * and assigned and what is uncertain, and sending a batch's ready documents in one go.
 * The views are the contract's (preload/contract/mailroom.ts).
 */
import type { BatchDocumentView, BatchFlagView, BatchReviewView, MailroomBatchView } from '../../../preload/contract/mailroom.js';
import type { Profile } from '../../config/schema.js';
import type { DocumentRow, DocumentState } from '../../store/documents.js';
import type { StationStore } from '../../store/station-store.js';
import { statement } from '../../store/statements.js';
import type { BatchRow } from '../../store/batches.js';
import { parseAssignment, parseFlags, type MailroomDocumentRow } from './store.js';
import type { MailroomFlow } from './mailroom-flow.js';
import type { Flag } from './types.js';

/** What the review needs of the station (kept narrow so it stays testable and free of cycles). */
export interface ReviewStation {
  store: StationStore;
  mailroom: MailroomFlow;
  profileFor(hotFolder: string): Profile;
  sending?: { wake(): void };
  emit(name: 'ui', event: import('../../../preload/contract/events.js').StationEvent): boolean;
}

const SENT: ReadonlySet<DocumentState> = new Set(['queued', 'uploading', 'uploaded', 'purged']);

function profileOf(station: ReviewStation, hotFolder: string): Profile | null {
  try {
    return station.profileFor(hotFolder);
  } catch {
    return null;
  }
}

/** Flags still open: once staff assigned a customer by hand, "no barcode" and "unknown customer" are answered. */
export function openFlags(flags: Flag[], document: Pick<DocumentRow, 'customer_id'>): Flag[] {
  return document.customer_id ? flags.filter((f) => f.code !== 'no_barcode' && f.code !== 'unknown_customer') : flags;
}

/** Plain English words for a flag (the document summary's `flags`); the UI translates by code. */
export function flagText(flag: Flag): string {
  const pages = flag.pages?.join(', ') ?? '';
  switch (flag.code) {
    case 'no_barcode':
      return 'no barcode';
    case 'unknown_customer':
      return `unknown customer ${flag.customerNumber ?? ''}`.trim();
    case 'page_count_mismatch':
      return `page count ${flag.actual}, cover sheet says ${flag.expected}`;
    case 'low_confidence_page':
      return `low-confidence page ${pages}`;
    case 'conflicting_barcode':
      return `barcode for another customer ${flag.customerNumber ?? ''} on page ${pages}`;
    case 'sheet_back_not_blank':
      return 'separator or cover sheet has a printed back';
    case 'missing_back':
      return 'last sheet has no back';
    case 'marks_unread':
      return `barcodes not read on page ${pages}`;
    case 'cover_without_pages':
      return `cover sheet without pages${flag.customerNumber ? ` (customer ${flag.customerNumber})` : ''}`;
    case 'no_content':
      return 'no page with content';
  }
}

/** The open flags of a mailroom document in plain words ([] for any other document). */
export function flagTextsFor(station: Pick<ReviewStation, 'mailroom'>, document: DocumentRow): string[] {
  const row = station.mailroom.store.document(document.id);
  return row ? openFlags(parseFlags(row), document).map(flagText) : [];
}

function documentsOf(store: StationStore, batchId: string): { doc: DocumentRow; row: MailroomDocumentRow | undefined }[] {
  const docs = statement(
    store.db,
    `SELECT d.* FROM documents d LEFT JOIN mailroom_documents m ON m.document_id = d.id
     WHERE d.batch_id = @batch OR m.batch_id = @batch
     ORDER BY COALESCE(m.seq, 1e9), d.created_at, d.id`,
  ).all({ batch: batchId }) as DocumentRow[];
  const mailroom = new Map(
    (statement(store.db, 'SELECT * FROM mailroom_documents WHERE batch_id = ?').all(batchId) as MailroomDocumentRow[]).map((row) => [row.document_id, row]),
  );
  return docs.map((doc) => ({ doc, row: mailroom.get(doc.id) ?? (statement(store.db, 'SELECT * FROM mailroom_documents WHERE document_id = ?').get(doc.id) as MailroomDocumentRow | undefined) }));
}

function pageCounts(store: StationStore, documentId: string): { pages: number; removed: number } {
  const row = statement(store.db, 'SELECT SUM(dropped = 0) AS pages, SUM(dropped = 1) AS removed FROM pages WHERE document_id = ?').get(documentId) as {
    pages: number | null;
    removed: number | null;
  };
  return { pages: row.pages ?? 0, removed: row.removed ?? 0 };
}

function documentView(station: ReviewStation, doc: DocumentRow, row: MailroomDocumentRow | undefined, index: number): BatchDocumentView {
  const counts = pageCounts(station.store, doc.id);
  const stored = parseAssignment(row);
  const flags = openFlags(parseFlags(row), doc);
  const byMachine = stored && stored.customerId && stored.customerId === doc.customer_id;
  const assignedBy: BatchDocumentView['assignment']['by'] = byMachine ? stored.source : doc.customer_id ? 'manual' : null;
  return {
    id: doc.id,
    seq: index + 1,
    state: doc.state,
    title: doc.title,
    pageCount: counts.pages,
    removedPages: counts.removed,
    split: row ? { reason: row.split_reason, atBatchPage: row.split_at + 1 } : { reason: 'manual', atBatchPage: null },
    assignment: {
      by: assignedBy,
      customerId: doc.customer_id,
      customerNumber: byMachine || !doc.customer_id ? (stored?.customerNumber ?? null) : null,
      documentType: doc.document_type,
      rule: stored?.rule ?? null,
      barcodeText: stored?.barcodeText ?? null,
    },
    expectedPages: row?.expected_pages ?? null,
    flags: flags.map((flag): BatchFlagView => ({ ...flag, text: flagText(flag) })),
  };
}

function batchRow(store: StationStore, batchId: string): BatchRow | undefined {
  return statement(store.db, 'SELECT * FROM batches WHERE id = ?').get(batchId) as BatchRow | undefined;
}

function batchView(station: ReviewStation, batchId: string, docs: BatchDocumentView[]): MailroomBatchView | null {
  const batch = batchRow(station.store, batchId);
  const firstDoc = docs.length ? station.store.documents.get(docs[0].id) : undefined;
  const hotFolder = batch?.hot_folder ?? firstDoc?.hot_folder;
  if (!hotFolder) return null;
  const open = batch ? batch.closed_at === null : false;
  const status: MailroomBatchView['status'] = open ? 'processing' : docs.some((d) => !SENT.has(d.state)) ? 'review' : 'sent';
  const progress = station.mailroom.progressOf(batchId);
  return {
    id: batchId,
    hotFolder,
    profileName: profileOf(station, hotFolder)?.name ?? firstDoc?.profile_name ?? '',
    openedAt: batch?.opened_at ?? firstDoc?.created_at ?? '',
    closedAt: batch?.closed_at ?? null,
    status,
    documents: docs.length,
    pages: docs.reduce((sum, d) => sum + d.pageCount, 0),
    flagged: docs.filter((d) => d.flags.length > 0).length,
    ready: docs.filter((d) => d.state === 'ready').length,
    sent: docs.filter((d) => SENT.has(d.state)).length,
    progress: open && progress ? { pagesDone: progress.pagesDone, pagesTotal: progress.pagesTotal, etaSeconds: progress.etaSeconds } : null,
  };
}

export function getBatchReview(station: ReviewStation, batchId: string): BatchReviewView | null {
  const documents = documentsOf(station.store, batchId).map(({ doc, row }, index) => documentView(station, doc, row, index));
  const batch = batchView(station, batchId, documents);
  if (!batch) return null;
  if (!batchRow(station.store, batchId) && documents.length === 0) return null;
  const profile = profileOf(station, batch.hotFolder);
  if (documents.length === 0 && profile?.kind !== 'mailroom') return null;
  return { batch, documents };
}

/** Mailroom batches, newest first: those still open in a mailroom hot folder, and those split into documents. */
export function listBatches(station: ReviewStation, limit: number): MailroomBatchView[] {
  const open = (statement(station.store.db, 'SELECT * FROM batches WHERE closed_at IS NULL ORDER BY opened_at DESC').all() as BatchRow[]).filter(
    (b) => profileOf(station, b.hot_folder)?.kind === 'mailroom',
  );
  const split = station.mailroom.store.batches(limit);
  const ids = [...new Set([...open.map((b) => b.id), ...split.map((b) => b.batch_id)])];
  const views = ids
    .map((id) => getBatchReview(station, id)?.batch)
    .filter((b): b is MailroomBatchView => Boolean(b))
    .sort((a, b) => (a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : 0));
  return views.slice(0, limit);
}

/** Queues every ready document of the batch for sending; the others stay for review. */
export function sendBatch(station: ReviewStation, actor: string, batchId: string): { queued: string[]; notReady: number } | null {
  const review = getBatchReview(station, batchId);
  if (!review) return null;
  const queued = station.store.transaction(() => {
    const ids: string[] = [];
    for (const { id } of review.documents) {
      const current = station.store.documents.get(id);
      if (current?.state !== 'ready') continue;
      station.store.documents.setState(id, 'queued');
      station.store.audit.record({ actor, action: 'queue', subjectType: 'document', subjectId: id, fromState: 'ready', toState: 'queued', detail: { batchId } });
      ids.push(id);
    }
    return ids;
  });
  if (queued.length) {
    station.emit('ui', { type: 'documents-changed', ids: queued, states: ['queued'] });
    station.sending?.wake();
  }
  const notReady = review.documents.filter((d) => !queued.includes(d.id) && !SENT.has(d.state)).length;
  return { queued, notReady };
}
