/** Which documents staff may still change, and the errors the document view branches on. */
import { ApiError } from '../api/errors.js';
import type { DocumentRow, DocumentState } from '../store/documents.js';

/** Before sending: once queued, the PDF is what the customer's file gets and must not change under the uploader. */
export const EDITABLE_STATES: readonly DocumentState[] = ['needs_review', 'ready', 'error'];

export function isEditable(state: DocumentState): boolean {
  return EDITABLE_STATES.includes(state);
}

const stateWords: Partial<Record<DocumentState, string>> = {
  processing: 'is still being processed',
  queued: 'is queued for sending',
  uploading: 'is being sent',
  uploaded: 'has been sent',
  purged: 'has been removed after sending',
  quarantined: 'is in quarantine',
};

export function assertEditable(doc: DocumentRow): void {
  if (!isEditable(doc.state)) {
    throw new ApiError('not_editable', `Document ${doc.id} ${stateWords[doc.state] ?? `is ${doc.state}`} and can no longer be changed.`);
  }
}

/** A page id that is not (or no longer) a page of the document. */
export const notAPage = (documentId: string, pageId: string) =>
  new ApiError('invalid_page', `pageId: ${pageId} is not a page of document ${documentId}.`);
