/**
 * Finds the ink of a grey page for skew measurement: an adaptive threshold against the local
 * paper brightness (so faint pencil survives next to black print, and a grey photo does not
 * swamp the page), with dark regions that touch the image edge (scanner lid, bed edges, the
 * wedges beside a turned page) removed, because their straight edges lie along the scanner's
 * axes and not along the text.
 */
import { otsuThreshold, spreadMax } from './ink-levels.js';
import type { GreyImage } from './types.js';

/**
 * The brightest and darkest pixel of each block of a grey image, row by row (blocks of
 * `block` × `block` pixels from the top left; the last column and row of blocks may be narrower).
 * The orientation ink finder needs the same of the same copy (orientation-ink.ts).
 */
export interface BlockExtremes {
  /** The pixels they were taken from: a user checks that it holds the same image. */
  data: Uint8Array;
  width: number;
  height: number;
  block: number;
  lightest: Uint8Array;
  darkest: Uint8Array;
}

export interface InkMask {
  /**
   * 1 = ink, 0 = paper; one byte per pixel, same size as the image. The thread's one mask
   * buffer: valid until the next findInk on this thread.
   */
  mask: Uint8Array;
  width: number;
  height: number;
  /** Ink pixels before the edge regions were removed: an upper bound for later passes. */
  inkCount: number;
  /** Block size in pixels, and which blocks hold any ink (0 = none), row by row. */
  block: number;
  inkBlocks: Uint8Array;
  blockColumns: number;
  /** Contrast threshold used (local paper brightness minus pixel), for diagnostics. */
  threshold: number;
  extremes: BlockExtremes;
}

/** Ink at least this much darker than the local paper counts, however the histogram looks. */
const MIN_CONTRAST = 18;
/** Never demand more contrast than this, so the grey edges of black strokes still count. */
const MAX_CONTRAST = 110;

export function findInk(image: GreyImage, dpi: number): InkMask {
  const { data, width, height } = image;
  // About 2.7 mm: larger than a glyph stroke, smaller than the spacing of text lines.
  const block = Math.max(6, Math.round((16 * dpi) / 150));
  const cols = Math.ceil(width / block);
  const rows = Math.ceil(height / block);
  const max = new Uint8Array(cols * rows);
  const min = new Uint8Array(cols * rows);
  blockExtremes(data, width, height, block, cols, max, min);
  const level = spreadMax(max, cols, rows);

  const threshold = Math.min(MAX_CONTRAST, Math.max(MIN_CONTRAST, otsuThreshold(contrastHistogram(data, width, height, block, cols, level)) + 1));
  // Globally dark pixels count too, so a dark border is ink from the image edge inwards (inside
  // it the local paper level is dark as well, and contrast alone would miss it).
  const paper = median(level);
  const darkLevel = Math.max(0, paper - Math.max(100, 2 * threshold));

  // A block can hold ink only if its darkest pixel is below the highest cutoff its pixels can
  // get (the interpolation never exceeds the brightest neighbouring level). Most of a page is
  // empty paper, and skipping those blocks is most of the speed.
  const around = spreadMax(level, cols, rows);
  const inkBlocks = new Uint8Array(min.length);
  for (let b = 0; b < min.length; b++) inkBlocks[b] = min[b] < Math.max(darkLevel, around[b] - threshold + 1) ? 1 : 0;

  // Horizontal interpolation between block centres: left centre index and weight per column.
  const left = new Int32Array(width);
  const weight = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const fx = Math.min(cols - 1, Math.max(0, (x + 0.5) / block - 0.5));
    left[x] = Math.min(cols - 2, Math.floor(fx));
    weight[x] = fx - left[x];
    if (cols === 1) {
      left[x] = 0;
      weight[x] = 0;
    }
  }

  const mask = emptyMask(width * height);
  const columnLevel = new Float32Array(cols + 1);
  const shift = 1 - threshold;
  let inkCount = 0;
  for (let y = 0; y < height; y++) {
    const by = (y / block) | 0;
    const fy = Math.min(rows - 1, Math.max(0, (y + 0.5) / block - 0.5));
    const row0 = Math.floor(fy) * cols;
    const row1 = Math.min(rows - 1, Math.floor(fy) + 1) * cols;
    const wy = fy - Math.floor(fy);
    for (let bx = 0; bx < cols; bx++) columnLevel[bx] = level[row0 + bx] * (1 - wy) + level[row1 + bx] * wy + shift;
    columnLevel[cols] = columnLevel[cols - 1];
    const offset = y * width;
    for (let bx = 0; bx < cols; bx++) {
      if (!inkBlocks[by * cols + bx]) continue;
      const start = bx * block;
      const end = Math.min(width, start + block);
      // The cut is linear in x between block centres, so within the block it is highest at one
      // of its ends: pixels at or above that (most of them, paper) need no interpolation.
      const l0 = left[start];
      const l1 = left[end - 1];
      const cutStart = columnLevel[l0] + (columnLevel[l0 + 1] - columnLevel[l0]) * weight[start];
      const cutEnd = columnLevel[l1] + (columnLevel[l1 + 1] - columnLevel[l1]) * weight[end - 1];
      const highest = cutStart > cutEnd ? (cutStart > darkLevel ? cutStart : darkLevel) : cutEnd > darkLevel ? cutEnd : darkLevel;
      for (let x = start; x < end; x++) {
        const v = data[offset + x];
        if (v >= highest) continue;
        const l = left[x];
        const c = columnLevel[l] + (columnLevel[l + 1] - columnLevel[l]) * weight[x];
        if (v < (c > darkLevel ? c : darkLevel)) {
          mask[offset + x] = 1;
          inkCount++;
        }
      }
    }
  }
  removeEdgeRegions(mask, width, height, Math.max(1, Math.round(dpi / 75)));
  const extremes: BlockExtremes = { data, width, height, block, lightest: max, darkest: min };
  const ink: InkMask = { mask, width, height, threshold, inkCount, block, inkBlocks, blockColumns: cols, extremes };
  newest.image = image;
  newest.ink = ink;
  return ink;
}

