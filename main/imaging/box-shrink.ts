/**
 * Shrinks raw pixels by a whole factor, each output pixel the rounded mean of its n×n block (the
 * blocks at the right and bottom edges may be narrower; they are averaged over the pixels they
 * hold). The clean-up makes its ~100 dpi analysis copy this way from a page it has decoded at full
 * resolution anyway: one JS pass instead of handing 8.7 MB to libvips for a resize, or decoding the
 * scan a second time.
 */
import { takeBuffer } from './spare-buffers.js';
import type { RawImage } from './types.js';

/** Whole shrink factors from 2 up to this keep every lane of the column sums below 2^16. */
const MAX_FACTOR = 257;

export function boxShrink(image: RawImage, factor: number): RawImage {
  return shrink(image, factor, false).small;
}

/**
 * The clean-up's analysis copy of a page decoded as RGB (boxShrink by `factor`) and, for 300 dpi
 * to 100 (rows of whole words), the page's green channel at full resolution from the same pass
 * over its 26 MB: the grey of an untinted page for the threshold. Other layouts give no green
 * (undefined): taking it on its own is no cheaper here than where it is needed.
 */
export function boxShrinkKeepingGreen(image: RawImage, factor: number): { small: RawImage; green?: RawImage } {
  if (image.channels !== 3) throw new RangeError(`boxShrinkKeepingGreen: the image must be RGB, got ${image.channels} channels`);
  return shrink(image, factor, true);
}

function shrink(image: RawImage, factor: number, keepGreen: boolean): { small: RawImage; green?: RawImage } {
  const { data, width, height, channels } = image;
  if (!Number.isInteger(factor) || factor < 1 || factor > MAX_FACTOR) {
    throw new RangeError(`boxShrink: the factor must be a whole number from 1 to ${MAX_FACTOR}, got ${factor}`);
  }
  if (data.length !== width * height * channels) {
    throw new RangeError(`boxShrink: expected ${width * height * channels} bytes for ${width}×${height}×${channels}, got ${data.length}`);
  }
  const outWidth = Math.ceil(width / factor);
  const outHeight = Math.ceil(height / factor);
  const out = takeBuffer(outWidth * outHeight * channels);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
  const rowBytes = width * channels;
  const aligned = LITTLE_ENDIAN && rowBytes % 4 === 0 && data.byteOffset % 4 === 0;
  const byThree = aligned && factor === 3 && channels === 1;
  const rgbByThree = aligned && factor === 3 && channels === 3;
  let green: RawImage | undefined;
  if (byThree) {
    shrinkGreyByThree(new Uint32Array(data.buffer, data.byteOffset, data.length >>> 2), width, height, out);
  } else if (rgbByThree) {
    const greenBytes = keepGreen ? takeBuffer(width * height) : undefined;
    const greenWords = greenBytes && new Uint32Array(greenBytes.buffer, greenBytes.byteOffset, greenBytes.length >>> 2);
    shrinkRgbByThree(new Uint32Array(data.buffer, data.byteOffset, data.length >>> 2), width, height, out, greenWords);
    if (greenBytes) {
      greenRest(bytes, width, height, Math.floor(width / 12) * 12, Math.floor(height / 3) * 3, greenBytes);
      green = { data: greenBytes, width, height, channels: 1 };
    }
  } else {
    shrinkRows(bytes, image, factor, aligned, out);
  }
  // Blocks the fast path leaves: the right-hand columns past its last whole group, the last row of blocks.
  const doneColumns = byThree || rgbByThree ? Math.floor(width / 12) * 4 : Math.floor(width / factor);
  const doneRows = Math.floor(height / factor);
  for (let oy = 0; oy < outHeight; oy++) {
    for (let ox = oy < doneRows ? doneColumns : 0; ox < outWidth; ox++) {
      for (let c = 0; c < channels; c++) out[(oy * outWidth + ox) * channels + c] = blockMean(bytes, image, factor, ox, oy, c);
    }
  }
  return { small: { data: out, width: outWidth, height: outHeight, channels }, green };
}

/** Green bytes the word-wise pass leaves: columns from `doneColumns` in its rows, and every column below `doneRows`. */
function greenRest(bytes: Uint8Array, width: number, height: number, doneColumns: number, doneRows: number, green: Uint8Array): void {
  for (let y = 0; y < height; y++) {
    for (let x = y < doneRows ? doneColumns : 0, i = y * width + x; x < width; x++, i++) green[i] = bytes[i * 3 + 1];
  }
}

