/**
 * Adaptive black-and-white for scanned pages: a Sauvola threshold (local mean and spread) so faint
 * pencil keeps its strokes and text on a shaded form field stays black while the shading goes
 * white. Mean and spread are summed over small cells and windowed with integral images of those
 * cells, then the per-cell thresholds are interpolated per pixel: the same result as a per-pixel
 * window to within a cell, but a few megabytes instead of two full-page Float64 integral images
 * (140 MB at 300 dpi A4). At 300 dpi (4-pixel cells) the pixel passes go a 32-bit word at a time,
 * the window sums are streamed a cell row at a time through tables that stay in the cache and are
 * kept between pages (thresholdsOfWords), and for 1-bit output paper is skipped: no threshold is
 * worked out for cells away from ink and groups of paper are not read a second time. "Paper" is
 * any pixel at or above the level no threshold can reach (233 for the default k,
 * alwaysWhiteLevel), not only pure white: scanned paper lies at 235–250 with a few levels of
 * grain, and a skip of pure white alone does nothing on it. About 13 ms CPU per A4 text page on
 * white paper and 18 on scanned paper on a busy 2-core machine, against 200–400 ms byte by byte.
 */
import { packBytes, type PackedBits } from './g4.js';
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
  const plan = planThreshold(image, dpi, options, false);
  const { data, width, height } = image;
  const { words, cellThreshold, cell, cols, rows } = plan;
  if (words) return compareWords(words.pixels, words.stride, width, height, cellThreshold, cols, rows);
  const rowThreshold = new Float64Array(cols);
  const out = Buffer.allocUnsafe(width * height);
  for (let y = 0; y < height; y++) {
    thresholdsAtRow(cellThreshold, cols, rows, cell, y, rowThreshold);
    compareRow(data, out, y * width, width, cell, cols, rowThreshold);
  }
  return out;
}

/**
 * The same threshold as binarizeAdaptive, written as 1-bit rows (1 = black) the G4 coder reads:
 * at 300 dpi straight from the compare, an eighth of the bytes to write and no second pass to pack.
 */
export function binarizeAdaptiveBits(image: GreyImage, dpi: number, options: BinarizeOptions = {}): PackedBits {
  const plan = planThreshold(image, dpi, options, true);
  const { width, height } = image;
  if (plan.words && plan.inked) return compareWordsToBits(plan.words.pixels, plan.words.stride, width, height, plan.cellThreshold, plan.cols, plan.rows, plan.inked);
  return packBytes(binarizeAdaptive(image, dpi, options), width, height, 128);
}

interface ThresholdPlan {
  cell: number;
  cols: number;
  rows: number;
  cellThreshold: Float32Array;
  /** At 300 dpi: the pixels as words, one cell row per word. */
  words?: { pixels: Uint32Array; stride: number };
  /** At 300 dpi, planned for bits: which groups of cells hold ink, and only their thresholds (InkedGroups). */
  inked?: InkedGroups;
}

/**
 * Where the 1-bit compare has work, per cell row and per group of eight cells (32 pixels: one word
 * of output bits). Most of a page is paper: the compare skips its groups without reading a pixel,
 * and no threshold is worked out for a cell the compare never reads.
 */
interface InkedGroups {
  groups: number;
  /**
   * 1 where a group holds any pixel below alwaysWhiteLevel, which the compare must read (all of
   * the last group and cell row); the others' pixels are white whatever their thresholds.
   */
  ink: Uint8Array;
}

/** Checks the arguments and works out Sauvola's threshold per cell. */
function planThreshold(image: GreyImage, dpi: number, options: BinarizeOptions, forBits: boolean): ThresholdPlan {
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

  // At 300 dpi a cell is 4 pixels wide: one 32-bit word. Reading and writing words instead of
  // bytes is what makes a full page take tens of milliseconds instead of hundreds.
  const words = cell === 4 && LITTLE_ENDIAN ? wordRows(data, width, height) : undefined;
  const darkFloor = paperLevel(data) * ABSOLUTE_DARK_SHARE;
  const grid = { width, height, cell, cols, rows, radius, k, darkFloor };
  if (words) {
    if (scratch.thresholds.length < cols * rows) scratch.thresholds = new Float32Array(cols * rows);
    const thresholds = scratch.thresholds.subarray(0, cols * rows);
    const inked = thresholdsOfWords(words.pixels, words.stride, grid, alwaysWhiteLevel(k), thresholds, forBits);
    return { cell, cols, rows, cellThreshold: thresholds, words, inked: forBits ? inked : undefined };
  }
  const { sum, squares } = integralCells(data, width, height, cell, cols, rows);
  return { cell, cols, rows, cellThreshold: cellThresholds(sum, squares, grid, new Float32Array(cols * rows)), words };
}

