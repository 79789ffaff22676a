/**
 * Text lines found in projection profiles of narrow strips, and the ink above and below each
 * line's x-height band.
 *
 * The page is cut into strips about half an inch wide, in both directions. In a strip across
 * horizontal text, the row profile is a train of humps, one per text line: a dense plateau (the
 * x-height band) with thin tails on either side (ascenders and capitals on one, descenders on the
 * other). Profiles taken along the text have no such shape. Narrow strips keep a few degrees of
 * skew from smearing the humps into each other.
 */

/** Evidence gathered along one axis (row profiles: horizontal text; column profiles: vertical text). */
export interface AxisEvidence {
  /** Strip humps that belong to a line. */
  humps: number;
  /** Lines: chains of humps across at least two strips. */
  lines: number;
  /** Ink inside the accepted lines' x-height bands. */
  bandInk: number;
  /** Ink in the tails on the lower-index side (above for rows, left for columns), summed over lines. */
  before: number;
  /** Ink in the tails on the higher-index side (below for rows, right for columns). */
  after: number;
  /** Lines whose lower-index tail holds clearly more ink than the other, and the reverse. */
  votesBefore: number;
  votesAfter: number;
  /** Sum of squares of each line's (before − after): with their sum, a self-normalised test of which side is larger. */
  differenceSquares: number;
  /**
   * Tail strokes: runs of neighbouring pixel columns (along the line) with ink clearly beyond the
   * x-height band on the lower-index side, and on the higher-index side, summed over lines. Each
   * ascender, capital or umlaut dot is one stroke on the top side, each descender one on the
   * bottom: a count of letters, not of ink, so a bold heading does not outweigh the rest and a
   * two-line note still gives one or two dozen strokes.
   */
  strokesBefore: number;
  strokesAfter: number;
}

/** The glyph mask the profiles were taken of, seen along one axis: pixel (along u, across v) is mask[u·alongStride + v·acrossStride]. */
export interface MaskView {
  mask: Uint8Array;
  alongStride: number;
  acrossStride: number;
  /** Pixels along the axis (the image width for horizontal text). */
  alongLength: number;
  /** Strip width, as for the profiles. */
  strip: number;
}

export interface LineShape {
  /** Thinnest x-height band that counts, in pixels. */
  minBand: number;
  /** Tallest hump that counts as one line, in pixels. */
  maxLine: number;
  /** Profile values at or below this are gaps between lines. */
  gapLevel: number;
  /** A hump's peak must reach this many ink pixels (the strip must be partly filled by text). */
  minPeak: number;
  /** How far (pixels) a line's band edges may move from one strip to the next (skew, noise). */
  edgeTolerance: number;
}

/** A line's hump may be at most this many times its x-height band (DejaVu: about 1.9 with both tails). */
const MAX_HUMP_TO_BAND = 3;
/** A row next to the band's edge with at least this share of the edge row's ink still belongs to the band (a gradual decline, not a cliff)... */
const BAND_DECLINE = 0.6;
/** ...when it also holds this share of the peak: tails (a quarter of the peak or less in print) never join the band. */
const BAND_FLOOR = 1 / 3;
/** A tail must hold this many times the other's ink for the line to vote. */
const VOTE_RATIO = 1.5;

export function emptyEvidence(): AxisEvidence {
  return { humps: 0, lines: 0, bandInk: 0, before: 0, after: 0, votesBefore: 0, votesAfter: 0, differenceSquares: 0, strokesBefore: 0, strokesAfter: 0 };
}

/**
 * Row profiles of vertical strips and column profiles of horizontal strips, in one pass.
 * rows[s * height + y] is the ink of row y within strip s (columns s·strip .. s·strip + strip − 1);
 * cols[b * width + x] the same for column x within band b.
 */
export function stripProfiles(mask: Uint8Array, width: number, height: number, strip: number): { rows: Int32Array; cols: Int32Array; stripsX: number; stripsY: number } {
  const stripsX = Math.ceil(width / strip);
  const stripsY = Math.ceil(height / strip);
  const rows = new Int32Array(stripsX * height);
  const cols = new Int32Array(stripsY * width);
  const stripOf = new Int32Array(width);
  for (let x = 0; x < width; x++) stripOf[x] = ((x / strip) | 0) * height;
  // Most of the mask is paper: it is read four pixels at a time where it is word-aligned, and only
  // words holding ink are looked into.
  const words = mask.byteOffset % 4 === 0 ? new Uint32Array(mask.buffer, mask.byteOffset, mask.length >> 2) : undefined;
  for (let y = 0; y < height; y++) {
    const offset = y * width;
    const colBase = ((y / strip) | 0) * width;
    let x = 0;
    if (words) {
      for (; x < width && (offset + x) & 3; x++) {
        if (mask[offset + x] === 0) continue;
        rows[stripOf[x] + y]++;
        cols[colBase + x]++;
      }
      for (; x + 4 <= width; x += 4) {
        if (words[(offset + x) >> 2] === 0) continue;
        for (let k = x; k < x + 4; k++) {
          if (mask[offset + k] === 0) continue;
          rows[stripOf[k] + y]++;
          cols[colBase + k]++;
        }
      }
    }
    for (; x < width; x++) {
      if (mask[offset + x] === 0) continue;
      rows[stripOf[x] + y]++;
      cols[colBase + x]++;
    }
  }
  return { rows, cols, stripsX, stripsY };
}

