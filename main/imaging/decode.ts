/**
 * Opens any file a scanner wrote and hands out its pages. The file is read into memory once
 * (a scanner or cleanup job may delete it right after), its format told from magic bytes, its
 * header sizes checked against the page limits, and its end checked for truncation, all before a
 * single pixel is decoded. Anything refused throws a BadInputError with a specific code.
 */
import fs from 'node:fs/promises';
import sharp, { type FailOnOptions, type Metadata, type Sharp } from 'sharp';
import type { SourceFormat, SourcePage } from './types.js';
import { BadInputError, reasonOf } from './bad-input.js';
import { SNIFF_BYTES, findTruncation, probeHead, readJpegHeader, readPngHeader, readWebpHeader, type DeclaredImage } from './probe.js';
import { MAX_PAGE_PIXELS, MAX_SOURCE_BYTES, checkPageSize } from './decode-limits.js';

export { MAX_PAGE_PIXELS, MAX_PAGE_SIDE, MIN_PAGE_SIDE, RENDER_DPI } from './decode-limits.js';

export interface OpenedSource {
  format: SourceFormat;
  pageCount: number;
  readPage(index: number): Promise<SourcePage>;
  close(): Promise<void>;
  /** Decodes one page fully to prove its data is whole; verifySource uses it when present. */
  verifyPage?(index: number): Promise<void>;
  /** PDF only: why each page is rendered rather than taken out as it is (undefined: taken out). */
  renderReasons?: ReadonlyArray<string | undefined>;
}

const FORMAT_NAMES: Record<SourceFormat, string> = { jpeg: 'JPEG', png: 'PNG', tiff: 'TIFF', webp: 'WebP', pdf: 'PDF' };

/** Plausible scan resolutions only: 72 dpi or 1 dpi is a writer's default, not a measurement. */
function plausibleDpi(density: number | undefined): number | undefined {
  if (density === undefined || !Number.isFinite(density)) return undefined;
  const dpi = Math.round(density);
  return dpi >= 100 && dpi <= 2400 ? dpi : undefined;
}

