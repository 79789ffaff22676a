/**
 * Turns a cleaned page (raw pixels) into the bytes the PDF embeds: a JPEG for grey and colour
 * pages, a single-tile CCITT G4 TIFF for black-and-white pages. Each encoder is one sharp
 * pipeline over the raw pixels, so a page is never decoded twice.
 */
import sharp from 'sharp';
import { encodeG4, g4Tiff, packBytes, type PackedBits } from './g4.js';
import type { EncodedPage, RawImage } from './types.js';

/**
 * Default JPEG quality for cleaned grey and colour pages. At 300 dpi, 75 leaves no ringing staff can
 * see at reading size; 80 costs about 9 % more bytes and 85 about 20 % more for no visible gain.
 * (mozjpeg's settings would save another third but take about five times as long per page.)
 */
export const DEFAULT_JPEG_QUALITY = 75;

/**
 * Default threshold for black-and-white pages (0–255; darker pixels become black). Above the
 * middle on purpose: thin and faint strokes (pencil, fax copies, small print) survive, while the
 * paper background, which clean-up has already brought close to white, stays white.
 */
export const DEFAULT_BILEVEL_THRESHOLD = 160;

/** TIFF tiles must be a multiple of 16 pixels wide and high (libvips enforces it). */
const TILE_ALIGN = 16;

const JPEG_SOI = 0xffd8;

export async function encodeJpeg(image: RawImage, dpi: number, quality: number = DEFAULT_JPEG_QUALITY): Promise<EncodedPage> {
  checkRaw(image, 'encodeJpeg');
  checkDpi(dpi, 'encodeJpeg');
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new RangeError(`encodeJpeg: quality must be an integer from 1 to 100, got ${quality}`);
  }
  let pipeline = sharp(image.data, { raw: rawOptions(image) });
  // An alpha channel means nothing on paper: lay the page on white.
  if (image.channels === 2 || image.channels === 4) pipeline = pipeline.flatten({ background: '#ffffff' });
  // Without 'b-w' sharp writes a grey page as a 3-channel JPEG: larger, and no longer DeviceGray in the PDF.
  pipeline = image.channels <= 2 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
  const data = await pipeline
    .withDensity(dpi)
    // Speed over bytes (300 dpi A4 grey pages, measured): optimised Huffman tables save 5–10 % on
    // text pages (up to 40 % on near-empty ones) but double the time (about 120 instead of 60 ms);
    // mozjpeg's trellis settings save a third but take five times as long. Baseline, not progressive: every PDF reader and archive
    // system decodes it.
    .jpeg({ quality, chromaSubsampling: '4:2:0', optimiseCoding: false, mozjpeg: false, progressive: false })
    .toBuffer();
  return { format: 'jpeg', data, width: image.width, height: image.height, dpi };
}

/**
 * Thresholds a page to 1 bit and encodes it as CCITT G4 in a TIFF holding exactly one tile, so the
 * tile's bytes are one G4 stream the PDF can embed as they are (a striped TIFF restarts the coding
 * every strip, and strips cannot be joined). The tile is the page rounded up to a multiple of 16
 * on the right and bottom, padded with white; the TIFF and EncodedPage keep the page's own size.
 */
export async function encodeBilevel(image: RawImage, dpi: number, threshold: number = DEFAULT_BILEVEL_THRESHOLD): Promise<EncodedPage> {
  checkRaw(image, 'encodeBilevel');
  checkDpi(dpi, 'encodeBilevel');
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > 255) {
    throw new RangeError(`encodeBilevel: threshold must be an integer from 1 to 255, got ${threshold}`);
  }
  let grey = image;
  // An alpha channel means nothing on paper: lay the page on white, in one grey channel.
  if (image.channels !== 1) {
    const { data, info } = await sharp(image.data, { raw: rawOptions(image) })
      .flatten({ background: '#ffffff' })
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true });
    grey = { data, width: info.width, height: info.height, channels: 1 };
  }
  return encodeBits(packBytes(grey.data, grey.width, grey.height, threshold), dpi);
}

/**
 * Encodes 1-bit rows (1 = black, as binarizeAdaptiveBits writes them) as encodeBilevel does, with
 * the G4 coder of g4.ts: the same bytes libtiff writes for the same pixels, in a tenth of the time.
 * Min-is-white is the fax convention: G4 codes the paper as "white" runs, about 5 % smaller than
 * min-is-black, and the PDF then needs the default BlackIs1 false.
 */
export function encodeBits(bits: PackedBits, dpi: number): EncodedPage {
  checkSize(bits.width, bits.height, 'encodeBits');
  checkDpi(dpi, 'encodeBits');
  const tileWidth = alignUp(bits.width, TILE_ALIGN);
  const tileHeight = alignUp(bits.height, TILE_ALIGN);
  const g4 = encodeG4(bits, tileWidth, tileHeight);
  return { format: 'g4tiff', data: g4Tiff(g4, bits.width, bits.height, tileWidth, tileHeight, dpi), width: bits.width, height: bits.height, dpi, bits };
}

/** Wraps a source JPEG that needs no change, so it reaches the PDF byte for byte. */
export function passthroughJpeg(jpeg: Buffer, width: number, height: number, dpi: number): EncodedPage {
  if (!Buffer.isBuffer(jpeg) || jpeg.length < 4 || jpeg.readUInt16BE(0) !== JPEG_SOI) {
    throw new TypeError('passthroughJpeg: the data is not a JPEG (it does not start with the FF D8 marker)');
  }
  checkSize(width, height, 'passthroughJpeg');
  checkDpi(dpi, 'passthroughJpeg');
  return { format: 'jpeg', data: jpeg, width, height, dpi };
}

function rawOptions(image: RawImage): { width: number; height: number; channels: RawImage['channels'] } {
  return { width: image.width, height: image.height, channels: image.channels };
}

function alignUp(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}

function checkRaw(image: RawImage, where: string): void {
  checkSize(image.width, image.height, where);
  if (![1, 2, 3, 4].includes(image.channels)) {
    throw new RangeError(`${where}: channels must be 1, 2, 3 or 4, got ${image.channels}`);
  }
  const expected = image.width * image.height * image.channels;
  if (!Buffer.isBuffer(image.data) || image.data.length !== expected) {
    throw new RangeError(
      `${where}: raw data holds ${image.data?.length ?? 'no'} bytes, expected ${expected} for ${image.width}×${image.height}×${image.channels}`,
    );
  }
}

function checkSize(width: number, height: number, where: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`${where}: width and height must be positive integers, got ${width}×${height}`);
  }
}

function checkDpi(dpi: number, where: string): void {
  // 50–2400 covers every scanner setting; outside it the number is a unit mix-up, not a resolution.
  if (!Number.isFinite(dpi) || dpi < 50 || dpi > 2400) {
    throw new RangeError(`${where}: dpi must be between 50 and 2400, got ${dpi}`);
  }
}
