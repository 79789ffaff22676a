/**
 * A page as the mark detectors need it: a small grey copy at about 100 dpi (for finding where
 * codes are, and for patch codes) and full-resolution grey only for the rectangles asked for
 * (barcode crops). Most pages hold no code, so full resolution is made only when needed:
 *
 * - 1-bit G4 TIFF (the clean-up's page format): decoded into run lengths (imaging/g4-runs.ts), a few
 *   milliseconds; the small copy is summed from the runs and each crop painted from them.
 * - Other files (JPEG, PNG, other TIFF): the small copy comes from one libvips pipeline (JPEG
 *   shrinks while it decodes); each crop is decoded on its own (libvips stops at its last row).
 * - Packed 1-bit rows still in memory (the clean-up's bits of the page it has just coded as G4):
 *   the same pixels as the file, so the same small copy and crops, with no decode at all.
 * - Raw pixels: used as they are.
 */
import { readFile } from 'node:fs/promises';
import sharp, { type OutputInfo } from 'sharp';
import { MAX_PAGE_PIXELS } from '../../imaging/decode-limits.js';
import type { GreyImage } from '../../imaging/types.js';
import { decodeG4Tiff, paintRuns, shrinkRuns } from '../../imaging/g4-runs.js';

/**
 * 1-bit pixels as the clean-up codes them (imaging/g4.ts PackedBits): `stride` 32-bit words a row,
 * the leftmost pixel in a word's top bit, 1 = ink, bits past `width` 0.
 */
export interface PackedPage {
  words: Uint32Array;
  width: number;
  height: number;
  stride: number;
}

/** An image file path, encoded image bytes, packed 1-bit rows, or raw 8-bit pixels (the pipeline's RawImage). */
export type PageInput = string | Buffer | Uint8Array | PackedPage | { data: Uint8Array; width: number; height: number; channels: 1 | 2 | 3 | 4 };

export interface PageRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PageImage {
  /** Full-resolution size. */
  width: number;
  height: number;
  dpi: number;
  small: GreyImage;
  smallDpi: number;
  /** Full-resolution grey pixels of a rectangle, clipped to the page. */
  crop(rect: PageRect): Promise<PageCrop>;
}

/** Grey pixels of a part of a page; x and y: where its top-left pixel is on the page. */
export interface PageCrop extends GreyImage {
  x: number;
  y: number;
  /** Only 0 and 255 (painted from a 1-bit page). */
  binary?: boolean;
}

const ANALYSIS_DPI = 100;
const A4_LONG_SIDE_INCHES = 297 / 25.4;

export async function loadPageImage(input: PageInput, dpiHint?: number): Promise<PageImage> {
  if (typeof input === 'object' && 'words' in input) return fromPacked(input, dpiHint);
  if (typeof input === 'object' && !(input instanceof Uint8Array)) return fromGrey(rawToGrey(input), dpiHint);
  const bytes = typeof input === 'string' ? await readFile(input) : input;
  const runs = decodeG4Tiff(bytes);
  if (runs) {
    if (runs.width * runs.height > MAX_PAGE_PIXELS) throw new RangeError('Input image exceeds pixel limit');
    const dpi = pageDpi(runs.width, runs.height, dpiHint, runs.density);
    const factor = shrinkFactor(dpi);
    return { width: runs.width, height: runs.height, dpi, small: shrinkRuns(runs, factor), smallDpi: dpi / factor, crop: async (rect) => {
        const at = clip(rect, runs);
        return { ...paintRuns(runs, at), x: at.x, y: at.y, binary: true };
      },
    };
  }
  return fromEncoded(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), dpiHint);
}

function fromPacked(bits: PackedPage, dpiHint: number | undefined): PageImage {
  if (bits.width * bits.height > MAX_PAGE_PIXELS) throw new RangeError('Input image exceeds pixel limit');
  const dpi = pageDpi(bits.width, bits.height, dpiHint, undefined);
  const factor = shrinkFactor(dpi);
  return {
    width: bits.width,
    height: bits.height,
    dpi,
    small: shrinkPacked(bits, factor),
    smallDpi: dpi / factor,
    crop: async (rect) => {
      const at = clip(rect, bits);
      return { ...paintPacked(bits, at), x: at.x, y: at.y, binary: true };
    },
  };
}

/**
 * Grey copy shrunk by a whole factor: the share of ink in each factor × factor box, exactly as
 * shrinkRuns makes it from the same page's G4 file (so both give the same marks). Only words with
 * ink cost anything: a text page is mostly white words.
 */
