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
 * turned input; each output row starts at the inverse transform of its first pixel and steps by
 * the inverse matrix' first column (accumulated, as libvips does, so the rounding is the same); a
 * sample at (ix, iy) reads the 2×2 pixels from (⌊ix⌋, ⌊iy⌋), with white beyond the edges, and is
 * taken when ⌊ix⌋ ∈ [−1, width) and ⌊iy⌋ ∈ [−1, height); weights in 1/4096, rounded.
 */
import type { GreyImage } from './types.js';

const SHIFT = 12;
const SCALE = 1 << SHIFT;
const HALF = SCALE >> 1;
const WHITE = 255;

/**
 * The copy turned clockwise by `degrees` (as sharp's rotate), cut to its own size about the centre.
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
  for (let y = 0; y < rows; y++) {
    const oy = y + top + outTop;
    const ox = outLeft;
    let ix = ia * ox + ib * oy;
    let iy = ic * ox + id * oy;
    // Steps to the crop's first column, one by one as libvips steps, so the sums round alike.
    for (let x = 0; x < left; x++) {
      ix += ia;
      iy += ic;
    }
    const row = y * width;
    // Where the sample and its right and lower neighbours lie inside the copy (with a pixel to
    // spare for the sums' rounding), the blend needs no edge checks: found from the row's line.
    const [inFrom, inTo] = interiorSpan(ix, iy, ia, ic, width, height, columns);
    let x = 0;
    for (; x < inFrom; x++) {
      out[row + x] = edgeSample(src, width, height, ix, iy);
      ix += ia;
      iy += ic;
    }
    for (; x < inTo; x++) {
      // Scaling by a power of two is exact, so ⌊ix·4096⌋ holds ⌊ix⌋ and libvips' weight ⌊(ix − ⌊ix⌋)·4096⌋ both.
      const sx = (ix * SCALE) | 0;
      const sy = (iy * SCALE) | 0;
      const p = (sy >> SHIFT) * width + (sx >> SHIFT);
      const wx = sx & (SCALE - 1);
      const wy = sy & (SCALE - 1);
      const wyd = SCALE - wy;
      const c4 = (wy * wx) >> SHIFT;
      const c2 = (wyd * wx) >> SHIFT;
      out[row + x] = ((wyd - c2) * src[p] + c2 * src[p + 1] + (wy - c4) * src[p + width] + c4 * src[p + width + 1] + HALF) >> SHIFT;
      ix += ia;
      iy += ic;
    }
    for (; x < columns; x++) {
      out[row + x] = edgeSample(src, width, height, ix, iy);
      ix += ia;
      iy += ic;
    }
  }
  return { data: out, width, height };
}

/**
 * The run of columns [from, to) of a row starting at (ix, iy) and stepping by (dx, dy) whose
 * samples lie in [1, width − 2) × [1, height − 2): the margin of a pixel covers any drift of the
 * accumulated sums from the exact line.
 */
function interiorSpan(ix: number, iy: number, dx: number, dy: number, width: number, height: number, columns: number): [number, number] {
  let from = 0;
  let to = columns;
  const clip = (start: number, step: number, low: number, high: number) => {
    if (step === 0) {
      if (start < low || start >= high) to = 0;
      return;
    }
    const a = (low - start) / step;
    const b = (high - start) / step;
    from = Math.max(from, Math.ceil(Math.min(a, b)) + 1);
    to = Math.min(to, Math.floor(Math.max(a, b)) - 1);
  };
  clip(ix, dx, 1, width - 2);
  clip(iy, dy, 1, height - 2);
  if (to < from) return [columns, columns];
  return [Math.max(0, from), Math.min(columns, to)];
}

/** A sample near or beyond the edges: libvips reads white beyond them and takes ⌊ix⌋ ∈ [−1, width), ⌊iy⌋ ∈ [−1, height). */
function edgeSample(src: Uint8Array, width: number, height: number, ix: number, iy: number): number {
  const fx = Math.floor(ix);
  const fy = Math.floor(iy);
  if (fx < -1 || fy < -1 || fx >= width || fy >= height) return WHITE;
  return blend(pixel(src, width, height, fx, fy), pixel(src, width, height, fx + 1, fy), pixel(src, width, height, fx, fy + 1), pixel(src, width, height, fx + 1, fy + 1), ix - fx, iy - fy);
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
