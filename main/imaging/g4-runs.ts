/**
 * Reads a 1-bit CCITT G4 TIFF (the clean-up's page format) into run lengths instead of pixels.
 *
 * Why: the marks reader needs a small copy of the whole page and full resolution only where a
 * code may be. The clean-up writes each page as ONE tile, so libvips must decode and unpack all
 * 8.7 million pixels of an A4 page at 300 dpi to give any of them (about half the marks cost).
 * A G4 page is only tens of kilobytes of codes for the colour changes along each row; decoded
 * into those changes, the small copy is a sum over runs and a crop paints only its own rows.
 *
 * Scope: the first image of a TIFF with 1 bit per sample, compression 4 (T.6 / MMR), strips or
 * one column of tiles, either fill order, either photometric sense, orientation 1. Anything else
 * (and any coding error, e.g. T.6 extensions or uncompressed mode) returns null, and the caller
 * decodes the file with libvips as before.
 *
 * It lives with the imaging code because two readers use it: the marks reader and the JBIG2
 * recoding at PDF assembly (which paints the runs straight into packed rows).
 */
import { BLACK_MAKEUP, BLACK_TERMINATING, EXTENDED_MAKEUP, WHITE_MAKEUP, WHITE_TERMINATING } from './g4-codes.js';
import type { GreyImage } from './types.js';

export interface RunImage {
  width: number;
  height: number;
  /** Row r's colour changes are changes[rowStart[r] .. rowStart[r + 1]); the row starts white. */
  rowStart: Int32Array;
  /** Positions (0..width) where the colour flips: even indexes start black, odd ones end it. */
  changes: Int32Array;
  /** Resolution from the file, in dots per inch (undefined when it does not say). */
  density?: number;
}

/** A G4 TIFF's first page as runs, or null when the bytes are not such a file (or not one this reader knows). */
export function decodeG4Tiff(bytes: Uint8Array): RunImage | null {
  const tiff = parseTiff(bytes);
  if (!tiff) return null;
  try {
    return decodeSegments(bytes, tiff);
  } catch {
    return null;
  }
}

/** Grey copy shrunk by a whole factor (box average, like libvips' shrink): floor(width / factor) wide. */
export function shrinkRuns(image: RunImage, factor: number): GreyImage {
  const f = Math.max(1, Math.floor(factor));
  const width = Math.max(1, Math.floor(image.width / f));
  const height = Math.max(1, Math.floor(image.height / f));
  const limit = width * f;
  const black = new Int32Array(width);
  const out = new Uint8Array(width * height);
  const area = f * f;
  const grey = new Uint8Array(area + 1);
  for (let count = 0; count <= area; count++) grey[count] = 255 - (((count * 255 + (area >> 1)) / area) | 0);
  const { rowStart, changes } = image;
  for (let sy = 0; sy < height; sy++) {
    black.fill(0);
    for (let row = sy * f, last = row + f; row < last; row++) {
      const end = rowStart[row + 1];
      for (let k = rowStart[row]; k < end; k += 2) {
        const from = changes[k];
        if (from >= limit) break;
        const to = Math.min(k + 1 < end ? changes[k + 1] : image.width, limit);
        if (to <= from) continue;
        // Whole cells inside the run get f each; the two partial cells at its ends get their share.
        const first = (from / f) | 0;
        const lastCell = ((to - 1) / f) | 0;
        if (first === lastCell) {
          black[first] += to - from;
          continue;
        }
        black[first] += (first + 1) * f - from;
        for (let c = first + 1; c < lastCell; c++) black[c] += f;
        black[lastCell] += to - lastCell * f;
      }
    }
    const base = sy * width;
    for (let sx = 0; sx < width; sx++) out[base + sx] = grey[black[sx]];
  }
  return { data: out, width, height };
}