/** The rounded mean of one block in one channel, read byte by byte (edges and leftovers). */
function blockMean(bytes: Uint8Array, image: RawImage, factor: number, ox: number, oy: number, c: number): number {
  const { width, height, channels } = image;
  const x0 = ox * factor;
  const x1 = Math.min(width, x0 + factor);
  const y0 = oy * factor;
  const y1 = Math.min(height, y0 + factor);
  let sum = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0, p = (y * width + x0) * channels + c; x < x1; x++, p += channels) sum += bytes[p];
  }
  const count = (x1 - x0) * (y1 - y0);
  return Math.floor((sum + (count >>> 1)) / count);
}

/**
 * 300 dpi grey to 100 dpi: three words of three rows (12 × 3 pixels) are four output pixels, summed
 * two bytes a lane with no array in between; white groups are left as filled. Only whole groups;
 * blockMean does the rest.
 */
function shrinkGreyByThree(words: Uint32Array, width: number, height: number, out: Uint8Array): void {
  const stride = width >>> 2;
  const groups = Math.floor(width / 12);
  const outWidth = Math.ceil(width / 3);
  const rows = Math.floor(height / 3);
  // White first, as in shrinkRgbByThree: white groups are then skipped.
  out.fill(255, 0, rows * outWidth);
  for (let oy = 0; oy < rows; oy++) {
    let r0 = (oy * 3 * stride) | 0;
    let r1 = (r0 + stride) | 0;
    let r2 = (r1 + stride) | 0;
    let o = (oy * outWidth) | 0;
    for (let g = 0; g < groups; g++, r0 = (r0 + 3) | 0, r1 = (r1 + 3) | 0, r2 = (r2 + 3) | 0, o = (o + 4) | 0) {
      const a = words[r0], b = words[r1], c = words[r2];
      const d = words[(r0 + 1) | 0], e = words[(r1 + 1) | 0], f = words[(r2 + 1) | 0];
      const h = words[(r0 + 2) | 0], k = words[(r1 + 2) | 0], l = words[(r2 + 2) | 0];
      if (a === 0xffffffff && (a & b & c & d & e & f & h & k & l) === -1) continue;
      const even0 = (a & 0xff00ff) + (b & 0xff00ff) + (c & 0xff00ff);
      const odd0 = ((a >>> 8) & 0xff00ff) + ((b >>> 8) & 0xff00ff) + ((c >>> 8) & 0xff00ff);
      const even1 = (d & 0xff00ff) + (e & 0xff00ff) + (f & 0xff00ff);
      const odd1 = ((d >>> 8) & 0xff00ff) + ((e >>> 8) & 0xff00ff) + ((f >>> 8) & 0xff00ff);
      const even2 = (h & 0xff00ff) + (k & 0xff00ff) + (l & 0xff00ff);
      const odd2 = ((h >>> 8) & 0xff00ff) + ((k >>> 8) & 0xff00ff) + ((l >>> 8) & 0xff00ff);
      // Pixels 0–11 of the group are even0 lo, odd0 lo, even0 hi, odd0 hi, then words 1 and 2 alike.
      const s0 = (even0 & 0xffff) + (odd0 & 0xffff) + (even0 >>> 16);
      const s1 = (odd0 >>> 16) + (even1 & 0xffff) + (odd1 & 0xffff);
      const s2 = (even1 >>> 16) + (odd1 >>> 16) + (even2 & 0xffff);
      const s3 = (odd2 & 0xffff) + (even2 >>> 16) + (odd2 >>> 16);
      // (s + 4) / 9 rounded down, exactly for s ≤ 9 × 255, by a multiply and a shift.
      out[o] = ((s0 + 4) * 7282) >>> 16;
      out[(o + 1) | 0] = ((s1 + 4) * 7282) >>> 16;
      out[(o + 2) | 0] = ((s2 + 4) * 7282) >>> 16;
      out[(o + 3) | 0] = ((s3 + 4) * 7282) >>> 16;
    }
  }
}