/**
 * Scratch tables of the word path, kept between pages: a page worker thresholds one page after
 * another, and fresh tables were megabytes of zeroed memory per page. Nothing returned refers to
 * them. The cell sums are kept for one window of 2·radius + 1 cell rows only (a ring), and the window
 * sums for one cell row: a few hundred kilobytes that stay in the cache, where page-sized tables of
 * sums and of their integrals were written and read back once each.
 */
const scratch = {
  /** Ring of cell rows: pixel sum and sum of squares per cell. */
  sums: new Int32Array(0),
  squares: new Int32Array(0),
  /** Per cell column: sums over the window's cell rows, then their running totals along the row. */
  columnSums: new Int32Array(0),
  columnSquares: new Int32Array(0),
  rowSums: new Float64Array(0),
  rowSquares: new Float64Array(0),
  /** Per cell column: its window's first and last-plus-one column, and 1 / the window's pixels. */
  left: new Int32Array(0),
  right: new Int32Array(0),
  perPixel: new Float64Array(0),
  thresholds: new Float32Array(0),
  ink: new Uint8Array(0),
  /** Per group: does the compare run on it in this cell row or a neighbouring one? */
  near: new Uint8Array(0),
  /** Rows copied to word boundaries when the caller's are not on them. */
  padded: new Uint8Array(0),
  /** paperLevel's four histograms of 256 levels. */
  paperHistograms: new Uint32Array(1024),
};

function scratchInt32(name: 'sums' | 'squares' | 'columnSums' | 'columnSquares' | 'left' | 'right', length: number): Int32Array {
  if (scratch[name].length < length) scratch[name] = new Int32Array(length);
  return scratch[name].subarray(0, length);
}

function scratchFloat64(name: 'rowSums' | 'rowSquares' | 'perPixel', length: number): Float64Array {
  if (scratch[name].length < length) scratch[name] = new Float64Array(length);
  return scratch[name].subarray(0, length);
}

function scratchBytes(name: 'ink' | 'near', length: number): Uint8Array {
  if (scratch[name].length < length) scratch[name] = new Uint8Array(length);
  return scratch[name].subarray(0, length);
}

const alwaysWhiteLevels = new Map<number, number>();

/**
 * The lowest grey level no threshold reaches with Sauvola's k: a pixel at or above it is white
 * whatever its window. A window's mean m and spread sd obey sd ≤ √(m(255 − m)) (Bhatia–Davis, for
 * values in 0..255), so its threshold m(1 − k + k·sd/R) is at most the largest over m of
 * m(1 − k + k·√(m(255 − m))/R): 232.2 for k = 0.1 (at m ≈ 252), so 233. The dark floor (at most
 * 0.4 × 255) lies far below. Half a level of margin covers the grid over m and rounding.
 */
export function alwaysWhiteLevel(k: number): number {
  let level = alwaysWhiteLevels.get(k);
  if (level === undefined) {
    let highest = 255 * ABSOLUTE_DARK_SHARE;
    for (let m = 0; m <= 255; m += 1 / 64) {
      const t = m * (1 - k + (k / DYNAMIC_RANGE) * Math.sqrt(m * (255 - m)));
      if (t > highest) highest = t;
    }
    level = Math.min(255, Math.ceil(highest + 0.5));
    alwaysWhiteLevels.set(k, level);
  }
  return level;
}

/**
 * Sauvola's threshold per cell for the word path (cells of 4×4 pixels), streamed a cell row at a
 * time: the sums of cell row cr go into the ring and into the per-column window sums, and the
 * thresholds of cell row cr − radius (whose window then holds every row it needs) come from
 * running totals of those along the row. Every sum is an integer below 2^53, so the window sums are
 * exact, the same numbers summed-area tables give, and so are the thresholds.
 *
 * Beside them, which groups of eight cells hold a pixel below `white` (InkedGroups.ink). With
 * `forBits`, thresholds only for the cells the 1-bit compare reads: a row of pixels in cell row cy
 * interpolates between cell rows cy − 1 and cy or cy and cy + 1, and a group's pixels between its
 * own cells and the one either side; so a cell needs a threshold when its group or a neighbouring
 * one holds ink in its cell row or the one above or below. The others keep whatever an earlier
 * page left there.
 */
