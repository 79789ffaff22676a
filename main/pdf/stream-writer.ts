/**
 * Writes a document's pages into a PDF 1.7 one page at a time: each page is loaded, written out
 * and let go before the next, so a 1,000-page batch needs the memory of one page. JPEG pages go in
 * byte for byte (DCTDecode) unless they are text pages over the size goal, which go in as two
 * layers (mrc.ts: a JBIG2 text mask over a low-resolution background JPEG); black-and-white pages
 * as lossless JBIG2 of the stored G4 TIFF's bits, coded at clean-up or here (or its CCITT G4 data as
 * it is, where smaller).
 *
 * File layout: header, then per page its image, content stream and page object, then the page
 * tree (its number reserved first, so pages can name it as /Parent), XMP, catalog, Info, xref.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EncodedPage } from '../imaging/types.js';
import { fsyncDir, tempPathFor } from '../store/files.js';
import { extractG4Strip } from './ccitt.js';
import { readJpegInfo } from './jpeg-info.js';
import { jbig2FromG4Tiff, type Jbig2Page } from './jbig2-page.js';
import { buildMrc, type MrcPage } from './mrc.js';
import { drawTurnedLayers, layerOperators, type ImageLayer } from './page-drawing.js';
import { describeMetadata, validateMetadata, type PdfMetadata } from './metadata.js';
import { PdfObjectWriter, type ByteSink } from './object-writer.js';
import { pdfDate, pdfNumber, pdfRef, pdfTextString } from './pdf-syntax.js';

/**
 * A page to write. `layers`: the page's layers built ahead (page-layers.ts), or null when it was
 * found to keep its JPEG; absent, the writer decides itself. `jbig2`: a black-and-white page's
 * JBIG2 stream coded ahead from the same bits (jbig2-sidecar.ts); absent, the writer codes it.
 */
export type PdfPage = EncodedPage & { layers?: MrcPage | null; jbig2?: Jbig2Page };

/** The pages of a document, handed out one at a time. */
export interface PageSource {
  count: number;
  load(index: number): Promise<PdfPage>;
}

export interface PdfWriteResult {
  sha256: string;
  bytes: number;
  pageCount: number;
}

export interface PdfWriteOptions {
  /**
   * Grey and colour text pages over the size goal in two layers (mrc.ts); default on. Off, every
   * JPEG page goes in byte for byte (and a page costs no decoding).
   */
  layers?: boolean;
}

export class PdfAssemblyError extends Error {
  override name = 'PdfAssemblyError';
}

const PDF_VERSION = '1.7';
const POINTS_PER_INCH = 72;
/** Page tree /Kids written this many to a line, to keep lines short for people reading the file. */
const KIDS_PER_LINE = 10;
const COLOUR_SPACE = { 1: 'DeviceGray', 3: 'DeviceRGB', 4: 'DeviceCMYK' } as const;