/** Full-resolution grey pixels (0 or 255) of a rectangle, clipped to the image. */
export function paintRuns(image: RunImage, region: { x: number; y: number; width: number; height: number }): GreyImage {
  const x0 = Math.max(0, Math.floor(region.x));
  const y0 = Math.max(0, Math.floor(region.y));
  const x1 = Math.min(image.width, Math.ceil(region.x + region.width));
  const y1 = Math.min(image.height, Math.ceil(region.y + region.height));
  const width = Math.max(0, x1 - x0);
  const height = Math.max(0, y1 - y0);
  const out = new Uint8Array(width * height).fill(255);
  const { rowStart, changes } = image;
  for (let row = y0; row < y1; row++) {
    const base = (row - y0) * width - x0;
    const end = rowStart[row + 1];
    for (let k = rowStart[row]; k < end; k += 2) {
      const from = Math.max(changes[k], x0);
      if (from >= x1) break;
      const to = Math.min(k + 1 < end ? changes[k + 1] : image.width, x1);
      if (to > from) out.fill(0, base + from, base + to);
    }
  }
  return { data: out, width, height };
}

// ---------------------------------------------------------------------------------------------
// TIFF structure

interface TiffLayout {
  width: number;
  height: number;
  /** Width of one coded line (the tile width for tiled files). */
  lineWidth: number;
  /** Rows per coded segment (strip or tile). */
  segmentRows: number;
  offsets: number[];
  counts: number[];
  reverseBits: boolean;
  invert: boolean;
  density?: number;
}

function parseTiff(bytes: Uint8Array): TiffLayout | null {
  if (bytes.length < 8) return null;
  const little = bytes[0] === 0x49 && bytes[1] === 0x49;
  if (!little && !(bytes[0] === 0x4d && bytes[1] === 0x4d)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, little);
  const u32 = (at: number) => view.getUint32(at, little);
  if (u16(2) !== 42) return null;
  const ifd = u32(4);
  if (ifd + 2 > bytes.length) return null;
  const entries = u16(ifd);
  if (ifd + 2 + entries * 12 > bytes.length) return null;
  const tags = new Map<number, number[]>();
  for (let i = 0; i < entries; i++) {
    const at = ifd + 2 + i * 12;
    const tag = u16(at);
    const type = u16(at + 2);
    const count = u32(at + 4);
    const size = type === 3 ? 2 : type === 4 ? 4 : type === 5 ? 8 : 0;
    if (size === 0 || count > 1_000_000) continue;
    let from = size * count <= 4 ? at + 8 : u32(at + 8);
    if (from + size * count > bytes.length) return null;
    const values: number[] = [];
    for (let k = 0; k < count; k++, from += size) {
      values.push(type === 3 ? u16(from) : type === 4 ? u32(from) : u32(from) / Math.max(1, u32(from + 4)));
    }
    tags.set(tag, values);
  }
  const one = (tag: number, fallback?: number) => tags.get(tag)?.[0] ?? fallback;
  const width = one(256);
  const height = one(257);
  if (!width || !height || width > 100_000 || height > 100_000) return null;
  if (one(258, 1) !== 1 || one(259) !== 4 || one(277, 1) !== 1 || one(274, 1) !== 1) return null;
  const photometric = one(262, 0);
  const fillOrder = one(266, 1);
  if ((photometric !== 0 && photometric !== 1) || (fillOrder !== 1 && fillOrder !== 2)) return null;
  const xResolution = one(282);
  const unit = one(296, 2);
  const density = xResolution && unit !== 1 ? (unit === 3 ? xResolution * 2.54 : xResolution) : undefined;

  let lineWidth = width;
  let segmentRows: number;
  let offsets: number[] | undefined;
  let counts: number[] | undefined;
  if (tags.has(322)) {
    // Tiled: only one column of tiles (the clean-up writes one tile for the whole page).
    const tileWidth = one(322)!;
    if (tileWidth < width) return null;
    lineWidth = tileWidth;
    segmentRows = one(323) ?? 0;
    offsets = tags.get(324);
    counts = tags.get(325);
  } else {
    segmentRows = Math.min(one(278, height)!, height);
    offsets = tags.get(273);
    counts = tags.get(279);
  }
  if (!offsets || !counts || segmentRows <= 0 || offsets.length !== counts.length || offsets.length < Math.ceil(height / segmentRows)) return null;
  for (let i = 0; i < offsets.length; i++) if (offsets[i] + counts[i] > bytes.length) return null;
  return { width, height, lineWidth, segmentRows, offsets, counts, reverseBits: fillOrder === 2, invert: photometric === 1, density };
}

