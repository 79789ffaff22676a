/**
 * Adaptive black-and-white for scanned pages: a Sauvola threshold (local mean and spread) so faint
 * pencil keeps its strokes and text on a shaded form field stays black while the shading goes
 * white. Mean and spread are summed over small cells and windowed with integral images of those
 * cells, then the per-cell thresholds are interpolated per pixel: the same result as a per-pixel
 * window to within a cell, but a few megabytes instead of two full-page Float64 integral images
 * (140 MB at 300 dpi A4). At 300 dpi (4-pixel cells) the pixel passes go a 32-bit word at a time,
 * the cell tables are kept between pages, and for 1-bit output paper is skipped: no threshold is
 * worked out for cells away from ink, groups of paper are not read a second time, and paper words
 * beside ink pass one integer test. "Paper" is any pixel at or above the level no threshold can
 * reach (233 for the default k, alwaysWhiteLevel), not only pure white: scanned paper lies at
 * 235–250 with a few levels of grain, and a skip of pure white alone does nothing on it. About 17
 * ms CPU per A4 text page on a busy 2-core machine (23 ms before that skipping), against 200–400 ms
 * byte by byte.
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
  /**
   * Per group and cell row whose compare runs: the largest threshold of the group's cells and of
   * the one either side (what its pixels' thresholds interpolate between), for a quick test that
   * a word's four pixels all lie above every threshold they could get.
   */
  highest: Float32Array;
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
    const cells = cellSumsOfWords(words.pixels, words.stride, height, cols, rows, alwaysWhiteLevel(k));
    const { sum, squares } = integralOfCells(cells.sums, cells.squares, cols, rows);
    if (scratch.thresholds.length < cols * rows) scratch.thresholds = new Float32Array(cols * rows);
    const thresholds = scratch.thresholds.subarray(0, cols * rows);
    if (!forBits) return { cell, cols, rows, cellThreshold: cellThresholds(sum, squares, grid, thresholds), words };
    const inked = inkedGroups(cells.ink, cols, rows);
    return { cell, cols, rows, cellThreshold: cellThresholds(sum, squares, grid, thresholds, inked), words, inked };
  }
  const { sum, squares } = integralCells(data, width, height, cell, cols, rows);
  return { cell, cols, rows, cellThreshold: cellThresholds(sum, squares, grid, new Float32Array(cols * rows)), words };
}

/**
 * Scratch tables of the word path, kept between pages: a page worker thresholds one page after
 * another, and fresh tables were 13 MB of zeroed memory per page. Nothing returned refers to them.
 */
const scratch = {
  sums: new Int32Array(0),
  squares: new Int32Array(0),
  integralSum: new Float64Array(0),
  integralSquares: new Float64Array(0),
  thresholds: new Float32Array(0),
  ink: new Uint8Array(0),
  highest: new Float32Array(0),
  /** Rows copied to word boundaries when the caller's are not on them. */
  padded: new Uint8Array(0),
  /** paperLevel's four histograms of 256 levels. */
  paperHistograms: new Uint32Array(1024),
};

