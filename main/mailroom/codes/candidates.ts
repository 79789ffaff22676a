/**
 * Where on a page a barcode may be. Seen at about 100 dpi, any barcode (QR, Data Matrix, Code 128,
 * Code 39) is a patch of roughly half ink, a few millimetres and more across; running text is far
 * lighter (about a fifth). So: ink share in a sliding 3 mm window, dense cells joined into
 * regions, each region grown by a quiet zone. zxing then reads only these crops at full
 * resolution, which costs a few milliseconds instead of a whole-page search.
 */
import type { GreyImage } from '../../imaging/types.js';

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface CandidateRegion extends Region {
  /**
   * Direction of the dense area's long axis, degrees clockwise from horizontal, folded into
   * (−45°, 45°]: a linear code's skew. Meaningless when `elongation` is near 1.
   */
  axisDegrees: number;
  /** Long axis over short axis of the dense area (1 = round or square). */
  elongation: number;
  /**
   * Grey-level change across x over change across y inside the region (or the inverse, whichever
   * is larger): a linear code changes only across its bars (high), text and 2D codes both ways (near 1).
   */
  anisotropy: number;
  /**
   * Which kinds of code the region's shape allows: a 2D code is a compact, isotropic patch; a
   * linear code changes far more across its bars than along them. Text lines (long, isotropic)
   * allow neither and are left out unless `keepTextLines`.
   */
  mayHold: { matrix: boolean; linear: boolean };
}

export interface CandidateOptions {
  /** Ink share (0..1) in the window above which a cell counts as code-like. */
  minInkShare?: number;
  /** A region needs at least one cell this dense (keeps table-rule crossings out). */
  minPeakShare?: number;
  /** Most regions returned (the densest first). */
  maxRegions?: number;
  /** Also return regions shaped like lines of bold text (for the bench and tests). */
  keepTextLines?: boolean;
}

const WINDOW_MM = 3;
const QUIET_MM = 5;
const DEFAULT_MIN_INK = 0.4;
const DEFAULT_MIN_PEAK = 0.5;
const DEFAULT_MAX_REGIONS = 12;

/**
 * Shape limits, with wide margins to what generated and cleaned codes measure: 2D codes (QR, Data
 * Matrix, also rectangular ones up to 1:4) elongation ≤ 2.6 and anisotropy ≤ 1.1; linear codes
 * anisotropy ≥ 5.5 (Code 128 at 0.25 mm, 200 dpi, skewed 5°); text lines elongation 4–22 with
 * anisotropy 1.0–1.5.
 */
const TEXT_LINE_MIN_ELONGATION = 5;
const TEXT_LINE_MAX_ANISOTROPY = 2.5;
const LINEAR_MIN_ANISOTROPY = 4;
const MATRIX_MAX_ELONGATION = 3;
const MATRIX_MAX_ANISOTROPY = 2;
const MATRIX = 1;
const LINEAR = 2;

function kindsOf(elongation: number, anisotropy: number): number {
  if (elongation >= TEXT_LINE_MIN_ELONGATION && anisotropy < TEXT_LINE_MAX_ANISOTROPY) return 0;
  if (anisotropy >= LINEAR_MIN_ANISOTROPY) return LINEAR;
  if (elongation <= MATRIX_MAX_ELONGATION && anisotropy < MATRIX_MAX_ANISOTROPY) return MATRIX;
  // Isotropic but a little long (a short bold word, or a rectangular Data Matrix): bars never
  // measure this isotropic, so the linear readers (half of a crop's zxing time) are left out.
  if (anisotropy < MATRIX_MAX_ANISOTROPY) return MATRIX;
  return MATRIX | LINEAR;
}

