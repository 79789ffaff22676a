/**
 * Pages out of a PDF. A network scanner's PDF holds one image per page: that image is taken
 * out as it is (JPEG bytes byte for byte, Flate samples as raw pixels, CCITT G4 wrapped in a
 * TIFF), which is lossless and about a hundred times faster than rendering. Every other page
 * (text, vector drawings, several images, rotated or partial placement) is rendered with
 * pdfjs at RENDER_DPI.
 */
import {
  PDFArray,
  PDFBool,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFStream,
  PDFString,
  decodePDFRawStream,
  type PDFObject,
  type PDFPage,
} from 'pdf-lib';
import sharp from 'sharp';
import type { OpenedSource } from './decode.js';
import type { SourcePage } from './types.js';
import { BadInputError, reasonOf } from './bad-input.js';
import { findTruncation, readJpegHeader } from './probe.js';
import { MAX_PAGE_PIXELS, MIN_PAGE_SIDE, RENDER_DPI, checkPageSize } from './decode-limits.js';
import { summariseContent, type Matrix, type Rect } from './decode-pdf-content.js';
import {
  ccittG4ToTiff,
  expandIndexed,
  inflateStream,
  levelTable,
  unpackSamples,
  type SampleLayout,
} from './decode-pdf-image.js';
import { renderPdfPage, verifyPdfPage, type PdfRenderer, openPdfRenderer } from './decode-pdf-render.js';

/** Above this many pages a "scan" is a book or a mistake; refuse before planning each page. */
export const MAX_PDF_PAGES = 2000;

type PagePlan =
  | { kind: 'jpeg'; data: Buffer; width: number; height: number; dpi: number; passthrough: boolean }
  | { kind: 'samples'; stream: Uint8Array; compressed: boolean; layout: SampleLayout; colour: ColourSpace; invert: boolean; dpi: number }
  | { kind: 'ccitt'; tiff: Buffer; width: number; height: number; dpi: number }
  | { kind: 'render'; reason: string };

type ColourSpace =
  | { kind: 'grey' | 'rgb' | 'cmyk' | 'other'; components: number; name: string }
  | { kind: 'indexed'; components: 1; base: 1 | 3; palette: Uint8Array; name: string };

const N = (name: string) => PDFName.of(name);

function nameOf(object: PDFObject | undefined): string | undefined {
  return object instanceof PDFName ? object.decodeText() : undefined;
}

function numberOf(object: PDFObject | undefined): number | undefined {
  return object instanceof PDFNumber ? object.asNumber() : undefined;
}

function bytesOf(object: PDFObject | undefined): Uint8Array | undefined {
  if (object instanceof PDFString || object instanceof PDFHexString) return object.asBytes();
  if (object instanceof PDFRawStream) return decodePDFRawStream(object).decode();
  return undefined;
}

function resolveColourSpace(doc: PDFDocument, object: PDFObject | undefined, resources: PDFDict | undefined, depth = 0): ColourSpace {
  const resolved = object ? doc.context.lookup(object) : undefined;
  const name = nameOf(resolved);
  if (name === 'DeviceGray' || name === 'G') return { kind: 'grey', components: 1, name };
  if (name === 'DeviceRGB' || name === 'RGB') return { kind: 'rgb', components: 3, name };
  if (name === 'DeviceCMYK' || name === 'CMYK') return { kind: 'cmyk', components: 4, name };
  if (name && depth === 0) {
    const named = resources?.lookupMaybe(N('ColorSpace'), PDFDict)?.get(N(name));
    if (named) return resolveColourSpace(doc, named, resources, depth + 1);
  }
  if (resolved instanceof PDFArray && resolved.size() > 0) {
    const family = nameOf(resolved.lookup(0));
    if (family === 'ICCBased') {
      const profile = resolved.lookup(1);
      const n = profile instanceof PDFStream ? numberOf(profile.dict.lookup(N('N'))) : undefined;
      if (n === 1) return { kind: 'grey', components: 1, name: 'ICCBased grey' };
      if (n === 3) return { kind: 'rgb', components: 3, name: 'ICCBased RGB' };
      if (n === 4) return { kind: 'cmyk', components: 4, name: 'ICCBased CMYK' };
    }
    if (family === 'CalGray') return { kind: 'grey', components: 1, name: family };
    if (family === 'CalRGB') return { kind: 'rgb', components: 3, name: family };
    if ((family === 'Indexed' || family === 'I') && depth < 2) {
      const base = resolveColourSpace(doc, resolved.get(1), resources, depth + 1);
      const palette = bytesOf(doc.context.lookup(resolved.get(3)));
      if ((base.kind === 'grey' || base.kind === 'rgb') && palette) {
        return { kind: 'indexed', components: 1, base: base.components as 1 | 3, palette, name: `Indexed ${base.name}` };
      }
    }
    return { kind: 'other', components: 0, name: family ?? 'unknown' };
  }
  return { kind: 'other', components: 0, name: name ?? 'unknown' };
}

