/**
 * Assignment: a document gets its customer, document type and an optional note, and is either kept
 * ready or queued for sending. A document just edited is queued only once its rebuilt PDF is on
 * disk, so the uploader never takes a PDF that is about to change.
 */
import { ApiError, notFound } from '../api/errors.js';
import type { Station } from '../station.js';
import { DocumentEditStore, writeAssignment } from './edit-store.js';
import { customerLookup } from './customer-link.js';

export interface AssignRequest {
  id: string;
  customerId: string;
  documentType: string;
  note?: string;
  send: boolean;
}

/** States a document may be assigned in: reviewed or not, never once it is on its way. */
const ASSIGNABLE = new Set(['needs_review', 'ready']);
const BUILD_POLL_MS = 50;

export function documentTypes(station: Station): string[] {
  return station.config.documentTypes;
}

/** The configured spelling of a document type, matched without regard to case; else a field error. */
export function resolveDocumentType(station: Station, requested: string): string {
  const wanted = requested.trim().toLocaleLowerCase('de-DE');
  const match = documentTypes(station).find((type) => type.toLocaleLowerCase('de-DE') === wanted);
  if (!match) {
    throw new ApiError('unknown_document_type', `documentType: "${requested.slice(0, 80)}" is not a configured document type (${documentTypes(station).join(', ')}).`);
  }
  return match;
}

/** Waits until the document's PDF is built (after an edit); a failed build is an error staff must see. */
export async function waitForBuild(station: Station, id: string, timeoutMs: number): Promise<void> {
  const edits = new DocumentEditStore(station.store.db);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = edits.buildState(id);
    if (state === null || state === 'done') return;
    if (state === 'failed') throw new ApiError('build_failed', `The PDF of document ${id} could not be built; it cannot be assigned until that is fixed.`);
    if (Date.now() >= deadline) throw new ApiError('still_building', `The PDF of document ${id} is still being rebuilt; please try again in a moment.`);
    await new Promise((resolve) => setTimeout(resolve, BUILD_POLL_MS));
  }
}

export async function assignDocument(station: Station, actor: string, request: AssignRequest, buildTimeoutMs = 60_000): Promise<void> {
  const edits = new DocumentEditStore(station.store.db);
  const documentType = resolveDocumentType(station, request.documentType);
  const note = request.note?.trim() ? request.note.trim() : null;
  const customers = customerLookup(station);
  if (!customers.exists(request.customerId)) {
    throw new ApiError('unknown_customer', `customerId: there is no customer ${request.customerId.slice(0, 100)} in the directory.`);
  }
  checkAssignable(edits, request.id);
  await waitForBuild(station, request.id, buildTimeoutMs);
  const state = request.send ? 'queued' : 'ready';
  const fromState = station.store.transaction(() => {
    // Checked again: the document may have changed while its PDF was being built.
    const doc = checkAssignable(edits, request.id);
    if (edits.buildState(doc.id) === 'pending' || edits.buildState(doc.id) === 'running') {
      throw new ApiError('still_building', `The PDF of document ${doc.id} is being rebuilt; please try again in a moment.`);
    }
    if (!doc.pdf_path) throw new ApiError('not_assignable', `Document ${doc.id} has no PDF yet.`);
    writeAssignment(station.store.db, doc.id, { customerId: request.customerId, documentType, note, state });
    customers.markUsed(request.customerId);
    // Ids and type only: never the customer's name, never the note's text.
    station.store.audit.record({
      actor,
      action: request.send ? 'assign_and_queue' : 'assign',
      subjectType: 'document',
      subjectId: doc.id,
      fromState: doc.state,
      toState: state,
      detail: { customerId: request.customerId, documentType, note: note !== null },
    });
    return doc.state;
  });
  station.emit('ui', { type: 'documents-changed', ids: [request.id], states: [fromState, state] });
  if (request.send) station.sending.wake();
}

function checkAssignable(edits: DocumentEditStore, id: string) {
  const doc = edits.document(id);
  if (!doc) throw notFound('Document', id);
  if (ASSIGNABLE.has(doc.state)) return doc;
  if (doc.state === 'error') throw new ApiError('not_assignable', `Document ${id} has an error (${doc.error ?? 'unknown'}); it cannot be sent as it is.`);
  if (doc.state === 'processing') throw new ApiError('not_editable', `Document ${id} is still being processed.`);
  throw new ApiError('not_editable', `Document ${id} is ${doc.state === 'queued' ? 'already queued for sending' : doc.state} and can no longer be assigned.`);
}
