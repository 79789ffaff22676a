/**
 * The top of a short note (two to a few lines) that the tail cues leave unsure, from two more cues
 * read on the second look's text box (about 200 dpi, lines running across and levelled):
 *
 * - Margins. Most notes are set flush left and ragged right: the lines start at one edge and end
 *   where their words end. Turned 180°, the flush edge is on the right and the ragged one on the
 *   left. Centred and justified lines are even on both sides and say nothing. Lines set flush
 *   right (a date, a sender block) say the opposite of the truth, so this cue never decides alone.
 * - Detached marks. i and j dots, umlaut dots (ä ö ü, common in German), quotes and accents are
 *   small marks standing free above the x-height band; nothing in Latin print stands free below it
 *   (descenders hang from their letters, commas and low quotes start inside the band). Turned
 *   180°, the marks stand below the band.
 *
 * With the lean of the tail cues the detector already weighed (orientation.ts), that makes three
 * cues. The top is decided when two of them agree and none points the other way: a flush-right
 * note is then decided only when its marks and tails both point the wrong way. Everything else
 * abstains, and the page stays flagged.
 */
import { glyphInk } from './orientation-ink.js';
import type { GreyImage } from './types.js';

/** One text line found on the levelled text box. */
export interface NoteLine {
  /** Rows of the line's ink (start inclusive, end exclusive) and of its x-height band (inclusive). */
  start: number;
  end: number;
  bandTop: number;
  bandBottom: number;
  /** First and last column of the line's letters (stray specks left out), before the skew correction. */
  left: number;
  right: number;
  /** Detached marks standing free above and below the band. */
  marksAbove: number;
  marksBelow: number;
}

/** What the cues read, for the record and for tuning. */
export interface SparseCues {
  lines: NoteLine[];
  /** Share of the glyph ink inside the lines found (a photo's grain forms few lines, holding little of its ink). */
  lineShare: number;
  /** Median x-height band, pixels. */
  xHeight: number;
  /** Spread (max − min) of the line starts and ends, skew-corrected, in x-heights. */
  leftSpread: number;
  rightSpread: number;
  /** +1: flush left, ragged right (top as the lines lie); −1: the mirror; 0: no answer. */
  margins: -1 | 0 | 1;
  marksAbove: number;
  marksBelow: number;
  /** +1: marks above the band (top as the lines lie); −1: below; 0: no answer. */
  marks: -1 | 0 | 1;
}

/** Tallest line (ink rows) counted, in inches: a 16 pt line with both tails, and skew residue. */
const MAX_LINE_INCHES = 0.4;
/** Thinnest x-height band, in inches (8 pt DejaVu Sans is about 0.06 in). */
const MIN_BAND_INCHES = 0.035;
/** A line's ink rows may be at most this many times its band (as in orientation-lines.ts). */
const MAX_LINE_TO_BAND = 3;
/** A text line runs on for at least this many x-heights (two short words); a blob or a word alone does not count. */
const MIN_LINE_LENGTH = 8;
/** Lines must hold this share of the glyph ink: a note's lines hold nearly all of it. */
const MIN_LINE_SHARE = 0.8;
/** More lines than this are no short note: full pages are told by the detector's line votes. */
const MAX_LINES = 12;
/**
 * Flush: every line start within this many x-heights of the median start. First letters differ
 * in their side bearing (T against l), up to about 0.15 x-height in DejaVu at 200 dpi, and 1-bit
 * scans move an edge by a pixel.
 */
const FLUSH_TOLERANCE = 0.35;
/** Ragged: the line ends spread over at least this many x-heights (about three letters). */
const MIN_RAGGED_SPREAD = 3;
/** A detached mark is at most this tall and wide, in x-heights (an umlaut's two dots, a quote). */
const MAX_MARK_SIZE = 0.7;
/**
 * A mark is a dot or a short tick: at least this many x-heights (and 2 px) both ways, and at most
 * this much longer one way than the other. Thin faces in 1-bit scans break into pieces: the
 * 1-pixel tip of an ascender, the flat bottom of a g bowl (8 × 2 px at 150 dpi) stand free of
 * their letters too, but they are tails, which the stroke count reads already, not marks.
 */