function filtersOf(dict: PDFDict): string[] {
  const filter = dict.lookup(N('Filter'));
  if (filter instanceof PDFName) return [filter.decodeText()];
  if (filter instanceof PDFArray) return filter.asArray().map((f) => nameOf(dict.context.lookup(f)) ?? '?');
  return [];
}

function decodeParmsOf(dict: PDFDict): PDFDict | undefined {
  const parms = dict.lookup(N('DecodeParms')) ?? dict.lookup(N('DP'));
  if (parms instanceof PDFDict) return parms;
  if (parms instanceof PDFArray && parms.size() === 1) {
    const first = parms.lookup(0);
    return first instanceof PDFDict ? first : undefined;
  }
  return undefined;
}

/** The /Decode array: identity (undefined), inverted for one component (true), or other. */
function decodeArrayOf(dict: PDFDict, components: number, bpc: number, indexed: boolean): 'identity' | 'inverted' | 'other' {
  const decode = dict.lookup(N('Decode'));
  if (!(decode instanceof PDFArray)) return 'identity';
  const values = decode.asArray().map((v) => numberOf(dict.context.lookup(v)) ?? Number.NaN);
  const high = indexed ? (1 << bpc) - 1 : 1;
  const identity = Array.from({ length: components }, () => [0, high]).flat();
  const inverted = Array.from({ length: components }, () => [high, 0]).flat();
  if (values.length === identity.length && values.every((v, i) => v === identity[i])) return 'identity';
  if (components === 1 && values.length === 2 && values.every((v, i) => v === inverted[i])) return 'inverted';
  return 'other';
}

function visibleBox(page: PDFPage): Rect {
  const media = page.getMediaBox();
  const crop = page.getCropBox();
  return {
    left: Math.max(media.x, crop.x),
    bottom: Math.max(media.y, crop.y),
    right: Math.min(media.x + media.width, crop.x + crop.width),
    top: Math.min(media.y + media.height, crop.y + crop.height),
  };
}

function covers(outer: Rect, inner: Rect, tolerance: number): boolean {
  return (
    outer.left <= inner.left + tolerance &&
    outer.bottom <= inner.bottom + tolerance &&
    outer.right >= inner.right - tolerance &&
    outer.top >= inner.top - tolerance
  );
}

function pageContent(page: PDFPage): Uint8Array {
  const contents = page.node.Contents();
  const streams = contents instanceof PDFArray ? contents.asArray().map((s) => page.doc.context.lookup(s)) : [contents];
  const parts: Uint8Array[] = [];
  for (const stream of streams) {
    if (stream === undefined) continue;
    if (!(stream instanceof PDFRawStream)) throw new Error('a content stream is not a stream');
    parts.push(decodePDFRawStream(stream).decode(), new Uint8Array([0x0a]));
  }
  return Buffer.concat(parts);
}

/** Harmless graphics states only: no transparency, blending or soft mask that would change the picture. */
function graphicsStateIsPlain(resources: PDFDict | undefined, name: string): boolean {
  const state = resources?.lookupMaybe(N('ExtGState'), PDFDict)?.lookupMaybe(N(name), PDFDict);
  if (!state) return false;
  const alpha = [numberOf(state.lookup(N('CA'))), numberOf(state.lookup(N('ca')))];
  if (alpha.some((a) => a !== undefined && a < 1)) return false;
  const smask = state.lookup(N('SMask'));
  if (smask && nameOf(smask) !== 'None') return false;
  const blend = nameOf(state.lookup(N('BM')));
  return blend === undefined || blend === 'Normal' || blend === 'Compatible';
}

