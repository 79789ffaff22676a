/**
 * Document metadata: written into the Info dictionary (what every reader and DMS shows) and an
 * XMP stream (what archives and PDF/A read), and read back from the Info dictionary.
 */
import { PDFDict, PDFDocument, PDFHexString, PDFName, PDFString, type PDFObject } from 'pdf-lib';
import packageJson from '../../package.json' with { type: 'json' };
import { buildXmpPacket } from './xmp.js';

export interface PdfMetadata {
  documentId: string;
  title: string;
  createdAt: Date;
  stationId: string;
  /** Hashes of the source files, in order. */
  sourceSha256: string[];
  /** Default "Intake Station <version>". */
  producer?: string;
}

export interface ReadMetadata {
  title?: string;
  stationId?: string;
  documentId?: string;
  sourceSha256: string[];
  pageCount: number;
}

export const CREATOR = 'Intake Station';
export const DEFAULT_PRODUCER = `${CREATOR} ${packageJson.version}`;

/** Custom Info keys; named with the station's prefix so they never clash with another tool's. */
const KEY = {
  stationId: PDFName.of('IntakeStationId'),
  documentId: PDFName.of('IntakeDocumentId'),
  sourceSha256: PDFName.of('IntakeSourceSha256'),
  pageCount: PDFName.of('IntakePageCount'),
} as const;

const SHA256_HEX = /^[0-9a-f]{64}$/;

export class PdfMetadataError extends Error {
  override name = 'PdfMetadataError';
}

export function validateMetadata(meta: PdfMetadata): void {
  if (typeof meta.documentId !== 'string' || meta.documentId.trim() === '') throw new PdfMetadataError('documentId must be a non-empty string');
  if (typeof meta.stationId !== 'string' || meta.stationId.trim() === '') throw new PdfMetadataError('stationId must be a non-empty string');
  if (typeof meta.title !== 'string') throw new PdfMetadataError('title must be a string');
  if (!(meta.createdAt instanceof Date) || Number.isNaN(meta.createdAt.getTime())) {
    throw new PdfMetadataError(`createdAt must be a valid Date, got ${String(meta.createdAt)}`);
  }
  if (!Array.isArray(meta.sourceSha256)) throw new PdfMetadataError('sourceSha256 must be an array of hashes');
  for (const hash of meta.sourceSha256) {
    // Lower-case hex only: the list is compared as text later, so one spelling per hash.
    if (typeof hash !== 'string' || !SHA256_HEX.test(hash)) {
      throw new PdfMetadataError(`sourceSha256 holds ${JSON.stringify(hash)}, expected 64 lower-case hex digits`);
    }
  }
}

/** Writes Info and XMP. Call once the pages are added, so the page count is known. */
export function writeMetadata(doc: PDFDocument, meta: PdfMetadata): void {
  validateMetadata(meta);
  const producer = meta.producer ?? DEFAULT_PRODUCER;
  const keywords = [`intake-document:${meta.documentId}`, `intake-station:${meta.stationId}`];
  const pageCount = doc.getPageCount();

  doc.setTitle(meta.title, { showInWindowTitleBar: true });
  doc.setCreator(CREATOR);
  doc.setProducer(producer);
  doc.setCreationDate(meta.createdAt);
  // Assembled once and never edited: modified when created, which also keeps the output
  // the same bytes for the same input.
  doc.setModificationDate(meta.createdAt);
  doc.setKeywords(keywords);

  const info = infoDict(doc);
  info.set(KEY.stationId, textString(meta.stationId));
  info.set(KEY.documentId, textString(meta.documentId));
  // A comma-separated string rather than a PDF array: exiftool, pdfinfo and most DMS import
  // dialogs show custom Info values only when they are strings.
  info.set(KEY.sourceSha256, PDFString.of(meta.sourceSha256.join(',')));
  info.set(KEY.pageCount, PDFString.of(String(pageCount)));

  const xmp = buildXmpPacket({
    title: meta.title,
    createdAt: meta.createdAt,
    producer,
    creatorTool: CREATOR,
    keywords: keywords.join(' '),
    stationId: meta.stationId,
    documentId: meta.documentId,
    pageCount,
    sourceSha256: meta.sourceSha256,
  });
  // Uncompressed on purpose: PDF/A forbids a filter on the metadata stream, and tools that
  // scan files for XMP find it only in plain text.
  const stream = doc.context.stream(new TextEncoder().encode(xmp), { Type: 'Metadata', Subtype: 'XML' });
  doc.catalog.set(PDFName.of('Metadata'), doc.context.register(stream));
}

export function readMetadata(doc: PDFDocument): ReadMetadata {
  const info = doc.context.lookupMaybe(doc.context.trailerInfo.Info, PDFDict);
  const text = (key: PDFName): string | undefined => (info ? decodeText(info.get(key)) : undefined);
  const hashes = text(KEY.sourceSha256);
  return {
    title: doc.getTitle(),
    stationId: text(KEY.stationId),
    documentId: text(KEY.documentId),
    sourceSha256: hashes ? hashes.split(',').filter((hash) => hash !== '') : [],
    pageCount: doc.getPageCount(),
  };
}

function infoDict(doc: PDFDocument): PDFDict {
  // setTitle above has made sure the document has an Info dictionary.
  const info = doc.context.lookupMaybe(doc.context.trailerInfo.Info, PDFDict);
  if (!info) throw new PdfMetadataError('the document has no Info dictionary');
  return info;
}

/** Plain ASCII stays readable in the file; anything else goes as UTF-16 (a PDF text string). */
function textString(value: string): PDFString | PDFHexString {
  return /^[\x20-\x7e]*$/.test(value) ? PDFString.of(escapePdfLiteral(value)) : PDFHexString.fromText(value);
}

function escapePdfLiteral(value: string): string {
  return value.replace(/[\\()]/g, (char) => `\\${char}`);
}

function decodeText(value: PDFObject | undefined): string | undefined {
  if (value instanceof PDFString || value instanceof PDFHexString) return value.decodeText();
  return undefined;
}
