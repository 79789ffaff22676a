/**
 * One processing step: every page of a stored source file is cleaned and written to the page store.
 * Runs in a worker thread. Writes are atomic and named by page id, so a re-run after a crash
 * overwrites the same files and never leaves two versions. A black-and-white page also gets its
 * PDF stream in a file beside it (jbig2-sidecar.ts), written before the job commits.
 */
import path from 'node:path';
import { BadInputError } from './bad-input.js';
import { openSource, pageDecodeError, verifySource } from './decode.js';
import { cleanPage, ScanDecodeError, type CleanOptions } from './pipeline.js';
import { writeFileUnsynced } from '../store/files.js';
import { jbig2FromBits } from '../pdf/jbig2-page.js';
import { writeJbig2Sidecar } from '../pdf/jbig2-sidecar.js';
import type { SourceFormat } from './types.js';
import type { MarksRequest, PageMarksOutcome } from '../mailroom/codes/worker-task.js';

export interface ProcessSourceTask {
  sourceId: string;
  storedPath: string;
  pagesDir: string;
  options: CleanOptions;
  /**
   * Mailroom profiles: also read each non-blank page's marks (barcodes, patch codes, station
   * sheets) in this task, from the cleaned page in memory.
   */
  marks?: MarksRequest;
}

export interface ProcessedPageRecord {
  index: number;
  imagePath: string;
  imageFormat: 'jpeg' | 'g4tiff';
  width: number;
  height: number;
  dpi: number;
  skewDegrees: number;
  skewConfidence: number;
  skewReliable: boolean;
  rotatedDegrees: number;
  /** Clockwise quarter turns applied to make the page upright. */
  turnQuarters: number;
  /** False: the page's orientation could not be told; it was left as scanned and is flagged. */
  orientationReliable: boolean;
  blank: boolean;
  colourMode: string;
  passthrough: boolean;
  bytes: number;
  processing: Record<string, unknown>;
  /** Asked for (ProcessSourceTask.marks) and the page is not blank: what the marks reader found. */
  marks?: PageMarksOutcome;
}

export type ProcessSourceResult =
  | { ok: true; format: string; pages: ProcessedPageRecord[] }
  | { ok: false; code: string; message: string };

export function pageFileName(sourceId: string, index: number, format: 'jpeg' | 'g4tiff'): string {
  return `${sourceId}-p${index}.${format === 'jpeg' ? 'jpg' : 'tif'}`;
}

export async function processSource(task: ProcessSourceTask): Promise<ProcessSourceResult> {
  let source;
  try {
    source = await openSource(task.storedPath);
    // Image pages are proven whole by the clean-up's own decode (strict: any decoder warning fails),
    // so only PDFs, whose pages may be rendered rather than decoded, get a separate check first.
    if (source.format === 'pdf') await verifySource(source);
  } catch (error) {
    if (error instanceof BadInputError) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
  try {
    // Loaded on first use: only mailroom pages need the barcode reader (and its wasm).
    const marksReader = task.marks ? await import('../mailroom/codes/worker-task.js') : null;
    const pages: ProcessedPageRecord[] = [];
    for (let index = 0; index < source.pageCount; index++) {
      const page = await source.readPage(index);
      const cleaned = await cleanPage(page, task.options).catch((error: unknown) => {
        throw error instanceof ScanDecodeError ? pageDecodeError(source.format as SourceFormat, index, error.cause) : error;
      });
      const fileName = pageFileName(task.sourceId, index, cleaned.encoded.format);
      const pagePath = path.join(task.pagesDir, fileName);
      // The PDF's JBIG2 stream, coded here from the bits in memory on whichever core is free
      // rather than in the one assembly task after the last page (see jbig2-sidecar.ts).
      const bits = cleaned.encoded.bits;
      if (bits) writeJbig2Sidecar(pagePath, cleaned.encoded.data, cleaned.encoded.dpi, jbig2FromBits(bits, cleaned.encoded.dpi));
      // Synced by the station before the commit that names it (Station.runProcessSource), off this thread.
      writeFileUnsynced(pagePath, cleaned.encoded.data);
      // A blank page holds no separator, cover sheet or barcode (less ink than a short word).
      const marks = marksReader && !cleaned.blank ? await marksReader.readCleanedPageMarks(cleaned.encoded, task.marks!) : undefined;
      pages.push({
        index,
        imagePath: fileName,
        imageFormat: cleaned.encoded.format,
        width: cleaned.encoded.width,
        height: cleaned.encoded.height,
        dpi: cleaned.encoded.dpi,
        skewDegrees: round(cleaned.skew.angleDegrees, 4),
        skewConfidence: round(cleaned.skew.confidence, 4),
        skewReliable: cleaned.skew.reliable,
        rotatedDegrees: round(cleaned.rotatedDegrees, 4),
        blank: cleaned.blank,
        colourMode: cleaned.colourMode,
        passthrough: cleaned.passthrough,
        bytes: cleaned.encoded.data.length,
        turnQuarters: cleaned.turnQuarters,
        orientationReliable: cleaned.record.orientation.reliable,
        processing: {
          orientation: cleaned.record.orientation,
          border: cleaned.record.border,
          colourDecision: cleaned.record.colourDecision,
          threshold: cleaned.record.threshold,
          paperLevels: cleaned.record.paperLevels,
          drawing: cleaned.record.drawing,
          inkShare: round(cleaned.inkShare, 5),
          colourShare: round(cleaned.colourShare, 5),
          dpiInferred: cleaned.dpiInferred,
          sourceWidth: page.width,
          sourceHeight: page.height,
        },
        ...(marks ? { marks } : {}),
      });
    }
    return { ok: true, format: source.format, pages };
  } catch (error) {
    if (error instanceof BadInputError) return { ok: false, code: error.code, message: error.message };
    // Anything else (disk full, a fault of the station's own) is not the file's fault: the job
    // fails and is retried; only after its last attempt is the file set aside, original kept.
    throw error;
  } finally {
    await source.close();
  }
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