/** Decides how to take one page out, from its content stream and image dictionary alone. */
function planPage(doc: PDFDocument, page: PDFPage): PagePlan {
  if (page.getRotation().angle % 360 !== 0) return { kind: 'render', reason: 'the page is rotated (/Rotate)' };
  const resources = page.node.Resources();
  const summary = summariseContent(pageContent(page));
  if (summary.visiblePainting) return { kind: 'render', reason: `the page paints ${summary.visiblePainting}` };
  if (summary.draws.length !== 1) return { kind: 'render', reason: `the page draws ${summary.draws.length} objects` };
  if (!summary.graphicsStates.every((gs) => graphicsStateIsPlain(resources, gs))) {
    return { kind: 'render', reason: 'the page uses transparency or blending' };
  }
  const { name, ctm } = summary.draws[0];
  const xobject = resources?.lookupMaybe(N('XObject'), PDFDict)?.lookup(N(name));
  if (!(xobject instanceof PDFRawStream)) return { kind: 'render', reason: `XObject ${name} is not a plain stream` };
  const dict = xobject.dict;
  if (nameOf(dict.lookup(N('Subtype'))) !== 'Image') return { kind: 'render', reason: `XObject ${name} is not an image` };

  const box = visibleBox(page);
  const boxWidth = box.right - box.left;
  const boxHeight = box.top - box.bottom;
  const tolerance = Math.max(1.5, 0.005 * Math.max(boxWidth, boxHeight));
  if (Math.abs(ctm[1]) > 1e-6 || Math.abs(ctm[2]) > 1e-6 || ctm[0] <= 0 || ctm[3] <= 0) {
    return { kind: 'render', reason: 'the image is turned or mirrored on the page' };
  }
  const placed = imageRect(ctm);
  if (!covers(placed, box, tolerance) || !covers(box, placed, tolerance)) {
    return { kind: 'render', reason: 'the image does not exactly cover the page' };
  }
  if (!summary.clips.every((clip) => covers(clip, box, tolerance))) {
    return { kind: 'render', reason: 'the image is clipped' };
  }
  if (dict.lookup(N('ImageMask')) instanceof PDFBool && (dict.lookup(N('ImageMask')) as PDFBool).asBoolean()) {
    return { kind: 'render', reason: 'the image is a stencil mask' };
  }
  if (dict.lookup(N('SMask')) || dict.lookup(N('Mask'))) return { kind: 'render', reason: 'the image has a transparency mask' };

  const width = numberOf(dict.lookup(N('Width'))) ?? 0;
  const height = numberOf(dict.lookup(N('Height'))) ?? 0;
  if (!(width > 0 && height > 0)) return { kind: 'render', reason: 'the image has no valid size' };
  const dpiX = (width * 72) / boxWidth;
  const dpiY = (height * 72) / boxHeight;
  if (Math.abs(dpiX - dpiY) / dpiX > 0.02) return { kind: 'render', reason: 'the image has non-square pixels' };
  const dpi = Math.round(dpiX);
  const filters = filtersOf(dict);
  const colour = resolveColourSpace(doc, dict.get(N('ColorSpace')), resources);
  const bpc = numberOf(dict.lookup(N('BitsPerComponent'))) ?? 8;

  if (filters.length === 1 && (filters[0] === 'DCTDecode' || filters[0] === 'DCT')) {
    const data = Buffer.from(xobject.contents.buffer, xobject.contents.byteOffset, xobject.contents.byteLength);
    const header = readJpegHeader(data);
    if (!header || header.width !== width || header.height !== height) {
      return { kind: 'render', reason: 'the JPEG stream does not match its image dictionary' };
    }
    const decode = decodeArrayOf(dict, header.components ?? 0, 8, false);
    const greyOrRgb = (header.components === 1 || header.components === 3) && colour.kind !== 'cmyk' && colour.kind !== 'other';
    if (decode !== 'identity') {
      return { kind: 'render', reason: 'the JPEG has a /Decode array' };
    }
    if (!greyOrRgb && header.components !== 4) return { kind: 'render', reason: `the JPEG is in ${colour.name}` };
    return { kind: 'jpeg', data, width, height, dpi, passthrough: greyOrRgb && header.bitsPerSample === 8 };
  }

  if (filters.length === 1 && (filters[0] === 'CCITTFaxDecode' || filters[0] === 'CCF')) {
    const parms = decodeParmsOf(dict);
    const k = numberOf(parms?.lookup(N('K'))) ?? 0;
    const columns = numberOf(parms?.lookup(N('Columns'))) ?? 1728;
    const byteAlign = (parms?.lookup(N('EncodedByteAlign')) as PDFBool | undefined)?.asBoolean?.() ?? false;
    if (k >= 0) return { kind: 'render', reason: 'the fax image is Group 3, not Group 4' };
    if (byteAlign || columns !== width) return { kind: 'render', reason: 'the fax image uses unusual parameters' };
    const blackIs1 = (parms?.lookup(N('BlackIs1')) as PDFBool | undefined)?.asBoolean?.() ?? false;
    const decode = decodeArrayOf(dict, 1, 1, false);
    if (decode === 'other') return { kind: 'render', reason: 'the fax image has an unusual /Decode array' };
    const blackRunsAreBlack = blackIs1 === (decode === 'inverted');
    return { kind: 'ccitt', tiff: ccittG4ToTiff(xobject.contents, { width, height, k, blackRunsAreBlack, dpi }), width, height, dpi };
  }

  if (filters.length === 0 || (filters.length === 1 && (filters[0] === 'FlateDecode' || filters[0] === 'Fl'))) {
    if (colour.kind !== 'grey' && colour.kind !== 'rgb' && colour.kind !== 'indexed') {
      return { kind: 'render', reason: `the image is in ${colour.name}` };
    }
    if (![1, 2, 4, 8, 16].includes(bpc) || (colour.kind === 'indexed' && bpc > 8)) {
      return { kind: 'render', reason: `the image has ${bpc} bits per component` };
    }
    const parms = decodeParmsOf(dict);
    const predictor = filters.length === 0 ? 1 : (numberOf(parms?.lookup(N('Predictor'))) ?? 1);
    if (predictor !== 1 && predictor < 10) return { kind: 'render', reason: 'the image uses the TIFF predictor' };
    if (predictor >= 10) {
      const colors = numberOf(parms?.lookup(N('Colors'))) ?? 1;
      const columns = numberOf(parms?.lookup(N('Columns'))) ?? 1;
      const pbpc = numberOf(parms?.lookup(N('BitsPerComponent'))) ?? 8;
      if (colors !== colour.components || columns !== width || pbpc !== bpc) {
        return { kind: 'render', reason: 'the image predictor parameters do not match the image' };
      }
    }
    const decode = decodeArrayOf(dict, colour.components, bpc, colour.kind === 'indexed');
    if (decode === 'other' || (decode === 'inverted' && colour.kind === 'indexed')) {
      return { kind: 'render', reason: 'the image has an unusual /Decode array' };
    }
    const layout: SampleLayout = { width, height, components: colour.components, bitsPerComponent: bpc as SampleLayout['bitsPerComponent'], predictor };
    return { kind: 'samples', stream: xobject.contents, compressed: filters.length > 0, layout, colour, invert: decode === 'inverted', dpi };
  }
  return { kind: 'render', reason: `the image is compressed with ${filters.join(' + ')}` };
}