/** Candidate regions in the small image's pixels, densest first. */
export function findCodeRegions(image: GreyImage, dpi: number, options: CandidateOptions = {}): CandidateRegion[] {
  const { width, height, data } = image;
  const mm = dpi / 25.4;
  const window = Math.max(4, Math.round(WINDOW_MM * mm));
  const step = Math.max(1, Math.round(window / 4));
  const minInk = options.minInkShare ?? DEFAULT_MIN_INK;

  // Darkness: 0 at the paper's level and 255 at the ink's (grey scans are not 0/255).
  const { paper, ink } = levels(image);
  const darkness = new Float32Array(256);
  for (let v = 0; v < 256; v++) darkness[v] = Math.min(255, Math.max(0, ((paper - v) * 255) / Math.max(1, paper - ink)));
  const gridWidth = Math.max(0, Math.floor((width - window) / step) + 1);
  const gridHeight = Math.max(0, Math.floor((height - window) / step) + 1);
  const dense = new Uint8Array(gridWidth * gridHeight);
  const shares = new Float32Array(gridWidth * gridHeight);
  const full = window * window * 255;
  // Window sums, separably: each row's sums over the window at every grid column (from the row's
  // running total), added up over the last `window` rows. Same figures as an integral image, with
  // a few kilobytes of memory instead of one double per pixel.
  const rowTotal = new Float64Array(width + 1);
  const recent = new Float64Array(gridWidth * window);
  const columnSum = new Float64Array(gridWidth);
  // The grid columns whose entry in `recent` may be non-zero, for each of its rows (none yet).
  const slotLow = new Int32Array(window).fill(gridWidth);
  const slotHigh = new Int32Array(window).fill(-1);
  const lastRow = Math.min(height, (gridHeight - 1) * step + window);
  for (let y = 0; y < lastRow; y++) {
    const row = y * width;
    // Only pixels darker than the paper add anything: most rows of a page are blank, and the
    // margins of the others. Their totals are filled in without the sums (the same figures: adding
    // zero changes no total).
    let first = 0;
    while (first < width && data[row + first] >= paper) first++;
    let end = width;
    while (end > first && data[row + end - 1] >= paper) end--;
    rowTotal.fill(0, 1, first + 1);
    let total = 0;
    for (let x = first; x < end; x++) {
      total += darkness[data[row + x]];
      rowTotal[x + 1] = total;
    }
    rowTotal.fill(total, end + 1, width + 1);
    // Only windows that reach the row's ink get a sum, and only those and the ones that had a sum
    // from the row this one replaces in `recent` change: every other window adds 0 − 0.
    const slotIndex = y % window;
    const slot = slotIndex * gridWidth;
    const lo = first < end ? Math.max(0, Math.ceil((first - window + 1) / step)) : gridWidth;
    const hi = first < end ? Math.min(gridWidth - 1, Math.floor((end - 1) / step)) : -1;
    const to = Math.max(hi, slotHigh[slotIndex]);
    for (let gx = Math.min(lo, slotLow[slotIndex]), x0 = gx * step; gx <= to; gx++, x0 += step) {
      const sum = rowTotal[x0 + window] - rowTotal[x0];
      columnSum[gx] += sum - recent[slot + gx];
      recent[slot + gx] = sum;
    }
    slotLow[slotIndex] = lo;
    slotHigh[slotIndex] = hi;
    const top = y + 1 - window;
    if (top >= 0 && top % step === 0) {
      const base = (top / step) * gridWidth;
      for (let gx = 0; gx < gridWidth; gx++) {
        const share = columnSum[gx] / full;
        shares[base + gx] = share;
        if (share >= minInk) dense[base + gx] = 1;
      }
    }
  }

  // Connected dense cells (8-neighbourhood) become regions.
  const minPeak = options.minPeakShare ?? DEFAULT_MIN_PEAK;
  const regions: Scored[] = [];
  const queue = new Int32Array(gridWidth * gridHeight);
  for (let start = 0; start < dense.length; start++) {
    if (dense[start] !== 1) continue;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    dense[start] = 2;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    let shareSum = 0;
    let shareMax = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    while (head < tail) {
      const cell = queue[head++];
      const gx = cell % gridWidth;
      const gy = (cell - gx) / gridWidth;
      shareSum += shares[cell];
      if (shares[cell] > shareMax) shareMax = shares[cell];
      sx += gx;
      sy += gy;
      sxx += gx * gx;
      syy += gy * gy;
      sxy += gx * gy;
      if (gx < minX) minX = gx;
      if (gx > maxX) maxX = gx;
      if (gy < minY) minY = gy;
      if (gy > maxY) maxY = gy;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = gy + dy;
        if (ny < 0 || ny >= gridHeight) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = gx + dx;
          if (nx < 0 || nx >= gridWidth) continue;
          const next = ny * gridWidth + nx;
          if (dense[next] === 1) {
            dense[next] = 2;
            queue[tail++] = next;
          }
        }
      }
    }
    if (tail < 3 || shareMax < minPeak) continue;
    // Second moments of the dense cells: the long axis of a linear code follows its skew.
    const cxx = sxx / tail - (sx / tail) ** 2;
    const cyy = syy / tail - (sy / tail) ** 2;
    const cxy = sxy / tail - (sx / tail) * (sy / tail);
    const spread = Math.sqrt(((cxx - cyy) / 2) ** 2 + cxy ** 2);
    const major = (cxx + cyy) / 2 + spread;
    const minor = Math.max(1e-6, (cxx + cyy) / 2 - spread);
    let axis = (0.5 * Math.atan2(2 * cxy, cxx - cyy) * 180) / Math.PI;
    if (axis > 45) axis -= 90;
    if (axis <= -45) axis += 90;
    const quiet = Math.round(QUIET_MM * mm);
    const x = Math.max(0, minX * step - quiet);
    const y = Math.max(0, minY * step - quiet);
    const right = Math.min(width, maxX * step + window + quiet);
    const bottom = Math.min(height, maxY * step + window + quiet);
    const elongation = Math.sqrt(major / minor);
    const anisotropy = anisotropyOf(image, minX * step, minY * step, maxX * step + window, maxY * step + window);
    regions.push({ x, y, width: right - x, height: bottom - y, score: (shareSum / tail) * Math.sqrt(tail), shareMax, cells: tail, axisDegrees: axis, elongation, anisotropy, kinds: kindsOf(elongation, anisotropy), mayHold: { matrix: false, linear: false } });
  }

  // Text lines are dropped after merging: a code next to a bold line shares its box, and the box
  // may hold whatever any of its parts may hold.
  const merged = mergeOverlapping(regions).filter((r) => r.kinds !== 0 || options.keepTextLines);
  merged.sort((a, b) => b.score - a.score);
  return merged
    .slice(0, options.maxRegions ?? DEFAULT_MAX_REGIONS)
    .map(({ x, y, width: w, height: h, axisDegrees, elongation, anisotropy, kinds }) => ({
      x,
      y,
      width: w,
      height: h,
      axisDegrees,
      elongation,
      anisotropy,
      mayHold: kinds === 0 ? { matrix: true, linear: true } : { matrix: (kinds & MATRIX) !== 0, linear: (kinds & LINEAR) !== 0 },
    }));
}

