/** Pages: one cleaned page image each, with what the clean-up did to it. */
import type { Db } from './db.js';
import { statement } from './statements.js';

export interface PageRow {
  id: string;
  source_id: string;
  source_index: number;
  document_id: string | null;
  position: number | null;
  image_path: string;
  image_format: 'jpeg' | 'g4tiff';
  width: number;
  height: number;
  dpi: number;
  skew_degrees: number | null;
  skew_confidence: number | null;
  skew_reliable: number;
  rotated_degrees: number;
  turn_quarters: number;
  orientation_reliable: number;
  blank: number;
  dropped: number;
  colour_mode: string;
  passthrough: number;
  bytes: number;
  processing_json: string | null;
}

export type NewPage = Omit<PageRow, 'document_id' | 'position' | 'dropped'>;

export function pageIdFor(sourceId: string, index: number): string {
  return `${sourceId}-p${index}`;
}

export class PageRepository {
  constructor(private readonly db: Db) {}

  /** Re-running a step after a crash writes the same page again: replace, never duplicate. */
  upsert(page: NewPage): void {
    statement(this.db, 
        `INSERT INTO pages (id, source_id, source_index, image_path, image_format, width, height, dpi, skew_degrees, skew_confidence,
           skew_reliable, rotated_degrees, turn_quarters, orientation_reliable, blank, colour_mode, passthrough, bytes, processing_json)
         VALUES (@id, @source_id, @source_index, @image_path, @image_format, @width, @height, @dpi, @skew_degrees, @skew_confidence,
           @skew_reliable, @rotated_degrees, @turn_quarters, @orientation_reliable, @blank, @colour_mode, @passthrough, @bytes, @processing_json)
         ON CONFLICT (id) DO UPDATE SET image_path = excluded.image_path, image_format = excluded.image_format, width = excluded.width,
           height = excluded.height, dpi = excluded.dpi, skew_degrees = excluded.skew_degrees, skew_confidence = excluded.skew_confidence,
           skew_reliable = excluded.skew_reliable, rotated_degrees = excluded.rotated_degrees, turn_quarters = excluded.turn_quarters,
           orientation_reliable = excluded.orientation_reliable, blank = excluded.blank,
           colour_mode = excluded.colour_mode, passthrough = excluded.passthrough, bytes = excluded.bytes,
           processing_json = excluded.processing_json`,
      )
      .run(page);
  }

  forSource(sourceId: string): PageRow[] {
    return statement(this.db, 'SELECT * FROM pages WHERE source_id = ? ORDER BY source_index').all(sourceId) as PageRow[];
  }

  forDocument(documentId: string): PageRow[] {
    return statement(this.db, 'SELECT * FROM pages WHERE document_id = ? ORDER BY position').all(documentId) as PageRow[];
  }

  assign(pageId: string, documentId: string, position: number, dropped: boolean): void {
    statement(this.db, 'UPDATE pages SET document_id = ?, position = ?, dropped = ? WHERE id = ?').run(documentId, position, dropped ? 1 : 0, pageId);
  }

  deleteForSource(sourceId: string): PageRow[] {
    const rows = this.forSource(sourceId);
    statement(this.db, 'DELETE FROM pages WHERE source_id = ?').run(sourceId);
    return rows;
  }

  unassignedCount(): number {
    return (statement(this.db, 'SELECT COUNT(*) AS n FROM pages WHERE document_id IS NULL').get() as { n: number }).n;
  }
}