// ---------------------------------------------------------------------------------------------
// T.6 (MMR) decoding

function decodeSegments(bytes: Uint8Array, tiff: TiffLayout): RunImage {
  const { width, height, lineWidth } = tiff;
  const rowStart = new Int32Array(height + 1);
  let changes = new Int32Array(1 << 16);
  let used = 0;
  // Reference and coding line: changes of the line plus sentinels at lineWidth (b1/b2 may look past the end).
  let ref = new Int32Array(lineWidth + 8);
  let cur = new Int32Array(lineWidth + 8);
  let row = 0;
  for (let segment = 0; row < height; segment++) {
    const data = segmentBytes(bytes, tiff.offsets[segment], tiff.counts[segment], tiff.reverseBits);
    const reader = new BitReader(data);
    const rows = Math.min(tiff.segmentRows, height - row);
    // A segment starts on an all-white reference line.
    ref.fill(lineWidth, 0, 4);
    for (let r = 0; r < rows; r++, row++) {
      const count = decodeLine(reader, ref, cur, lineWidth);
      // Keep the changes inside the image (a tile may be wider), with the photometric sense applied.
      let keep = 0;
      while (keep < count && cur[keep] < width) keep++;
      const need = used + keep + 1;
      if (need > changes.length) {
        const grown = new Int32Array(Math.max(need, changes.length * 2));
        grown.set(changes.subarray(0, used));
        changes = grown;
      }
      rowStart[row] = used;
      if (tiff.invert) changes[used++] = 0;
      changes.set(cur.subarray(0, keep), used);
      used += keep;
      const swap = ref;
      ref = cur;
      cur = swap;
      ref.fill(lineWidth, count, count + 4);
    }
  }
  rowStart[height] = used;
  return { width, height, rowStart, changes: changes.slice(0, used), density: tiff.density };
}

function segmentBytes(bytes: Uint8Array, offset: number, count: number, reverse: boolean): Uint8Array {
  // Four zero bytes after the end: the reader peeks up to 24 bits ahead.
  const data = new Uint8Array(count + 4);
  data.set(bytes.subarray(offset, offset + count));
  if (reverse) for (let i = 0; i < count; i++) data[i] = REVERSED[data[i]];
  return data;
}

class BitReader {
  position = 0;
  private readonly limit: number;
  constructor(private readonly data: Uint8Array) {
    this.limit = (data.length - 4) * 8;
  }
  /** The next `n` (≤ 16) bits, MSB first, without consuming them. */
  peek(n: number): number {
    const byte = this.position >> 3;
    const d = this.data;
    const word = (d[byte] << 16) | (d[byte + 1] << 8) | d[byte + 2];
    return (word >>> (24 - (this.position & 7) - n)) & ((1 << n) - 1);
  }
  skip(n: number): void {
    this.position += n;
    if (this.position > this.limit) throw new RangeError('G4 data ended early');
  }
}

const MODE_PASS = 1;
const MODE_HORIZONTAL = 2;
const MODE_VERTICAL = 3;

