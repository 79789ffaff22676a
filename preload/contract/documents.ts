/** Documents: the queue, the document view and its page edits, assignment. */
import { z } from 'zod';
import { operation } from './define.js';
import { documentStates, type DocumentStateName } from './station.js';
import type { BatchFlagView } from './mailroom.js';

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
  /** The assigned customer as staff know them ("Nachname, Vorname" and number), while in the directory. */
  customerName: string | null;
  customerNumber: string | null;
  /** Plain-words reason for "error" (the station's technical text, kept for support). */
  error: string | null;
  /** For a document in "error" because sending failed for good: the stable SendError code (connection_refused, http_503, ...), which the UI words; else null. */
  sendErrorCode: string | null;
  /** Something staff should look at (low-confidence page, duplicate, ...), in plain (English) words. */
  flags: string[];
  /** The same flags with their codes and values, for the UI to word in the user's language. */
  flagDetails: BatchFlagView[];
}

/** Page ids are `<source id>-p<index>`. */
export const pageId = z.string().min(1).max(160).regex(/^[A-Za-z0-9_-]+$/, 'a page id');
const pageRef = { id: documentId, pageId };
/** Editing ops answer with the document as it is now (its PDF is rebuilt in the background). */
type EditAnswer = DocumentDetailView;

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
  /** The document view: the document with its pages (deleted pages are not listed). */
  getDocumentDetail: operation<DocumentDetailView>()(z.strictObject({ id: documentId })),
  /** Turns a page clockwise by a quarter, half or three-quarter turn. */
  rotatePage: operation<EditAnswer>()(z.strictObject({ ...pageRef, degrees: z.union([z.literal(90), z.literal(180), z.literal(270)]) })),
  /** Sets a page's hand turn, degrees clockwise (absolute: 0 takes it off). */
  fineTurnPage: operation<EditAnswer>()(z.strictObject({ ...pageRef, degrees: z.number().min(-20).max(20) })),
  /** Deletes a page from the document (undo brings it back until the document is sent). */
  deletePage: operation<EditAnswer>()(z.strictObject(pageRef)),
  /** Moves a page to `toIndex` (0-based, among the document's pages). */
  movePage: operation<EditAnswer>()(z.strictObject({ ...pageRef, toIndex: z.number().int().min(0).max(100_000) })),
  /** The page and all after it become a new document, right after this one. */
  splitDocument: operation<{ document: DocumentDetailView; newDocumentId: string }>()(z.strictObject(pageRef)),
  /** Appends the next document of the same batch to this one. */
  mergeWithNext: operation<{ document: DocumentDetailView; mergedId: string }>()(z.strictObject({ id: documentId })),
  /** Undoes the document's last edit; again for the one before. */
  undoEdit: operation<{ document: DocumentDetailView | null; undone: DocumentEditAction }>()(z.strictObject({ id: documentId })),
  /** Assigns customer and document type; `send` also queues it for sending. */
  assignDocument: operation<DocumentDetailView>()(
    z.strictObject({
      id: documentId,
      customerId: z.string().trim().min(1).max(100),
      documentType: z.string().trim().min(1).max(80),
      note: z.string().max(500).optional(),
      send: z.boolean(),
    }),
  ),
  /** The configured document types, in the order staff see them. */
  listDocumentTypes: operation<{ items: string[]; defaultType: string }>()(z.strictObject({})),
};

export type DocumentEditAction = 'rotate_page' | 'fine_turn_page' | 'delete_page' | 'move_page' | 'split_document' | 'merge_documents';

/** What staff should look at on a page. */
export type PageFlag = 'skew_uncertain' | 'orientation_uncertain' | 'blank';

export interface DocumentPageView {
  id: string;
  /** 0-based place in the document. */
  index: number;
  /** The upright page after clean-up, before staff turns, in pixels at dpi. */
  width: number;
  height: number;
  /**
   * The image served at imageUrl and thumbUrl is the kept image: its size, and the turn (degrees
   * clockwise, about the page centre) the clean-up applies when drawing it, which a view applies too.
   */
  imageWidth: number;
  imageHeight: number;
  imageTurnDegrees: number;
  dpi: number;
  /** What clean-up found and corrected. */
  skewDegrees: number | null;
  skewConfidence: number | null;
  /** Staff's quarter turn, clockwise: shown by turning imageUrl, applied when the PDF is built. */
  turnDegrees: 0 | 90 | 180 | 270;
  /** Staff's hand turn, degrees clockwise. */
  fineDegrees: number;
  blank: boolean;
  /** A blank page left out of the PDF by the profile (dropBlankPages). */
  dropped: boolean;
  colourMode: string;
  flags: PageFlag[];
  thumbUrl: string;
  imageUrl: string;
}

export interface DocumentDetailView extends DocumentSummaryView {
  note: string | null;
  batchId: string | null;
  /** Pages may be edited and the document assigned (not yet queued or sent). */
  editable: boolean;
  /** The PDF is being rebuilt after an edit. */
  building: boolean;
  /** The edit undo would take back, or null. */
  undoAction: DocumentEditAction | null;
  /** The document "merge with next" would append, when there is one that may be changed. */
  nextDocumentId: string | null;
  pdfUrl: string | null;
  pages: DocumentPageView[];
}