/**
 * The newest page image and result of this thread, kept alive until the next call replaces them.
 * Once the objects of a page had died, their hidden classes could die too, and the next full GC
 * threw away findInk's optimized code, which checks against them (deopt reason "weak objects"):
 * the loops above were compiled again page after page in the bundled page worker.
 */
const newest: { image?: GreyImage; ink?: InkMask } = {};

/**
 * The thread's mask buffer, emptied for each page. Made per page, a mask of a small copy (about a
 * megabyte) was a fresh external allocation twice for a sideways page, which drives garbage
 * collections; the mask is read only until the skew is measured.
 */
let spareMask = new Uint8Array(0);

function emptyMask(size: number): Uint8Array {
  if (spareMask.length < size) spareMask = new Uint8Array(size);
  const mask = spareMask.subarray(0, size);
  mask.fill(0);
  return mask;
}

/**
 * Brightest (the paper level there, whatever ink the block holds) and darkest value of each block,
 * into `max` and `min`, row by row through the image (a fifth faster than block by block,
 * which the orientation ink finder did before it took this). Plain numbers and arrays in, nothing made: an object made per page
 * would die with it, and the next full GC would throw this loop's optimized code away (deopt
 * reason "weak objects").
 */
export function blockExtremes(data: Uint8Array, width: number, height: number, block: number, cols: number, max: Uint8Array, min: Uint8Array): void {
  max.fill(0);
  min.fill(255);
  for (let y = 0; y < height; y++) {
    const rowBase = ((y / block) | 0) * cols;
    const offset = y * width;
    for (let bx = 0; bx < cols; bx++) {
      const end = offset + Math.min(width, (bx + 1) * block);
      let hi = max[rowBase + bx];
      let lo = min[rowBase + bx];
      for (let i = offset + bx * block; i < end; i++) {
        const v = data[i];
        if (v > hi) hi = v;
        if (v < lo) lo = v;
      }
      max[rowBase + bx] = hi;
      min[rowBase + bx] = lo;
    }
  }
}


/** Histogram of (local paper − pixel) over every other row and column: enough for Otsu. */
function contrastHistogram(data: Uint8Array, width: number, height: number, block: number, cols: number, level: Uint8Array): Uint32Array {
  const histogram = new Uint32Array(256);
  for (let y = 0; y < height; y += 2) {
    const levelRow = ((y / block) | 0) * cols;
    const offset = y * width;
    for (let bx = 0; bx < cols; bx++) {
      const paper = level[levelRow + bx];
      const end = offset + Math.min(width, (bx + 1) * block);
      for (let i = offset + bx * block; i < end; i += 2) {
        const v = data[i];
        histogram[paper > v ? paper - v : 0]++;
      }
    }
  }
  return histogram;
}


function median(values: Uint8Array): number {
  const histogram = new Uint32Array(256);
  for (let i = 0; i < values.length; i++) histogram[values[i]]++;
  let seen = 0;
  for (let i = 0; i < 256; i++) {
    seen += histogram[i];
    if (seen * 2 >= values.length) return i;
  }
  return 255;
}

/**
 * Clears ink runs that start at the image edge, walking inwards from each of the four sides and
 * stepping over gaps of up to `gap` pixels (JPEG noise, a thin bright seam), so a scanner border
 * and the shadow beside it go together.
 */
function removeEdgeRegions(mask: Uint8Array, width: number, height: number, gap: number): void {
  const starts: number[] = [];
  const steps: number[] = [];
  const counts: number[] = [];
  // Record what touches the edge first, so the four walks start from the same mask.
  const touch = (start: number, step: number, count: number) => {
    if (mask[start]) {
      starts.push(start);
      steps.push(step);
      counts.push(count);
    }
  };
  for (let y = 0; y < height; y++) {
    touch(y * width, 1, width);
    touch(y * width + width - 1, -1, width);
  }
  for (let x = 0; x < width; x++) {
    touch(x, width, height);
    touch((height - 1) * width + x, -width, height);
  }
  for (let r = 0; r < starts.length; r++) {
    const start = starts[r];
    const step = steps[r];
    let miss = 0;
    let lastInk = -1;
    for (let i = 0; i < counts[r]; i++) {
      if (mask[start + i * step]) {
        lastInk = i;
        miss = 0;
      } else if (++miss > gap) break;
    }
    for (let i = 0; i <= lastInk; i++) mask[start + i * step] = 0;
  }
}