function anisotropyOf(image: GreyImage, left: number, top: number, right: number, bottom: number): number {
  const { width, data } = image;
  const x1 = Math.min(right, width) - 1;
  const y1 = Math.min(bottom, image.height) - 1;
  let across = 0;
  let along = 0;
  for (let y = top; y < y1; y++) {
    let index = y * width + left;
    for (let x = left; x < x1; x++, index++) {
      const v = data[index];
      across += Math.abs(v - data[index + 1]);
      along += Math.abs(v - data[index + width]);
    }
  }
  const small = Math.min(across, along);
  return Math.max(across, along) / Math.max(1, small);
}

/** Paper: the median (pages are mostly paper); ink: the darkest 0.5 %, but never lighter than mid-grey. */
function levels(image: GreyImage): { paper: number; ink: number } {
  const histogram = new Uint32Array(256);
  // Paper (255 on a cleaned page) counted apart, as in patch-code.ts: most samples are paper.
  let white = 0;
  for (let i = 0; i < image.data.length; i += 7) {
    const v = image.data[i];
    if (v === 255) white++;
    else histogram[v]++;
  }
  histogram[255] += white;
  const total = Math.ceil(image.data.length / 7);
  const at = (share: number) => {
    let seen = 0;
    for (let v = 0; v < 256; v++) if ((seen += histogram[v]) >= total * share) return v;
    return 255;
  };
  const paper = Math.max(128, at(0.5));
  return { paper, ink: Math.min(at(0.005), 96) };
}

interface Scored extends CandidateRegion {
  score: number;
  shareMax: number;
  /** Dense cells of the largest part (whose axis the region keeps). */
  cells: number;
  /** MATRIX | LINEAR: what any part's shape allows (0: text lines only). */
  kinds: number;
}

/**
 * Overlapping boxes become one (a code and its quiet zone often touch a neighbour's). The merged
 * box keeps the axis of its larger part: that is the code, the rest is nearby text.
 */
function mergeOverlapping(regions: Scored[]): Scored[] {
  const boxes = regions.map((r) => ({ ...r }));
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 0; i < boxes.length && !changed; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i];
        const b = boxes[j];
        if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) {
          const x = Math.min(a.x, b.x);
          const y = Math.min(a.y, b.y);
          a.width = Math.max(a.x + a.width, b.x + b.width) - x;
          a.height = Math.max(a.y + a.height, b.y + b.height) - y;
          a.x = x;
          a.y = y;
          if (b.cells > a.cells) {
            a.axisDegrees = b.axisDegrees;
            a.elongation = b.elongation;
            a.anisotropy = b.anisotropy;
            a.cells = b.cells;
          }
          a.score = Math.max(a.score, b.score);
          a.kinds |= b.kinds;
          boxes.splice(j, 1);
          changed = true;
          break;
        }
      }
    }
  }
  return boxes;
}