function thresholdsOfWords(
  pixels: Uint32Array,
  stride: number,
  grid: { width: number; height: number; cell: number; cols: number; rows: number; radius: number; k: number; darkFloor: number },
  white: number,
  out: Float32Array,
  forBits: boolean,
): InkedGroups {
  const { width, height, cols, rows, radius, k, darkFloor } = grid;
  const groups = (cols + 7) >>> 3;
  const ink = scratchBytes('ink', groups * rows);
  ink.fill(0);
  // The ring holds the cell rows of one window: row cr goes where row cr − span, which leaves the
  // window as it comes in, was. It starts at zeros, rows that were never there.
  const span = 2 * radius + 1;
  const ringSums = scratchInt32('sums', span * cols);
  const ringSquares = scratchInt32('squares', span * cols);
  ringSums.fill(0);
  ringSquares.fill(0);
  const columnSums = scratchInt32('columnSums', cols);
  const columnSquares = scratchInt32('columnSquares', cols);
  columnSums.fill(0);
  columnSquares.fill(0);
  const rowSums = scratchFloat64('rowSums', cols + 1);
  const rowSquares = scratchFloat64('rowSquares', cols + 1);
  rowSums[0] = 0;
  rowSquares[0] = 0;
  const near = scratchBytes('near', groups);
  // Each column's window edges, once instead of once per row; 1 / pixels per window height.
  const left = scratchInt32('left', cols);
  const right = scratchInt32('right', cols);
  for (let cx = 0; cx < cols; cx++) {
    left[cx] = Math.max(0, cx - radius);
    right[cx] = Math.min(cols, cx + radius + 1);
  }
  const perPixel = scratchFloat64('perPixel', cols);
  let perPixelHeight = -1;
  const slope = k / DYNAMIC_RANGE;
  for (let cr = 0; cr < rows + radius; cr++) {
    // The window of cell row cr − radius: rows cr − 2·radius to cr. Row cr comes in, row cr − span leaves.
    const slot = (cr % span) * cols;
    if (cr < rows) sumsOfCellRow(pixels, stride, height, cr, cols, groups, white, ringSums, ringSquares, slot, columnSums, columnSquares, ink);
    else {
      for (let cx = 0; cx < cols; cx++) {
        columnSums[cx] -= ringSums[slot + cx];
        columnSquares[cx] -= ringSquares[slot + cx];
      }
    }
    const cy = cr - radius;
    if (cy < 0) continue;

    // Which groups the compare runs on in cell row cy or a neighbouring one.
    const here = cy * groups;
    let reads = forBits ? 0 : 1;
    for (let g = 0; g < groups; g++) {
      const n = ink[here + g] | (cy > 0 ? ink[here - groups + g] : 0) | (cy < rows - 1 ? ink[here + groups + g] : 0);
      near[g] = n;
      reads |= n;
    }
    if (reads === 0) continue;

    const y0 = Math.max(0, cy - radius);
    const y1 = Math.min(rows, cy + radius + 1);
    const windowHeight = Math.min(height, y1 * 4) - y0 * 4;
    if (windowHeight !== perPixelHeight) {
      perPixelHeight = windowHeight;
      for (let cx = 0; cx < cols; cx++) perPixel[cx] = 1 / (windowHeight * (Math.min(width, right[cx] * 4) - left[cx] * 4));
    }
    runningTotals(columnSums, rowSums, cols);
    runningTotals(columnSquares, rowSquares, cols);
    const base = cy * cols;
    // With `forBits`, the cells of each group the compare runs on and the one either side, which
    // its pixels step towards; without, all of them.
    let done = 0;
    for (let g = 0; g < groups; g++) {
      if (forBits && near[g] === 0) continue;
      const start = forBits ? Math.max(done, (g << 3) - 1) : g << 3;
      const end = Math.min(cols, (g << 3) + (forBits ? 9 : 8));
      done = end;
      for (let cx = start; cx < end; cx++) {
        const x0 = left[cx];
        const x1 = right[cx];
        const mean = (rowSums[x1] - rowSums[x0]) * perPixel[cx];
        const meanSquare = (rowSquares[x1] - rowSquares[x0]) * perPixel[cx];
        const variance = meanSquare - mean * mean;
        // Same as mean * (1 + k * (sd / R - 1)).
        const t = mean * (1 - k + slope * Math.sqrt(variance > 0 ? variance : 0));
        out[base + cx] = t > darkFloor ? t : darkFloor;
      }
    }
  }
  return { groups, ink };
}

/**
 * totals[x] = the sum of values[0 .. x − 1], exactly (integers below 2^53). Four at a time from
 * the last total, so the chain of dependent additions is a quarter as long.
 */
function runningTotals(values: Int32Array, totals: Float64Array, count: number): void {
  let total = 0;
  totals[0] = 0;
  let x = 0;
  for (; x + 4 <= count; x += 4) {
    const a = values[x];
    const ab = a + values[x + 1];
    const abc = ab + values[x + 2];
    const abcd = abc + values[x + 3];
    totals[x + 1] = total + a;
    totals[x + 2] = total + ab;
    totals[x + 3] = total + abc;
    total += abcd;
    totals[x + 4] = total;
  }
  for (; x < count; x++) {
    total += values[x];
    totals[x + 1] = total;
  }
}

