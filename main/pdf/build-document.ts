/**
 * The assembly step: the document's page files become one PDF, written atomically. Pages are
 * read one at a time while the PDF streams to disk, so memory does not grow with the document.
 * Runs in a worker thread so a long document never stalls the station's main thread.
 */
import fs from 'node:fs';
import type { EncodedPage, PageDrawing } from '../imaging/types.js';
import type { PdfMetadata } from './metadata.js';
import { writePdfFile, type PageSource } from './stream-writer.js';

export interface BuildDocumentTask {
  outPath: string;
  pages: { path: string; format: EncodedPage['format']; width: number; height: number; dpi: number; drawing?: PageDrawing }[];
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
      const { path, ...page } = task.pages[index];
      return { ...page, data: fs.readFileSync(path) };
    },
  };
  const { sha256, bytes } = await writePdfFile(task.outPath, source, { ...task.meta, createdAt: new Date(task.meta.createdAt) });
  return { sha256, bytes };
}
