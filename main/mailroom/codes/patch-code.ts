/**
 * Finds patch codes (patch-spec.ts) on a small grey copy of a page (about 100 dpi is plenty: a
 * narrow bar is then 8 pixels). zxing does not read them, so this is our own detector:
 *
 * 1. One threshold for the page, halfway between paper and ink.
 * 2. Scan lines across the bars (columns for bars along the top or bottom edge, rows for a page
 *    turned a quarter) list their black and white runs; seven runs B S B S B S B with quiet white
 *    on both sides, 0.8 in long in all, spaces narrow and exactly two wide bars, are one "hit".
 * 3. Hits on neighbouring scan lines at nearly the same place chain up along the bars; a chain as
 *    long as a real patch (the spec asks for 2 in; we want 1.2 in) is a patch code. Skew only
 *    shifts the hits a little from line to line (5° over 1 mm is 0.09 mm) and stretches the runs by
 *    1/cos, so it needs no deskew. Text never chains: no letter is a 5 mm bar for 30 mm.
 * 4. The code is read from the nearest page edge inwards (the leading edge of the sheet as the
 *    spec prints it), which is also right on a page turned 90° or 180°: Patch T upside down shows
 *    the bars of Patch III when read top down, but it sits at the bottom edge.
 */
import type { GreyImage } from '../../imaging/types.js';
import { PATCH_INCHES, patchTypeOf, type PatchType } from './patch-spec.js';

export interface PatchCodeFound {
  type: PatchType;
  /** Clockwise turn of the sheet as scanned: 0 = patch along the top edge, as printed. */
  orientation: 0 | 90 | 180 | 270;
  /** Box of the bars, in the pixels of the image given. */
  box: { x: number; y: number; width: number; height: number };
  /** Length of the bars found, in inches (the spec asks for at least 2). */
  lengthInches: number;
  /** Share of the chained scan lines that read this type. */
  agreement: number;
}

export interface PatchDetectOptions {
  /** Shortest run of bars that counts, in inches. */
  minLengthInches?: number;
}

const DEFAULT_MIN_LENGTH_INCHES = 1.2;
/** Scan lines every this many inches along the bars (1 mm). */
const LINE_STEP_INCHES = 0.04;
/** White before and after the bars, at least (the spec asks for much more; text may come close). */
const QUIET_INCHES = 0.1;
const NOMINAL = PATCH_INCHES.height;
const UNIT = PATCH_INCHES.narrow;
const WIDE_UNITS = PATCH_INCHES.wide / UNIT;

interface Hit {
  line: number;
  start: number;
  length: number;
  pattern: string;
}

interface Chain {
  hits: Hit[];
  lastLine: number;
  lastStart: number;
  lastLength: number;
}

/** All patch codes on the page, longest first. `dpi` is the resolution of `image`. */
export function detectPatchCodes(image: GreyImage, dpi: number, options: PatchDetectOptions = {}): PatchCodeFound[] {
  const threshold = inkThreshold(image);
  if (threshold === null) return [];
  const minLength = options.minLengthInches ?? DEFAULT_MIN_LENGTH_INCHES;
  const found = [...scanDirection(image, dpi, threshold, 'columns', minLength), ...scanDirection(image, dpi, threshold, 'rows', minLength)];
  return found.sort((a, b) => b.lengthInches - a.lengthInches);
}

/** The longest patch code on the page, or null. */
export function detectPatchCode(image: GreyImage, dpi: number, options: PatchDetectOptions = {}): PatchCodeFound | null {
  return detectPatchCodes(image, dpi, options)[0] ?? null;
}

/** Halfway between paper (a bright percentile) and ink (a dark one); null on a page without contrast. */
function inkThreshold(image: GreyImage): number | null {
  const histogram = new Uint32Array(256);
  const { data } = image;
  // Paper (255 on a cleaned page) is counted apart: one counter bumped over and over in memory
  // stalls on its own last store, and most samples are paper.
  let white = 0;
  for (let i = 0; i < data.length; i += 3) {
    const v = data[i];
    if (v === 255) white++;
    else histogram[v]++;
  }
  histogram[255] += white;
  const total = Math.ceil(data.length / 3);
  const level = (share: number) => {
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += histogram[v];
      if (seen >= total * share) return v;
    }
    return 255;
  };
  const ink = level(0.003);
  const paper = level(0.5);
  if (paper - ink < 60) return null;
  return (paper + ink) / 2;
}

/**
 * 'columns': scan lines run top to bottom, one per column step (bars lie along the top or bottom
 * edge). 'rows': left to right (bars along the left or right edge: a page turned a quarter).
 */