function imageRect(ctm: Matrix): Rect {
  return { left: ctm[4], bottom: ctm[5], right: ctm[4] + ctm[0], top: ctm[5] + ctm[3] };
}

function samplesToPage(index: number, plan: Extract<PagePlan, { kind: 'samples' }>): SourcePage {
  const { layout, colour } = plan;
  const rowBytes = Math.ceil((layout.width * layout.components * layout.bitsPerComponent) / 8);
  const expected = (rowBytes + (layout.predictor >= 10 ? 1 : 0)) * layout.height;
  const stream = plan.compressed ? inflateStream(plan.stream, expected) : plan.stream;
  let data: Buffer;
  let channels: 1 | 3;
  if (colour.kind === 'indexed') {
    data = expandIndexed(unpackSamples(stream, layout), colour.palette, colour.base);
    channels = colour.base;
  } else {
    data = unpackSamples(stream, layout, levelTable(layout.bitsPerComponent, plan.invert));
    channels = colour.components as 1 | 3;
  }
  return {
    index,
    input: { kind: 'raw', data, width: layout.width, height: layout.height, channels },
    width: layout.width,
    height: layout.height,
    dpi: plan.dpi,
    jpegPassthrough: false,
    bilevel: layout.bitsPerComponent === 1 && colour.kind === 'grey',
  };
}

