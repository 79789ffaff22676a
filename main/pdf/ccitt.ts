/**
 * Takes the CCITT G4 stream out of a TIFF so a PDF can embed it without decoding: the PDF's
 * CCITTFaxDecode filter reads the same bits. Only TIFFs holding the whole image in one strip or
 * one tile qualify (what encodeBilevel writes); anything else is refused with the reason.
 */

import { decodeG4Into, G4DecodeError } from '../imaging/g4.js';

export interface G4Stream {
  /** The G4 coded bytes, as stored in the TIFF. */
  data: Buffer;
  /** Columns and rows of the coded data: the tile size for a tiled TIFF (may exceed the image). */
  width: number;
  height: number;
  /** The image's own size (TIFF tags 256/257); at most width × height. */
  imageWidth: number;
  imageHeight: number;
  /**
   * How the coded bits map to ink, for the PDF's DecodeParms. G4 codes bit 0 as a "white" run; a
   * min-is-white TIFF (Photometric 0) means 0 is paper, so false; a min-is-black TIFF (1) needs true.
   */
  blackIs1: boolean;
}

const TAG = {
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  FillOrder: 266,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  T6Options: 293,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  Orientation: 274,
} as const;

const TYPE_SHORT = 3;
const TYPE_LONG = 4;
const COMPRESSION_CCITT_G4 = 4;

interface Entry {
  type: number;
  count: number;
  /** Offset of the 4-byte value field within the file. */
  valueAt: number;
}

export class TiffG4Error extends Error {
  override name = 'TiffG4Error';
}

