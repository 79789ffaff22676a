/**
 * The assembly step: the document's page files become one PDF, written atomically.
 * Runs in a worker thread so a long document never stalls the station's main thread.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { assemblePdf, type PdfMetadata } from './assemble.js';
import { writeFileAtomic } from '../store/files.js';
import type { EncodedPage } from '../imaging/types.js';

export interface BuildDocumentTask {
  outPath: string;
  pages: { path: string; format: EncodedPage['format']; width: number; height: number; dpi: number }[];
  meta: Omit<PdfMetadata, 'createdAt'> & { createdAt: string };
}

export interface BuildDocumentResult {
  sha256: string;
  bytes: number;
}

export async function buildDocument(task: BuildDocumentTask): Promise<BuildDocumentResult> {
  const pages: EncodedPage[] = task.pages.map((page) => ({ ...page, data: fs.readFileSync(page.path) }));
  const pdf = await assemblePdf(pages, { ...task.meta, createdAt: new Date(task.meta.createdAt) });
  writeFileAtomic(task.outPath, pdf);
  return { sha256: crypto.createHash('sha256').update(pdf).digest('hex'), bytes: pdf.length };
}