function scratchInt32(name: 'sums' | 'squares', length: number): Int32Array {
  if (scratch[name].length < length) scratch[name] = new Int32Array(length);
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
 * Pixel sum and sum of squares of each 4×4 cell, one word per cell row, in Int32 tables (a cell's
 * squares are at most 16 × 255²). A cell of pure white (clean paper) is one test. Beside them,
 * which groups of eight cells hold a pixel below `white` (InkedGroups.ink): on scanned paper most
 * cells need their sums (every window's mean and spread counts them) but few hold such a pixel.
 */
function cellSumsOfWords(
  pixels: Uint32Array,
  stride: number,
  height: number,
  cols: number,
  rows: number,
  white: number,
): { sums: Int32Array; squares: Int32Array; ink: Uint8Array } {
  const sums = scratchInt32('sums', cols * rows);
  const squares = scratchInt32('squares', cols * rows);
  sums.fill(16 * 255);
  squares.fill(16 * 255 * 255);
  const groups = (cols + 7) >>> 3;
  if (scratch.ink.length < groups * rows) scratch.ink = new Uint8Array(groups * rows);
  const ink = scratch.ink.subarray(0, groups * rows);
  ink.fill(0);
  // Per 16-bit lane 0x100 + pixel − white keeps bit 8 exactly when the pixel is at least `white`.
  const bound = white * 0x10001;
  for (let cy = 0; cy < rows; cy++) {
    const first = cy * 4 * stride;
    const end = Math.min(height, cy * 4 + 4) * stride;
    const base = cy * cols;
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
        sums[base + cx] = s;
        squares[base + cx] = q;
      }
      continue;
    }
    for (let cx = 0, i = first; cx < cols; cx++, i++) {
      const w0 = pixels[i];
      const w1 = pixels[i + stride];
      const w2 = pixels[i + 2 * stride];
      const w3 = pixels[i + 3 * stride];
      if ((w0 & w1 & w2 & w3) === -1) continue;
      const group = groupBase + (cx >>> 3);
      if (ink[group] === 0) {
        const lanes =
          (((w0 & 0xff00ff) | 0x1000100) - bound) & ((((w0 >>> 8) & 0xff00ff) | 0x1000100) - bound) &
          (((w1 & 0xff00ff) | 0x1000100) - bound) & ((((w1 >>> 8) & 0xff00ff) | 0x1000100) - bound) &
          (((w2 & 0xff00ff) | 0x1000100) - bound) & ((((w2 >>> 8) & 0xff00ff) | 0x1000100) - bound) &
          (((w3 & 0xff00ff) | 0x1000100) - bound) & ((((w3 >>> 8) & 0xff00ff) | 0x1000100) - bound);
        if ((lanes & 0x1000100) !== 0x1000100) ink[group] = 1;
      }
      // The sum two bytes a lane (16-bit lanes, at most 8 × 255 each), the squares a byte at a time.
      const t =
        (w0 & 0xff00ff) + ((w0 >>> 8) & 0xff00ff) + (w1 & 0xff00ff) + ((w1 >>> 8) & 0xff00ff) +
        (w2 & 0xff00ff) + ((w2 >>> 8) & 0xff00ff) + (w3 & 0xff00ff) + ((w3 >>> 8) & 0xff00ff);
      sums[base + cx] = (t & 0xffff) + (t >>> 16);
      squares[base + cx] = squaresOfWord(w0) + squaresOfWord(w1) + squaresOfWord(w2) + squaresOfWord(w3);
    }
  }
  return { sums, squares, ink };
}

/** The groups the compare runs on (InkedGroups), with room for their highest thresholds. */
function inkedGroups(ink: Uint8Array, cols: number, rows: number): InkedGroups {
  const groups = (cols + 7) >>> 3;
  if (scratch.highest.length < groups * rows) scratch.highest = new Float32Array(groups * rows);
  return { groups, ink, highest: scratch.highest.subarray(0, groups * rows) };
}

/**
 * Summed-area tables (as integralCells makes them) from the per-cell sums, in tables kept between
 * pages: only their first row and column need zeros, every other entry is written.
 */
function integralOfCells(sums: Int32Array, squares: Int32Array, cols: number, rows: number): { sum: Float64Array; squares: Float64Array } {
  const tableStride = cols + 1;
  const size = tableStride * (rows + 1);
  if (scratch.integralSum.length < size) {
    scratch.integralSum = new Float64Array(size);
    scratch.integralSquares = new Float64Array(size);
  }
  const sum = scratch.integralSum;
  const squareSum = scratch.integralSquares;
  sum.fill(0, 0, tableStride);
  squareSum.fill(0, 0, tableStride);
  for (let cy = 0; cy < rows; cy++) {
    const above = cy * tableStride;
    const here = above + tableStride;
    const base = cy * cols;
    sum[here] = 0;
    squareSum[here] = 0;
    let rowSum = 0;
    let rowSquares = 0;
    for (let cx = 0; cx < cols; cx++) {
      rowSum += sums[base + cx];
      rowSquares += squares[base + cx];
      sum[here + cx + 1] = sum[above + cx + 1] + rowSum;
      squareSum[here + cx + 1] = squareSum[above + cx + 1] + rowSquares;
    }
  }
  return { sum, squares: squareSum };
}

/**
 * Sauvola's threshold per cell from the cell tables, never below the dark floor. With `inked`,
 * only for the cells the 1-bit compare reads: a row of pixels in cell row cy interpolates between
 * cell rows cy − 1 and cy or cy and cy + 1, and a group's pixels between its own cells and the one
 * either side; so a cell needs a threshold when its group or a neighbouring one holds ink in its
 * cell row or the one above or below. The others keep whatever an earlier page left there.
 */
function cellThresholds(
  sum: Float64Array,
  squares: Float64Array,
  grid: { width: number; height: number; cell: number; cols: number; rows: number; radius: number; k: number; darkFloor: number },
  out: Float32Array,
  inked?: InkedGroups,
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
    let from = 0;
    let to = cols;
    // Without `inked`, one pass over the whole row; with it, one pass per group the compare reads.
    for (let g = 0; from < cols; g++) {
      if (inked) {
        if (!compareReads(inked, cy, rows, g)) {
          from += 8;
          continue;
        }
        to = Math.min(cols, from + 8);
      }
      for (let cx = from; cx < to; cx++) {
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
      from = to;
    }
    if (inked) highestOfGroups(out, inked, cy, cols, rows);
  }
  return out;
}

