/**
 * Document metadata: what goes into the Info dictionary (what every reader and DMS shows) and the
 * XMP stream (what archives and PDF/A read). Reading it back (assemble.ts) needs pdf-lib, which
 * the writer does not load: it would cost the assembly task ~0.4 s of CPU to start.
 */
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
export const INFO_KEYS = {
  stationId: 'IntakeStationId',
  documentId: 'IntakeDocumentId',
  sourceSha256: 'IntakeSourceSha256',
  pageCount: 'IntakePageCount',
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

/** One value of the Info dictionary, told apart so the writer spells each kind correctly. */
export type InfoValue = { kind: 'text'; text: string } | { kind: 'date'; date: Date };

/** What the document says about itself: the Info entries in order, and the XMP packet. */
export interface DocumentMetadata {
  info: [key: string, value: InfoValue][];
  xmp: string;
}

/**
 * The Info dictionary and XMP packet for a document of `pageCount` pages. Pure description: the
 * PDF writer serialises it, so there is one place that decides what the station writes.
 */
export function describeMetadata(meta: PdfMetadata, pageCount: number): DocumentMetadata {
  validateMetadata(meta);
  const producer = meta.producer ?? DEFAULT_PRODUCER;
  const keywords = [`intake-document:${meta.documentId}`, `intake-station:${meta.stationId}`];
  const text = (value: string): InfoValue => ({ kind: 'text', text: value });
  const info: DocumentMetadata['info'] = [
    ['Title', text(meta.title)],
    ['Creator', text(CREATOR)],
    ['Producer', text(producer)],
    ['CreationDate', { kind: 'date', date: meta.createdAt }],
    // Assembled once and never edited: modified when created, which also keeps the output
    // the same bytes for the same input.
    ['ModDate', { kind: 'date', date: meta.createdAt }],
    ['Keywords', text(keywords.join(' '))],
    [INFO_KEYS.stationId, text(meta.stationId)],
    [INFO_KEYS.documentId, text(meta.documentId)],
    // A comma-separated string rather than a PDF array: exiftool, pdfinfo and most DMS import
    // dialogs show custom Info values only when they are strings.
    [INFO_KEYS.sourceSha256, text(meta.sourceSha256.join(','))],
    [INFO_KEYS.pageCount, text(String(pageCount))],
  ];
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
  return { info, xmp };
}