/**
 * Pixel sum and sum of squares of each 4×4 cell of cell row cy (one word per pixel row) into the
 * ring at `base`, over the row they replace, and the difference into the column sums (a cell's
 * squares are at most 16 × 255², a column's at most 149 cells of those: Int32 holds both). A cell
 * of pure white (clean paper) is one test, and nothing to do when the cell it replaces was white
 * too. Beside them, which groups of eight cells hold a pixel below `white` (InkedGroups.ink): on
 * scanned paper most cells need their sums (every window's mean and spread counts them) but few
 * hold such a pixel.
 */
function sumsOfCellRow(
  pixels: Uint32Array,
  stride: number,
  height: number,
  cy: number,
  cols: number,
  groups: number,
  white: number,
  sums: Int32Array,
  squares: Int32Array,
  base: number,
  columnSums: Int32Array,
  columnSquares: Int32Array,
  ink: Uint8Array,
): void {
  const first = cy * 4 * stride;
  const end = Math.min(height, cy * 4 + 4) * stride;
  const groupBase = cy * groups;
  // The compare always works out the last group (its last cell has no neighbour to step to).
  ink[groupBase + groups - 1] = 1;
  if (end - first < 4 * stride) {
    // The last, shorter cell row: word by word.
    ink.fill(1, groupBase, groupBase + groups);
    for (let cx = 0; cx < cols; cx++) {
      let s = 0;
      let q = 0;
      for (let i = first + cx; i < end; i += stride) {
        const w = pixels[i];
        s += (w & 255) + ((w >>> 8) & 255) + ((w >>> 16) & 255) + (w >>> 24);
        q += squaresOfWord(w);
      }
      columnSums[cx] = (columnSums[cx] + s - sums[base + cx]) | 0;
      columnSquares[cx] = (columnSquares[cx] + q - squares[base + cx]) | 0;
      sums[base + cx] = s;
      squares[base + cx] = q;
    }
    return;
  }
  // With white ≥ 128, a pixel below it is a byte of ~w above n = 255 − white ≤ 127, and
  // ((x + (127 − n) per byte) | x) has a byte's top bit set for every such byte of x (a carry out
  // of a byte comes only from a byte that has its own top bit set already): two operations a word.
  // Otherwise per 16-bit lane 0x100 + pixel − white keeps bit 8 exactly when the pixel is at least `white`.
  const byteWise = white >= 128;
  const below = (white - 128) * 0x01010101;
  const bound = white * 0x10001;
  let inked = ink[groupBase];
  for (let cx = 0, i = first; cx < cols; cx++, i++) {
    if ((cx & 7) === 0) inked = ink[groupBase + (cx >>> 3)];
    const w0 = pixels[i];
    const w1 = pixels[i + stride];
    const w2 = pixels[i + 2 * stride];
    const w3 = pixels[i + 3 * stride];
    const k = base + cx;
    if ((w0 & w1 & w2 & w3) === -1) {
      // A sum of 16 × 255 is pure white, squares and all.
      if (sums[k] !== 16 * 255) {
        columnSums[cx] = (columnSums[cx] + 16 * 255 - sums[k]) | 0;
        columnSquares[cx] = (columnSquares[cx] + 16 * 255 * 255 - squares[k]) | 0;
        sums[k] = 16 * 255;
        squares[k] = 16 * 255 * 255;
      }
      continue;
    }
    if (inked === 0) {
      let dark: number;
      if (byteWise) {
        const x0 = ~w0;
        const x1 = ~w1;
        const x2 = ~w2;
        const x3 = ~w3;
        dark = (((x0 + below) | 0) | x0 | ((x1 + below) | 0) | x1 | ((x2 + below) | 0) | x2 | ((x3 + below) | 0) | x3) & 0x80808080;
      } else {
        const lanes =
          (((w0 & 0xff00ff) | 0x1000100) - bound) & ((((w0 >>> 8) & 0xff00ff) | 0x1000100) - bound) &
          (((w1 & 0xff00ff) | 0x1000100) - bound) & ((((w1 >>> 8) & 0xff00ff) | 0x1000100) - bound) &
          (((w2 & 0xff00ff) | 0x1000100) - bound) & ((((w2 >>> 8) & 0xff00ff) | 0x1000100) - bound) &
          (((w3 & 0xff00ff) | 0x1000100) - bound) & ((((w3 >>> 8) & 0xff00ff) | 0x1000100) - bound);
        dark = (lanes & 0x1000100) ^ 0x1000100;
      }
      if (dark !== 0) inked = ink[groupBase + (cx >>> 3)] = 1;
    }
    // The sum two bytes a lane (16-bit lanes, at most 8 × 255 each). The squares from the same
    // lanes: the low 16 bits of lane × lane are the low byte squared (the cross term sits above
    // them, the high byte's square past 32 bits), the high byte squared on its own.
    const e0 = w0 & 0xff00ff;
    const o0 = (w0 >>> 8) & 0xff00ff;
    const e1 = w1 & 0xff00ff;
    const o1 = (w1 >>> 8) & 0xff00ff;
    const e2 = w2 & 0xff00ff;
    const o2 = (w2 >>> 8) & 0xff00ff;
    const e3 = w3 & 0xff00ff;
    const o3 = (w3 >>> 8) & 0xff00ff;
    const t = e0 + o0 + e1 + o1 + e2 + o2 + e3 + o3;
    const s = (t & 0xffff) + (t >>> 16);
    const q =
      (Math.imul(e0, e0) & 0xffff) + Math.imul(e0 >>> 16, e0 >>> 16) + (Math.imul(o0, o0) & 0xffff) + Math.imul(o0 >>> 16, o0 >>> 16) +
      (Math.imul(e1, e1) & 0xffff) + Math.imul(e1 >>> 16, e1 >>> 16) + (Math.imul(o1, o1) & 0xffff) + Math.imul(o1 >>> 16, o1 >>> 16) +
      (Math.imul(e2, e2) & 0xffff) + Math.imul(e2 >>> 16, e2 >>> 16) + (Math.imul(o2, o2) & 0xffff) + Math.imul(o2 >>> 16, o2 >>> 16) +
      (Math.imul(e3, e3) & 0xffff) + Math.imul(e3 >>> 16, e3 >>> 16) + (Math.imul(o3, o3) & 0xffff) + Math.imul(o3 >>> 16, o3 >>> 16);
    columnSums[cx] = (columnSums[cx] + s - sums[k]) | 0;
    columnSquares[cx] = (columnSquares[cx] + q - squares[k]) | 0;
    sums[k] = s;
    squares[k] = q;
  }
}

