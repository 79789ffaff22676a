/**
 * Shrinks raw pixels by a whole factor, each output pixel the rounded mean of its n×n block (the
 * blocks at the right and bottom edges may be narrower; they are averaged over the pixels they
 * hold). The clean-up makes its ~100 dpi analysis copy this way from a page it has decoded at full
 * resolution anyway: one JS pass instead of handing 8.7 MB to libvips for a resize, or decoding the
 * scan a second time.
 */
import type { RawImage } from './types.js';

/** Whole shrink factors from 2 up to this keep every lane of the column sums below 2^16. */
const MAX_FACTOR = 257;

export function boxShrink(image: RawImage, factor: number): RawImage {
  const { data, width, height, channels } = image;
  if (!Number.isInteger(factor) || factor < 1 || factor > MAX_FACTOR) {
    throw new RangeError(`boxShrink: the factor must be a whole number from 1 to ${MAX_FACTOR}, got ${factor}`);
  }
  if (data.length !== width * height * channels) {
    throw new RangeError(`boxShrink: expected ${width * height * channels} bytes for ${width}×${height}×${channels}, got ${data.length}`);
  }
  const outWidth = Math.ceil(width / factor);
  const outHeight = Math.ceil(height / factor);
  const out = Buffer.allocUnsafe(outWidth * outHeight * channels);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
  const rowBytes = width * channels;
  const aligned = LITTLE_ENDIAN && rowBytes % 4 === 0 && data.byteOffset % 4 === 0;
  const byThree = aligned && factor === 3 && channels === 1;
  const rgbByThree = aligned && factor === 3 && channels === 3;
  if (byThree) {
    shrinkGreyByThree(new Uint32Array(data.buffer, data.byteOffset, data.length >>> 2), width, height, out);
  } else if (rgbByThree) {
    shrinkRgbByThree(new Uint32Array(data.buffer, data.byteOffset, data.length >>> 2), width, height, out);
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
  return { data: out, width: outWidth, height: outHeight, channels };
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
 * two bytes a lane with no array in between. Only whole groups; blockMean does the rest.
 */
function shrinkGreyByThree(words: Uint32Array, width: number, height: number, out: Uint8Array): void {
  const stride = width >>> 2;
  const groups = Math.floor(width / 12);
  const outWidth = Math.ceil(width / 3);
  const rows = Math.floor(height / 3);
  for (let oy = 0; oy < rows; oy++) {
    const r0 = oy * 3 * stride;
    const r1 = r0 + stride;
    const r2 = r1 + stride;
    let o = oy * outWidth;
    for (let g = 0, i = 0; g < groups; g++, i += 3) {
      const a = words[r0 + i], b = words[r1 + i], c = words[r2 + i];
      const d = words[r0 + i + 1], e = words[r1 + i + 1], f = words[r2 + i + 1];
      const h = words[r0 + i + 2], k = words[r1 + i + 2], l = words[r2 + i + 2];
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
      out[o + 1] = ((s1 + 4) * 7282) >>> 16;
      out[o + 2] = ((s2 + 4) * 7282) >>> 16;
      out[o + 3] = ((s3 + 4) * 7282) >>> 16;
      o += 4;
    }
  }
}

/**
 * 300 dpi RGB to 100 dpi: nine words of three rows (12 × 3 pixels, 36 bytes) are four output
 * pixels. The three rows are summed two bytes a lane, each lane pair then spread into byte sums and
 * every output byte is three of them: channel c of output pixel k holds bytes 9k + c, 9k + 3 + c
 * and 9k + 6 + c of the group. Only whole groups; blockMean does the rest.
 */
function shrinkRgbByThree(words: Uint32Array, width: number, height: number, out: Uint8Array): void {
  const stride = (width * 3) >>> 2;
  const groups = Math.floor(width / 12);
  const outRow = Math.ceil(width / 3) * 3;
  const rows = Math.floor(height / 3);
  // Column sums of one group's 36 bytes over three rows.
  const sums = new Uint32Array(36);
  for (let oy = 0; oy < rows; oy++) {
    const r0 = oy * 3 * stride;
    const r1 = r0 + stride;
    const r2 = r1 + stride;
    let o = oy * outRow;
    for (let g = 0, i = 0; g < groups; g++, i += 9) {
      // Nine white words in each row (most of a page): twelve white output bytes, no sums.
      let white = -1;
      for (let j = 0; j < 9; j++) white &= words[r0 + i + j] & words[r1 + i + j] & words[r2 + i + j];
      if (white === -1) {
        out.fill(255, o, o + 12);
        o += 12;
        continue;
      }
      for (let j = 0, b = 0; j < 9; j++, b += 4) {
        const a = words[r0 + i + j], c = words[r1 + i + j], d = words[r2 + i + j];
        const even = (a & 0xff00ff) + (c & 0xff00ff) + (d & 0xff00ff);
        const odd = ((a >>> 8) & 0xff00ff) + ((c >>> 8) & 0xff00ff) + ((d >>> 8) & 0xff00ff);
        sums[b] = even & 0xffff;
        sums[b + 1] = odd & 0xffff;
        sums[b + 2] = even >>> 16;
        sums[b + 3] = odd >>> 16;
      }
      for (let b = 0; b < 36; b += 9) {
        // (s + 4) / 9 rounded down, exactly for s ≤ 9 × 255, by a multiply and a shift.
        out[o++] = ((sums[b] + sums[b + 3] + sums[b + 6] + 4) * 7282) >>> 16;
        out[o++] = ((sums[b + 1] + sums[b + 4] + sums[b + 7] + 4) * 7282) >>> 16;
        out[o++] = ((sums[b + 2] + sums[b + 5] + sums[b + 8] + 4) * 7282) >>> 16;
      }
    }
  }
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