/** Writes the PDF to `outPath` atomically: a temp file beside it, fsync, rename, fsync the folder. */
export async function writePdfFile(outPath: string, pages: PageSource, meta: PdfMetadata, options: PdfWriteOptions = {}): Promise<PdfWriteResult> {
  // Refuse bad input before a temp file exists.
  checkSource(pages);
  validateMetadata(meta);
  const dir = path.dirname(outPath);
  await fs.promises.mkdir(dir, { recursive: true });
  const temp = tempPathFor(outPath);
  const handle = await fs.promises.open(temp, 'wx');
  let result: PdfWriteResult;
  try {
    result = await writePdf(fileSink(handle), pages, meta, options);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await fs.promises.rename(temp, outPath);
  fsyncDir(dir);
  return result;
}

/**
 * The same PDF in memory, for small documents and tests. A plain Uint8Array, not a Buffer: pdf.js
 * refuses Buffers, and pdf-lib ignores a Buffer's offset into its shared pool.
 */
export async function writePdfToMemory(pages: PageSource, meta: PdfMetadata, options: PdfWriteOptions = {}): Promise<PdfWriteResult & { pdf: Uint8Array }> {
  const chunks: Uint8Array[] = [];
  const result = await writePdf({ write: async (chunk) => void chunks.push(chunk) }, pages, meta, options);
  const pdf = new Uint8Array(result.bytes);
  let at = 0;
  for (const chunk of chunks) {
    pdf.set(chunk, at);
    at += chunk.length;
  }
  return { ...result, pdf };
}

export function pagesFromArray(pages: EncodedPage[]): PageSource {
  if (!Array.isArray(pages)) throw new PdfAssemblyError('pages must be an array of encoded pages');
  return { count: pages.length, load: async (index) => pages[index] };
}

/** Writes the whole document to `sink`; the one place that knows the PDF's structure. */
export async function writePdf(sink: ByteSink, pages: PageSource, meta: PdfMetadata, options: PdfWriteOptions = {}): Promise<PdfWriteResult> {
  checkSource(pages);
  validateMetadata(meta);
  const out = new PdfObjectWriter(sink);
  const pageTree = out.reserve();
  await out.header(PDF_VERSION);

  const kids: number[] = [];
  for (let index = 0; index < pages.count; index++) {
    let page: PdfPage | undefined;
    try {
      page = await pages.load(index);
      kids.push(await writePage(out, page, pageTree, options));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const format = page ? ` (${String(page.format)})` : '';
      throw new PdfAssemblyError(`page ${index + 1} of ${pages.count}${format}: ${reason}`, { cause: error });
    }
  }

  const kidLines: string[] = [];
  for (let i = 0; i < kids.length; i += KIDS_PER_LINE) kidLines.push(kids.slice(i, i + KIDS_PER_LINE).map(pdfRef).join(' '));
  await out.dictionary(pageTree, `/Type /Pages /Count ${kids.length} /Kids [\n${kidLines.join('\n')}\n]`);

  const { info, xmp } = describeMetadata(meta, kids.length);
  // Uncompressed on purpose: PDF/A forbids a filter on the metadata stream, and tools that scan
  // files for XMP find it only in plain text.
  const metadata = out.reserve();
  await out.stream(metadata, '/Type /Metadata /Subtype /XML', Buffer.from(xmp, 'utf8'));
  const catalog = out.reserve();
  // DisplayDocTitle: viewers show the title (the document type and customer), not the file name.
  await out.dictionary(catalog, `/Type /Catalog /Pages ${pdfRef(pageTree)} /Metadata ${pdfRef(metadata)} /ViewerPreferences << /DisplayDocTitle true >>`);
  const infoObject = out.reserve();
  const infoEntries = info.map(([key, value]) => `/${key} ${value.kind === 'date' ? pdfDate(value.date) : pdfTextString(value.text)}`);
  await out.dictionary(infoObject, infoEntries.join('\n'));

  const { sha256, bytes } = await out.finish(catalog, infoObject);
  return { sha256, bytes, pageCount: kids.length };
}

function checkSource(pages: PageSource): void {
  if (!pages || typeof pages.load !== 'function') throw new PdfAssemblyError('pages must be a page source with count and load(index)');
  if (!Number.isInteger(pages.count) || pages.count < 0) throw new PdfAssemblyError(`page count must be a whole number, got ${pages.count}`);
  if (pages.count === 0) throw new PdfAssemblyError('a document needs at least one page');
}

/** Writes one page's image, content stream and page object; returns the page object's number. */
async function writePage(out: PdfObjectWriter, page: PdfPage, parent: number, options: PdfWriteOptions): Promise<number> {
  if (!page || typeof page !== 'object') throw new PdfAssemblyError(`expected an encoded page, got ${String(page)}`);
  if (!(page.data instanceof Uint8Array)) throw new PdfAssemblyError('the page has no data bytes');
  if (!Number.isFinite(page.dpi) || page.dpi <= 0) throw new PdfAssemblyError(`dpi must be a positive number, got ${page.dpi}`);
  if (!Number.isInteger(page.width) || !Number.isInteger(page.height) || page.width < 1 || page.height < 1) {
    throw new PdfAssemblyError(`width and height must be positive integers, got ${page.width}×${page.height}`);
  }
  const scale = POINTS_PER_INCH / page.dpi;
  let pageWidth = page.width * scale;
  let pageHeight = page.height * scale;

  const layers = await writePageImages(out, page, options);
  // Uncompressed: a few hundred bytes at most, Flate would save nothing.
  let contentText = `q\n${layerOperators(layers, scale, 0, pageHeight).join('\n')}\nQ\n`;
  if (page.drawing) {
    const drawn = drawTurnedLayers(page.drawing, page, layers);
    [pageWidth, pageHeight, contentText] = [drawn.pageWidth, drawn.pageHeight, drawn.content];
  }
  const content = out.reserve();
  await out.stream(content, '', Buffer.from(contentText, 'latin1'));
  const pageObject = out.reserve();
  await out.dictionary(
    pageObject,
    `/Type /Page /Parent ${pdfRef(parent)} /MediaBox [0 0 ${pdfNumber(pageWidth)} ${pdfNumber(pageHeight)}] ` +
      `/Resources << /XObject << ${layers.map((layer) => `/${layer.name} ${pdfRef(layer.object)}`).join(' ')} >> >> /Contents ${pdfRef(content)}`,
  );
  return pageObject;
}

/**
 * Writes the page's image XObjects and says how to draw them. Image space is the unit square with
 * its origin bottom left; each layer is anchored to the page's top edge, so rows a coded image has
 * beyond the page (a padded G4 tile) hang below it and the page box cuts them off.
 */
async function writePageImages(out: PdfObjectWriter, page: PdfPage, options: PdfWriteOptions): Promise<(ImageLayer & { object: number })[]> {
  if (page.format === 'jpeg') {
    const jpeg = readJpegInfo(page.data);
    if (jpeg.width !== page.width || jpeg.height !== page.height) {
      throw new PdfAssemblyError(`the JPEG is ${jpeg.width}×${jpeg.height} but the page says ${page.width}×${page.height}`);
    }
    const layers = options.layers === false ? null : page.layers !== undefined ? page.layers : await layersOf(page);
    if (layers) return writeMrcImages(out, page, layers);
    const image = out.reserve();
    await writeJpegImage(out, image, page);
    return [{ name: 'Im0', object: image, placed: page }];
  }
  if (page.format === 'g4tiff') {
    const image = out.reserve();
    return [{ name: 'Im0', object: image, placed: await writeBilevelImage(out, image, page) }];
  }
  throw new PdfAssemblyError(`unknown page format ${JSON.stringify((page as { format: unknown }).format)}`);
}

async function layersOf(page: EncodedPage): Promise<MrcPage | null> {
  const decision = await buildMrc(page.data, page.dpi);
  return decision.use ? decision.page : null;
}

/**
 * A grey or colour text page in two layers (see mrc.ts): the background JPEG, drawn over the whole
 * page, then the text mask as a stencil (/ImageMask: its ink bits paint in the current colour,
 * the rest lets the background through), in the ink's colour.
 */
async function writeMrcImages(out: PdfObjectWriter, page: EncodedPage, mrc: MrcPage): Promise<(ImageLayer & { object: number })[]> {
  const { background, mask } = mrc;
  if (mask.width !== page.width || mask.height !== page.height) {
    throw new PdfAssemblyError(`the text mask is ${mask.width}×${mask.height} but the page says ${page.width}×${page.height}`);
  }
  const backgroundObject = out.reserve();
  await out.stream(
    backgroundObject,
    `/Type /XObject /Subtype /Image /Width ${background.width} /Height ${background.height} /ColorSpace /${COLOUR_SPACE[background.components]} ` +
      '/BitsPerComponent 8 /Filter /DCTDecode',
    background.jpeg,
  );
  const maskObject = out.reserve();
  // JBIG2Decode gives ink out as 0, and an image mask paints where its samples are 0 (Decode [0 1]).
  await out.stream(maskObject, `/Type /XObject /Subtype /Image /Width ${mask.width} /Height ${mask.height} /ImageMask true /BitsPerComponent 1 /Filter /JBIG2Decode`, mask.jbig2);
  const paint = mrc.ink.length === 1 ? `${pdfNumber(mrc.ink[0], 3)} g` : `${mrc.ink.map((value) => pdfNumber(value, 3)).join(' ')} rg`;
  return [
    // The background's last row and column may cover more than the page: anchored top left, the rest is cut off.
    { name: 'Im0', object: backgroundObject, placed: { width: background.width * background.factor, height: background.height * background.factor } },
    { name: 'Im1', object: maskObject, placed: mask, paint },
  ];
}

async function writeJpegImage(out: PdfObjectWriter, number: number, page: EncodedPage): Promise<void> {
  const jpeg = readJpegInfo(page.data);
  if (jpeg.width !== page.width || jpeg.height !== page.height) {
    throw new PdfAssemblyError(`the JPEG is ${jpeg.width}×${jpeg.height} but the page says ${page.width}×${page.height}`);
  }
  // Adobe's writers store CMYK inverted (and say so with their APP14 marker): flip it back.
  const decode = jpeg.components === 4 && jpeg.adobe ? ' /Decode [1 0 1 0 1 0 1 0]' : '';
  await out.stream(
    number,
    `/Type /XObject /Subtype /Image /Width ${jpeg.width} /Height ${jpeg.height} /ColorSpace /${COLOUR_SPACE[jpeg.components]} ` +
      `/BitsPerComponent 8 /Filter /DCTDecode${decode}`,
    page.data,
  );
}

/**
 * A black-and-white page: JBIG2 (lossless generic region, see jbig2.ts) when it is smaller than the
 * stored G4 data, which it nearly always is (about 60 % of it on text pages); else the G4 data as
 * it is.
 */
async function writeBilevelImage(out: PdfObjectWriter, number: number, page: PdfPage): Promise<{ width: number; height: number }> {
  const g4 = extractG4Strip(page.data);
  if (g4.imageWidth !== page.width || g4.imageHeight !== page.height) {
    throw new PdfAssemblyError(`the TIFF is ${g4.imageWidth}×${g4.imageHeight} but the page says ${page.width}×${page.height}`);
  }
  const jbig2 = page.jbig2 ?? (await jbig2FromG4Tiff(page.data, page.dpi));
  if (jbig2.width !== page.width || jbig2.height !== page.height) {
    throw new PdfAssemblyError(`the TIFF decodes to ${jbig2.width}×${jbig2.height} but the page says ${page.width}×${page.height}`);
  }
  if (jbig2.data.length < g4.data.length) {
    await out.stream(
      number,
      `/Type /XObject /Subtype /Image /Width ${page.width} /Height ${page.height} /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /JBIG2Decode`,
      jbig2.data,
    );
    return page;
  }
  await out.stream(
    number,
    `/Type /XObject /Subtype /Image /Width ${g4.width} /Height ${g4.height} /ColorSpace /DeviceGray /BitsPerComponent 1 ` +
      `/Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns ${g4.width} /Rows ${g4.height} /BlackIs1 ${g4.blackIs1} >>`,
    g4.data,
  );
  return g4;
}

function fileSink(handle: fs.promises.FileHandle): ByteSink {
  return {
    async write(chunk) {
      // A write may take fewer bytes than offered: go on until all are out.
      for (let done = 0; done < chunk.length; ) done += (await handle.write(chunk, done, chunk.length - done)).bytesWritten;
    },
  };
}
