/**
 * Turns the small grey analysis copy by a skew angle, same size, about its centre, white fill: the
 * straightened copy the orientation reads.
 *
 * The same pixels as libvips' rotate (sharp's `rotate(degrees, { background: '#ffffff' })`,
 * bilinear, fixed-point weights) cropped to the middle, as the pipeline took them before; the
 * test compares the two. Done here, not in sharp, because a raw round trip through sharp costs
 * about 15 ms CPU for a 100 dpi A4 copy, most of it outside the rotation itself, and sharp would
 * also compute the corners that the crop throws away.
 *
 * libvips' mapping, reproduced exactly: the rotated image spans the rounded bounding box of the
 * turned input. libvips samples the input inside a border of one white pixel on the left and top,
 * so its sample coordinates are those of the copy plus one; each output row starts at the inverse
 * transform of its first pixel (plus one) and steps by the inverse matrix' first column, the sums
 * accumulated in that order, as libvips does, so they round alike (a coordinate computed otherwise
 * can differ in its last bit and tip a weight by one), in tiles 128 pixels wide. A sample at bordered (ix, iy) blends the
 * 2×2 pixels from (⌊ix⌋, ⌊iy⌋), white beyond the copy's edges, and is taken when ⌊ix⌋ ∈ [0, width]
 * and ⌊iy⌋ ∈ [0, height]; weights in 1/4096 from the fractions, truncated, the sum rounded.
 * Four pure white neighbours blend to white whatever the weights, so runs of samples over white
 * paper only (by each row's ink extent) are written white without the blend, their sums stepped.
 */
import type { GreyImage } from './types.js';

const SHIFT = 12;
const SCALE = 1 << SHIFT;
const HALF = SCALE >> 1;
const WHITE = 255;
/** Width of libvips' tiles for this operation (its small-tile demand style). */
const TILE = 128;
/** Samples looked at together for paper-only ground (see blankUnder). */
const CHUNK = 32;

/**
 * The copy turned clockwise by `degrees` (as sharp's rotate), cut to its own size about the centre.
 * For skew angles: sharp turns multiples of 90° exactly, without resampling, and this does not.
 * `out` (width × height bytes) receives the pixels when given.
 */