/**
 * Sauvola's threshold per cell from summed-area tables over cells (integralCells), never below the
 * dark floor: the path for cells other than 4 pixels.
 */
function cellThresholds(
  sum: Float64Array,
  squares: Float64Array,
  grid: { width: number; height: number; cell: number; cols: number; rows: number; radius: number; k: number; darkFloor: number },
  out: Float32Array,
): Float32Array {
  const { width, height, cell, cols, rows, radius, k, darkFloor } = grid;
  const stride = cols + 1;
  // Each column's window edges and pixel width, once instead of once per row.
  const left = new Int32Array(cols);
  const right = new Int32Array(cols);
  const windowWidth = new Float64Array(cols);
  for (let cx = 0; cx < cols; cx++) {
    left[cx] = Math.max(0, cx - radius);
    right[cx] = Math.min(cols, cx + radius + 1);
    windowWidth[cx] = Math.min(width, right[cx] * cell) - left[cx] * cell;
  }
  const slope = k / DYNAMIC_RANGE;
  for (let cy = 0; cy < rows; cy++) {
    const y0 = Math.max(0, cy - radius);
    const y1 = Math.min(rows, cy + radius + 1);
    const windowHeight = Math.min(height, y1 * cell) - y0 * cell;
    const top = y0 * stride;
    const bottom = y1 * stride;
    const base = cy * cols;
    for (let cx = 0; cx < cols; cx++) {
      const x0 = left[cx];
      const x1 = right[cx];
      const perPixel = 1 / (windowHeight * windowWidth[cx]);
      const mean = (sum[bottom + x1] - sum[top + x1] - sum[bottom + x0] + sum[top + x0]) * perPixel;
      const meanSquare = (squares[bottom + x1] - squares[top + x1] - squares[bottom + x0] + squares[top + x0]) * perPixel;
      const variance = meanSquare - mean * mean;
      // Same as mean * (1 + k * (sd / R - 1)).
      const t = mean * (1 - k + slope * Math.sqrt(variance > 0 ? variance : 0));
      out[base + cx] = t > darkFloor ? t : darkFloor;
    }
  }
  return out;
}