function scanDirection(image: GreyImage, dpi: number, threshold: number, direction: 'columns' | 'rows', minLengthInches: number): PatchCodeFound[] {
  const { width, height, data } = image;
  const alongBars = direction === 'columns' ? width : height;
  const acrossBars = direction === 'columns' ? height : width;
  const step = Math.max(1, Math.round(LINE_STEP_INCHES * dpi));
  const pixelStride = direction === 'columns' ? width : 1;
  const lineStride = direction === 'columns' ? 1 : width;
  const runs = new Int32Array(acrossBars + 1);
  const quiet = QUIET_INCHES * dpi;
  const minTotal = NOMINAL * dpi * 0.7;
  const maxTotal = NOMINAL * dpi * 1.3;

  const chains: Chain[] = [];
  const active: Chain[] = [];
  for (let line = 0, position = Math.floor(step / 2); position < alongBars; line++, position += step) {
    // Run lengths along this scan line; runs[0] is white (zero length when the line starts black).
    let count = 0;
    let current = 0;
    let white = true;
    let base = position * lineStride;
    for (let i = 0; i < acrossBars; i++, base += pixelStride) {
      const isWhite = data[base] > threshold;
      if (isWhite === white) current++;
      else {
        runs[count++] = current;
        current = 1;
        white = isWhite;
      }
    }
    runs[count++] = current;

    const hits: Hit[] = [];
    let offset = runs[0];
    // Black runs sit at odd indexes.
    for (let i = 1; i + 6 < count; i += 2) {
      const before = runs[i - 1];
      const startsAtEdge = i === 1 && before === 0;
      let total = 0;
      for (let k = 0; k < 7; k++) total += runs[i + k];
      const afterIndex = i + 7;
      const after = afterIndex < count ? runs[afterIndex] : 0;
      const endsAtEdge = afterIndex >= count - 1 && offset + total + after >= acrossBars;
      if (total >= minTotal && total <= maxTotal && (before >= quiet || startsAtEdge) && (after >= quiet || endsAtEdge)) {
        const pattern = classify(runs, i, total);
        if (pattern) hits.push({ line, start: offset, length: total, pattern });
      }
      offset += runs[i] + runs[i + 1];
    }

    for (const hit of hits) {
      const chain = active.find((c) => line - c.lastLine <= 3 && Math.abs(hit.start - c.lastStart) <= 2 + 0.1 * step * (line - c.lastLine) && Math.abs(hit.length - c.lastLength) <= 0.15 * hit.length);
      if (chain) {
        chain.hits.push(hit);
        chain.lastLine = line;
        chain.lastStart = hit.start;
        chain.lastLength = hit.length;
      } else {
        const fresh = { hits: [hit], lastLine: line, lastStart: hit.start, lastLength: hit.length };
        active.push(fresh);
        chains.push(fresh);
      }
    }
    for (let k = active.length - 1; k >= 0; k--) if (line - active[k].lastLine > 3) active.splice(k, 1);
  }

  const found: PatchCodeFound[] = [];
  for (const chain of chains) {
    const first = chain.hits[0];
    const last = chain.hits[chain.hits.length - 1];
    const lengthInches = ((last.line - first.line + 1) * step) / dpi;
    if (lengthInches < minLengthInches) continue;
    const votes = new Map<string, number>();
    for (const hit of chain.hits) votes.set(hit.pattern, (votes.get(hit.pattern) ?? 0) + 1);
    const [pattern, count] = [...votes.entries()].sort((a, b) => b[1] - a[1])[0];
    const agreement = count / chain.hits.length;
    if (agreement < 0.7) continue;
    const minStart = Math.min(...chain.hits.map((h) => h.start));
    const maxEnd = Math.max(...chain.hits.map((h) => h.start + h.length));
    // Read from the nearer page edge inwards: the sheet's leading edge.
    const nearFarEdge = (minStart + maxEnd) / 2 > acrossBars / 2;
    const type = patchTypeOf(nearFarEdge ? [...pattern].reverse().join('') : pattern);
    if (!type) continue;
    const alongStart = first.line * step + Math.floor(step / 2);
    const alongEnd = last.line * step + Math.floor(step / 2) + 1;
    const box =
      direction === 'columns'
        ? { x: alongStart, y: minStart, width: alongEnd - alongStart, height: maxEnd - minStart }
        : { x: minStart, y: alongStart, width: maxEnd - minStart, height: alongEnd - alongStart };
    // Bars along the bottom: the sheet is upside down; along the right edge: its top was turned there (90° clockwise).
    const orientation = direction === 'columns' ? (nearFarEdge ? 180 : 0) : nearFarEdge ? 90 : 270;
    found.push({ type, orientation, box, lengthInches: Math.round(lengthInches * 100) / 100, agreement: Math.round(agreement * 100) / 100 });
  }
  return found;
}

/** "WNWN"-style bar pattern of the seven runs from `first`, or null when they are no patch code. */
function classify(runs: Int32Array, first: number, total: number): string | null {
  // Nominal: 2 wide (2.5 units) + 2 narrow + 3 spaces = 10 units of 0.08 in.
  const unit = total / (NOMINAL / UNIT);
  let pattern = '';
  let wide = 0;
  for (let k = 0; k < 7; k++) {
    const units = runs[first + k] / unit;
    if (k % 2 === 1) {
      if (units < 0.35 || units > 1.9) return null;
      continue;
    }
    if (units < 0.4 || units > WIDE_UNITS + 1.1) return null;
    const isWide = units >= (1 + WIDE_UNITS) / 2;
    if (isWide) wide++;
    pattern += isWide ? 'W' : 'N';
  }
  return wide === 2 ? pattern : null;
}
