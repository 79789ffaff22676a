/**
 * Turns a page at full resolution by any angle that is not a whole number of quarter turns (quarter
 * turns plus the skew), about its centre, on white, cut to the upright page's size: the pixels of
 * sharp's `rotate(degrees, { background: '#ffffff' })` (libvips' bilinear affine, fixed-point
 * weights) with the middle extracted, as the pipeline took them before, for one grey channel or
 * three sRGB ones. test/turn-full.test.ts compares the two.
 *
 * In JS rather than in sharp because the old way cost about 190 ms CPU on a 300 dpi A4 grey page:
 * sharp writes the turned grey out as sRGB (three channels, a 26 MB hand-over), on a canvas grown to
 * the turned page's bounding box whose corners the crop throws away, and a second pipeline then
 * crops it and converts it back to grey. This writes only the pixels kept, in the page's own
 * channels, and a blend whose four neighbours are equal (the paper, mostly) is that value without
 * the weights.
 *
 * The mapping is libvips', as turn-grey.ts reproduces it for the small copy (see there): the
 * turned image spans the rounded bounding box of the turned input; samples are taken in the input
 * bordered by one white pixel on the left and top; each output row of each 128-pixel-wide tile
 * starts at the inverse transform of its first pixel and steps by the inverse matrix' first
 * column, accumulated as libvips accumulates it; a sample blends the 2×2 pixels from (⌊ix⌋, ⌊iy⌋)
 * (bordered), white beyond the input, with weights in 1/4096 truncated and the sum rounded, and is
 * white outright when ⌊ix⌋ ∉ [0, width] or ⌊iy⌋ ∉ [0, height].
 */
import type { RawImage } from './types.js';
import { interiorSpan } from './turn-grey.js';

const SHIFT = 12;
const SCALE = 1 << SHIFT;
const HALF = SCALE >> 1;
const WHITE = 255;
/** Width of libvips' tiles for this operation (its small-tile demand style). */
const TILE = 128;

/** Where the crop of the turned image lies, and the inverse matrix that maps its pixels back. */
interface TurnGeometry {
  /** The turned image's bounding box: its size, and its origin in the forward transform's space. */
  turnedWidth: number;
  turnedHeight: number;
  outLeft: number;
  outTop: number;
  /** The crop's top-left corner in the turned image. */
  left: number;
  top: number;
  ia: number;
  ib: number;
  ic: number;
  id: number;
}

function geometry(width: number, height: number, degrees: number, uprightWidth: number, uprightHeight: number): TurnGeometry {
  const radians = (degrees * Math.PI) / 180;
  // libvips' similarity matrix and its inverse (1 / determinant times the adjugate).
  const a = Math.cos(radians);
  const b = -Math.sin(radians);
  const c = -b;
  const d = a;
  const inverseDet = 1 / (a * d - b * c);
  const xs = [0, a * width, b * height, a * width + b * height];
  const ys = [0, c * width, d * height, c * width + d * height];
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  const turnedWidth = Math.round(Math.max(...xs) - minX);
  const turnedHeight = Math.round(Math.max(...ys) - minY);
  return {
    turnedWidth,
    turnedHeight,
    outLeft: Math.round(minX),
    outTop: Math.round(minY),
    left: Math.max(0, Math.floor((turnedWidth - uprightWidth) / 2)),
    top: Math.max(0, Math.floor((turnedHeight - uprightHeight) / 2)),
    ia: inverseDet * d,
    ib: -inverseDet * b,
    ic: -inverseDet * c,
    id: inverseDet * a,
  };
}

/**
 * The page turned clockwise by `degrees` (as sharp's rotate), cut about the middle to
 * `uprightWidth` × `uprightHeight` (the page's size, sides swapped after an odd number of quarter
 * turns). Undefined when the turned image is smaller than that (sharp's crop would then be smaller
 * too; never for quarter turns plus a skew of a few degrees), or for other than 1 or 3 channels.
 * `out` receives the pixels when given (exactly uprightWidth × uprightHeight × channels bytes).
 */