const MIN_MARK_SIZE = 0.12;
const MAX_MARK_ASPECT = 2.5;
/** A run of marks clear of its line's other ink is read with the line when no farther off than this many x-heights (an i dot stands about a quarter of one above its stem). */
const MAX_MARK_GAP = 0.6;
/** Marks must point one way by this many, with none (or, from four marks, at most a fifth) the other way. */
const MIN_MARKS = 3;

/**
 * Reads the margin and mark cues of the lines of a levelled text box (lines across). `skewDegrees`
 * is the skew the box was levelled by (the skew convention): levelling shears columns up or
 * down, so an edge that was square to the lines still leans by it, and line starts are corrected.
 */
export function readSparseCues(lines: GreyImage, dpi: number, skewDegrees: number): SparseCues {
  const { width, height } = lines;
  const mask = glyphInk(lines, dpi);
  const rowInk = new Int32Array(height);
  let total = 0;
  for (let y = 0; y < height; y++) {
    let count = 0;
    for (let i = y * width, end = i + width; i < end; i++) count += mask[i];
    rowInk[y] = count;
    total += count;
  }
  // Runs of inked rows: text lines, and the rows of marks that stand clear of a line with no
  // taller letter beside them to join them to it (the j dot over "gypsy jog paying").
  const runs: Array<{ start: number; end: number; line?: NoteLine }> = [];
  for (let y = 0; y < height; ) {
    while (y < height && rowInk[y] === 0) y++;
    const start = y;
    while (y < height && rowInk[y] > 0) y++;
    if (y > start) runs.push({ start, end: y });
  }
  const found: NoteLine[] = [];
  let inLines = 0;
  const maxLine = Math.round(MAX_LINE_INCHES * dpi);
  const minBand = Math.max(2, Math.round(MIN_BAND_INCHES * dpi));
  for (const run of runs) {
    const { start, end } = run;
    if (end - start > maxLine) continue;
    const band = xHeightBand(rowInk, start, end);
    if (!band) continue;
    const xh = band.bottom - band.top + 1;
    if (xh < minBand || end - start > MAX_LINE_TO_BAND * xh) continue;
    const extent = letterExtent(mask, width, start, end, xh);
    if (!extent || extent.right - extent.left + 1 < MIN_LINE_LENGTH * xh) continue;
    run.line = { start, end, bandTop: band.top, bandBottom: band.bottom, left: extent.left, right: extent.right, marksAbove: 0, marksBelow: 0 };
    found.push(run.line);
    for (let r = start; r < end; r++) inLines += rowInk[r];
  }
  for (let i = 0; i < runs.length; i++) {
    const line = runs[i].line;
    if (!line) continue;
    const xh = line.bandBottom - line.bandTop + 1;
    // A run of marks just above (or below) the line, nearer to it than to any other line, is read with it.
    const nearby = (j: number, gap: number, otherGap: number) => {
      const run = runs[j];
      return run && !run.line && run.end - run.start <= MAX_MARK_SIZE * xh && gap <= MAX_MARK_GAP * xh && gap < otherGap;
    };
    const gapAbove = i > 0 ? line.start - runs[i - 1].end : Infinity;
    const gapBelow = i + 1 < runs.length ? runs[i + 1].start - line.end : Infinity;
    let from = line.start;
    let to = line.end;
    if (nearby(i - 1, gapAbove, i > 1 && runs[i - 2].line ? runs[i - 1].start - runs[i - 2].end : Infinity)) from = runs[i - 1].start;
    if (nearby(i + 1, gapBelow, i + 2 < runs.length && runs[i + 2].line ? runs[i + 2].start - runs[i + 1].end : Infinity)) to = runs[i + 1].end;
    for (let r = from; r < line.start; r++) inLines += rowInk[r];
    for (let r = line.end; r < to; r++) inLines += rowInk[r];
    const marks = detachedMarks(mask, width, from, to, line.bandTop, line.bandBottom, xh);
    line.marksAbove = marks.above;
    line.marksBelow = marks.below;
  }
  const lineShare = total > 0 ? inLines / total : 0;
  const xHeight = median(found.map((l) => l.bandBottom - l.bandTop + 1));
  const marksAbove = found.reduce((s, l) => s + l.marksAbove, 0);
  const marksBelow = found.reduce((s, l) => s + l.marksBelow, 0);
  const textLike = found.length >= 1 && found.length <= MAX_LINES && lineShare >= MIN_LINE_SHARE;

  // An edge square to the lines, after the shear, still runs at the skew: x moves by y·tan(skew) (positive skew = content turned counter-clockwise, its top to the left).
  const slope = Math.tan((skewDegrees * Math.PI) / 180);
  const middle = (l: NoteLine) => (l.bandTop + l.bandBottom) / 2;
  const lefts = found.map((l) => l.left - middle(l) * slope);
  const rights = found.map((l) => l.right - middle(l) * slope);
  const leftSpread = found.length ? (Math.max(...lefts) - Math.min(...lefts)) / xHeight : 0;
  const rightSpread = found.length ? (Math.max(...rights) - Math.min(...rights)) / xHeight : 0;
  const flush = (ends: number[]) => {
    const m = median(ends);
    return ends.every((e) => Math.abs(e - m) <= FLUSH_TOLERANCE * xHeight);
  };
  let margins: SparseCues['margins'] = 0;
  if (textLike && found.length >= 2) {
    if (flush(lefts) && rightSpread >= MIN_RAGGED_SPREAD) margins = 1;
    else if (flush(rights) && leftSpread >= MIN_RAGGED_SPREAD) margins = -1;
  }
  let marks: SparseCues['marks'] = 0;
  if (textLike) {
    const clear = (more: number, fewer: number) => more >= MIN_MARKS && (fewer === 0 || (more >= 4 && fewer * 5 <= more));
    if (clear(marksAbove, marksBelow)) marks = 1;
    else if (clear(marksBelow, marksAbove)) marks = -1;
  }
  return { lines: found, lineShare, xHeight, leftSpread, rightSpread, margins, marksAbove, marksBelow, marks };
}