export function extractG4Strip(tiff: Buffer): G4Stream {
  if (!Buffer.isBuffer(tiff) || tiff.length < 8) throw new TiffG4Error('not a TIFF: fewer than 8 bytes');
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') throw new TiffG4Error(`not a TIFF: byte order mark is ${JSON.stringify(order)}`);
  const le = order === 'II';
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const magic = u16(2);
  if (magic === 43) throw new TiffG4Error('BigTIFF is not supported: write a classic TIFF');
  if (magic !== 42) throw new TiffG4Error(`not a TIFF: magic number ${magic}, expected 42`);

  const ifd = u32(4);
  if (ifd + 2 > tiff.length) throw new TiffG4Error(`truncated TIFF: first IFD at ${ifd} lies beyond the ${tiff.length} bytes`);
  const count = u16(ifd);
  if (ifd + 2 + count * 12 > tiff.length) throw new TiffG4Error(`truncated TIFF: IFD with ${count} entries does not fit`);
  const entries = new Map<number, Entry>();
  for (let i = 0; i < count; i++) {
    const at = ifd + 2 + i * 12;
    entries.set(u16(at), { type: u16(at + 2), count: u32(at + 4), valueAt: at + 8 });
  }

  /** A single SHORT or LONG value; several values mean several strips or tiles, refused here. */
  const single = (tag: number, name: string, fallback?: number): number => {
    const entry = entries.get(tag);
    if (!entry) {
      if (fallback !== undefined) return fallback;
      throw new TiffG4Error(`TIFF lacks tag ${tag} (${name})`);
    }
    if (entry.count !== 1) {
      throw new TiffG4Error(`TIFF tag ${tag} (${name}) holds ${entry.count} values: only one strip or tile is supported`);
    }
    if (entry.type === TYPE_SHORT) return u16(entry.valueAt);
    if (entry.type === TYPE_LONG) return u32(entry.valueAt);
    throw new TiffG4Error(`TIFF tag ${tag} (${name}) has type ${entry.type}, expected SHORT or LONG`);
  };

  const compression = single(TAG.Compression, 'Compression', 1);
  if (compression !== COMPRESSION_CCITT_G4) {
    throw new TiffG4Error(`TIFF compression is ${compression}, expected 4 (CCITT G4)`);
  }
  const bits = single(TAG.BitsPerSample, 'BitsPerSample', 1);
  const samples = single(TAG.SamplesPerPixel, 'SamplesPerPixel', 1);
  if (bits !== 1 || samples !== 1) throw new TiffG4Error(`TIFF is ${samples}×${bits}-bit, expected 1 sample of 1 bit`);
  const photometric = single(TAG.Photometric, 'PhotometricInterpretation');
  if (photometric !== 0 && photometric !== 1) {
    throw new TiffG4Error(`TIFF PhotometricInterpretation is ${photometric}, expected 0 (min-is-white) or 1 (min-is-black)`);
  }
  const fillOrder = single(TAG.FillOrder, 'FillOrder', 1);
  if (fillOrder !== 1) throw new TiffG4Error(`TIFF FillOrder is ${fillOrder}: PDF needs the bits most significant first (1)`);
  const t6Options = single(TAG.T6Options, 'T6Options', 0);
  if (t6Options & 0x2) throw new TiffG4Error('TIFF uses G4 uncompressed mode (T6Options bit 1): not supported');

  const imageWidth = single(TAG.ImageWidth, 'ImageWidth');
  const imageHeight = single(TAG.ImageLength, 'ImageLength');
  if (imageWidth < 1 || imageHeight < 1) throw new TiffG4Error(`TIFF image is ${imageWidth}×${imageHeight}`);

  let width: number;
  let height: number;
  let offset: number;
  let length: number;
  if (entries.has(TAG.TileOffsets)) {
    width = single(TAG.TileWidth, 'TileWidth');
    height = single(TAG.TileLength, 'TileLength');
    if (width < imageWidth || height < imageHeight) {
      throw new TiffG4Error(`TIFF tile ${width}×${height} is smaller than the image ${imageWidth}×${imageHeight}: only one tile is supported`);
    }
    offset = single(TAG.TileOffsets, 'TileOffsets');
    length = single(TAG.TileByteCounts, 'TileByteCounts');
  } else if (entries.has(TAG.StripOffsets)) {
    const rowsPerStrip = single(TAG.RowsPerStrip, 'RowsPerStrip', 0xffffffff);
    if (rowsPerStrip < imageHeight) {
      throw new TiffG4Error(`TIFF has strips of ${rowsPerStrip} rows for ${imageHeight} rows: only one strip is supported`);
    }
    width = imageWidth;
    height = imageHeight;
    offset = single(TAG.StripOffsets, 'StripOffsets');
    length = single(TAG.StripByteCounts, 'StripByteCounts');
  } else {
    throw new TiffG4Error('TIFF has neither strip nor tile offsets (tags 273 or 324)');
  }
  if (length < 1 || offset + length > tiff.length) {
    throw new TiffG4Error(`truncated TIFF: image data at ${offset} + ${length} bytes lies beyond the ${tiff.length} bytes`);
  }
  return {
    data: tiff.subarray(offset, offset + length),
    width,
    height,
    imageWidth,
    imageHeight,
    blackIs1: photometric === 1,
  };
}

/**
 * The page of a one-strip or one-tile G4 TIFF as one byte a pixel (0 black, 255 paper), its own
 * size, for steps that re-read stored pages as bytes: libtiff through sharp took 53–77 ms CPU for
 * a 300 dpi A4 page, this 5–20 ms, with the same pixels (tested). The PDF's JBIG2 recoding no
 * longer comes here: it paints the G4 runs straight into packed rows (jbig2-page.ts).
 */
export function decodeG4Tiff(tiff: Buffer): { data: Buffer; width: number; height: number } {
  const g4 = extractG4Strip(tiff);
  // Min-is-black: G4's "white" runs are the ink.
  const data = Buffer.alloc(g4.imageWidth * g4.imageHeight, g4.blackIs1 ? 0 : 255);
  decodeG4Into(g4.data, g4.width, g4.height, { out: data, width: g4.imageWidth, height: g4.imageHeight, firstRow: 0, minIsBlack: g4.blackIs1 });
  return { data, width: g4.imageWidth, height: g4.imageHeight };
}

