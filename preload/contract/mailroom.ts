/** Mailroom: batch review, separator and cover sheets. */
import { z } from 'zod';
import { operation } from './define.js';
import type { DocumentStateName } from './station.js';

// ---- Batch review (main/mailroom/flow) ----

export const batchId = z.string().min(1).max(100).regex(/^[A-Za-z0-9_-]+$/, 'a batch id');

/** Why a document starts where it does ('manual': made by staff in the document view). */
export type SplitReasonName = 'batch_start' | 'blank_sheet' | 'station_sheet' | 'patch_t' | 'cover_sheet' | 'barcode' | 'fixed_pages' | 'manual';

/** Something uncertain about a document; the UI words it by `code`; `text` is the same in plain English. */
export interface BatchFlagView {
  code:
    | 'no_barcode'
    | 'unknown_customer'
    | 'page_count_mismatch'
    | 'low_confidence_page'
    | 'conflicting_barcode'
    | 'sheet_back_not_blank'
    | 'missing_back'
    | 'marks_unread'
    | 'cover_without_pages'
    | 'no_content';
  customerNumber?: string;
  expected?: number;
  actual?: number;
  /** 1-based pages of the document's PDF. */
  pages?: number[];
  text: string;
}

export interface BatchDocumentView {
  id: string;
  /** 1-based order in the batch. */
  seq: number;
  state: DocumentStateName;
  title: string;
  /** Pages in the PDF. */
  pageCount: number;
  /** Separator, cover and blank pages kept in the store but not in the PDF. */
  removedPages: number;
  /** How the document was split off: the reason and the batch page (1-based, scan order) that made it. */
  split: { reason: SplitReasonName; atBatchPage: number | null };
  assignment: {
    /** 'barcode' / 'cover_sheet': by the station; 'manual': by staff; null: not assigned. */
    by: 'barcode' | 'cover_sheet' | 'manual' | null;
    customerId: string | null;
    /** The number the barcode or cover sheet gave (also when unknown to the directory). */
    customerNumber: string | null;
    documentType: string | null;
    rule: string | null;
    barcodeText: string | null;
  };
  expectedPages: number | null;
  flags: BatchFlagView[];
}

export interface MailroomBatchView {
  id: string;
  hotFolder: string;
  profileName: string;
  openedAt: string;
  closedAt: string | null;
  /** processing: still scanning/processing; review: documents to look at or send; sent: all sent. */
  status: 'processing' | 'review' | 'sent';
  documents: number;
  pages: number;
  flagged: number;
  ready: number;
  sent: number;
  progress: { pagesDone: number; pagesTotal: number; etaSeconds: number | null } | null;
}

export interface BatchReviewView {
  batch: MailroomBatchView;
  documents: BatchDocumentView[];
}

export const batchReviewOperations = {
  listBatches: operation<{ items: MailroomBatchView[] }>()(z.strictObject({ limit: z.number().int().min(1).max(500).default(50) })),
  getBatchReview: operation<BatchReviewView>()(z.strictObject({ batchId })),
  /** Queues every "ready" document of the batch for sending; the others stay. */
  sendBatch: operation<{ queued: number; notReady: number }>()(z.strictObject({ batchId })),
};

// ---- Separator and cover sheets (main/mailroom/sheets) ----

/** A printable sheet: the PDF as base64 (a few kilobytes), with a file name to save it under. */
export interface SheetPdfView {
  fileName: string;
  pdfBase64: string;
  bytes: number;
}

export interface CoverSheetView extends SheetPdfView {
  /** As printed: the directory's customer number and name, the station's spelling of the type. */
  customerNumber: string;
  customerName: string;
  documentType: string;
}

export const sheetOperations = {
  makeSeparatorSheet: operation<SheetPdfView>()(z.strictObject({})),
  /** Errors: unknown_customer, unknown_document_type, invalid_input. */
  makeCoverSheet: operation<CoverSheetView>()(
    z.strictObject({
      customerNumber: z.string().trim().min(1).max(40),
      documentType: z.string().trim().min(1).max(80),
      expectedPages: z.number().int().min(1).max(9999).optional(),
    }),
  ),
};

export const mailroomOperations = {
  ...batchReviewOperations,
  ...sheetOperations,
};
