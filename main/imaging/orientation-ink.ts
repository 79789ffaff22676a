/**
 * The ink of a page for orientation detection: an adaptive threshold against the local paper
 * level, then long straight runs removed in both directions. Rules, table frames, scanner borders
 * and dark photo areas hold runs far longer than any glyph stroke; left in, they would fill the
 * gaps between text lines that the line finder relies on, along both axes alike.
 *
 * Kept apart from the skew detector's ink finder on purpose: that one keeps rules (they carry
 * the skew angle); this one needs glyphs only.
 */
import { otsuThreshold, spreadMax } from './ink-levels.js';
import type { GreyImage } from './types.js';

/** Ink must be at least this much darker than the local paper, whatever the histogram says. */
const MIN_CONTRAST = 24;
/** Never demand more contrast than this, so the grey edges of strokes still count. */
const MAX_CONTRAST = 110;
/** Longest run (in inches) a glyph can hold: a 16 pt capital is about 0.17 in tall. */
const MAX_GLYPH_RUN_INCHES = 0.45;

/** 1 = glyph ink, 0 = paper (or ink that belongs to rules, borders and photos). */
export function glyphInk(image: GreyImage, dpi: number): Uint8Array {
  const { data, width, height } = image;
  // About 2.7 mm: larger than a stroke, smaller than the spacing of text lines.
  const block = Math.max(4, Math.round((16 * dpi) / 150));
  const cols = Math.ceil(width / block);
  const rows = Math.ceil(height / block);
  const { lightest, darkest } = blockRange(data, width, height, block, cols, rows);
  const paper = spreadMax(lightest, cols, rows);
  const contrast = Math.min(MAX_CONTRAST, Math.max(MIN_CONTRAST, otsuThreshold(contrastHistogram(data, width, height, block, cols, paper))));
  return thresholdWithoutLongRuns(data, width, height, block, cols, paper, darkest, contrast, Math.max(8, Math.round(MAX_GLYPH_RUN_INCHES * dpi)));
}

/**
 * The ink mask (pixel darker than its block's paper level by `contrast`) with every horizontal and
 * vertical ink run longer than `maxRun` cleared, runs being those of the mask as thresholded (so a
 * table's vertical rules are not cut into short pieces at the crossings by clearing the rows first).
 *
 * One pass down the rows, each row thresholded, then counted into the column runs, then cleared
 * of its own long runs. A column run that ends longer than `maxRun` is cleared in the rows above,
 * which have been counted already. Fused, the row is read while in cache and no pass is needed to
 * clear marked pixels afterwards.
 *
 * Most of a text page is paper: margins, the gaps between lines and words. A block whose darkest
 * pixel is not below its cut holds no ink, so it is not thresholded, and its columns are not
 * walked for runs unless a run is open in them (one is closed on the block's first row of paper).
 */
function thresholdWithoutLongRuns(
  data: Uint8Array,
  width: number,
  height: number,
  block: number,
  cols: number,
  paper: Uint8Array,
  darkest: Uint8Array,
  contrast: number,
  maxRun: number,
): Uint8Array {
  const mask = new Uint8Array(width * height);
  const runLength = new Int32Array(width);
  /** Column runs open in each block's columns. */
  const openRuns = new Int32Array(cols);
  const inkInBlock = new Uint8Array(cols);
  for (let y = 0; y < height; y++) {
    const levelRow = ((y / block) | 0) * cols;
    const offset = y * width;
    let firstInk = width;
    let lastInk = -1;
    for (let bx = 0; bx < cols; bx++) {
      const cut = paper[levelRow + bx] - contrast;
      inkInBlock[bx] = 0;
      if (darkest[levelRow + bx] >= cut) continue;
      const from = bx * block;
      const end = offset + Math.min(width, from + block);
      let ink = 0;
      for (let i = offset + from; i < end; i++) {
        if (data[i] < cut) {
          mask[i] = 1;
          ink = 1;
        }
      }
      if (ink) {
        inkInBlock[bx] = 1;
        if (firstInk === width) firstInk = from;
        lastInk = end - offset - 1;
      }
    }
    // Column runs: a run that ended above this row is cleared if it was too long.
    for (let bx = 0; bx < cols; bx++) {
      if (!inkInBlock[bx] && openRuns[bx] === 0) continue;
      const xEnd = Math.min(width, (bx + 1) * block);
      let open = 0;
      for (let x = bx * block; x < xEnd; x++) {
        if (mask[offset + x] !== 0) {
          runLength[x]++;
          open++;
          continue;
        }
        const length = runLength[x];
        if (length === 0) continue;
        if (length > maxRun) for (let i = (y - length) * width + x; i < offset; i += width) mask[i] = 0;
        runLength[x] = 0;
      }
      openRuns[bx] = open;
    }
    if (lastInk < 0) continue;
    // Row runs, on this row as thresholded (its column runs are counted already).
    let start = -1;
    for (let x = firstInk; x <= lastInk + 1; x++) {
      const ink = x <= lastInk && mask[offset + x] !== 0;
      if (ink && start < 0) start = x;
      else if (!ink && start >= 0) {
        if (x - start > maxRun) mask.fill(0, offset + start, offset + x);
        start = -1;
      }
    }
  }
  for (let x = 0; x < width; x++) {
    const length = runLength[x];
    if (length > maxRun) for (let i = (height - length) * width + x; i < width * height; i += width) mask[i] = 0;
  }
  return mask;
}

/** Each block's lightest pixel (its paper, before spreading) and darkest pixel (none below a cut: no ink to find). */
function blockRange(data: Uint8Array, width: number, height: number, block: number, cols: number, rows: number): { lightest: Uint8Array; darkest: Uint8Array } {
  const lightest = new Uint8Array(cols * rows);
  const darkest = new Uint8Array(cols * rows).fill(255);
  for (let y = 0; y < height; y++) {
    const rowBase = ((y / block) | 0) * cols;
    const offset = y * width;
    for (let bx = 0; bx < cols; bx++) {
      const end = offset + Math.min(width, (bx + 1) * block);
      let high = lightest[rowBase + bx];
      let low = darkest[rowBase + bx];
      for (let i = offset + bx * block; i < end; i++) {
        const v = data[i];
        if (v > high) high = v;
        if (v < low) low = v;
      }
      lightest[rowBase + bx] = high;
      darkest[rowBase + bx] = low;
    }
  }
  return { lightest, darkest };
}

/** Histogram of (local paper − pixel) on every other row and column: enough for Otsu. */
function contrastHistogram(data: Uint8Array, width: number, height: number, block: number, cols: number, paper: Uint8Array): Uint32Array {
  const histogram = new Uint32Array(256);
  for (let y = 0; y < height; y += 2) {
    const levelRow = ((y / block) | 0) * cols;
    const offset = y * width;
    for (let x = 0; x < width; x += 2) {
      const p = paper[levelRow + ((x / block) | 0)];
      const v = data[offset + x];
      histogram[p > v ? p - v : 0]++;
    }
  }
  return histogram;
}