/**
 * A single-image CCITT G4 TIFF as a scanner or fax writes it (any number of strips, each coded on
 * its own), decoded to one byte a pixel (0 black, 255 paper), or undefined when the file is any
 * other kind of TIFF (several pages, tiles, another compression or bit order, an orientation tag)
 * or its G4 data does not decode cleanly: the caller then leaves the file to libtiff, which knows
 * every variant and says precisely what is wrong with a broken one.
 */
export function decodeStripedG4Tiff(tiff: Buffer): { data: Buffer; width: number; height: number } | undefined {
  try {
    if (tiff.length < 8) return undefined;
    const order = tiff.toString('latin1', 0, 2);
    if (order !== 'II' && order !== 'MM') return undefined;
    const le = order === 'II';
    const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
    const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
    if (u16(2) !== 42) return undefined;
    const ifd = u32(4);
    const count = u16(ifd);
    const entries = new Map<number, Entry>();
    for (let i = 0; i < count; i++) {
      const at = ifd + 2 + i * 12;
      entries.set(u16(at), { type: u16(at + 2), count: u32(at + 4), valueAt: at + 8 });
    }
    if (u32(ifd + 2 + count * 12) !== 0) return undefined; // more than one page
    const values = (tag: number): number[] | undefined => {
      const entry = entries.get(tag);
      if (!entry || (entry.type !== TYPE_SHORT && entry.type !== TYPE_LONG)) return undefined;
      const size = entry.type === TYPE_SHORT ? 2 : 4;
      const at = entry.count * size <= 4 ? entry.valueAt : u32(entry.valueAt);
      if (at + entry.count * size > tiff.length) return undefined;
      return Array.from({ length: entry.count }, (_, i) => (size === 2 ? u16(at + 2 * i) : u32(at + 4 * i)));
    };
    const one = (tag: number, fallback?: number): number | undefined => {
      const list = values(tag);
      if (!list) return entries.has(tag) ? undefined : fallback;
      return list.length === 1 ? list[0] : undefined;
    };
    const width = one(TAG.ImageWidth);
    const height = one(TAG.ImageLength);
    const photometric = one(TAG.Photometric);
    if (!width || !height || (photometric !== 0 && photometric !== 1)) return undefined;
    const plain =
      one(TAG.Compression, 1) === COMPRESSION_CCITT_G4 &&
      one(TAG.BitsPerSample, 1) === 1 &&
      one(TAG.SamplesPerPixel, 1) === 1 &&
      one(TAG.FillOrder, 1) === 1 &&
      ((one(TAG.T6Options, 0) ?? 2) & 0x2) === 0 &&
      one(TAG.Orientation, 1) === 1 &&
      !entries.has(TAG.TileOffsets);
    if (!plain) return undefined;
    const rowsPerStrip = Math.min(height, one(TAG.RowsPerStrip, 0xffffffff) ?? 0);
    const offsets = values(TAG.StripOffsets);
    const lengths = values(TAG.StripByteCounts);
    if (!rowsPerStrip || !offsets || !lengths) return undefined;
    const strips = Math.ceil(height / rowsPerStrip);
    if (offsets.length !== strips || lengths.length !== strips) return undefined;
    // G4's "white" runs are 0 bits: paper in a min-is-white file, ink in a min-is-black one.
    const minIsBlack = photometric === 1;
    const data = Buffer.alloc(width * height, minIsBlack ? 0 : 255);
    for (let strip = 0; strip < strips; strip++) {
      const rows = Math.min(rowsPerStrip, height - strip * rowsPerStrip);
      if (offsets[strip] + lengths[strip] > tiff.length) return undefined;
      decodeG4Into(tiff.subarray(offsets[strip], offsets[strip] + lengths[strip]), width, rows, { out: data, width, height: rows, firstRow: strip * rowsPerStrip, minIsBlack });
    }
    return { data, width, height };
  } catch (error) {
    if (error instanceof G4DecodeError || error instanceof RangeError) return undefined;
    throw error;
  }
}
