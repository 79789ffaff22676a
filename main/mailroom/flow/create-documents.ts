/**
 * A closed mailroom batch becomes documents: its pages (scan order) with their stored marks go
 * through splitBatch, and each plan becomes a document row with its pages, its assignment and its
 * flags, plus an assemble job. Runs inside the caller's transaction (the batch close), so a crash
 * leaves either the whole split or none of it; the batch stays open and is split again on restart.
 */
import crypto from 'node:crypto';
import type { Profile } from '../../config/schema.js';
import type { StationStore } from '../../store/station-store.js';
import type { SourceRow } from '../../store/sources.js';
import type { DocumentState } from '../../store/documents.js';
import type { PageRow } from '../../store/pages.js';
import { statement } from '../../store/statements.js';
import { splitBatch } from './split.js';
import type { BatchPage, DocumentPlan, Flag } from './types.js';
import type { MailroomStore, StoredAssignment } from './store.js';
import type { CustomerLookup } from './customer-lookup.js';

export interface CreateContext {
  store: StationStore;
  mailroom: MailroomStore;
  lookup: CustomerLookup;
  actor: string;
}

/** A page whose orientation or skew the clean-up could not tell for sure. */
export function isLowConfidence(page: PageRow): boolean {
  return page.blank === 0 && (page.orientation_reliable === 0 || page.skew_reliable === 0);
}

export function batchPagesOf(context: CreateContext, sources: SourceRow[]): { rows: PageRow[]; pages: BatchPage[] } {
  const rows = sources.flatMap((source) => context.store.pages.forSource(source.id));
  const pages = rows.map((row) => ({ pageId: row.id, blank: row.blank === 1, lowConfidence: isLowConfidence(row), marks: context.mailroom.marks(row.id) }));
  return { rows, pages };
}

/**
 * Splits the pages of `sources` (already in scan order) into documents. `batchId` is null for a
 * multi-page file outside any batch (then the file is its own batch in the review, by source id).
 */
export function createBatchDocuments(context: CreateContext, batchId: string | null, hotFolder: string, profile: Profile, sources: SourceRow[]): string[] {
  const { store, mailroom } = context;
  const { rows, pages } = batchPagesOf(context, sources);
  const plans = splitBatch(pages, { ...profile.separation, dropBlankPages: profile.dropBlankPages });
  const sourceOfPage = new Map(rows.map((row) => [row.id, row.source_id]));
  const reviewBatch = batchId ?? sources[0]?.id ?? 'none';
  const createdAt = new Date();
  const ids: string[] = [];
  plans.forEach((plan, seq) => {
    const id = crypto.randomUUID();
    const { assignment, flags, customerId } = resolveAssignment(context, plan);
    const documentType = assignment?.documentType ?? profile.defaultDocumentType;
    store.documents.insert({ id, title: titleFor(createdAt, seq, plans.length), hotFolder, profileName: profile.name, documentType, batchId });
    if (customerId) statement(store.db, 'UPDATE documents SET customer_id = ? WHERE id = ?').run(customerId, id);
    plan.pages.forEach((page, position) => store.pages.assign(page.pageId, id, position, page.dropped));
    // A source spanning several documents names the first (the duplicate check reports it).
    for (const sourceId of new Set(plan.pages.map((page) => sourceOfPage.get(page.pageId)!))) {
      const source = store.sources.get(sourceId);
      if (source && !source.document_id) store.sources.setDocument(sourceId, id);
    }
    const stateAfterAssembly: DocumentState = customerId && flags.length === 0 ? (profile.autoSend ? 'queued' : 'ready') : 'needs_review';
    mailroom.insertDocument({
      documentId: id,
      batchId: reviewBatch,
      seq,
      reason: plan.reason,
      splitAt: plan.splitAt,
      assignment,
      expectedPages: plan.expectedPages,
      flags,
      stateAfterAssembly,
    });
    store.jobs.enqueue('assemble_document', id);
    // No barcode text or customer number in the audit detail: the trail names ids, not social data.
    store.audit.record({
      actor: context.actor,
      action: 'create_document',
      subjectType: 'document',
      subjectId: id,
      toState: 'processing',
      detail: {
        batchId,
        seq,
        splitReason: plan.reason,
        pages: plan.pages.filter((p) => !p.dropped).length,
        droppedPages: plan.pages.filter((p) => p.dropped).length,
        assignedBy: customerId ? assignment!.source : null,
        flags: flags.map((f) => f.code),
      },
    });
    ids.push(id);
  });
  return ids;
}

function resolveAssignment(context: CreateContext, plan: DocumentPlan): { assignment: StoredAssignment | null; flags: Flag[]; customerId: string | null } {
  const flags = [...plan.flags];
  if (!plan.assignment) return { assignment: null, flags, customerId: null };
  const number = plan.assignment.customerNumber;
  const found = number ? context.lookup(number) : null;
  if (number && !found) flags.unshift({ code: 'unknown_customer', customerNumber: number });
  return { assignment: { ...plan.assignment, customerId: found?.id ?? null }, flags, customerId: found?.id ?? null };
}

function titleFor(createdAt: Date, seq: number, count: number): string {
  const date = createdAt.toLocaleDateString('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric' });
  const time = createdAt.toLocaleTimeString('de-DE', { hour: '2-digit', minute: '2-digit' });
  return `Post ${date} ${time} (${seq + 1}/${count})`;
}