/**
 * Text lines along one axis. A text line crosses several strips and shows the same x-height band
 * in each (shifted a little by skew); a word seen along a line, or a blob in a photo, does not.
 * Humps whose band edges the next strip repeats are chained into lines, and each line (not each
 * hump) votes: a line of fifty letters almost always has more ascender than descender ink, a hump
 * of seven letters often not.
 */
export function axisEvidence(profiles: Int32Array, strips: number, length: number, shape: LineShape, view?: MaskView): AxisEvidence {
  keepClasses(shape, view);
  const humps = threadHumps.restart();
  const stripStart = new Int32Array(strips + 1);
  for (let s = 0; s < strips; s++) {
    stripStart[s] = humps.count;
    findHumps(profiles, s * length, length, shape, humps);
    for (let h = stripStart[s]; h < humps.count; h++) humps.strip[h] = s;
  }
  stripStart[strips] = humps.count;
  const next = new Int32Array(humps.count).fill(-1);
  const continues = new Uint8Array(humps.count);
  for (let s = 0; s + 1 < strips; s++) {
    for (let h = stripStart[s]; h < stripStart[s + 1]; h++) {
      const match = findMatch(humps, h, stripStart[s + 1], stripStart[s + 2], shape.edgeTolerance);
      if (match >= 0 && !continues[match]) {
        next[h] = match;
        continues[match] = 1;
      }
    }
  }
  const evidence = emptyEvidence();
  for (let h = 0; h < humps.count; h++) {
    if (continues[h] || next[h] < 0) continue;
    let before = 0;
    let after = 0;
    const strokes = threadStrokes.restart();
    for (let k = h; k >= 0; k = next[k]) {
      evidence.humps++;
      evidence.bandInk += humps.bandInk[k];
      before += humps.before[k];
      after += humps.after[k];
      if (view) strokes.add(view, humps, k);
    }
    evidence.strokesBefore += strokes.before;
    evidence.strokesAfter += strokes.after;
    evidence.lines++;
    evidence.before += before;
    evidence.after += after;
    evidence.differenceSquares += (before - after) * (before - after);
    if (before > VOTE_RATIO * after && before > 0) evidence.votesBefore++;
    else if (after > VOTE_RATIO * before && after > 0) evidence.votesAfter++;
  }
  return evidence;
}

/** Share of the band height a tail must reach beyond the band to count as a stroke: serifs and most commas stay within it, ascenders, capitals and descenders (0.3 to 0.45 in DejaVu) reach past it. */
const STROKE_REACH = 0.2;

/**
 * Counts tail strokes along one line, hump by hump in strip order; a stroke that crosses from one
 * strip into the next counts once.
 */
class StrokeCounter {
  before = 0;
  after = 0;
  private inBefore = false;
  private inAfter = false;
  private lastStrip = -2;

  /** Back to a new counter's state, for the next line. */
  restart(): this {
    this.before = 0;
    this.after = 0;
    this.inBefore = false;
    this.inAfter = false;
    this.lastStrip = -2;
    return this;
  }

  add(view: MaskView, humps: HumpList, k: number): void {
    const { mask, alongStride, acrossStride, alongLength, strip } = view;
    const s = humps.strip[k];
    if (s !== this.lastStrip + 1) this.inBefore = this.inAfter = false;
    this.lastStrip = s;
    const first = humps.first[k];
    const last = humps.last[k];
    const reach = Math.max(1, Math.round(STROKE_REACH * (last - first + 1)));
    // Rows of the tails beyond the reach, within the hump (whose ends are blank rows: no other line).
    const beforeFrom = humps.start[k];
    const beforeTo = first - reach; // exclusive
    const afterFrom = last + reach + 1;
    const afterTo = humps.end[k]; // exclusive
    const uEnd = Math.min(alongLength, (s + 1) * strip);
    for (let u = s * strip; u < uEnd; u++) {
      const base = u * alongStride;
      let above = false;
      for (let v = beforeFrom; v < beforeTo; v++) {
        if (mask[base + v * acrossStride]) {
          above = true;
          break;
        }
      }
      let below = false;
      for (let v = afterFrom; v < afterTo; v++) {
        if (mask[base + v * acrossStride]) {
          below = true;
          break;
        }
      }
      if (above && !this.inBefore) this.before++;
      if (below && !this.inAfter) this.after++;
      this.inBefore = above;
      this.inAfter = below;
    }
  }
}

function findMatch(humps: HumpList, h: number, from: number, to: number, tolerance: number): number {
  const first = humps.first[h];
  const last = humps.last[h];
  for (let k = from; k < to; k++) {
    if (humps.first[k] > last) return -1;
    if (Math.abs(humps.first[k] - first) <= tolerance && Math.abs(humps.last[k] - last) <= tolerance) return k;
  }
  return -1;
}