/**
 * 300 dpi RGB to 100 dpi: nine words of three rows (12 × 3 pixels, 36 bytes) are four output
 * pixels. The three rows are summed two bytes a lane (E: bytes 0 and 2 of a word, O: bytes 1 and
 * 3), and every output byte is three lanes: channel c of output pixel k holds bytes 9k + c,
 * 9k + 3 + c and 9k + 6 + c of the group. With `green` (the page's size, one byte a pixel), the
 * green channel of the three rows is written there too, from the words already loaded: the
 * clean-up's full-resolution grey of an untinted page, without a second pass over 26 MB.
 * Only whole groups; blockMean (and greenRest) do the rest.
 */
function shrinkRgbByThree(words: Uint32Array, width: number, height: number, out: Uint8Array, green?: Uint32Array): void {
  const stride = (width * 3) >>> 2;
  const greenStride = width >>> 2;
  const groups = Math.floor(width / 12);
  const outRow = Math.ceil(width / 3) * 3;
  const rows = Math.floor(height / 3);
  // A row of groups after one mostly white is filled white first (one memset is cheaper than
  // storing the white groups one by one) and its white groups skipped; on scanned paper, never
  // pure white, the fill would be wasted (a tenth of the pass), and a white group is written out.
  let whiteGroups = 0;
  // Indices are kept in int32 (| 0): V8 then drops the overflow checks on them.
  for (let oy = 0; oy < rows; oy++) {
    let r0 = (oy * 3 * stride) | 0;
    let r1 = (r0 + stride) | 0;
    let r2 = (r1 + stride) | 0;
    const g0 = oy * 3 * greenStride;
    let o = (oy * outRow) | 0;
    const filled = 2 * whiteGroups > groups;
    if (filled) {
      out.fill(255, o, o + 12 * groups);
      green?.fill(0xffffffff, g0, g0 + 3 * greenStride);
    }
    whiteGroups = 0;
    for (let g = 0; g < groups; g++, r0 = (r0 + 9) | 0, r1 = (r1 + 9) | 0, r2 = (r2 + 9) | 0) {
      const a0 = words[r0], a1 = words[(r0 + 1) | 0], a2 = words[(r0 + 2) | 0], a3 = words[(r0 + 3) | 0], a4 = words[(r0 + 4) | 0];
      const a5 = words[(r0 + 5) | 0], a6 = words[(r0 + 6) | 0], a7 = words[(r0 + 7) | 0], a8 = words[(r0 + 8) | 0];
      const b0 = words[r1], b1 = words[(r1 + 1) | 0], b2 = words[(r1 + 2) | 0], b3 = words[(r1 + 3) | 0], b4 = words[(r1 + 4) | 0];
      const b5 = words[(r1 + 5) | 0], b6 = words[(r1 + 6) | 0], b7 = words[(r1 + 7) | 0], b8 = words[(r1 + 8) | 0];
      const c0 = words[r2], c1 = words[(r2 + 1) | 0], c2 = words[(r2 + 2) | 0], c3 = words[(r2 + 3) | 0], c4 = words[(r2 + 4) | 0];
      const c5 = words[(r2 + 5) | 0], c6 = words[(r2 + 6) | 0], c7 = words[(r2 + 7) | 0], c8 = words[(r2 + 8) | 0];
      const white = a0 & a1 & a2 & a3 & a4 & a5 & a6 & a7 & a8 & b0 & b1 & b2 & b3 & b4 & b5 & b6 & b7 & b8 & c0 & c1 & c2 & c3 & c4 & c5 & c6 & c7 & c8;
      // The first word alone settles most groups of scanned paper, which is never pure white.
      if (a0 === 0xffffffff && white === -1) {
        // Twelve white pixels in each row (most of a page): no sums.
        whiteGroups++;
        if (!filled) {
          for (let m = 0; m < 12; m++) out[(o + m) | 0] = 255;
          if (green) {
            const w = (g0 + 3 * g) | 0;
            green[w] = green[(w + 1) | 0] = green[(w + 2) | 0] = 0xffffffff;
            green[(w + greenStride) | 0] = green[(w + greenStride + 1) | 0] = green[(w + greenStride + 2) | 0] = 0xffffffff;
            green[(w + 2 * greenStride) | 0] = green[(w + 2 * greenStride + 1) | 0] = green[(w + 2 * greenStride + 2) | 0] = 0xffffffff;
          }
        }
        o = (o + 12) | 0;
        continue;
      }
      if (green) {
        const w = (g0 + 3 * g) | 0;
        green[w] = greenWord(a0, a1, a2);
        green[(w + 1) | 0] = greenWord(a3, a4, a5);
        green[(w + 2) | 0] = greenWord(a6, a7, a8);
        green[(w + greenStride) | 0] = greenWord(b0, b1, b2);
        green[(w + greenStride + 1) | 0] = greenWord(b3, b4, b5);
        green[(w + greenStride + 2) | 0] = greenWord(b6, b7, b8);
        green[(w + 2 * greenStride) | 0] = greenWord(c0, c1, c2);
        green[(w + 2 * greenStride + 1) | 0] = greenWord(c3, c4, c5);
        green[(w + 2 * greenStride + 2) | 0] = greenWord(c6, c7, c8);
      }
      // Each word's rows summed in two lanes: O (bytes 1 and 3) masked, E the rest of the plain
      // sum (a + b + c = E + O·256 exactly, and E < 2^31, so the sum taken mod 2^32 gives it).
      const n0 = ((a0 >>> 8) & 0xff00ff) + ((b0 >>> 8) & 0xff00ff) + ((c0 >>> 8) & 0xff00ff), e0 = (((a0 + b0) | 0) + c0 - (n0 << 8)) | 0;
      const n1 = ((a1 >>> 8) & 0xff00ff) + ((b1 >>> 8) & 0xff00ff) + ((c1 >>> 8) & 0xff00ff), e1 = (((a1 + b1) | 0) + c1 - (n1 << 8)) | 0;
      const n2 = ((a2 >>> 8) & 0xff00ff) + ((b2 >>> 8) & 0xff00ff) + ((c2 >>> 8) & 0xff00ff), e2 = (((a2 + b2) | 0) + c2 - (n2 << 8)) | 0;
      const n3 = ((a3 >>> 8) & 0xff00ff) + ((b3 >>> 8) & 0xff00ff) + ((c3 >>> 8) & 0xff00ff), e3 = (((a3 + b3) | 0) + c3 - (n3 << 8)) | 0;
      const n4 = ((a4 >>> 8) & 0xff00ff) + ((b4 >>> 8) & 0xff00ff) + ((c4 >>> 8) & 0xff00ff), e4 = (((a4 + b4) | 0) + c4 - (n4 << 8)) | 0;
      const n5 = ((a5 >>> 8) & 0xff00ff) + ((b5 >>> 8) & 0xff00ff) + ((c5 >>> 8) & 0xff00ff), e5 = (((a5 + b5) | 0) + c5 - (n5 << 8)) | 0;
      const n6 = ((a6 >>> 8) & 0xff00ff) + ((b6 >>> 8) & 0xff00ff) + ((c6 >>> 8) & 0xff00ff), e6 = (((a6 + b6) | 0) + c6 - (n6 << 8)) | 0;
      const n7 = ((a7 >>> 8) & 0xff00ff) + ((b7 >>> 8) & 0xff00ff) + ((c7 >>> 8) & 0xff00ff), e7 = (((a7 + b7) | 0) + c7 - (n7 << 8)) | 0;
      const n8 = ((a8 >>> 8) & 0xff00ff) + ((b8 >>> 8) & 0xff00ff) + ((c8 >>> 8) & 0xff00ff), e8 = (((a8 + b8) | 0) + c8 - (n8 << 8)) | 0;
      // Byte m of the group is word m >> 2's lane: byte 0 e & 0xffff, 1 n & 0xffff, 2 e >>> 16, 3 n >>> 16.
      // (s + 4) / 9 rounded down, exactly for s ≤ 9 × 255, by a multiply and a shift.
      out[o] = (((e0 & 0xffff) + (n0 >>> 16) + (e1 >>> 16) + 4) * 7282) >>> 16; // bytes 0, 3, 6
      out[(o + 1) | 0] = (((n0 & 0xffff) + (e1 & 0xffff) + (n1 >>> 16) + 4) * 7282) >>> 16; // 1, 4, 7
      out[(o + 2) | 0] = (((e0 >>> 16) + (n1 & 0xffff) + (e2 & 0xffff) + 4) * 7282) >>> 16; // 2, 5, 8
      out[(o + 3) | 0] = (((n2 & 0xffff) + (e3 & 0xffff) + (n3 >>> 16) + 4) * 7282) >>> 16; // 9, 12, 15
      out[(o + 4) | 0] = (((e2 >>> 16) + (n3 & 0xffff) + (e4 & 0xffff) + 4) * 7282) >>> 16; // 10, 13, 16
      out[(o + 5) | 0] = (((n2 >>> 16) + (e3 >>> 16) + (n4 & 0xffff) + 4) * 7282) >>> 16; // 11, 14, 17
      out[(o + 6) | 0] = (((e4 >>> 16) + (n5 & 0xffff) + (e6 & 0xffff) + 4) * 7282) >>> 16; // 18, 21, 24
      out[(o + 7) | 0] = (((n4 >>> 16) + (e5 >>> 16) + (n6 & 0xffff) + 4) * 7282) >>> 16; // 19, 22, 25
      out[(o + 8) | 0] = (((e5 & 0xffff) + (n5 >>> 16) + (e6 >>> 16) + 4) * 7282) >>> 16; // 20, 23, 26
      out[(o + 9) | 0] = (((n6 >>> 16) + (e7 >>> 16) + (n8 & 0xffff) + 4) * 7282) >>> 16; // 27, 30, 33
      out[(o + 10) | 0] = (((e7 & 0xffff) + (n7 >>> 16) + (e8 >>> 16) + 4) * 7282) >>> 16; // 28, 31, 34
      out[(o + 11) | 0] = (((n7 & 0xffff) + (e8 & 0xffff) + (n8 >>> 16) + 4) * 7282) >>> 16; // 29, 32, 35
      o = (o + 12) | 0;
    }
  }
}