function squaresOfWord(w: number): number {
  const b0 = w & 255;
  const b1 = (w >>> 8) & 255;
  const b2 = (w >>> 16) & 255;
  const b3 = w >>> 24;
  return b0 * b0 + b1 * b1 + b2 * b2 + b3 * b3;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The grey bytes as 32-bit words, `stride` words a row. A view of the caller's bytes when rows
 * start on word boundaries; otherwise a copy (in the scratch rows) with each row padded by zeros, which add nothing to
 * the cell sums (the pixel counts come from the image size, not from the words).
 */
function wordRows(data: Uint8Array, width: number, height: number): { pixels: Uint32Array; stride: number } {
  const stride = Math.ceil(width / 4);
  if (width % 4 === 0 && data.byteOffset % 4 === 0) return { pixels: new Uint32Array(data.buffer, data.byteOffset, stride * height), stride };
  if (scratch.padded.length < stride * 4 * height) scratch.padded = new Uint8Array(stride * 4 * height);
  const padded = scratch.padded;
  if (stride * 4 === width) padded.set(data);
  else {
    for (let y = 0; y < height; y++) {
      padded.set(data.subarray(y * width, (y + 1) * width), y * stride * 4);
      padded.fill(0, y * stride * 4 + width, (y + 1) * stride * 4);
    }
  }
  return { pixels: new Uint32Array(padded.buffer, 0, stride * height), stride };
}

/**
 * The compare for cells of 4 pixels, a word at a time. Cell centres sit at 2 pixels into each
 * word, so a word's first two pixels take the previous cell's slope and the last two its own
 * (the same line as compareRow steps along).
 */
function compareWords(
  pixels: Uint32Array,
  stride: number,
  width: number,
  height: number,
  cellThreshold: Float32Array,
  cols: number,
  rows: number,
): Buffer {
  // Every word is written below, so the bytes need no zeroing; a pooled (small) Buffer may sit
  // off a word boundary, and then a fresh one does.
  let target = Buffer.allocUnsafe(stride * 4 * height);
  if (target.byteOffset % 4 !== 0) target = Buffer.alloc(stride * 4 * height);
  const out = new Uint32Array(target.buffer, target.byteOffset, stride * height);
  const last = cols - 1;
  for (let y = 0; y < height; y++) {
    // The y interpolation of thresholdsAtRow, inline: a row array costs as much as the compare.
    const fy = Math.min(rows - 1, Math.max(0, (y + 0.5) / 4 - 0.5));
    const row0 = Math.floor(fy);
    const base0 = row0 * cols;
    const base1 = Math.min(rows - 1, row0 + 1) * cols;
    const wy = fy - row0;
    const offset = y * stride;
    let a = cellThreshold[base0] * (1 - wy) + cellThreshold[base1] * wy;
    let previous = a;
    let previousStep = 0;
    for (let cx = 0; cx < last; cx++) {
      const next = cellThreshold[base0 + cx + 1] * (1 - wy) + cellThreshold[base1 + cx + 1] * wy;
      const step = (next - a) / 4;
      const w = pixels[offset + cx];
      out[offset + cx] =
        ((w & 255) < previous + 2.5 * previousStep ? 0 : 0xff) |
        (((w >>> 8) & 255) < previous + 3.5 * previousStep ? 0 : 0xff00) |
        (((w >>> 16) & 255) < a + 0.5 * step ? 0 : 0xff0000) |
        ((w >>> 24) < a + 1.5 * step ? 0 : 0xff000000);
      previous = a;
      previousStep = step;
      a = next;
    }
    const w = pixels[offset + last];
    out[offset + last] =
      ((w & 255) < previous + 2.5 * previousStep ? 0 : 0xff) |
      (((w >>> 8) & 255) < previous + 3.5 * previousStep ? 0 : 0xff00) |
      (((w >>> 16) & 255) < a ? 0 : 0xff0000) |
      ((w >>> 24) < a ? 0 : 0xff000000);
  }
  // Padded rows close up in place, front to back (copyWithin copies like memmove).
  if (stride * 4 !== width) for (let y = 1; y < height; y++) target.copyWithin(y * width, y * stride * 4, y * stride * 4 + width);
  return target.subarray(0, width * height);
}

/**
 * compareWords writing bits: each 4-pixel word gives 4 bits (1 = black, leftmost pixel in the top
 * bit), eight words one output word. Bits past the image's width stay 0 (white): the padding of
 * wordRows is zeros, which would otherwise read as black.
 *
 * Groups of paper (no pixel below alwaysWhiteLevel) are skipped whole (InkedGroups.ink); the
 * others take the same interpolation as compareWords, so the bits are the same.
 */
function compareWordsToBits(
  pixels: Uint32Array,
  stride: number,
  width: number,
  height: number,
  cellThreshold: Float32Array,
  cols: number,
  rows: number,
  inked: InkedGroups,
): PackedBits {
  const outStride = (width + 31) >>> 5;
  const out = new Uint32Array(outStride * height);
  const last = cols - 1;
  const { ink, groups } = inked;
  // Bits of the last output word that lie on the page (a partial word keeps only its top bits).
  const tailBits = width & 31;
  const tailMask = tailBits === 0 ? 0xffffffff : ~(0xffffffff >>> tailBits);
  // Groups of eight words (one output word) before the one that holds the last cell.
  const wholeGroups = last >>> 3;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(rows - 1, Math.max(0, (y + 0.5) / 4 - 0.5));
    const row0 = Math.floor(fy);
    const row1 = Math.min(rows - 1, row0 + 1);
    const base0 = row0 * cols;
    const base1 = row1 * cols;
    const wy = fy - row0;
    const wy0 = 1 - wy;
    const offset = y * stride;
    const outRow = y * outStride;
    const inkRow = (y >>> 2) * groups;
    for (let group = 0; group < wholeGroups; group++) {
      if (ink[inkRow + group] === 0) continue;
      // Every word, as compareWords steps along: a test to skip paper words costs as much as it
      // saves, its branch going either way beside ink.
      const first = group << 3;
      let a = cellThreshold[base0 + first] * wy0 + cellThreshold[base1 + first] * wy;
      let previous = a;
      let previousStep = 0;
      if (first > 0) {
        previous = cellThreshold[base0 + first - 1] * wy0 + cellThreshold[base1 + first - 1] * wy;
        previousStep = (a - previous) / 4;
      }
      let acc = 0;
      for (let cx = first; cx < first + 8; cx++) {
        const next = cellThreshold[base0 + cx + 1] * wy0 + cellThreshold[base1 + cx + 1] * wy;
        const step = (next - a) / 4;
        const w = pixels[offset + cx];
        const nibble =
          ((w & 255) < previous + 2.5 * previousStep ? 8 : 0) |
          (((w >>> 8) & 255) < previous + 3.5 * previousStep ? 4 : 0) |
          (((w >>> 16) & 255) < a + 0.5 * step ? 2 : 0) |
          ((w >>> 24) < a + 1.5 * step ? 1 : 0);
        acc |= nibble << (28 - ((cx & 7) << 2));
        previous = a;
        previousStep = step;
        a = next;
      }
      out[outRow + group] = acc;
    }
    // The group that holds the last cell, word by word as compareWords steps along it.
    const first = wholeGroups << 3;
    let a = cellThreshold[base0 + first] * wy0 + cellThreshold[base1 + first] * wy;
    let previous = a;
    let previousStep = 0;
    if (first > 0) {
      previous = cellThreshold[base0 + first - 1] * wy0 + cellThreshold[base1 + first - 1] * wy;
      previousStep = (a - previous) / 4;
    }
    let acc = 0;
    for (let cx = first; cx < last; cx++) {
      const next = cellThreshold[base0 + cx + 1] * wy0 + cellThreshold[base1 + cx + 1] * wy;
      const step = (next - a) / 4;
      const w = pixels[offset + cx];
      if (w !== 0xffffffff) {
        const nibble =
          ((w & 255) < previous + 2.5 * previousStep ? 8 : 0) |
          (((w >>> 8) & 255) < previous + 3.5 * previousStep ? 4 : 0) |
          (((w >>> 16) & 255) < a + 0.5 * step ? 2 : 0) |
          ((w >>> 24) < a + 1.5 * step ? 1 : 0);
        acc |= nibble << (28 - ((cx & 7) << 2));
      }
      previous = a;
      previousStep = step;
      a = next;
    }
    // The last cell: its right half keeps the cell's own threshold (nothing to step towards).
    const w = pixels[offset + last];
    const nibble =
      ((w & 255) < previous + 2.5 * previousStep ? 8 : 0) |
      (((w >>> 8) & 255) < previous + 3.5 * previousStep ? 4 : 0) |
      (((w >>> 16) & 255) < a ? 2 : 0) |
      ((w >>> 24) < a ? 1 : 0);
    acc |= nibble << (28 - ((last & 7) << 2));
    out[outRow + wholeGroups] = acc & tailMask;
  }
  return { words: out, width, height, stride: outStride };
}