/** Does the compare run on group g (−1 and `groups` are none) in cell row cy, cy − 1 or cy + 1? */
function runsNear(inked: InkedGroups, cy: number, rows: number, g: number): number {
  const { groups, ink } = inked;
  if (g < 0 || g >= groups) return 0;
  const here = cy * groups + g;
  return ink[here] | (cy > 0 ? ink[here - groups] : 0) | (cy < rows - 1 ? ink[here + groups] : 0);
}

/** Does the compare read the thresholds of group g's cells in cell row cy? */
function compareReads(inked: InkedGroups, cy: number, rows: number, g: number): number {
  return runsNear(inked, cy, rows, g - 1) | runsNear(inked, cy, rows, g) | runsNear(inked, cy, rows, g + 1);
}

/** InkedGroups.highest for cell row cy, for each group whose compare reads this row. */
function highestOfGroups(thresholds: Float32Array, inked: InkedGroups, cy: number, cols: number, rows: number): void {
  const { groups, highest } = inked;
  const base = cy * cols;
  for (let g = 0; g < groups; g++) {
    if (!runsNear(inked, cy, rows, g)) continue;
    const end = Math.min(cols, (g << 3) + 9);
    let high = 0;
    for (let cx = Math.max(0, (g << 3) - 1); cx < end; cx++) if (thresholds[base + cx] > high) high = thresholds[base + cx];
    highest[cy * groups + g] = high;
  }
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
 * Groups of paper (no pixel below alwaysWhiteLevel) are skipped whole (InkedGroups.ink). In the others most words are paper
 * next to ink: a word whose four pixels all lie above the group's highest threshold (a few integer
 * operations on 16-bit lanes) stays white without its thresholds being worked out; the rest take
 * the same interpolation as compareWords, so the bits are the same.
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
  const { ink, highest, groups } = inked;
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
      // Every threshold of this row's pixels in the group is at most `high`; a pixel of at least
      // floor(high) + 1 is above all of them, however the interpolation rounds.
      const high = Math.max(highest[row0 * groups + group], highest[row1 * groups + group]);
      const bound = (Math.floor(high) + 1) * 0x10001;
      const first = group << 3;
      let acc = 0;
      for (let cx = first; cx < first + 8; cx++) {
        const w = pixels[offset + cx];
        // Per 16-bit lane 0x100 + pixel − bound, which keeps bit 8 exactly when pixel ≥ bound.
        const even = ((w & 0xff00ff) | 0x1000100) - bound;
        const odd = (((w >>> 8) & 0xff00ff) | 0x1000100) - bound;
        if ((even & odd & 0x1000100) === 0x1000100) continue;
        const a = cellThreshold[base0 + cx] * wy0 + cellThreshold[base1 + cx] * wy;
        const next = cellThreshold[base0 + cx + 1] * wy0 + cellThreshold[base1 + cx + 1] * wy;
        const step = (next - a) / 4;
        let previous = a;
        let previousStep = 0;
        if (cx > 0) {
          previous = cellThreshold[base0 + cx - 1] * wy0 + cellThreshold[base1 + cx - 1] * wy;
          previousStep = (a - previous) / 4;
        }
        const nibble =
          ((w & 255) < previous + 2.5 * previousStep ? 8 : 0) |
          (((w >>> 8) & 255) < previous + 3.5 * previousStep ? 4 : 0) |
          (((w >>> 16) & 255) < a + 0.5 * step ? 2 : 0) |
          ((w >>> 24) < a + 1.5 * step ? 1 : 0);
        acc |= nibble << (28 - ((cx & 7) << 2));
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
  // says so after the top margin, with no histogram. Scanned paper is not pure white: its samples
  // go into four histograms in turn, as grain keeps hitting the same few levels and a count bumped
  // right after its own store waits for it (half the time of one histogram on textured paper).
  const lanes = scratch.paperHistograms;
  lanes.fill(0);
  let white = 0;
  let lane = 0;
  for (let i = 0; i < data.length; i += 7) {
    const v = data[i];
    if (v === 255) {
      if (++white * 10 > total) return 255;
    } else lanes[lane + v]++;
    lane = (lane + 256) & 1023;
  }
  let seen = 0;
  for (let level = 0; level < 256; level++) {
    seen += level === 255 ? white : lanes[level] + lanes[256 + level] + lanes[512 + level] + lanes[768 + level];
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