/** Green bytes of four packed RGB pixels (three little-endian words: R0 G0 B0 R1 | G1 B1 R2 G2 | B2 R3 G3 B3). */
function greenWord(w0: number, w1: number, w2: number): number {
  return ((w0 >>> 8) & 0xff) | ((w1 & 0xff) << 8) | ((w1 >>> 8) & 0xff0000) | ((w2 << 8) & 0xff000000);
}

/** Any factor and channel count: each block of rows summed per source byte, then across the block. */
function shrinkRows(bytes: Uint8Array, image: RawImage, factor: number, aligned: boolean, out: Uint8Array): void {
  const { width, height, channels } = image;
  const outWidth = Math.ceil(width / factor);
  const rows = Math.floor(height / factor);
  const rowBytes = width * channels;
  const columnSums = new Uint32Array(rowBytes);
  const wordsPerRow = rowBytes >>> 2;
  const words = aligned ? new Uint32Array(bytes.buffer, bytes.byteOffset, wordsPerRow * height) : undefined;
  // Two bytes a lane: bytes 0 and 2 of each word in one sum, bytes 1 and 3 in the other.
  const evenLanes = new Uint32Array(wordsPerRow);
  const oddLanes = new Uint32Array(wordsPerRow);
  const count = factor * factor;
  const perBlock = 1 / count;
  for (let oy = 0; oy < rows; oy++) {
    const y0 = oy * factor;
    if (words) {
      evenLanes.fill(0);
      oddLanes.fill(0);
      for (let y = y0; y < y0 + factor; y++) {
        const row = y * wordsPerRow;
        for (let i = 0; i < wordsPerRow; i++) {
          const w = words[row + i];
          evenLanes[i] += w & 0xff00ff;
          oddLanes[i] += (w >>> 8) & 0xff00ff;
        }
      }
      for (let i = 0, b = 0; i < wordsPerRow; i++, b += 4) {
        const even = evenLanes[i];
        const odd = oddLanes[i];
        columnSums[b] = even & 0xffff;
        columnSums[b + 1] = odd & 0xffff;
        columnSums[b + 2] = even >>> 16;
        columnSums[b + 3] = odd >>> 16;
      }
    } else {
      columnSums.fill(0);
      for (let y = y0; y < y0 + factor; y++) {
        const row = y * rowBytes;
        for (let b = 0; b < rowBytes; b++) columnSums[b] += bytes[row + b];
      }
    }
    // Whole blocks only (the last, narrower one is blockMean's).
    const whole = Math.floor(width / factor);
    const target = oy * outWidth * channels;
    for (let ox = 0; ox < whole; ox++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let b = ox * factor * channels + c, end = (ox + 1) * factor * channels; b < end; b += channels) sum += columnSums[b];
        // The small addend keeps an exact quotient from rounding down to one below.
        out[target + ox * channels + c] = ((sum + (count >>> 1)) * perBlock + 1e-9) | 0;
      }
    }
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