/**
 * Summed-area tables over cells: pixel sum and sum of squares, (cols+1)×(rows+1). One pass over
 * the pixels into per-column Int32 accumulators (a cell of at most 32 rows cannot overflow them);
 * the cell-level tables are Float64 because page totals of squares exceed 2^31.
 */
function integralCells(
  data: Uint8Array,
  width: number,
  height: number,
  cell: number,
  cols: number,
  rows: number,
): { sum: Float64Array; squares: Float64Array } {
  const stride = cols + 1;
  const sum = new Float64Array(stride * (rows + 1));
  const squares = new Float64Array(stride * (rows + 1));
  const columnSum = new Int32Array(width);
  const columnSquares = new Int32Array(width);
  for (let cy = 0; cy < rows; cy++) {
    columnSum.fill(0);
    columnSquares.fill(0);
    const yEnd = Math.min(height, (cy + 1) * cell);
    for (let y = cy * cell; y < yEnd; y++) {
      const offset = y * width;
      for (let x = 0; x < width; x++) {
        const v = data[offset + x];
        columnSum[x] += v;
        columnSquares[x] += v * v;
      }
    }
    let rowSum = 0;
    let rowSquares = 0;
    const above = cy * stride;
    const here = above + stride;
    for (let cx = 0; cx < cols; cx++) {
      const xEnd = Math.min(width, (cx + 1) * cell);
      let s = 0;
      let q = 0;
      for (let x = cx * cell; x < xEnd; x++) {
        s += columnSum[x];
        q += columnSquares[x];
      }
      rowSum += s;
      rowSquares += q;
      sum[here + cx + 1] = sum[above + cx + 1] + rowSum;
      squares[here + cx + 1] = squares[above + cx + 1] + rowSquares;
    }
  }
  return { sum, squares };
}

