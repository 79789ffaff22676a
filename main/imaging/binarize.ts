/**
 * Adaptive black-and-white for scanned pages: a Sauvola threshold (local mean and spread) so faint
 * pencil keeps its strokes and text on a shaded form field stays black while the shading goes
 * white. Mean and spread are summed over small cells and windowed with integral images of those
 * cells, then the per-cell thresholds are interpolated per pixel: the same result as a per-pixel
 * window to within a cell, but a few megabytes instead of two full-page Float64 integral images
 * (140 MB at 300 dpi A4).
 */
import type { GreyImage } from './types.js';

export interface BinarizeOptions {
  /**
   * Sauvola's k: how far below the local mean a pixel must be, scaled by how flat the window is.
   * 0.1, not the textbook 0.34–0.5: on generated 300 dpi pages (test/binarize.test.ts), k 0.2
   * keeps 85 % of a #bbb pencil stroke and 0.1 keeps 99 %, while flat paper and flat shading
   * still stay white (there the threshold sits at about 90 % of the local mean, far below the
   * noise) and black print grows by under 2 %.
   */
  k?: number;
  /** Window side in millimetres. About two x-heights of 10 pt text: bold strokes fit inside it. */
  windowMm?: number;
}

export const DEFAULT_SAUVOLA_K = 0.1;
export const DEFAULT_WINDOW_MM = 4;
/** Sauvola's R: the largest standard deviation 8-bit grey can have, roughly. */
const DYNAMIC_RANGE = 128;
/**
 * Pixels darker than this share of the paper's brightness are black whatever their window says:
 * inside a solid black bar or a bold heading the window is flat and dark, and Sauvola alone would
 * threshold its noise into holes.
 */
const ABSOLUTE_DARK_SHARE = 0.4;

/**
 * Returns one byte per pixel, 0 = black, 255 = white, same size as the image. The bytes are a
 * Buffer (a Uint8Array), so they can go straight to sharp as raw 1-channel pixels.
 */
export function binarizeAdaptive(image: GreyImage, dpi: number, options: BinarizeOptions = {}): Uint8Array {
  const { data, width, height } = image;
  checkGrey(image);
  if (!Number.isFinite(dpi) || dpi < 50 || dpi > 2400) {
    throw new RangeError(`binarizeAdaptive: dpi must be between 50 and 2400, got ${dpi}`);
  }
  const k = options.k ?? DEFAULT_SAUVOLA_K;
  const windowMm = options.windowMm ?? DEFAULT_WINDOW_MM;
  if (!(k > 0 && k < 1)) throw new RangeError(`binarizeAdaptive: k must be between 0 and 1, got ${k}`);
  if (!(windowMm >= 0.5 && windowMm <= 50)) throw new RangeError(`binarizeAdaptive: windowMm must be 0.5–50 mm, got ${windowMm}`);

  // Cells of about 1/75 inch: fine enough that the interpolated threshold follows a shading edge.
  const cell = Math.max(1, Math.round(dpi / 75));
  const cols = Math.ceil(width / cell);
  const rows = Math.ceil(height / cell);
  const radius = Math.max(1, Math.round((windowMm * dpi) / 25.4 / cell / 2));

  const { sum, squares, count } = integralCells(data, width, height, cell, cols, rows);
  const darkFloor = paperLevel(data) * ABSOLUTE_DARK_SHARE;
  const cellThreshold = new Float32Array(cols * rows);
  const stride = cols + 1;
  for (let cy = 0; cy < rows; cy++) {
    const y0 = Math.max(0, cy - radius);
    const y1 = Math.min(rows, cy + radius + 1);
    for (let cx = 0; cx < cols; cx++) {
      const x0 = Math.max(0, cx - radius);
      const x1 = Math.min(cols, cx + radius + 1);
      const a = y0 * stride + x0;
      const b = y0 * stride + x1;
      const c = y1 * stride + x0;
      const d = y1 * stride + x1;
      const n = count[d] - count[b] - count[c] + count[a];
      const mean = (sum[d] - sum[b] - sum[c] + sum[a]) / n;
      const variance = Math.max(0, (squares[d] - squares[b] - squares[c] + squares[a]) / n - mean * mean);
      const t = mean * (1 + k * (Math.sqrt(variance) / DYNAMIC_RANGE - 1));
      cellThreshold[cy * cols + cx] = t > darkFloor ? t : darkFloor;
    }
  }

  const out = Buffer.allocUnsafe(width * height);
  // Whole grey levels: comparing two byte arrays is several times faster than bytes against floats.
  const thresholdRow = new Float32Array(width);
  for (let y = 0; y < height; y++) {
    interpolateRow(cellThreshold, cols, rows, cell, y, width, thresholdRow);
    const offset = y * width;
    for (let x = 0; x < width; x++) out[offset + x] = data[offset + x] < thresholdRow[x] ? 0 : 255;
  }
  return out;
}

