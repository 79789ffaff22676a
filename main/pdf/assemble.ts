/**
 * Assembles encoded pages into one PDF: JPEG pages embedded byte for byte, black-and-white pages
 * as CCITT G4 image XObjects taken straight from their TIFF, each page sized by its resolution.
 */
import {
  PDFDocument,
  concatTransformationMatrix,
  drawObject,
  popGraphicsState,
  pushGraphicsState,
  type PDFPage,
} from 'pdf-lib';
import type { EncodedPage } from '../imaging/types.js';
import { extractG4Strip } from './ccitt.js';
import { readMetadata, writeMetadata, type PdfMetadata, type ReadMetadata } from './metadata.js';

export type { PdfMetadata, ReadMetadata } from './metadata.js';

const POINTS_PER_INCH = 72;

export class PdfAssemblyError extends Error {
  override name = 'PdfAssemblyError';
}

export async function assemblePdf(pages: EncodedPage[], meta: PdfMetadata): Promise<Uint8Array> {
  if (!Array.isArray(pages) || pages.length === 0) throw new PdfAssemblyError('a document needs at least one page');
  // updateMetadata off: pdf-lib would otherwise stamp its own Producer and the current time.
  const doc = await PDFDocument.create({ updateMetadata: false });
  for (const [index, page] of pages.entries()) {
    try {
      await addPage(doc, page);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new PdfAssemblyError(`page ${index + 1} of ${pages.length} (${page?.format}): ${reason}`, { cause: error });
    }
  }
  writeMetadata(doc, meta);
  // No object streams: PDF/A-1 and older archive readers do not accept them, and with images
  // making up nearly all of the bytes they would save almost nothing.
  return doc.save({ useObjectStreams: false });
}

export async function readPdfMetadata(pdf: Uint8Array): Promise<ReadMetadata> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  return readMetadata(doc);
}

async function addPage(doc: PDFDocument, page: EncodedPage): Promise<void> {
  if (!Number.isFinite(page.dpi) || page.dpi <= 0) throw new PdfAssemblyError(`dpi must be a positive number, got ${page.dpi}`);
  if (!Number.isInteger(page.width) || !Number.isInteger(page.height) || page.width < 1 || page.height < 1) {
    throw new PdfAssemblyError(`width and height must be positive integers, got ${page.width}×${page.height}`);
  }
  const scale = POINTS_PER_INCH / page.dpi;
  const pdfPage = doc.addPage([page.width * scale, page.height * scale]);
  if (page.format === 'jpeg') {
    // pdf-lib reads the JPEG through a DataView over the whole ArrayBuffer and ignores byteOffset:
    // a small Node Buffer is a slice of a shared pool, so hand it bytes that start at offset 0.
    const image = await doc.embedJpg(page.data.byteOffset === 0 ? page.data : new Uint8Array(page.data));
    if (image.width !== page.width || image.height !== page.height) {
      throw new PdfAssemblyError(`the JPEG is ${image.width}×${image.height} but the page says ${page.width}×${page.height}`);
    }
    pdfPage.drawImage(image, { x: 0, y: 0, width: pdfPage.getWidth(), height: pdfPage.getHeight() });
  } else if (page.format === 'g4tiff') {
    drawG4(doc, pdfPage, page, scale);
  } else {
    throw new PdfAssemblyError(`unknown page format ${JSON.stringify((page as { format: unknown }).format)}`);
  }
}

function drawG4(doc: PDFDocument, pdfPage: PDFPage, page: EncodedPage, scale: number): void {
  const g4 = extractG4Strip(page.data);
  if (g4.imageWidth !== page.width || g4.imageHeight !== page.height) {
    throw new PdfAssemblyError(`the TIFF is ${g4.imageWidth}×${g4.imageHeight} but the page says ${page.width}×${page.height}`);
  }
  // The G4 data may be a padded tile (white right and bottom margin up to 15 px): embed it whole,
  // so Columns and Rows match the coding exactly, and let the page box cut the padding off.
  const image = doc.context.stream(g4.data, {
    Type: 'XObject',
    Subtype: 'Image',
    Width: g4.width,
    Height: g4.height,
    ColorSpace: 'DeviceGray',
    BitsPerComponent: 1,
    Filter: 'CCITTFaxDecode',
    DecodeParms: { K: -1, Columns: g4.width, Rows: g4.height, BlackIs1: g4.blackIs1 },
  });
  const name = pdfPage.node.newXObject('Im', doc.context.register(image));
  const drawnWidth = g4.width * scale;
  const drawnHeight = g4.height * scale;
  // Image space is the unit square with its origin bottom left: anchor the image's top edge to
  // the page's top edge, so any padding rows hang below the page.
  pdfPage.pushOperators(
    pushGraphicsState(),
    concatTransformationMatrix(drawnWidth, 0, 0, drawnHeight, 0, pdfPage.getHeight() - drawnHeight),
    drawObject(name),
    popGraphicsState(),
  );
}
