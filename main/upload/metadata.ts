/**
 * The metadata sent with a document, gathered from the store. Only ids, types, checksums and the
 * processing record: no original file names (they often carry a customer's name).
 */
import type { StationStore } from '../store/station-store.js';
import type { DocumentRow } from '../store/documents.js';
import type { DocumentMetadata } from './targets/types.js';

export function documentMetadata(store: StationStore, document: DocumentRow, stationId: string): DocumentMetadata {
  const pages = store.pages.forDocument(document.id).filter((page) => !page.dropped);
  const sourceIds = [...new Set(pages.map((page) => page.source_id))];
  const sources = sourceIds.map((id) => store.sources.get(id)).filter((s) => s !== undefined);
  const queued = store.audit
    .forSubject('document', document.id)
    .filter((entry) => entry.to_state === 'queued')
    .at(-1);
  const scannedAt = sources.map((s) => s.ingested_at).sort()[0] ?? document.created_at;
  return {
    documentId: document.id,
    idempotencyKey: document.id,
    title: document.title,
    customer: document.customer_id ? { id: document.customer_id } : null,
    documentType: document.document_type,
    pages: document.page_count,
    sha256: document.pdf_sha256 ?? '',
    bytes: document.pdf_bytes ?? 0,
    station: stationId,
    staffUser: queued && queued.actor !== 'station' ? queued.actor : null,
    scannedAt,
    queuedAt: queued?.at ?? null,
    profile: document.profile_name,
    processing: {
      sources: sources.map((s) => ({ id: s.id, sha256: s.sha256, format: s.format, pages: s.page_count })),
      pages: pages.map((page, index) => ({
        position: page.position ?? index,
        source: page.source_id,
        sourceIndex: page.source_index,
        width: page.width,
        height: page.height,
        dpi: page.dpi,
        colourMode: page.colour_mode,
        skewDegrees: page.skew_degrees,
        rotatedDegrees: page.rotated_degrees,
        turnQuarters: page.turn_quarters,
        blank: page.blank === 1,
      })),
    },
  };
}