/** Summed-area tables over cells: pixel sum, sum of squares and pixel count, (cols+1)×(rows+1). */
function integralCells(
  data: Uint8Array,
  width: number,
  height: number,
  cell: number,
  cols: number,
  rows: number,
): { sum: Float64Array; squares: Float64Array; count: Float64Array } {
  const cellSum = new Float64Array(cols * rows);
  const cellSquares = new Float64Array(cols * rows);
  for (let y = 0; y < height; y++) {
    const base = ((y / cell) | 0) * cols;
    const offset = y * width;
    for (let cx = 0; cx < cols; cx++) {
      const end = offset + Math.min(width, (cx + 1) * cell);
      let s = 0;
      let q = 0;
      for (let i = offset + cx * cell; i < end; i++) {
        const v = data[i];
        s += v;
        q += v * v;
      }
      cellSum[base + cx] += s;
      cellSquares[base + cx] += q;
    }
  }
  const stride = cols + 1;
  const sum = new Float64Array(stride * (rows + 1));
  const squares = new Float64Array(stride * (rows + 1));
  const count = new Float64Array(stride * (rows + 1));
  for (let cy = 0; cy < rows; cy++) {
    const cellHeight = Math.min(cell, height - cy * cell);
    let rowSum = 0;
    let rowSquares = 0;
    let rowCount = 0;
    for (let cx = 0; cx < cols; cx++) {
      rowSum += cellSum[cy * cols + cx];
      rowSquares += cellSquares[cy * cols + cx];
      rowCount += cellHeight * Math.min(cell, width - cx * cell);
      const i = (cy + 1) * stride + cx + 1;
      sum[i] = sum[i - stride] + rowSum;
      squares[i] = squares[i - stride] + rowSquares;
      count[i] = count[i - stride] + rowCount;
    }
  }
  return { sum, squares, count };
}

/** The cell thresholds along row `y`, bilinear between cell centres, flat beyond the outer centres. */
function interpolateRow(values: Float32Array, cols: number, rows: number, cell: number, y: number, width: number, out: Float32Array): void {
  const fy = Math.min(rows - 1, Math.max(0, (y + 0.5) / cell - 0.5));
  const row0 = Math.floor(fy);
  const row1 = Math.min(rows - 1, row0 + 1);
  const wy = fy - row0;
  const at = (cx: number) => values[row0 * cols + cx] * (1 - wy) + values[row1 * cols + cx] * wy;
  const half = cell / 2;
  const first = at(0);
  for (let x = 0; x < Math.min(width, Math.ceil(half - 0.5)); x++) out[x] = first;
  for (let cx = 0; cx < cols - 1; cx++) {
    const a = at(cx);
    const step = (at(cx + 1) - a) / cell;
    const start = Math.ceil(cx * cell + half - 0.5);
    const end = Math.min(width, Math.ceil((cx + 1) * cell + half - 0.5));
    let v = a + (start + 0.5 - (cx * cell + half)) * step;
    for (let x = start; x < end; x++) {
      out[x] = v;
      v += step;
    }
  }
  const last = at(cols - 1);
  for (let x = Math.max(0, Math.ceil((cols - 1) * cell + half - 0.5)); x < width; x++) out[x] = last;
}

/** The paper's brightness: the 90th percentile of a sample of pixels (robust to borders and photos). */
function paperLevel(data: Uint8Array): number {
  const histogram = new Uint32Array(256);
  // Every 7th pixel is plenty for a percentile and skips most of a full-page pass.
  for (let i = 0; i < data.length; i += 7) histogram[data[i]]++;
  const total = Math.ceil(data.length / 7);
  let seen = 0;
  for (let level = 0; level < 256; level++) {
    seen += histogram[level];
    if (seen >= total * 0.9) return Math.max(level, 64);
  }
  return 255;
}

function checkGrey(image: GreyImage): void {
  const { data, width, height } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`binarizeAdaptive: width and height must be positive integers, got ${width}×${height}`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height) {
    throw new RangeError(
      `binarizeAdaptive: grey data must hold one byte per pixel (${width * height} bytes for ${width}×${height}), got ${data?.length ?? 'none'}`,
    );
  }
}