export function turnGreyCentred(image: GreyImage, degrees: number, out: Uint8Array = new Uint8Array(image.width * image.height)): GreyImage {
  const { data: src, width, height } = image;
  const radians = (degrees * Math.PI) / 180;
  // libvips' similarity matrix and its inverse (1 / determinant times the adjugate).
  const a = Math.cos(radians);
  const b = -Math.sin(radians);
  const c = -b;
  const d = a;
  const inverseDet = 1 / (a * d - b * c);
  const ia = inverseDet * d;
  const ib = -inverseDet * b;
  const ic = -inverseDet * c;
  const id = inverseDet * a;
  // The bounding box of the turned input rectangle, rounded as libvips rounds it.
  const xs = [0, a * width, b * height, a * width + b * height];
  const ys = [0, c * width, d * height, c * width + d * height];
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  const outLeft = Math.round(minX);
  const outTop = Math.round(minY);
  const turnedWidth = Math.round(Math.max(...xs) - minX);
  const turnedHeight = Math.round(Math.max(...ys) - minY);
  const left = Math.max(0, Math.floor((turnedWidth - width) / 2));
  const top = Math.max(0, Math.floor((turnedHeight - height) / 2));
  // Only the middle of the turned image is wanted; a box smaller than the copy (never at skew
  // angles) would leave white rows or columns.
  if (turnedWidth < width || turnedHeight < height) out.fill(WHITE);
  const columns = Math.min(width, turnedWidth - left);
  const rows = Math.min(height, turnedHeight - top);
  const span = new Float64Array(2);
  // The interior's sums are kept in 1/4096ths of a pixel: scaling by a power of two is exact, so
  // each is libvips' accumulated coordinate times 4096, bit for bit, and ⌊sum⌋ holds the pixel and
  // the weight at once. Its 2×2 neighbours are two 16-bit reads (left pixel in the low byte).
  const stepX = ia * SCALE;
  const stepY = ic * SCALE;
  const pairs = new DataView(src.buffer, src.byteOffset, src.length);
  const { inkFrom, inkTo, paper } = inkExtents(src, width, height, pairs);
  // Scanned paper is never pure white: without white ground, the runs are taken whole, unchecked.
  const chunk = paper ? CHUNK : TILE;
  for (let y = 0; y < rows; y++) {
    const oy = y + top + outTop;
    const row = y * width - left;
    // libvips computes the turned image in tiles TILE pixels wide: each tile's row starts afresh
    // from the inverse transform and steps from there.
    for (let tile = Math.floor(left / TILE) * TILE; tile < left + columns; tile += TILE) {
      const ox = tile + outLeft;
      // In the bordered copy's coordinates (one pixel right and down).
      let ix = ia * ox + ib * oy + 1;
      let iy = ic * ox + id * oy + 1;
      let x = tile;
      // Steps to the crop's first column one by one, as libvips steps, so the sums round alike.
      for (; x < left; x++) {
        ix += ia;
        iy += ic;
      }
      const end = Math.min(tile + TILE, left + columns);
      // Where the sample and its right and lower neighbours lie inside the copy (with a pixel to
      // spare for the sums' rounding), the blend needs no edge checks: found from the row's line.
      interiorSpan(ix, iy, ia, ic, width, height, end - x, span);
      const inFrom = (x + span[0]) | 0;
      const inTo = (x + span[1]) | 0;
      for (; x < inFrom; x++) {
        out[row + x] = edgeSample(src, width, height, ix, iy);
        ix += ia;
        iy += ic;
      }
      let sx4 = ix * SCALE;
      let sy4 = iy * SCALE;
      let at = (row + x) | 0;
      const stop = (row + inTo) | 0;
      while (at < stop) {
        const chunkEnd = Math.min(stop, at + chunk) | 0;
        if (paper && blankUnder(sx4, sy4, sx4 + (chunkEnd - at) * stepX, sy4 + (chunkEnd - at) * stepY, inkFrom, inkTo, height)) {
          // Paper only under these samples: white, whatever the weights. The sums still step one
          // by one, so the samples after come out as libvips' do.
          for (; at < chunkEnd; at = (at + 1) | 0) {
            out[at] = WHITE;
            sx4 += stepX;
            sy4 += stepY;
          }
          continue;
        }
        // Four samples a turn of the loop (the checks V8 makes once a turn are a good part of a
        // sample's cost), the same blend written out four times, then one at a time.
        for (const stop4 = (chunkEnd - 3) | 0; at < stop4; at = (at + 4) | 0) {
          {
            const sx = sx4 | 0;
            const sy = sy4 | 0;
            const p = (Math.imul((sy >> SHIFT) - 1, width) + (sx >> SHIFT) - 1) | 0;
            const upper = pairs.getUint16(p, true);
            const lower = pairs.getUint16((p + width) | 0, true);
            const wx = sx & (SCALE - 1);
            const wy = sy & (SCALE - 1);
            const wyd = SCALE - wy;
            const c4 = (wy * wx) >> SHIFT;
            const c2 = (wyd * wx) >> SHIFT;
            out[at] = ((wyd - c2) * (upper & 255) + c2 * (upper >>> 8) + (wy - c4) * (lower & 255) + c4 * (lower >>> 8) + HALF) >> SHIFT;
            sx4 += stepX;
            sy4 += stepY;
          }
          {
            const sx = sx4 | 0;
            const sy = sy4 | 0;
            const p = (Math.imul((sy >> SHIFT) - 1, width) + (sx >> SHIFT) - 1) | 0;
            const upper = pairs.getUint16(p, true);
            const lower = pairs.getUint16((p + width) | 0, true);
            const wx = sx & (SCALE - 1);
            const wy = sy & (SCALE - 1);
            const wyd = SCALE - wy;
            const c4 = (wy * wx) >> SHIFT;
            const c2 = (wyd * wx) >> SHIFT;
            out[(at + 1) | 0] = ((wyd - c2) * (upper & 255) + c2 * (upper >>> 8) + (wy - c4) * (lower & 255) + c4 * (lower >>> 8) + HALF) >> SHIFT;
            sx4 += stepX;
            sy4 += stepY;
          }
          {
            const sx = sx4 | 0;
            const sy = sy4 | 0;
            const p = (Math.imul((sy >> SHIFT) - 1, width) + (sx >> SHIFT) - 1) | 0;
            const upper = pairs.getUint16(p, true);
            const lower = pairs.getUint16((p + width) | 0, true);
            const wx = sx & (SCALE - 1);
            const wy = sy & (SCALE - 1);
            const wyd = SCALE - wy;
            const c4 = (wy * wx) >> SHIFT;
            const c2 = (wyd * wx) >> SHIFT;
            out[(at + 2) | 0] = ((wyd - c2) * (upper & 255) + c2 * (upper >>> 8) + (wy - c4) * (lower & 255) + c4 * (lower >>> 8) + HALF) >> SHIFT;
            sx4 += stepX;
            sy4 += stepY;
          }
          {
            const sx = sx4 | 0;
            const sy = sy4 | 0;
            const p = (Math.imul((sy >> SHIFT) - 1, width) + (sx >> SHIFT) - 1) | 0;
            const upper = pairs.getUint16(p, true);
            const lower = pairs.getUint16((p + width) | 0, true);
            const wx = sx & (SCALE - 1);
            const wy = sy & (SCALE - 1);
            const wyd = SCALE - wy;
            const c4 = (wy * wx) >> SHIFT;
            const c2 = (wyd * wx) >> SHIFT;
            out[(at + 3) | 0] = ((wyd - c2) * (upper & 255) + c2 * (upper >>> 8) + (wy - c4) * (lower & 255) + c4 * (lower >>> 8) + HALF) >> SHIFT;
            sx4 += stepX;
            sy4 += stepY;
          }
        }
        for (; at < chunkEnd; at = (at + 1) | 0) {
          {
            const sx = sx4 | 0;
            const sy = sy4 | 0;
            const p = (Math.imul((sy >> SHIFT) - 1, width) + (sx >> SHIFT) - 1) | 0;
            const upper = pairs.getUint16(p, true);
            const lower = pairs.getUint16((p + width) | 0, true);
            const wx = sx & (SCALE - 1);
            const wy = sy & (SCALE - 1);
            const wyd = SCALE - wy;
            const c4 = (wy * wx) >> SHIFT;
            const c2 = (wyd * wx) >> SHIFT;
            out[at] = ((wyd - c2) * (upper & 255) + c2 * (upper >>> 8) + (wy - c4) * (lower & 255) + c4 * (lower >>> 8) + HALF) >> SHIFT;
            sx4 += stepX;
            sy4 += stepY;
          }
        }
      }
      x = inTo;
      ix = sx4 / SCALE;
      iy = sy4 / SCALE;
      for (; x < end; x++) {
        out[row + x] = edgeSample(src, width, height, ix, iy);
        ix += ia;
        iy += ic;
      }
    }
  }
  return { data: out, width, height };
}

