/** Documents: the queue, the document view and its page edits, assignment. */
import { z } from 'zod';
import { operation } from './define.js';
import { documentStates, type DocumentStateName } from './station.js';

export const documentId = z.string().min(1).max(100).regex(/^[A-Za-z0-9_-]+$/, 'a document id');

export interface DocumentSummaryView {
  id: string;
  state: DocumentStateName;
  title: string;
  pageCount: number;
  createdAt: string;
  updatedAt: string;
  profileName: string;
  documentType: string | null;
  customerId: string | null;
  /** Plain-words reason for "error". */
  error: string | null;
  /** Something staff should look at (low-confidence page, duplicate, ...), in plain words. */
  flags: string[];
}

export const documentOperations = {
  listDocuments: operation<{ items: DocumentSummaryView[]; total: number }>()(
    z.strictObject({
      states: z.array(z.enum(documentStates)).max(documentStates.length).optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
      /** Only documents last changed at or after this instant (the queue's "sent today"). */
      changedSince: z.iso.datetime({ offset: true }).optional(),
      /** 'created' (default): newest scan first; 'changed': last changed first (the status bar's "last sent"). */
      order: z.enum(['created', 'changed']).default('created'),
    }),
  ),
  getDocument: operation<DocumentSummaryView>()(z.strictObject({ id: documentId })),
};