/**
 * The x-height band of a line's row profile: the longest run of rows at half the peak or more,
 * widened while the density declines gradually (as orientation-lines.ts widens it). The longest
 * run, not the first and last dense rows: in a line of capitals and figures ("Zimmer 214") the
 * cap line's bars make a dense row of their own above a sparse gap.
 */
function xHeightBand(rowInk: Int32Array, start: number, end: number): { top: number; bottom: number } | undefined {
  let peak = 0;
  for (let y = start; y < end; y++) if (rowInk[y] > peak) peak = rowInk[y];
  let top = start;
  let bottom = start - 1;
  for (let y = start; y < end; ) {
    while (y < end && rowInk[y] < peak / 2) y++;
    const from = y;
    while (y < end && rowInk[y] >= peak / 2) y++;
    if (y - from > bottom - top + 1) [top, bottom] = [from, y - 1];
  }
  if (bottom < top) return undefined;
  const floor = peak / 3;
  while (top > start && rowInk[top - 1] >= floor && rowInk[top - 1] >= 0.6 * rowInk[top]) top--;
  while (bottom < end - 1 && rowInk[bottom + 1] >= floor && rowInk[bottom + 1] >= 0.6 * rowInk[bottom]) bottom++;
  // A band is dense all the way down; a gap in it means two things stacked, not a line.
  for (let y = top; y <= bottom; y++) if (rowInk[y] < peak / 4) return undefined;
  return { top, bottom };
}