/**
 * Each row's first non-white column and one past its last ([width, 0) for a row of white paper):
 * where a turn may skip the blend, and whether any row has white ground to skip. Scanned paper is
 * never pure white, so its rows end their scan at the first pixel; white is read a word at a time.
 */
function inkExtents(src: Uint8Array, width: number, height: number, pairs: DataView): { inkFrom: Int32Array; inkTo: Int32Array; paper: boolean } {
  const inkFrom = new Int32Array(height);
  const inkTo = new Int32Array(height);
  // Whether any row has a stretch of white worth skipping at an end (or is white throughout).
  let paper = false;
  for (let y = 0; y < height; y++) {
    const start = y * width;
    let x = 0;
    while (x + 4 <= width && pairs.getUint32(start + x, true) === 0xffffffff) x += 4;
    while (x < width && src[start + x] === WHITE) x++;
    inkFrom[y] = x;
    if (x >= CHUNK / 2) paper = true;
    if (x === width) continue;
    let end = width;
    while (end - 4 > x && pairs.getUint32(start + end - 4, true) === 0xffffffff) end -= 4;
    while (src[start + end - 1] === WHITE) end--;
    inkTo[y] = end;
    if (end <= width - CHUNK / 2) paper = true;
  }
  return { inkFrom, inkTo, paper };
}