async function loadPdf(bytes: Buffer): Promise<PDFDocument> {
  try {
    return await PDFDocument.load(bytes, { updateMetadata: false });
  } catch (error) {
    if (error instanceof Error && error.name === 'EncryptedPDFError' || /encrypted/i.test(reasonOf(error))) {
      throw new BadInputError(
        'pdf_encrypted',
        'The PDF is encrypted (it has a password or usage restrictions), so its pages cannot be read. Ask for an unprotected copy, or print it and scan the paper.',
      );
    }
    throw new BadInputError('pdf_broken', `The PDF cannot be read: ${reasonOf(error)}.`);
  }
}

/** Opens a PDF held in memory; the caller has already checked its magic bytes. */
export async function openPdfSource(bytes: Buffer): Promise<OpenedSource> {
  const truncation = findTruncation('pdf', bytes);
  if (truncation) throw new BadInputError('pdf_broken', truncation);
  const doc = await loadPdf(bytes);
  // pdf-lib tolerates an /Encrypt entry it finds late (in an incremental update); pdfjs would not.
  if (doc.isEncrypted) throw new BadInputError('pdf_encrypted', 'The PDF is encrypted (it has a password or usage restrictions), so its pages cannot be read. Ask for an unprotected copy, or print it and scan the paper.');
  const root = doc.context.trailerInfo.Root;
  if (!root || !(doc.context.lookup(root) instanceof PDFDict)) {
    const objects = doc.context.enumerateIndirectObjects().length;
    throw new BadInputError('pdf_broken', `The PDF's structure cannot be read: it has no document catalog (${objects} objects found after the header).`);
  }
  let pages: PDFPage[];
  try {
    pages = doc.getPages();
  } catch (error) {
    throw new BadInputError('pdf_broken', `The PDF's page tree cannot be read: ${reasonOf(error)}.`);
  }
  if (pages.length === 0) throw new BadInputError('pdf_no_pages', 'The PDF has no pages.');
  if (pages.length > MAX_PDF_PAGES) {
    throw new BadInputError('too_large', `The PDF has ${pages.length} pages; a scan can have at most ${MAX_PDF_PAGES}.`);
  }

  const plans: PagePlan[] = [];
  const sizes: Array<{ width: number; height: number; dpi: number }> = [];
  for (const [i, page] of pages.entries()) {
    let plan: PagePlan;
    try {
      plan = planPage(doc, page);
    } catch (error) {
      // An unreadable content stream or image dictionary: pdfjs may still make sense of it.
      plan = { kind: 'render', reason: `its content could not be parsed (${reasonOf(error)})` };
    }
    if (plan.kind === 'jpeg') {
      // PDF viewers ignore EXIF orientation inside an embedded JPEG; sharp would apply it.
      const meta = await sharp(plan.data, { limitInputPixels: false }).metadata().catch(() => undefined);
      if (!meta) plan = { kind: 'render', reason: 'the embedded JPEG header cannot be read' };
      else if ((meta.orientation ?? 1) !== 1) plan = { kind: 'render', reason: 'the embedded JPEG carries an EXIF rotation' };
    }
    const what = `Page ${i + 1} of the PDF`;
    if (plan.kind === 'render') {
      const box = visibleBox(page);
      const rotated = page.getRotation().angle % 180 !== 0;
      const widthPt = rotated ? box.top - box.bottom : box.right - box.left;
      const heightPt = rotated ? box.right - box.left : box.top - box.bottom;
      // Large-format pages are rendered at a lower resolution rather than refused: they are real.
      const fit = Math.sqrt(MAX_PAGE_PIXELS / ((widthPt / 72) * (heightPt / 72)));
      const dpi = Math.min(RENDER_DPI, Math.floor(fit));
      const size = { width: Math.round((widthPt / 72) * dpi), height: Math.round((heightPt / 72) * dpi), dpi };
      if (!(size.width > 0 && size.height > 0) || Math.min(size.width, size.height) < MIN_PAGE_SIDE) {
        throw new BadInputError('too_small', `${what} measures ${widthPt.toFixed(1)} × ${heightPt.toFixed(1)} pt; rendered at ${dpi} dpi that is ${size.width} × ${size.height} pixels, and a page needs at least ${MIN_PAGE_SIDE} × ${MIN_PAGE_SIDE}.`);
      }
      sizes.push(size);
    } else {
      const size = plan.kind === 'samples' ? { width: plan.layout.width, height: plan.layout.height, dpi: plan.dpi } : { width: plan.width, height: plan.height, dpi: plan.dpi };
      checkPageSize(`The image on page ${i + 1} of the PDF`, size.width, size.height);
      sizes.push(size);
    }
    plans.push(plan);
  }

  let renderer: Promise<PdfRenderer> | undefined;
  const getRenderer = () => (renderer ??= openPdfRenderer(bytes));
  let closed = false;

  const readPage = async (index: number): Promise<SourcePage> => {
    if (closed) throw new Error('readPage after close()');
    const plan = plans[index];
    if (!plan) throw new RangeError(`page ${index} does not exist; the PDF has ${plans.length} pages`);
    const { width, height, dpi } = sizes[index];
    try {
      switch (plan.kind) {
        case 'jpeg':
          return { index, input: { kind: 'encoded', data: plan.data }, width, height, dpi, jpegPassthrough: plan.passthrough, bilevel: false };
        case 'ccitt':
          return { index, input: { kind: 'encoded', data: plan.tiff }, width, height, dpi, jpegPassthrough: false, bilevel: true };
        case 'samples':
          return samplesToPage(index, plan);
        case 'render': {
          const raw = await renderPdfPage(await getRenderer(), index, width, height);
          return { index, input: { kind: 'raw', ...raw }, width: raw.width, height: raw.height, dpi, jpegPassthrough: false, bilevel: false };
        }
      }
    } catch (error) {
      if (error instanceof BadInputError) throw error;
      throw new BadInputError('pdf_broken', `Page ${index + 1} of the PDF cannot be read: ${reasonOf(error)}.`);
    }
  };

  const verifyPage = async (index: number): Promise<void> => {
    const plan = plans[index];
    try {
      if (plan.kind === 'render') {
        await verifyPdfPage(await getRenderer(), index);
      } else if (plan.kind === 'samples') {
        await readPage(index);
      } else {
        const data = plan.kind === 'jpeg' ? plan.data : plan.tiff;
        await sharp(data, { failOn: 'warning', limitInputPixels: MAX_PAGE_PIXELS }).raw().toBuffer();
      }
    } catch (error) {
      if (error instanceof BadInputError) throw error;
      const kind = plan.kind === 'jpeg' ? 'JPEG image' : plan.kind === 'ccitt' ? 'fax (CCITT) image' : 'content';
      throw new BadInputError('pdf_broken', `The ${kind} on page ${index + 1} of the PDF is damaged: ${reasonOf(error)}.`);
    }
  };

  return {
    format: 'pdf',
    pageCount: plans.length,
    readPage,
    verifyPage,
    renderReasons: plans.map((plan) => (plan.kind === 'render' ? plan.reason : undefined)),
    async close() {
      closed = true;
      if (renderer) await (await renderer.catch(() => undefined))?.close();
    },
  };
}
