/**
 * What the mailroom flow works on: one entry per scanned page, in batch order, with what the page
 * clean-up found (blank, confidence) and what the codes reader found (main/mailroom/README.md).
 * Plain data, so the split is a pure function that can be tested without images.
 */

/** The subset of the codes helper's `PageMarks` the split needs (structurally compatible with it). */
export interface MarksLike {
  barcodes: { format: string; text: string }[];
  separator: 'station-sheet' | 'patch-t' | null;
  coverSheet: { customerNumber: string; documentType: string | null; expectedPages: number | null } | null;
  assignments: { rule: string; barcodeIndex: number; customerNumber: string | null; documentType: string | null; expectedPages: number | null }[];
}

export interface BatchPage {
  pageId: string;
  blank: boolean;
  /** The clean-up could not tell the page's orientation or skew for sure. */
  lowConfidence: boolean;
  /** null: the page's marks could not be read (the reader failed); the page is flagged. */
  marks: MarksLike | null;
}

export const separationModes = ['none', 'blank_sheet', 'station_sheet', 'patch_t', 'barcode_first_page', 'fixed_pages'] as const;
export type SeparationMode = (typeof separationModes)[number];

export interface SeparationSettings {
  mode: SeparationMode;
  /** fixed_pages: pages per document (sheets per document with duplex). */
  pages?: number;
  /** Pages come as front/back pairs of one sheet. */
  duplex: boolean;
  /** Drop blank pages inside documents as well (with duplex, the blank side of a sheet with content is always dropped). */
  dropBlankPages?: boolean;
}

/** Why a document starts where it does. */
export const splitReasons = ['batch_start', 'blank_sheet', 'station_sheet', 'patch_t', 'cover_sheet', 'barcode', 'fixed_pages'] as const;
export type SplitReason = (typeof splitReasons)[number];

/**
 * What a page is in its document. Everything but 'content' is kept in the store (never lost) but
 * left out of the PDF.
 */
export type PageRole = 'content' | 'blank' | 'blank_back' | 'separator' | 'separator_back' | 'cover' | 'cover_back';

export interface PlannedPage {
  pageId: string;
  /** Index in the batch (scan order). */
  batchIndex: number;
  role: PageRole;
  dropped: boolean;
}

export interface Assignment {
  source: 'cover_sheet' | 'barcode';
  customerNumber: string | null;
  documentType: string | null;
  /** Rule that matched (barcode) or 'cover_sheet'. */
  rule: string;
  /** The barcode text (social data: shown in the review, never logged). */
  barcodeText: string | null;
  /** Batch index of the page carrying it. */
  batchIndex: number;
}

export const flagCodes = [
  'no_barcode',
  'unknown_customer',
  'page_count_mismatch',
  'low_confidence_page',
  'conflicting_barcode',
  'sheet_back_not_blank',
  'missing_back',
  'marks_unread',
  'cover_without_pages',
  'no_content',
] as const;
export type FlagCode = (typeof flagCodes)[number];

/** Something staff should look at. `pages` are 1-based positions among the document's PDF pages where that helps. */
export interface Flag {
  code: FlagCode;
  customerNumber?: string;
  expected?: number;
  actual?: number;
  pages?: number[];
}

export interface DocumentPlan {
  reason: SplitReason;
  /** Batch index of the page that made the split (the separator, cover sheet or first page). */
  splitAt: number;
  pages: PlannedPage[];
  assignment: Assignment | null;
  expectedPages: number | null;
  flags: Flag[];
}