/** Growable columns of hump data, so a page with thousands of humps allocates a few arrays only. */
class HumpList {
  count = 0;
  first = new Int32Array(256);
  last = new Int32Array(256);
  /** The hump's whole extent (tails included): start inclusive, end exclusive; and its strip. */
  start = new Int32Array(256);
  end = new Int32Array(256);
  strip = new Int32Array(256);
  bandInk = new Float64Array(256);
  before = new Float64Array(256);
  after = new Float64Array(256);

  /** Empty again, for the next axis; the columns keep their size (a hump's entries are written before they are read). */
  restart(): this {
    this.count = 0;
    return this;
  }

  push(start: number, end: number, first: number, last: number, bandInk: number, before: number, after: number): void {
    if (this.count === this.first.length) this.grow();
    const i = this.count++;
    this.start[i] = start;
    this.end[i] = end;
    this.first[i] = first;
    this.last[i] = last;
    this.bandInk[i] = bandInk;
    this.before[i] = before;
    this.after[i] = after;
  }

  private grow(): void {
    const size = this.first.length * 2;
    const copy = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.first = copy(this.first, (n) => new Int32Array(n));
    this.last = copy(this.last, (n) => new Int32Array(n));
    this.start = copy(this.start, (n) => new Int32Array(n));
    this.end = copy(this.end, (n) => new Int32Array(n));
    this.strip = copy(this.strip, (n) => new Int32Array(n));
    this.bandInk = copy(this.bandInk, (n) => new Float64Array(n));
    this.before = copy(this.before, (n) => new Float64Array(n));
    this.after = copy(this.after, (n) => new Float64Array(n));
  }
}

/**
 * The thread's one hump list and stroke counter, emptied for each use (axisEvidence is synchronous
 * and does not call itself). Kept alive on purpose: instances made per page died with the page, and
 * with them the hidden classes the optimized code of findHumps, addHump and StrokeCounter.add checks
 * its arguments against; the next full garbage collection then threw that code away (deopt reason
 * "weak objects") and it was compiled again, page after page, in the bundled page worker.
 */
const threadHumps = new HumpList();
const threadStrokes = new StrokeCounter();

const NO_MASK = new Uint8Array(0);
const newestArguments: { shape?: LineShape; view?: MaskView } = {};

/**
 * The callers' shape and view are made per page, and when the last of them died their hidden
 * classes could die too, taking findHumps', addHump's and StrokeCounter.add's optimized code with
 * them ("weak objects", as above). The newest shape is kept until the next call, and a copy of the
 * newest view (same class) without its mask, so the page's mask is not held.
 */
function keepClasses(shape: LineShape, view: MaskView | undefined): void {
  newestArguments.shape = shape;
  // Written out in the callers' key order, so the copy takes the same class (a spread copy did not).
  if (view) newestArguments.view = { mask: NO_MASK, alongStride: view.alongStride, acrossStride: view.acrossStride, alongLength: view.alongLength, strip: view.strip };
}

/** Finds the humps of one strip's profile (profile[start .. start + length − 1]); positions are relative to start. */
function findHumps(profile: Int32Array, start: number, length: number, shape: LineShape, humps: HumpList): void {
  const end = start + length;
  let i = start;
  while (i < end) {
    while (i < end && profile[i] <= shape.gapLevel) i++;
    const a = i;
    let peak = 0;
    while (i < end && profile[i] > shape.gapLevel) {
      if (profile[i] > peak) peak = profile[i];
      i++;
    }
    const b = i;
    if (b - a === 0 || b - a > shape.maxLine || peak < shape.minPeak) continue;
    addHump(profile, start, a, b, peak, shape, humps);
  }
}

function addHump(profile: Int32Array, start: number, a: number, b: number, peak: number, shape: LineShape, humps: HumpList): void {
  const half = peak / 2;
  let first = a;
  while (profile[first] < half) first++;
  let last = b - 1;
  while (profile[last] < half) last--;
  // The band ends where the density falls off a cliff (the baseline, the x-line), not where it
  // first dips under half the peak: handwriting whose letters are arches has its densest rows at
  // the arch tops and thins out gradually down the legs to the baseline, and those legs must not
  // pass for descenders. Printed letters fall from the band to their tails in one step.
  const floor = peak * BAND_FLOOR;
  while (first > a && profile[first - 1] >= floor && profile[first - 1] >= BAND_DECLINE * profile[first]) first--;
  while (last < b - 1 && profile[last + 1] >= floor && profile[last + 1] >= BAND_DECLINE * profile[last]) last++;
  const band = last - first + 1;
  if (band < shape.minBand || b - a > MAX_HUMP_TO_BAND * band) return;
  // An x-height band is dense all the way across; a profile along the text dips between letters.
  let bandInk = 0;
  for (let k = first; k <= last; k++) {
    if (profile[k] < peak / 4) return;
    bandInk += profile[k];
  }
  let before = 0;
  for (let k = a; k < first; k++) before += profile[k];
  let after = 0;
  for (let k = last + 1; k < b; k++) after += profile[k];
  humps.push(a - start, b - start, first - start, last - start, bandInk, before, after);
}