/** The cell thresholds interpolated in y to row `y` (between cell centres, flat beyond the outer ones). */
function thresholdsAtRow(values: Float32Array, cols: number, rows: number, cell: number, y: number, out: Float64Array): void {
  const fy = Math.min(rows - 1, Math.max(0, (y + 0.5) / cell - 0.5));
  const row0 = Math.floor(fy);
  const row1 = Math.min(rows - 1, row0 + 1);
  const wy = fy - row0;
  const base0 = row0 * cols;
  const base1 = row1 * cols;
  for (let cx = 0; cx < cols; cx++) out[cx] = values[base0 + cx] * (1 - wy) + values[base1 + cx] * wy;
}

/**
 * Black where a pixel is darker than its threshold, stepping the threshold linearly in x between
 * cell centres: interpolation and comparison in one pass, with no per-pixel threshold array.
 */
function compareRow(data: Uint8Array, out: Uint8Array, offset: number, width: number, cell: number, cols: number, thresholds: Float64Array): void {
  const half = cell / 2;
  const firstEnd = Math.min(width, Math.ceil(half - 0.5));
  compareFlat(data, out, offset, offset + firstEnd, thresholds[0]);
  for (let cx = 0; cx < cols - 1; cx++) {
    const a = thresholds[cx];
    const step = (thresholds[cx + 1] - a) / cell;
    const start = Math.ceil(cx * cell + half - 0.5);
    const end = Math.min(width, Math.ceil((cx + 1) * cell + half - 0.5));
    let t = a + (start + 0.5 - (cx * cell + half)) * step;
    for (let i = offset + start, stop = offset + end; i < stop; i++) {
      out[i] = data[i] < t ? 0 : 255;
      t += step;
    }
  }
  compareFlat(data, out, offset + Math.max(0, Math.ceil((cols - 1) * cell + half - 0.5)), offset + width, thresholds[cols - 1]);
}

function compareFlat(data: Uint8Array, out: Uint8Array, start: number, end: number, threshold: number): void {
  for (let i = start; i < end; i++) out[i] = data[i] < threshold ? 0 : 255;
}

/** The paper's brightness: the 90th percentile of a sample of pixels (robust to borders and photos). */
function paperLevel(data: Uint8Array): number {
  const total = Math.ceil(data.length / 7);
  // Every 7th pixel is plenty for a percentile and skips most of a full-page pass. When over a
  // tenth of them are pure white the 90th percentile is 255: on a clean page a count of those
  // says so after the top margin. Scanned paper is not pure white: its samples go into four
  // histograms in turn, as grain keeps hitting the same few levels and a count bumped right after
  // its own store waits for it (half the time of one histogram on textured paper). Seven words
  // hold four samples (bytes 0, 7, 14 and 21 of 28), one for each histogram; read as words when
  // the bytes lie on a word boundary, a little-endian word's first byte being its lowest.
  const lanes = scratch.paperHistograms;
  lanes.fill(0);
  let i = 0;
  if (LITTLE_ENDIAN && data.byteOffset % 4 === 0) {
    const words = new Uint32Array(data.buffer, data.byteOffset, data.length >>> 2);
    const blocks = Math.floor(words.length / 7);
    // The count of pure white so far, every 1,024 blocks (28 KB) and at the end.
    for (let block = 0; block < blocks; ) {
      const end = Math.min(blocks, block + 1024);
      for (let j = block * 7; block < end; block++, j += 7) {
        lanes[words[j] & 255]++;
        lanes[256 + (words[j + 1] >>> 24)]++;
        lanes[512 + ((words[j + 3] >>> 16) & 255)]++;
        lanes[768 + ((words[j + 5] >>> 8) & 255)]++;
      }
      if ((lanes[255] + lanes[511] + lanes[767] + lanes[1023]) * 10 > total) return 255;
    }
    i = blocks * 28;
  }
  for (let lane = 0; i < data.length; i += 7) {
    lanes[lane + data[i]]++;
    lane = (lane + 256) & 1023;
  }
  let seen = 0;
  for (let level = 0; level < 256; level++) {
    seen += lanes[level] + lanes[256 + level] + lanes[512 + level] + lanes[768 + level];
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