export function turnPageCentred(image: RawImage, degrees: number, uprightWidth: number, uprightHeight: number, out?: Buffer): RawImage | undefined {
  const { width, height, channels } = image;
  if (channels !== 1 && channels !== 3) return undefined;
  const g = geometry(width, height, degrees, uprightWidth, uprightHeight);
  if (g.turnedWidth < uprightWidth || g.turnedHeight < uprightHeight) return undefined;
  const size = uprightWidth * uprightHeight * channels;
  const target = out && out.length === size ? out : Buffer.allocUnsafe(size);
  const src = new Uint8Array(image.data.buffer, image.data.byteOffset, width * height * channels);
  const dst = new Uint8Array(target.buffer, target.byteOffset, size);
  if (channels === 1) turnGrey(src, width, height, dst, uprightWidth, uprightHeight, g);
  else turnRgb(src, width, height, dst, uprightWidth, uprightHeight, g);
  return { data: target, width: uprightWidth, height: uprightHeight, channels };
}

function turnGrey(src: Uint8Array, width: number, height: number, dst: Uint8Array, uprightWidth: number, uprightHeight: number, g: TurnGeometry): void {
  const { ia, ib, ic, id, left, top } = g;
  const span = new Float64Array(2);
  for (let y = 0; y < uprightHeight; y++) {
    const oy = y + top + g.outTop;
    const row = y * uprightWidth - left;
    // libvips computes the turned image in tiles TILE pixels wide: each tile's row starts afresh
    // from the inverse transform and steps from there.
    for (let tile = Math.floor(left / TILE) * TILE; tile < left + uprightWidth; tile += TILE) {
      const ox = tile + g.outLeft;
      // In the bordered input's coordinates (one pixel right and down).
      let ix = ia * ox + ib * oy + 1;
      let iy = ic * ox + id * oy + 1;
      let x = tile;
      // Steps to the crop's first column one by one, as libvips steps, so the sums round alike.
      for (; x < left; x++) {
        ix += ia;
        iy += ic;
      }
      const end = Math.min(tile + TILE, left + uprightWidth);
      // Where the sample and its right and lower neighbours lie inside the input (with a pixel to
      // spare for the sums' rounding), the blend needs no edge checks: found from the row's line.
      interiorSpan(ix, iy, ia, ic, width, height, end - x, span);
      const inFrom = x + span[0];
      const inTo = x + span[1];
      for (; x < inFrom; x++) {
        dst[row + x] = edgeSample(src, width, height, 1, 0, ix, iy);
        ix += ia;
        iy += ic;
      }
      for (; x < inTo; x++) {
        // Scaling by a power of two is exact, so ⌊ix·4096⌋ holds ⌊ix⌋ and libvips' weight ⌊(ix − ⌊ix⌋)·4096⌋ both.
        const sx = (ix * SCALE) | 0;
        const sy = (iy * SCALE) | 0;
        ix += ia;
        iy += ic;
        const p = ((sy >> SHIFT) - 1) * width + (sx >> SHIFT) - 1;
        const p1 = src[p];
        const p2 = src[p + 1];
        const p3 = src[p + width];
        const p4 = src[p + width + 1];
        // The weights sum to 4096: four white neighbours (clean paper, mostly) blend to white.
        if ((p1 & p2 & p3 & p4) === WHITE) {
          dst[row + x] = WHITE;
          continue;
        }
        const wx = sx & (SCALE - 1);
        const wy = sy & (SCALE - 1);
        const wyd = SCALE - wy;
        const c4 = (wy * wx) >> SHIFT;
        const c2 = (wyd * wx) >> SHIFT;
        dst[row + x] = ((wyd - c2) * p1 + c2 * p2 + (wy - c4) * p3 + c4 * p4 + HALF) >> SHIFT;
      }
      for (; x < end; x++) {
        dst[row + x] = edgeSample(src, width, height, 1, 0, ix, iy);
        ix += ia;
        iy += ic;
      }
    }
  }
}