/**
 * Whether every sample from (sx0, sy0) to (sx1, sy1) (coordinates in 1/4096ths, bordered) blends
 * white pixels only: the rows and columns their 2×2 neighbourhoods can reach, a pixel to spare
 * each way, hold no ink by the row extents.
 */
function blankUnder(sx0: number, sy0: number, sx1: number, sy1: number, inkFrom: Int32Array, inkTo: Int32Array, height: number): boolean {
  // A sample at bordered ⌊ix⌋ blends image columns ⌊ix⌋ − 1 and ⌊ix⌋ (rows alike); the ends are
  // widened by 1/64 pixel for the drift of the stepped sums from the straight line.
  const left = ((Math.min(sx0, sx1) - 64) >> SHIFT) - 1;
  const right = (Math.max(sx0, sx1) + 64) >> SHIFT;
  const top = Math.max(0, ((Math.min(sy0, sy1) - 64) >> SHIFT) - 1);
  const bottom = Math.min(height - 1, (Math.max(sy0, sy1) + 64) >> SHIFT);
  for (let y = top; y <= bottom; y++) {
    if (inkFrom[y] <= right && inkTo[y] > left) return false;
  }
  return true;
}

/**
 * The run of columns [from, to) of a row starting at (ix, iy) and stepping by (dx, dy) whose
 * samples lie in [2, width − 1) × [2, height − 1) (bordered coordinates): the margin of a pixel covers
 * any drift of the accumulated sums from the exact line. Written to `span` (no allocation per row).
 */
export function interiorSpan(ix: number, iy: number, dx: number, dy: number, width: number, height: number, columns: number, span: Float64Array): void {
  span[0] = 0;
  span[1] = columns;
  narrowSpan(ix, dx, 2, width - 1, span);
  narrowSpan(iy, dy, 2, height - 1, span);
  span[0] = Math.max(0, span[0]);
  span[1] = Math.min(columns, span[1]);
  if (span[1] < span[0]) span[0] = span[1] = columns;
}

/** Narrows `span` to the columns whose start + column · step lies in (low, high), a column to spare at each end. */
function narrowSpan(start: number, step: number, low: number, high: number, span: Float64Array): void {
  if (step === 0) {
    if (start < low || start >= high) span[1] = 0;
    return;
  }
  const a = (low - start) / step;
  const b = (high - start) / step;
  span[0] = Math.max(span[0], Math.ceil(Math.min(a, b)) + 1);
  span[1] = Math.min(span[1], Math.floor(Math.max(a, b)) - 1);
}

/** A sample near or beyond the edges, at bordered (ix, iy): white beyond the copy, white outright when ⌊ix⌋ ∉ [0, width] or ⌊iy⌋ ∉ [0, height]. */
function edgeSample(src: Uint8Array, width: number, height: number, ix: number, iy: number): number {
  const bx = Math.floor(ix);
  const by = Math.floor(iy);
  if (bx < 0 || by < 0 || bx > width || by > height) return WHITE;
  const fx = bx - 1;
  const fy = by - 1;
  return blend(pixel(src, width, height, fx, fy), pixel(src, width, height, fx + 1, fy), pixel(src, width, height, fx, fy + 1), pixel(src, width, height, fx + 1, fy + 1), ix - bx, iy - by);
}

/** libvips' fixed-point bilinear blend of the 2×2 neighbours p1 p2 / p3 p4 at fractions (fx, fy). */
function blend(p1: number, p2: number, p3: number, p4: number, fx: number, fy: number): number {
  const x = (fx * SCALE) | 0;
  const y = (fy * SCALE) | 0;
  const yd = SCALE - y;
  const c4 = (y * x) >> SHIFT;
  const c2 = (yd * x) >> SHIFT;
  const c3 = y - c4;
  const c1 = yd - c2;
  return (c1 * p1 + c2 * p2 + c3 * p3 + c4 * p4 + HALF) >> SHIFT;
}

function pixel(src: Uint8Array, width: number, height: number, x: number, y: number): number {
  return x >= 0 && y >= 0 && x < width && y < height ? src[y * width + x] : WHITE;
}
