/**
 * Assembles encoded pages into one PDF in memory, and reads a PDF's metadata back. A thin wrapper
 * over the streaming writer (stream-writer.ts), so the station has one PDF structure whether a
 * document goes to a file or stays in memory.
 */
import { PDFDict, PDFDocument, PDFHexString, PDFName, PDFString, type PDFObject } from 'pdf-lib';
import type { EncodedPage } from '../imaging/types.js';
import { INFO_KEYS, type PdfMetadata, type ReadMetadata } from './metadata.js';
import { PdfAssemblyError, pagesFromArray, writePdfToMemory } from './stream-writer.js';

export type { PdfMetadata, ReadMetadata } from './metadata.js';
export { PdfAssemblyError } from './stream-writer.js';

/** Holds every page and the whole PDF in memory: for tests and small documents. */
export async function assemblePdf(pages: EncodedPage[], meta: PdfMetadata): Promise<Uint8Array> {
  if (!Array.isArray(pages)) throw new PdfAssemblyError('pages must be an array of encoded pages');
  return (await writePdfToMemory(pagesFromArray(pages), meta)).pdf;
}

export async function readPdfMetadata(pdf: Uint8Array): Promise<ReadMetadata> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  return readMetadata(doc);
}

function readMetadata(doc: PDFDocument): ReadMetadata {
  const info = doc.context.lookupMaybe(doc.context.trailerInfo.Info, PDFDict);
  const text = (key: string): string | undefined => (info ? decodeText(info.get(PDFName.of(key))) : undefined);
  const hashes = text(INFO_KEYS.sourceSha256);
  return {
    title: doc.getTitle(),
    stationId: text(INFO_KEYS.stationId),
    documentId: text(INFO_KEYS.documentId),
    sourceSha256: hashes ? hashes.split(',').filter((hash) => hash !== '') : [],
    pageCount: doc.getPageCount(),
  };
}

function decodeText(value: PDFObject | undefined): string | undefined {
  if (value instanceof PDFString || value instanceof PDFHexString) return value.decodeText();
  return undefined;
}