/** First and last column where a letter's worth of ink starts and ends (a speck of a few pixels is passed over). */
function letterExtent(mask: Uint8Array, width: number, start: number, end: number, xh: number): { left: number; right: number } | undefined {
  const columns = new Int32Array(width);
  for (let y = start; y < end; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) columns[x] += mask[row + x];
  }
  // A window of one x-height must hold a letter's ink: at least an x-height of pixels (a stroke as tall as the band).
  const window = Math.max(2, xh);
  const first = (from: number, step: 1 | -1): number => {
    let sum = 0;
    for (let x = from, n = 0; x >= 0 && x < width; x += step, n++) {
      sum += columns[x];
      if (n >= window) sum -= columns[x - step * window];
      if (sum >= xh) {
        // The window holds a letter: its edge is the first inked column of the window.
        let edge = step === 1 ? Math.max(0, x - window + 1) : Math.min(width - 1, x + window - 1);
        while (columns[edge] === 0) edge += step;
        return edge;
      }
    }
    return -1;
  };
  const left = first(0, 1);
  const right = first(width - 1, -1);
  return left < 0 || right < left ? undefined : { left, right };
}

/**
 * Small ink components standing wholly above the band (with a blank row between) or wholly below
 * it, each over or under a letter's band ink (an i dot over its stem), so a speck between words
 * does not count. 8-connected components within the line's rows.
 */
function detachedMarks(mask: Uint8Array, width: number, start: number, end: number, bandTop: number, bandBottom: number, xh: number): { above: number; below: number } {
  const rows = end - start;
  const labels = new Int32Array(rows * width).fill(-1);
  const stack: number[] = [];
  const maxSize = MAX_MARK_SIZE * xh;
  const minSize = Math.max(2, Math.round(MIN_MARK_SIZE * xh));
  let above = 0;
  let below = 0;
  let next = 0;
  for (let i = 0; i < rows * width; i++) {
    if (labels[i] >= 0 || mask[start * width + i] === 0) continue;
    const label = next++;
    let top = rows;
    let bottom = -1;
    let left = width;
    let right = -1;
    labels[i] = label;
    stack.push(i);
    while (stack.length) {
      const p = stack.pop()!;
      const y = (p / width) | 0;
      const x = p - y * width;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
      if (x < left) left = x;
      if (x > right) right = x;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= rows) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (labels[q] < 0 && mask[start * width + q] !== 0) {
            labels[q] = label;
            stack.push(q);
          }
        }
      }
    }
    const tall = bottom - top + 1;
    const wide = right - left + 1;
    if (tall > maxSize || wide > maxSize || Math.min(tall, wide) < minSize || Math.max(tall, wide) > MAX_MARK_ASPECT * Math.min(tall, wide)) continue;
    const absTop = start + top;
    const absBottom = start + bottom;
    const isAbove = absBottom < bandTop - 1;
    const isBelow = absTop > bandBottom + 1;
    if (!isAbove && !isBelow) continue;
    if (!bandInkBeside(mask, width, bandTop, bandBottom, left, right)) continue;
    if (isAbove) above++;
    else below++;
  }
  return { above, below };
}