async function readWhole(path: string): Promise<Buffer> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    throw fileError(error);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new BadInputError('unreadable', 'The path is not a regular file (a folder or a device).');
    if (stat.size > MAX_SOURCE_BYTES) {
      throw new BadInputError('too_large', `The file is ${(stat.size / 2 ** 20).toFixed(0)} MB; a scan can be at most ${MAX_SOURCE_BYTES / 2 ** 20} MB.`);
    }
    return await handle.readFile();
  } catch (error) {
    throw error instanceof BadInputError ? error : fileError(error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function fileError(error: unknown): BadInputError {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') {
    return new BadInputError('vanished', 'The file disappeared before it could be read (moved or deleted by another program).');
  }
  if (code === 'EISDIR') return new BadInputError('unreadable', 'The path is a folder, not a file.');
  if (code === 'EACCES' || code === 'EPERM') {
    return new BadInputError('unreadable', 'The station is not allowed to read the file (access denied).');
  }
  if (code === 'EBUSY') return new BadInputError('unreadable', 'The file is locked by another program.');
  return new BadInputError('unreadable', `The file cannot be read: ${reasonOf(error)}${code ? ` (${code})` : ''}.`);
}

/** Header size of a JPEG, PNG or WebP as its own header declares it, before sharp sees it. */
function declaredSize(format: SourceFormat, bytes: Buffer): DeclaredImage | undefined {
  if (format === 'jpeg') return readJpegHeader(bytes);
  if (format === 'png') return readPngHeader(bytes);
  if (format === 'webp') return readWebpHeader(bytes);
  return undefined;
}

async function headerOf(bytes: Buffer, label: string, page?: number): Promise<Metadata> {
  try {
    // limitInputPixels off for the header only: our own limit gives the better message.
    return await sharp(bytes, { limitInputPixels: false, page }).metadata();
  } catch (error) {
    throw new BadInputError('corrupt', `The ${label} header cannot be read: ${reasonOf(error)}.`);
  }
}

function imagePage(format: SourceFormat, bytes: Buffer, meta: Metadata, index: number, page?: number): SourcePage {
  const rotated = (meta.orientation ?? 1) !== 1;
  // 1-bit PNGs report bitsPerSample; TIFF reports only its colour space (b-w) for 1-bit data.
  const bilevel = format === 'png'
    ? meta.bitsPerSample === 1 && !meta.isPalette
    : format === 'tiff' && meta.space === 'b-w' && meta.bitsPerSample === 1;
  const plainJpeg = format === 'jpeg' && meta.depth === 'uchar' &&
    ((meta.space === 'b-w' && meta.channels === 1) || (meta.space === 'srgb' && meta.channels === 3));
  return {
    index,
    input: { kind: 'encoded', data: bytes, ...(page !== undefined ? { page } : {}) },
    width: meta.autoOrient?.width ?? meta.width,
    height: meta.autoOrient?.height ?? meta.height,
    dpi: plausibleDpi(meta.density),
    jpegPassthrough: plainJpeg && !rotated,
    bilevel,
  };
}

async function openImageSource(format: Exclude<SourceFormat, 'pdf'>, bytes: Buffer): Promise<OpenedSource> {
  const label = FORMAT_NAMES[format];
  const declared = declaredSize(format, bytes);
  if (declared) checkPageSize(`The ${label}`, declared.width, declared.height);
  const truncation = findTruncation(format, bytes);
  if (truncation) throw new BadInputError('truncated', truncation);

  const first = await headerOf(bytes, label);
  const pageCount = format === 'tiff' ? Math.max(1, first.pages ?? 1) : 1;
  const pages: SourcePage[] = [];
  for (let index = 0; index < pageCount; index++) {
    const meta = pageCount > 1 ? await headerOf(bytes, `${label} page ${index + 1}`, index) : first;
    const what = pageCount > 1 ? `Page ${index + 1} of the ${label}` : `The ${label}`;
    checkPageSize(what, meta.width, meta.height);
    pages.push(imagePage(format, bytes, meta, index, format === 'tiff' ? index : undefined));
  }

  let closed = false;
  return {
    format,
    pageCount,
    async readPage(index) {
      if (closed) throw new Error('readPage after close()');
      const page = pages[index];
      if (!page) throw new RangeError(`page ${index} does not exist; the ${label} has ${pageCount} page(s)`);
      return page;
    },
    async verifyPage(index) {
      try {
        await openPageImage(pages[index], { failOn: 'warning' }).raw().toBuffer();
      } catch (error) {
        throw decodeError(label, pageCount > 1 ? index : undefined, error);
      }
    },
    async close() {
      closed = true;
    },
  };
}

function decodeError(label: string, page: number | undefined, error: unknown): BadInputError {
  const reason = reasonOf(error);
  const where = page === undefined ? `The ${label}` : `Page ${page + 1} of the ${label}`;
  // "premature end of data segment" is a marker inside the data (corruption), not a short file.
  if (/premature end of (jpeg )?(image|file)|truncated|unexpected end|not enough (image )?data|short read/i.test(reason)) {
    return new BadInputError('truncated', `${where} ends before its last image row (truncated file): ${reason}.`);
  }
  return new BadInputError('corrupt', `${where} has damaged image data: ${reason}.`);
}

/** The bad-input error for a page that failed to decode, told apart as truncated or damaged. */
export function pageDecodeError(format: SourceFormat, page: number, error: unknown): BadInputError {
  return decodeError(FORMAT_NAMES[format], page, error);
}

/**
 * Opens a source file: reads it, identifies it by content, checks sizes and completeness from
 * headers. Throws BadInputError. Pages are decoded only when read (PDF) or by the caller (images).
 */
export async function openSource(path: string): Promise<OpenedSource> {
  const bytes = await readWhole(path);
  const probe = probeHead(bytes.subarray(0, SNIFF_BYTES));
  if ('code' in probe) throw new BadInputError(probe.code, probe.message);
  if (probe.format === 'pdf') {
    // Loaded on first use: the PDF reader is large, and most scans are images.
    const { openPdfSource } = await import('./pdf-source.js');
    return openPdfSource(bytes);
  }
  return openImageSource(probe.format, bytes);
}

/** Full integrity check: decodes every page fully once. Throws BadInputError naming the page. */
export async function verifySource(source: OpenedSource): Promise<void> {
  for (let index = 0; index < source.pageCount; index++) {
    if (source.verifyPage) {
      await source.verifyPage(index);
    } else {
      const page = await source.readPage(index);
      try {
        await openPageImage(page, { failOn: 'warning' }).raw().toBuffer();
      } catch (error) {
        throw decodeError(FORMAT_NAMES[source.format], index, error);
      }
    }
  }
}

/**
 * A sharp pipeline over a page, upright (EXIF orientation applied) and with the pixel limit set,
 * so every consumer reads pages the same safe way. Alpha is left to the caller to flatten.
 */
export function openPageImage(page: SourcePage, options: { failOn?: FailOnOptions } = {}): Sharp {
  if (page.input.kind === 'raw') {
    const { data, width, height, channels } = page.input;
    return sharp(data, { raw: { width, height, channels }, limitInputPixels: MAX_PAGE_PIXELS });
  }
  return sharp(page.input.data, {
    page: page.input.page,
    autoOrient: true,
    limitInputPixels: MAX_PAGE_PIXELS,
    failOn: options.failOn ?? 'truncated',
  });
}