export function shrinkPacked(bits: PackedPage, factor: number): GreyImage {
  const f = Math.max(1, Math.floor(factor));
  const width = Math.max(1, Math.floor(bits.width / f));
  const height = Math.max(1, Math.floor(bits.height / f));
  const limit = width * f;
  const cellOf = new Int32Array(limit);
  for (let x = 0; x < limit; x++) cellOf[x] = (x / f) | 0;
  const area = f * f;
  const grey = new Uint8Array(area + 1);
  for (let count = 0; count <= area; count++) grey[count] = 255 - (((count * 255 + (area >> 1)) / area) | 0);
  const black = new Int32Array(width);
  // White everywhere first (a box without ink is 255); only the span of boxes a row group's ink
  // reaches is counted and written.
  const out = new Uint8Array(width * height).fill(255);
  const { words, stride } = bits;
  const lastWord = (limit - 1) >>> 5;
  // Bits of the last word that lie past the last whole box (they count in no box).
  const lastMask = limit % 32 === 0 ? 0xffffffff : ~(0xffffffff >>> (limit % 32)) >>> 0;
  for (let sy = 0; sy < height; sy++) {
    let low = width;
    let high = -1;
    for (let row = sy * f, end = Math.min(bits.height, row + f); row < end; row++) {
      const base = row * stride;
      for (let w = 0; w <= lastWord; w++) {
        let word = words[base + w];
        if (word === 0) continue;
        if (w === lastWord) word = (word & lastMask) >>> 0;
        const x0 = w << 5;
        // Runs of ink within the word: whole boxes inside a run get f each, the boxes at its ends their share.
        while (word !== 0) {
          const start = Math.clz32(word);
          const stop = start + Math.clz32(~(word << start));
          const from = x0 + start;
          const to = x0 + Math.min(32, stop);
          const firstCell = cellOf[from];
          const lastCell = cellOf[to - 1];
          if (firstCell < low) low = firstCell;
          if (lastCell > high) high = lastCell;
          if (firstCell === lastCell) black[firstCell] += to - from;
          else {
            black[firstCell] += (firstCell + 1) * f - from;
            for (let c = firstCell + 1; c < lastCell; c++) black[c] += f;
            black[lastCell] += to - lastCell * f;
          }
          word = stop >= 32 ? 0 : (word & (0xffffffff >>> stop)) >>> 0;
        }
      }
    }
    const at = sy * width;
    for (let sx = low; sx <= high; sx++) {
      out[at + sx] = grey[black[sx]];
      black[sx] = 0;
    }
  }
  return { data: out, width, height };
}

/** Full-resolution grey pixels (0 or 255) of a rectangle already clipped to the page. */
function paintPacked(bits: PackedPage, rect: PageRect): GreyImage {
  const { words, stride } = bits;
  const { x: x0, y: y0, width, height } = rect;
  const x1 = x0 + width;
  const out = new Uint8Array(width * height).fill(255);
  if (width === 0) return { data: out, width, height };
  const firstWord = x0 >>> 5;
  const lastWord = (x1 - 1) >>> 5;
  for (let row = 0; row < height; row++) {
    const base = (y0 + row) * stride;
    const at = row * width - x0;
    for (let w = firstWord; w <= lastWord; w++) {
      let word = words[base + w];
      if (word === 0) continue;
      const start = w << 5;
      while (word !== 0) {
        const bit = Math.clz32(word);
        word = (word ^ (0x80000000 >>> bit)) >>> 0;
        const x = start + bit;
        if (x >= x0 && x < x1) out[at + x] = 0;
      }
    }
  }
  return { data: out, width, height };
}

function pageDpi(width: number, height: number, hint: number | undefined, density: number | undefined): number {
  return validDpi(hint) ?? validDpi(density) ?? Math.round(Math.max(width, height) / A4_LONG_SIDE_INCHES);
}

function shrinkFactor(dpi: number): number {
  return Math.max(1, Math.round(dpi / ANALYSIS_DPI));
}

function validDpi(dpi: number | undefined): number | undefined {
  return dpi && dpi >= 50 && dpi <= 2400 ? dpi : undefined;
}