/** Whether the band holds ink in the columns under (or over) a mark. */
function bandInkBeside(mask: Uint8Array, width: number, bandTop: number, bandBottom: number, left: number, right: number): boolean {
  for (let y = bandTop; y <= bandBottom; y++) {
    const row = y * width;
    for (let x = left; x <= right; x++) if (mask[row + x]) return true;
  }
  return false;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The lean of the tail cues along the lines (orientation-lines.ts's sums for the text running across). */
export interface TailLean {
  /** Tail ink above and below the bands, summed over lines. */
  before: number;
  after: number;
  /** Tail strokes above and below. */
  strokesBefore: number;
  strokesAfter: number;
}

/**
 * The tails lean one way when their ink and their strokes both do, each clearly: ink asymmetry
 * ((top − bottom) / sum) of at least this, and at least this share of the strokes. Weaker leans
 * are no cue at all, neither for nor against: a light face's thin ascenders at 150 dpi in 1-bit
 * gave 0.31 and 11 strokes to 8 the wrong way.
 */
const LEAN = {
  minAsymmetry: 0.15,
  minStrokeShare: 0.65,
  /** Strokes on the leaning side: two strokes to none is two letters, not a lean. */
  minStrokes: 6,
};

export function tailLean(lean: TailLean): -1 | 0 | 1 {
  const ink = lean.before + lean.after;
  const strokes = lean.strokesBefore + lean.strokesAfter;
  if (ink === 0 || strokes === 0) return 0;
  const asymmetry = (lean.before - lean.after) / ink;
  const share = lean.strokesBefore / strokes;
  if (asymmetry >= LEAN.minAsymmetry && share >= LEAN.minStrokeShare && lean.strokesBefore >= LEAN.minStrokes) return 1;
  if (-asymmetry >= LEAN.minAsymmetry && 1 - share >= LEAN.minStrokeShare && lean.strokesAfter >= LEAN.minStrokes) return -1;
  return 0;
}

export interface SparseTop {
  /** The top is where the lines' tops lie (true) or the lines are upside down (false). */
  upright: boolean;
  /** How many of the three cues agreed (2 or 3). */
  agreeing: number;
  /** Which cues agreed, with their figures. */
  evidence: string;
}

/**
 * Two of the three cues (margins, detached marks, tail lean) agree and the third does not point
 * the other way: the top of the lines as they lie (upright) or turned 180°. Undefined otherwise.
 *
 * Margins and tails without the marks are the weakest pair: lines set flush right whose words
 * are heavy with descenders (generated: "gypsy jog paying" under "Zur Kenntnis genommen") fool
 * both. They decide only when not a single detached mark stands on the other side.
 */
export function sparseNoteTop(cues: SparseCues, lean: TailLean): SparseTop | undefined {
  const votes = { margins: cues.margins, marks: cues.marks, tails: tailLean(lean) };
  const values = Object.values(votes);
  const up = values.filter((v) => v === 1).length;
  const down = values.filter((v) => v === -1).length;
  if (!((up >= 2 && down === 0) || (down >= 2 && up === 0))) return undefined;
  const upright = up >= 2;
  if (votes.marks === 0 && (upright ? cues.marksBelow : cues.marksAbove) > 0) return undefined;
  const say = (v: number) => (v === 0 ? 'no answer' : (v === 1) === upright ? 'agree' : 'against');
  const ink = lean.before + lean.after;
  const asymmetry = ink > 0 ? Math.abs(lean.before - lean.after) / ink : 0;
  const [strokesFor, strokesAgainst] = upright ? [lean.strokesBefore, lean.strokesAfter] : [lean.strokesAfter, lean.strokesBefore];
  const [marksFor, marksAgainst] = upright ? [cues.marksAbove, cues.marksBelow] : [cues.marksBelow, cues.marksAbove];
  const [flushSpread, raggedSpread] = upright ? [cues.leftSpread, cues.rightSpread] : [cues.rightSpread, cues.leftSpread];
  const evidence =
    `sparse note, ${cues.lines.length} lines: ` +
    `margins ${say(votes.margins)} (line starts within ${flushSpread.toFixed(1)}, ends over ${raggedSpread.toFixed(1)} x-heights), ` +
    `detached marks ${say(votes.marks)} (${marksFor} to ${marksAgainst}), ` +
    `tails ${say(votes.tails)} (ink ${asymmetry.toFixed(2)}, strokes ${strokesFor} to ${strokesAgainst})`;
  return { upright, agreeing: Math.max(up, down), evidence };
}