function turnRgb(src: Uint8Array, width: number, height: number, dst: Uint8Array, uprightWidth: number, uprightHeight: number, g: TurnGeometry): void {
  const { ia, ib, ic, id, left, top } = g;
  const stride = width * 3;
  const span = new Float64Array(2);
  for (let y = 0; y < uprightHeight; y++) {
    const oy = y + top + g.outTop;
    const row = y * uprightWidth - left;
    for (let tile = Math.floor(left / TILE) * TILE; tile < left + uprightWidth; tile += TILE) {
      const ox = tile + g.outLeft;
      let ix = ia * ox + ib * oy + 1;
      let iy = ic * ox + id * oy + 1;
      let x = tile;
      for (; x < left; x++) {
        ix += ia;
        iy += ic;
      }
      const end = Math.min(tile + TILE, left + uprightWidth);
      interiorSpan(ix, iy, ia, ic, width, height, end - x, span);
      const inFrom = x + span[0];
      const inTo = x + span[1];
      for (; x < inFrom; x++) {
        const q = (row + x) * 3;
        for (let band = 0; band < 3; band++) dst[q + band] = edgeSample(src, width, height, 3, band, ix, iy);
        ix += ia;
        iy += ic;
      }
      for (; x < inTo; x++) {
        const sx = (ix * SCALE) | 0;
        const sy = (iy * SCALE) | 0;
        ix += ia;
        iy += ic;
        const p = ((sy >> SHIFT) - 1) * stride + ((sx >> SHIFT) - 1) * 3;
        const q = (row + x) * 3;
        const wx = sx & (SCALE - 1);
        const wy = sy & (SCALE - 1);
        const wyd = SCALE - wy;
        const c4 = (wy * wx) >> SHIFT;
        const c2 = (wyd * wx) >> SHIFT;
        const c1 = wyd - c2;
        const c3 = wy - c4;
        dst[q] = (c1 * src[p] + c2 * src[p + 3] + c3 * src[p + stride] + c4 * src[p + stride + 3] + HALF) >> SHIFT;
        dst[q + 1] = (c1 * src[p + 1] + c2 * src[p + 4] + c3 * src[p + stride + 1] + c4 * src[p + stride + 4] + HALF) >> SHIFT;
        dst[q + 2] = (c1 * src[p + 2] + c2 * src[p + 5] + c3 * src[p + stride + 2] + c4 * src[p + stride + 5] + HALF) >> SHIFT;
      }
      for (; x < end; x++) {
        const q = (row + x) * 3;
        for (let band = 0; band < 3; band++) dst[q + band] = edgeSample(src, width, height, 3, band, ix, iy);
        ix += ia;
        iy += ic;
      }
    }
  }
}

/** One band of a sample near or beyond the edges, at bordered (ix, iy): white beyond the input, white outright when ⌊ix⌋ ∉ [0, width] or ⌊iy⌋ ∉ [0, height]. */
function edgeSample(src: Uint8Array, width: number, height: number, channels: number, band: number, ix: number, iy: number): number {
  const bx = Math.floor(ix);
  const by = Math.floor(iy);
  if (bx < 0 || by < 0 || bx > width || by > height) return WHITE;
  const fx = bx - 1;
  const fy = by - 1;
  const pixel = (x: number, y: number) => (x >= 0 && y >= 0 && x < width && y < height ? src[(y * width + x) * channels + band] : WHITE);
  const wx = ((ix - bx) * SCALE) | 0;
  const wy = ((iy - by) * SCALE) | 0;
  const wyd = SCALE - wy;
  const c4 = (wy * wx) >> SHIFT;
  const c2 = (wyd * wx) >> SHIFT;
  return ((wyd - c2) * pixel(fx, fy) + c2 * pixel(fx + 1, fy) + (wy - c4) * pixel(fx, fy + 1) + c4 * pixel(fx + 1, fy + 1) + HALF) >> SHIFT;
}
