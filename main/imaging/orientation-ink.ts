/**
 * The ink of a page for orientation detection: an adaptive threshold against the local paper
 * level, then long straight runs removed in both directions. Rules, table frames, scanner borders
 * and dark photo areas hold runs far longer than any glyph stroke; left in, they would fill the
 * gaps between text lines that the line finder relies on, along both axes alike.
 *
 * Kept apart from the skew detector's ink finder on purpose: that one keeps rules (they carry
 * the skew angle); this one needs glyphs only.
 */
import { blockExtremes, type BlockExtremes } from './deskew-ink.js';
import { otsuThreshold, spreadMax } from './ink-levels.js';
import type { GreyImage } from './types.js';

/** Ink must be at least this much darker than the local paper, whatever the histogram says. */
const MIN_CONTRAST = 24;
/** Never demand more contrast than this, so the grey edges of strokes still count. */
const MAX_CONTRAST = 110;
/** Longest run (in inches) a glyph can hold: a 16 pt capital is about 0.17 in tall. */
const MAX_GLYPH_RUN_INCHES = 0.45;

/**
 * 1 = glyph ink, 0 = paper (or ink that belongs to rules, borders and photos). `known`: block
 * extremes already measured (the skew measurement's, from the same small copy when it was not
 * turned for the skew), taken only when they are of the very same pixel array (which nothing may
 * change meanwhile) and the same blocks; otherwise every pixel is read again.
 */
export function glyphInk(image: GreyImage, dpi: number, known?: BlockExtremes): Uint8Array {
  const { data, width, height } = image;
  // About 2.7 mm: larger than a stroke, smaller than the spacing of text lines.
  const block = Math.max(4, Math.round((16 * dpi) / 150));
  const cols = Math.ceil(width / block);
  const rows = Math.ceil(height / block);
  let lightest: Uint8Array;
  let darkest: Uint8Array;
  if (known !== undefined && known.data === data && known.width === width && known.height === height && known.block === block) {
    lightest = known.lightest;
    darkest = known.darkest;
  } else {
    // Each block's lightest pixel (its paper, before spreading) and darkest (none below a cut: no ink to find).
    lightest = new Uint8Array(cols * rows);
    darkest = new Uint8Array(cols * rows);
    blockExtremes(data, width, height, block, cols, lightest, darkest);
  }
  const paper = spreadMax(lightest, cols, rows);
  const contrast = Math.min(MAX_CONTRAST, Math.max(MIN_CONTRAST, otsuThreshold(contrastHistogram(data, width, height, block, cols, paper))));
  return thresholdWithoutLongRuns(data, width, height, block, cols, paper, darkest, contrast, Math.max(8, Math.round(MAX_GLYPH_RUN_INCHES * dpi)));
}

/**
 * The ink mask (pixel darker than its block's paper level by `contrast`) with every horizontal and
 * vertical ink run longer than `maxRun` cleared, runs being those of the mask as thresholded (so a
 * table's vertical rules are not cut into short pieces at the crossings by clearing the rows first).
 *
 * One pass down the rows, and along each row one pass: each pixel is thresholded, counted into its
 * column's run and into the row's run. A column run that ends longer than `maxRun` is cleared in
 * the rows above; a row run that ends longer than `maxRun` is cleared in this row, after its
 * pixels have been counted into the column runs, so both kinds of run are those of the mask as
 * thresholded. Fused, each pixel is read once while in cache and no pass clears marked pixels
 * afterwards.
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
  for (let y = 0; y < height; y++) {
    const levelRow = ((y / block) | 0) * cols;
    const offset = y * width;
    /** Start (pixel index) of the row run being walked, or −1. */
    let rowStart = -1;
    for (let bx = 0; bx < cols; bx++) {
      const from = offset + bx * block;
      const end = bx === cols - 1 ? offset + width : from + block;
      const cut = paper[levelRow + bx] - contrast;
      if (darkest[levelRow + bx] >= cut) {
        // No ink in this block: a row run ends at its start, the column runs open in it on this row.
        if (rowStart >= 0) {
          if (from - rowStart > maxRun) mask.fill(0, rowStart, from);
          rowStart = -1;
        }
        if (openRuns[bx] === 0) continue;
        for (let i = from; i < end; i++) {
          const x = i - offset;
          const length = runLength[x];
          if (length === 0) continue;
          if (length > maxRun) for (let k = i - length * width; k < i; k += width) mask[k] = 0;
          runLength[x] = 0;
        }
        openRuns[bx] = 0;
        continue;
      }
      let open = 0;
      for (let i = from; i < end; i++) {
        const x = i - offset;
        if (data[i] < cut) {
          mask[i] = 1;
          runLength[x]++;
          open++;
          if (rowStart < 0) rowStart = i;
          continue;
        }
        if (rowStart >= 0) {
          if (i - rowStart > maxRun) mask.fill(0, rowStart, i);
          rowStart = -1;
        }
        const length = runLength[x];
        if (length === 0) continue;
        if (length > maxRun) for (let k = i - length * width; k < i; k += width) mask[k] = 0;
        runLength[x] = 0;
      }
      openRuns[bx] = open;
    }
    if (rowStart >= 0 && offset + width - rowStart > maxRun) mask.fill(0, rowStart, offset + width);
  }
  for (let x = 0; x < width; x++) {
    const length = runLength[x];
    if (length > maxRun) for (let i = (height - length) * width + x; i < width * height; i += width) mask[i] = 0;
  }
  return mask;
}

/** Histogram of (local paper − pixel) on every other row and column: enough for Otsu. */
function contrastHistogram(data: Uint8Array, width: number, height: number, block: number, cols: number, paper: Uint8Array): Uint32Array {
  const histogram = new Uint32Array(256);
  for (let y = 0; y < height; y += 2) {
    const levelRow = ((y / block) | 0) * cols;
    const offset = y * width;
    // Block by block, from the block's first even column.
    for (let bx = 0; bx < cols; bx++) {
      const p = paper[levelRow + bx];
      const xEnd = Math.min(width, (bx + 1) * block);
      const xFrom = bx * block;
      for (let x = xFrom + (xFrom & 1); x < xEnd; x += 2) {
        const v = data[offset + x];
        histogram[p > v ? p - v : 0]++;
      }
    }
  }
  return histogram;
}
