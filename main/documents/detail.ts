/** The document view's data: the document, its shown pages with their flags, and what may be done next. */
import type { DocumentDetailView, DocumentEditAction, DocumentPageView, PageFlag } from '../../preload/contract/documents.js';
import { documentSummary } from '../api/handlers/documents.js';
import { notFound } from '../api/errors.js';
import { drawingFromRecord } from '../pdf/page-drawing.js';
import type { Station } from '../station.js';
import { DocumentEditStore, type EditablePageRow } from './edit-store.js';
import { isEditable } from './editable.js';

export function pageFlags(page: EditablePageRow): PageFlag[] {
  const flags: PageFlag[] = [];
  if (!page.skew_reliable) flags.push('skew_uncertain');
  if (!page.orientation_reliable) flags.push('orientation_uncertain');
  if (page.blank) flags.push('blank');
  return flags;
}

/** The clean-up's drawing of a page (an unturned image turned in the PDF); a bad record reads as none here. */
function cleanupDrawing(page: EditablePageRow) {
  try {
    return drawingFromRecord(page.processing_json);
  } catch {
    return undefined;
  }
}

export function pageView(page: EditablePageRow, index: number): DocumentPageView {
  const id = encodeURIComponent(page.id);
  const drawing = cleanupDrawing(page);
  return {
    id: page.id,
    index,
    width: drawing?.pageWidth ?? page.width,
    height: drawing?.pageHeight ?? page.height,
    imageWidth: page.width,
    imageHeight: page.height,
    imageTurnDegrees: drawing?.turnDegrees ?? 0,
    dpi: page.dpi,
    skewDegrees: page.skew_degrees,
    skewConfidence: page.skew_confidence,
    turnDegrees: ((((page.edit_quarters ?? 0) % 4) + 4) % 4 * 90) as DocumentPageView['turnDegrees'],
    fineDegrees: page.fine_degrees ?? 0,
    blank: page.blank === 1,
    dropped: page.dropped === 1,
    colourMode: page.colour_mode,
    flags: pageFlags(page),
    thumbUrl: `/resource/page/${id}/thumb`,
    imageUrl: `/resource/page/${id}/image`,
  };
}

export function documentDetail(station: Station, documentId: string): DocumentDetailView {
  const edits = new DocumentEditStore(station.store.db);
  const row = edits.document(documentId);
  if (!row) throw notFound('Document', documentId);
  const pages = edits.pages(row.id).filter((page) => !page.removed);
  const editable = isEditable(row.state);
  const build = edits.buildState(row.id);
  const next = editable ? edits.nextDocument(row) : undefined;
  return {
    ...documentSummary(row, station),
    note: row.note,
    batchId: row.batch_id,
    editable,
    building: build === 'pending' || build === 'running',
    undoAction: editable ? ((edits.lastEdit(row.id)?.action as DocumentEditAction | undefined) ?? null) : null,
    nextDocumentId: next && isEditable(next.state) ? next.id : null,
    pdfUrl: row.pdf_path ? `/resource/document/${encodeURIComponent(row.id)}.pdf` : null,
    pages: pages.map(pageView),
  };
}