/** Decodes one coded line into `cur`; returns the number of changes (all ≤ lineWidth). */
function decodeLine(reader: BitReader, ref: Int32Array, cur: Int32Array, lineWidth: number): number {
  let a0 = -1;
  let white = true;
  let bi = 0;
  let n = 0;
  while (a0 < lineWidth) {
    // b1: the first change on the reference line right of a0 of the colour opposite to a0's
    // (even indexes start black, so their parity follows the current colour).
    while (ref[bi] <= a0 && ref[bi] < lineWidth) bi += 2;
    const b1 = ref[bi];
    const entry = MODE_TABLE[reader.peek(7)];
    if (entry === 0) throw new RangeError('G4 code not supported');
    reader.skip(entry & 0xf);
    const mode = (entry >> 4) & 0xf;
    if (mode === MODE_VERTICAL) {
      const a1 = b1 + (entry >> 8) - 3;
      if (a1 < 0 || a1 > lineWidth || a1 < a0) throw new RangeError('G4 vertical code out of line');
      cur[n++] = a1;
      a0 = a1;
      white = !white;
      bi = bi > 0 ? bi - 1 : 1;
    } else if (mode === MODE_HORIZONTAL) {
      const start = a0 < 0 ? 0 : a0;
      const first = readRun(reader, white);
      const second = readRun(reader, !white);
      const a1 = Math.min(start + first, lineWidth);
      const a2 = Math.min(a1 + second, lineWidth);
      cur[n++] = a1;
      cur[n++] = a2;
      a0 = a2;
    } else {
      a0 = ref[bi + 1];
      bi += 2;
    }
    if (n > lineWidth + 2) throw new RangeError('G4 line too long');
  }
  return n;
}

function readRun(reader: BitReader, white: boolean): number {
  let total = 0;
  for (;;) {
    const entry = white ? WHITE_TABLE[reader.peek(12)] : BLACK_TABLE[reader.peek(13)];
    if (entry === 0) throw new RangeError('G4 run code not valid');
    reader.skip(entry & 0xf);
    const run = entry >> 4;
    total += run;
    // Make-up codes (multiples of 64) are followed by more; a terminating code (< 64) ends the run.
    if (run < 64) return total;
  }
}

// ---------------------------------------------------------------------------------------------
// Decode tables from the T.4 code words (g4-codes.ts) and T.6 table 1. Entries: value << 4 | code length.

function runTable(bits: number, terminating: readonly string[], makeup: readonly string[]): Uint32Array {
  const table = new Uint32Array(1 << bits);
  const put = (code: string, value: number) => {
    const shift = bits - code.length;
    const from = parseInt(code, 2) << shift;
    for (let i = 0; i < 1 << shift; i++) {
      if (table[from + i] !== 0) throw new Error(`G4 table: ${code} overlaps`);
      table[from + i] = (value << 4) | code.length;
    }
  };
  terminating.forEach((code, run) => put(code, run));
  makeup.forEach((code, i) => put(code, (i + 1) * 64));
  EXTENDED_MAKEUP.forEach((code, i) => put(code, 1792 + i * 64));
  return table;
}

const WHITE_TABLE = runTable(12, WHITE_TERMINATING, WHITE_MAKEUP);
const BLACK_TABLE = runTable(13, BLACK_TERMINATING, BLACK_MAKEUP);

/** 7-bit prefix → (vertical offset + 3) << 8 | mode << 4 | code length; 0 = not a mode this reader knows. */
const MODE_TABLE = (() => {
  const table = new Uint16Array(128);
  const put = (code: string, mode: number, offset = 0) => {
    const shift = 7 - code.length;
    const from = parseInt(code, 2) << shift;
    for (let i = 0; i < 1 << shift; i++) table[from + i] = ((offset + 3) << 8) | (mode << 4) | code.length;
  };
  put('1', MODE_VERTICAL, 0);
  put('011', MODE_VERTICAL, 1);
  put('010', MODE_VERTICAL, -1);
  put('000011', MODE_VERTICAL, 2);
  put('000010', MODE_VERTICAL, -2);
  put('0000011', MODE_VERTICAL, 3);
  put('0000010', MODE_VERTICAL, -3);
  put('001', MODE_HORIZONTAL);
  put('0001', MODE_PASS);
  return table;
})();

const REVERSED = (() => {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let r = 0;
    for (let b = 0; b < 8; b++) if (i & (1 << b)) r |= 0x80 >> b;
    table[i] = r;
  }
  return table;
})();