function clip(rect: PageRect, page: { width: number; height: number }): PageRect {
  const x = Math.max(0, Math.floor(rect.x));
  const y = Math.max(0, Math.floor(rect.y));
  return { x, y, width: Math.max(0, Math.min(page.width, Math.ceil(rect.x + rect.width)) - x), height: Math.max(0, Math.min(page.height, Math.ceil(rect.y + rect.height)) - y) };
}

async function fromGrey(grey: GreyImage, dpiHint: number | undefined, density?: number): Promise<PageImage> {
  const dpi = pageDpi(grey.width, grey.height, dpiHint, density);
  const factor = shrinkFactor(dpi);
  return { width: grey.width, height: grey.height, dpi, small: await shrink(grey, factor), smallDpi: dpi / factor, crop: async (rect) => cropGrey(grey, clip(rect, grey)) };
}

async function fromEncoded(bytes: Buffer, dpiHint: number | undefined): Promise<PageImage> {
  const open = () => sharp(bytes, { limitInputPixels: MAX_PAGE_PIXELS });
  const { width, height, density, hasAlpha } = await open().metadata();
  if (!width || !height) throw new Error('Image without a size');
  // 'b-w' is libvips' own grey conversion; flatten only when needed.
  const grey = () => (hasAlpha ? open().flatten({ background: '#ffffff' }) : open()).toColourspace('b-w');
  const dpi = pageDpi(width, height, dpiHint, density);
  const factor = shrinkFactor(dpi);
  // One pipeline: a JPEG shrinks while it decodes (libjpeg's scaled decode), nothing full-size reaches JS.
  const small = factor > 1 ? toGrey(await grey().resize({ width: Math.max(1, Math.floor(width / factor)), height: Math.max(1, Math.floor(height / factor)), fit: 'fill', kernel: 'linear' }).raw().toBuffer({ resolveWithObject: true })) : null;
  const full = small ? null : toGrey(await grey().raw().toBuffer({ resolveWithObject: true }));
  return {
    width,
    height,
    dpi,
    small: small ?? full!,
    smallDpi: dpi / factor,
    crop: async (rect) => {
      const at = clip(rect, { width, height });
      if (full) return cropGrey(full, at);
      // libvips decodes only down to the crop's last row and unpacks only its columns: a crop
      // costs a fraction of a full decode (JPEG at 300 dpi: 8–21 ms against 66).
      const part = toGrey(await grey().extract({ left: at.x, top: at.y, width: at.width, height: at.height }).raw().toBuffer({ resolveWithObject: true }));
      return { ...part, x: at.x, y: at.y };
    },
  };
}

function toGrey({ data, info }: { data: Buffer; info: OutputInfo }): GreyImage {
  if (info.channels === 1) return { data, width: info.width, height: info.height };
  const grey = new Uint8Array(info.width * info.height);
  for (let i = 0, j = 0; i < grey.length; i++, j += info.channels) grey[i] = data[j];
  return { data: grey, width: info.width, height: info.height };
}

function rawToGrey({ data, width, height, channels }: { data: Uint8Array; width: number; height: number; channels: 1 | 2 | 3 | 4 }): GreyImage {
  if (channels === 1) return { data, width, height };
  const grey = new Uint8Array(width * height);
  for (let i = 0, j = 0; i < grey.length; i++, j += channels) {
    grey[i] = channels >= 3 ? (306 * data[j] + 601 * data[j + 1] + 117 * data[j + 2] + 512) >> 10 : data[j];
  }
  return { data: grey, width, height };
}

function cropGrey(image: GreyImage, rect: PageRect): PageCrop {
  if (rect.x === 0 && rect.y === 0 && rect.width === image.width && rect.height === image.height) return { ...image, x: 0, y: 0 };
  const out = new Uint8Array(rect.width * rect.height);
  for (let row = 0; row < rect.height; row++) {
    const from = (rect.y + row) * image.width + rect.x;
    out.set(image.data.subarray(from, from + rect.width), row * rect.width);
  }
  return { data: out, width: rect.width, height: rect.height, x: rect.x, y: rect.y };
}

/** Shrinks by a whole factor (libvips box shrink: about 15 ms for an A4 page at 300 dpi). */
export async function shrink(image: GreyImage, factor: number): Promise<GreyImage> {
  if (factor <= 1) return image;
  const width = Math.max(1, Math.floor(image.width / factor));
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 }, limitInputPixels: MAX_PAGE_PIXELS })
    .resize({ width, height: Math.max(1, Math.floor(image.height / factor)), fit: 'fill', kernel: 'linear' })
    // Without this libvips hands back three channels.
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
