/**
 * Finds the ink of a grey page for skew measurement: an adaptive threshold against the local
 * paper brightness (so faint pencil survives next to black print, and a grey photo does not
 * swamp the page), with dark regions that touch the image edge (scanner lid, bed edges, the
 * wedges beside a turned page) removed, because their straight edges lie along the scanner's
 * axes and not along the text.
 */
import type { GreyImage } from './types.js';

export interface InkMask {
  /** 1 = ink, 0 = paper; one byte per pixel, same size as the image. */
  mask: Uint8Array;
  width: number;
  height: number;
  /** Contrast threshold used (local paper brightness minus pixel), for diagnostics. */
  threshold: number;
}

/** Ink at least this much darker than the local paper counts, however the histogram looks. */
const MIN_CONTRAST = 18;
/** Never demand more contrast than this, so the grey edges of black strokes still count. */
const MAX_CONTRAST = 110;

export function findInk(image: GreyImage, dpi: number): InkMask {
  const { data, width, height } = image;
  // About 2.7 mm: larger than a glyph stroke, smaller than the spacing of text lines.
  const block = Math.max(6, Math.round((16 * dpi) / 150));
  const grid = blockGrid(width, height, block);
  const level = spreadMax(blockMax(data, width, height, block, grid), grid);

  const threshold = Math.min(MAX_CONTRAST, Math.max(MIN_CONTRAST, otsu(contrastHistogram(data, width, height, block, grid, level))));
  // Globally dark pixels count too, so a dark border is ink from the image edge inwards (inside
  // it the local paper level is dark as well, and contrast alone would miss it).
  const paper = median(level);
  const darkLevel = Math.max(0, paper - Math.max(100, 2 * threshold));
  const mask = new Uint8Array(width * height);
  const cutoffRow = new Float32Array(width);
  for (let y = 0; y < height; y++) {
    interpolateRow(level, grid, block, y, width, cutoffRow);
    const offset = y * width;
    for (let x = 0; x < width; x++) {
      const cut = cutoffRow[x] - threshold + 1;
      mask[offset + x] = data[offset + x] < (cut > darkLevel ? cut : darkLevel) ? 1 : 0;
    }
  }
  removeEdgeRegions(mask, width, height, Math.max(1, Math.round(dpi / 75)));
  return { mask, width, height, threshold };
}

interface Grid {
  cols: number;
  rows: number;
}

function blockGrid(width: number, height: number, block: number): Grid {
  return { cols: Math.ceil(width / block), rows: Math.ceil(height / block) };
}

/**
 * The paper level along row `y`, interpolated bilinearly between block centres. A level that
 * jumped at block borders would draw a square grid into photos and shadows, and the grid's
 * lines at exactly 0° would outscore the text.
 */
function interpolateRow(level: Uint8Array, grid: Grid, block: number, y: number, width: number, out: Float32Array): void {
  const { cols, rows } = grid;
  const fy = Math.min(rows - 1, Math.max(0, (y + 0.5) / block - 0.5));
  const row0 = Math.floor(fy);
  const row1 = Math.min(rows - 1, row0 + 1);
  const wy = fy - row0;
  const at = (bx: number) => level[row0 * cols + bx] * (1 - wy) + level[row1 * cols + bx] * wy;
  const half = block / 2;
  // Left of the first block centre and right of the last one the level is flat.
  const first = at(0);
  for (let x = 0; x < Math.min(width, half); x++) out[x] = first;
  for (let bx = 0; bx < cols - 1; bx++) {
    const a = at(bx);
    const step = (at(bx + 1) - a) / block;
    const start = Math.ceil(bx * block + half - 0.5);
    const end = Math.min(width, Math.ceil((bx + 1) * block + half - 0.5));
    let v = a + (start + 0.5 - (bx * block + half)) * step;
    for (let x = start; x < end; x++) {
      out[x] = v;
      v += step;
    }
  }
  const last = at(cols - 1);
  for (let x = Math.max(0, Math.ceil((cols - 1) * block + half - 0.5)); x < width; x++) out[x] = last;
}

/** Brightest value of each block: the paper level there, whatever ink the block holds. */
function blockMax(data: Uint8Array, width: number, height: number, block: number, grid: Grid): Uint8Array {
  const result = new Uint8Array(grid.cols * grid.rows);
  for (let y = 0; y < height; y++) {
    const rowBase = ((y / block) | 0) * grid.cols;
    const offset = y * width;
    for (let bx = 0; bx < grid.cols; bx++) {
      const end = offset + Math.min(width, (bx + 1) * block);
      let m = result[rowBase + bx];
      for (let i = offset + bx * block; i < end; i++) if (data[i] > m) m = data[i];
      result[rowBase + bx] = m;
    }
  }
  return result;
}

/** Each block takes the brightest of its 3×3 neighbourhood: covers blocks a bold glyph fills. */
function spreadMax(values: Uint8Array, grid: Grid): Uint8Array {
  const { cols, rows } = grid;
  const result = new Uint8Array(values.length);
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      let m = 0;
      for (let yy = Math.max(0, by - 1); yy <= Math.min(rows - 1, by + 1); yy++) {
        for (let xx = Math.max(0, bx - 1); xx <= Math.min(cols - 1, bx + 1); xx++) {
          const v = values[yy * cols + xx];
          if (v > m) m = v;
        }
      }
      result[by * cols + bx] = m;
    }
  }
  return result;
}

/** Histogram of (local paper − pixel) over every other row and column: enough for Otsu. */
function contrastHistogram(data: Uint8Array, width: number, height: number, block: number, grid: Grid, level: Uint8Array): Uint32Array {
  const histogram = new Uint32Array(256);
  for (let y = 0; y < height; y += 2) {
    const levelRow = ((y / block) | 0) * grid.cols;
    const offset = y * width;
    for (let bx = 0; bx < grid.cols; bx++) {
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

/** Otsu's threshold on a 256-bin histogram. */
function otsu(histogram: Uint32Array): number {
  let total = 0;
  let sum = 0;
  for (let i = 0; i < 256; i++) {
    total += histogram[i];
    sum += i * histogram[i];
  }
  let weightBelow = 0;
  let sumBelow = 0;
  let best = 0;
  let bestVariance = -1;
  for (let t = 0; t < 256; t++) {
    weightBelow += histogram[t];
    sumBelow += t * histogram[t];
    const weightAbove = total - weightBelow;
    if (weightBelow === 0) continue;
    if (weightAbove === 0) break;
    const difference = sumBelow / weightBelow - (sum - sumBelow) / weightAbove;
    const variance = weightBelow * weightAbove * difference * difference;
    if (variance > bestVariance) {
      bestVariance = variance;
      // Pixels above t are ink: the threshold is the first contrast value of the upper class.
      best = t + 1;
    }
  }
  return best;
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
