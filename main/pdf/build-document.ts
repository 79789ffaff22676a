/**
 * The assembly step: the document's page files become one PDF, written atomically. Pages are
 * read one at a time while the PDF streams to disk, so memory does not grow with the document.
 * Black-and-white pages' JBIG2 streams come from the files the clean-up kept beside them
 * (jbig2-sidecar.ts) where those match, so this one task codes none of them after the last page.
 * Runs in a worker thread so a long document never stalls the station's main thread.
 */
import fs from 'node:fs';
import type { EncodedPage, PageDrawing } from '../imaging/types.js';
import type { PdfMetadata } from './metadata.js';
import { readJbig2Sidecar } from './jbig2-sidecar.js';
import { readPageLayers } from './page-layers.js';
import { writePdfFile, type PageSource } from './stream-writer.js';

export interface BuildDocumentTask {
  outPath: string;
  pages: {
    path: string;
    format: EncodedPage['format'];
    width: number;
    height: number;
    dpi: number;
    drawing?: PageDrawing;
    /** A JPEG page's layers built ahead by a layer_page task (page-layers.ts), if there is such a file. */
    layersPath?: string;
  }[];
  meta: Omit<PdfMetadata, 'createdAt'> & { createdAt: string };
}

export interface BuildDocumentResult {
  sha256: string;
  bytes: number;
}

export async function buildDocument(task: BuildDocumentTask): Promise<BuildDocumentResult> {
  const source: PageSource = {
    count: task.pages.length,
    load: async (index) => {
      const { path, layersPath, ...page } = task.pages[index];
      const data = fs.readFileSync(path);
      const layers = layersPath && page.format === 'jpeg' ? readPageLayers(layersPath, data, page.dpi) : undefined;
      // Coded at clean-up and kept beside the page file, when it still belongs to these bytes.
      const jbig2 = page.format === 'g4tiff' ? readJbig2Sidecar(path, data, page.dpi) : undefined;
      return { ...page, data, ...(layers !== undefined ? { layers } : {}), ...(jbig2 ? { jbig2 } : {}) };
    },
  };
  const { sha256, bytes } = await writePdfFile(task.outPath, source, { ...task.meta, createdAt: new Date(task.meta.createdAt) });
  return { sha256, bytes };
}
