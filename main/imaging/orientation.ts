/**
 * Which way up a scanned page is: 0, 90, 180 or 270 degrees, from the shape of its text lines.
 *
 * Pure and synchronous, so it runs inside worker threads, on the same small grey copy (about
 * 100–150 dpi) that skew measurement uses. Tolerates a few degrees of skew.
 *
 * Method (no OCR): glyph ink (orientation-ink), then profiles of narrow strips in both directions
 * (orientation-lines). Text lines show up as humps with a dense x-height band in the profiles
 * across them, and hardly at all in the profiles along them: the axis with far more line ink is
 * the text direction. Latin script, German above all (capitals on every noun, b d f h k l t,
 * umlaut dots), puts much more ink above the x-height band than below it (g j p q y): the side of
 * the band that holds the larger tails, summed over all lines and counted line by line, is the
 * top of the text. A page of a few lines has too few line votes; there the tail strokes (letters
 * reaching beyond the band, counted one by one) must agree with the ink (STROKE_TIER,
 * STRONG_STROKE_TIER). A monospaced face's letters also form columns across the lines; the text
 * axis is then told by its longer lines (LETTER_COLUMNS). When either decision is close, or there
 * is too little text, the estimate is flagged unreliable: a page turned the wrong way is far worse
 * than a page left for staff. Every estimate names the evidence it rests on (`evidence`).
 */
import { measureSkew } from './deskew.js';
import { glyphInk } from './orientation-ink.js';
import type { BlockExtremes } from './deskew-ink.js';
import { axisEvidence, stripProfiles, type AxisEvidence, type LineShape } from './orientation-lines.js';
import { rotateGreyQuarters } from './quarter-turn.js';
import { levelColumns, levelRows } from './shear.js';
import type { GreyImage } from './types.js';

export interface OrientationEstimate {
  /**
   * Clockwise quarter turns needed to make the page upright: 0, 1 (90°), 2 (180°), 3 (270°).
   * A page whose content was turned 90° clockwise (text running top to bottom, tops of the letters
   * facing right) needs 3; one turned 90° counter-clockwise needs 1. Apply with
   * `sharp.rotate(90 * turnQuarters)`.
   */
  turnQuarters: 0 | 1 | 2 | 3;
  /** 0..1 */
  confidence: number;
  /** False: the orientation cannot be told (too little text, no line structure, close votes); leave the page and flag it. */
  reliable: boolean;
  /**
   * The named evidence behind the answer, for the page's record: which rule found the text
   * direction and which found the top, with the figures they weighed (e.g. "axis: line ink 5.2×;
   * top: line votes: votes 31 to 2, tail ink 0.46, strokes 410 to 37"); "unclear" names the rule
   * that left the page for staff.
   */
  evidence?: string;
}

/** Diagnostics beside the estimate, for tuning and the benchmark. */
export interface OrientationDetails extends OrientationEstimate {
  horizontal: AxisEvidence;
  vertical: AxisEvidence;
  /** Line ink of the chosen axis over that of the other (≥ 1). */
  axisRatio: number;
  /** (top tails − bottom tails) / (top + bottom) on the chosen axis, as seen with the text upright: > 0 upright. */
  asymmetry: number;
  /** Lines voting for the chosen top, and against it. */
  votesFor: number;
  votesAgainst: number;
  /** One-sided sign-test chance of the vote split under no preference (small: the top is clear). */
  signTestP: number;
  /** Tail strokes on the chosen top side, and on the other. */
  strokesFor: number;
  strokesAgainst: number;
  /** Share of the glyph ink inside the chosen axis' lines (bands and tails). */
  lineShare: number;
}

/** Strip width in inches: wide enough for several letters, narrow enough that 3° of skew shifts a line by under 2 px at 100 dpi. */
const STRIP_INCHES = 0.5;
/** Fewer line humps than this (about two full lines of text) cannot be trusted by line votes alone. */
const MIN_HUMPS = 20;
/**
 * Share of the glyph ink the lines must hold for their votes to count. A 1-bit full-page photo's
 * grain once gave 38 line votes to 22 with tail ink 0.21, in lines holding 0.11 of its ink (at
 * most 0.13 in the bench's photo cases with so clear a vote); text pages hold 0.6 and more, a
 * handwritten page beneath a printed letterhead 0.37.
 */
const MIN_LINE_SHARE = 0.25;
/** The text axis must hold this many times the line ink of the other. */
const MIN_AXIS_RATIO = 3;
/**
 * A monospaced face (typewriter letters, printouts of older systems) sets every letter on a grid,
 * so its letters also line up across the lines: columns that look like text lines running the
 * other way, with half the line ink of the real ones or more. They are short, though: a column
 * of letters ends at every word space and line end, while a text line runs on for dozens of
 * letters. So a weaker ink lead counts when the chosen axis' lines run on for clearly more strips
 * than the other's. Measured on generated pages in DejaVu Sans Mono: the text axis has 1.3 to 2.6
 * times the line ink, its lines 3.2 to 12 strips against 2 to 4 (1.6 to 3.6 times as long; the
 * least on two-column pages and two-line notes in 14 pt). Were the letter columns the richer
 * axis, their lines would be the shorter ones and the page flagged.
 */
const LETTER_COLUMNS = {
  minAxisRatio: 1.25,
  /** Mean strips per line on the chosen axis, over the same on the other. */
  minLengthRatio: 1.6,
  /** Mean strips per line on the chosen axis: at least one and a half inches of text. */
  minStripsPerLine: 3,
};
/**
 * How sure the top must be. Two kinds of evidence, traded against each other: the tail-ink
 * asymmetry over the whole page ((top − bottom) / (top + bottom); upright German text gives about
 * 0.3 to 0.8, tables full of digits less), and the lines' votes, judged by a one-sided sign test
 * (the chance of so lopsided a split if each line were a coin toss). Strong ink asymmetry lets a
 * sparse page with a few unanimous lines through; weak asymmetry needs an overwhelming vote.
 */
const TOP_EVIDENCE_TIERS: ReadonlyArray<{ minAsymmetry: number; minVotes: number; maxSignTestP: number }> = [
  { minAsymmetry: 0.3, minVotes: 4, maxSignTestP: 0.07 }, // 4 of 4, 6 of 7, 8 of 10
  { minAsymmetry: 0.2, minVotes: 5, maxSignTestP: 0.036 }, // 5 of 5, 7 of 8, 9 of 11
  { minAsymmetry: 0.12, minVotes: 20, maxSignTestP: 1e-4 }, // 20 of 22, 30 of 37
];

/**
 * A page of a few short lines gives too few line votes for the tiers above, however clear each
 * line is. Its letters still tell: each ascender, capital and umlaut dot is a stroke beyond the
 * x-height band on the top side, each descender one on the bottom (German: several times more of
 * the first). The top is taken from few lines only when the ink asymmetry and the stroke count
 * agree, each by a clear margin, and no line votes much against them. Measured on generated
 * sparse pages in six DejaVu faces, 9–14 pt, two to five lines, left or centred, skewed up to 4°
 * (test/fixtures/orientation-pages.ts): where the ink points the wrong way (a few, at
 * asymmetry up to 0.29), the strokes are even or favour the true top, never 6 and a 0.7 share.
 */
const STROKE_TIER = {
  /** Two lines of two strips each: a note of two short lines in a small face gives no more. */
  minHumps: 4,
  minAsymmetry: 0.15,
  minStrokes: 6,
  /** Share of all tail strokes on the top side. */
  minStrokeShare: 0.7,
  /** (for − against) / √(for + against): a binomial z-score of the stroke split. */
  minStrokeScore: 2,
  /** Line votes against may be at most a third of those for (and there must be one for)... */
  votesAgainstPerFor: 3,
  /** ...or fewer than those for, when this share of the strokes or more is on the top side (13 to 1 seen beside a stray piece of line voting against). */
  overwhelmingStrokeShare: 0.85,
  /**
   * Share of the glyph ink that lies in the lines found (bands and tails). A full-page photo's
   * grain forms a few short "lines" with one-sided tails (seen: 7 strokes to 0, asymmetry 1), but
   * they hold little of its ink: 0.00 to 0.07 on 28 generated photos, 0.48 once; sparse text
   * pages 0.73 to 1.00, mostly above 0.9.
   */
  minLineShare: 0.65,
};

/**
 * A page of a few lines whose letters leave no doubt: many more tail strokes on one side than the
 * other (ascenders, capitals and umlaut dots against descenders), while the ink only leans the
 * same way. Heavy descender bowls (g) in a serif or light face can weigh as much ink as the
 * ascenders they are outnumbered by, so the ink asymmetry is small there (0.07 to 0.1 seen)
 * while the strokes split 35 to 10. Photos give such splits too, in a sliver of their ink (line
 * share at most 0.15 in the bench's 112 photo cases): the line share guards as in STROKE_TIER.
 */
const STRONG_STROKE_TIER = {
  minHumps: 6,
  minLineShare: 0.65,
  minAsymmetry: 0.05,
  minStrokes: 20,
  minStrokeShare: 0.75,
  minStrokeScore: 3,
};

export interface OrientationOptions {
  /** The caller has straightened the copy already (the pipeline does): no second look at a levelled copy. */
  straightened?: boolean;
  /** Block extremes of this very copy, measured already (glyphInk takes them when they match). */
  blockExtremes?: BlockExtremes;
}

/** Skew below this leaves the lines level enough: no second look. */
const MIN_LEVELLING_DEGREES = 0.3;

export function detectOrientation(image: GreyImage, dpi: number, options: OrientationOptions = {}): OrientationEstimate {
  const { turnQuarters, confidence, reliable, evidence } = detectOrientationDetailed(image, dpi, options);
  return { turnQuarters, confidence, reliable, evidence };
}

/**
 * When the first answer is unsure and the copy is skewed, a second look at the copy with its lines
 * levelled (a sparse page's few lines, each a little tilted, give blurred tails and split votes).
 * The second answer counts only when it is sure by the same rules; otherwise the first stands.
 */
export function detectOrientationDetailed(image: GreyImage, dpi: number, options: OrientationOptions = {}): OrientationDetails {
  validate(image, dpi);
  const first = estimateOrientation(image, dpi, options.blockExtremes);
  if (first.reliable || options.straightened) return first;
  const levelled = levelLines(image, dpi);
  if (!levelled) return first;
  const second = estimateOrientation(levelled, dpi);
  return second.reliable ? { ...second, evidence: `lines levelled first; ${second.evidence}` } : first;
}

/** The copy with its text lines levelled, whichever way they run, or undefined when they cannot be measured or are level. */
function levelLines(image: GreyImage, dpi: number): GreyImage | undefined {
  const across = measureSkew(image, dpi);
  if (across.reliable) return Math.abs(across.angleDegrees) >= MIN_LEVELLING_DEGREES ? levelRows(image, across.angleDegrees) : undefined;
  const along = measureSkew(rotateGreyQuarters(image, 1), dpi);
  if (along.reliable && Math.abs(along.angleDegrees) >= MIN_LEVELLING_DEGREES) return levelColumns(image, along.angleDegrees);
  return undefined;
}

function estimateOrientation(image: GreyImage, dpi: number, blockExtremes?: BlockExtremes): OrientationDetails {
  const { width, height } = image;
  const mask = glyphInk(image, dpi, blockExtremes);
  const strip = Math.max(8, Math.round(STRIP_INCHES * dpi));
  const profiles = stripProfiles(mask, width, height, strip);
  const shape: LineShape = {
    // x-height of 8 pt DejaVu Sans is about 0.06 in.
    minBand: Math.max(2, Math.round(0.035 * dpi)),
    // 16 pt with ascenders, descenders and a few degrees of skew across the strip.
    maxLine: Math.round(0.4 * dpi),
    gapLevel: 0,
    minPeak: Math.max(3, Math.round(strip * 0.12)),
    edgeTolerance: Math.max(2, Math.round(0.03 * dpi)),
  };
  const horizontal = axisEvidence(profiles.rows, profiles.stripsX, height, shape, { mask, alongStride: 1, acrossStride: width, alongLength: width, strip });
  const vertical = axisEvidence(profiles.cols, profiles.stripsY, width, shape, { mask, alongStride: width, acrossStride: 1, alongLength: height, strip });

  const isHorizontal = horizontal.bandInk >= vertical.bandInk;
  const chosen = isHorizontal ? horizontal : vertical;
  const other = isHorizontal ? vertical : horizontal;
  const axisRatio = other.bandInk > 0 ? chosen.bandInk / other.bandInk : chosen.bandInk > 0 ? Infinity : 0;
  const tails = chosen.before + chosen.after;
  const rawAsymmetry = tails > 0 ? (chosen.before - chosen.after) / tails : 0;
  // Tops before the band (above, or to the left) means the page is upright, or turned a quarter counter-clockwise.
  const topBefore = rawAsymmetry >= 0;
  const turnQuarters: OrientationEstimate['turnQuarters'] = isHorizontal ? (topBefore ? 0 : 2) : topBefore ? 1 : 3;
  const asymmetry = Math.abs(rawAsymmetry);
  const votesFor = topBefore ? chosen.votesBefore : chosen.votesAfter;
  const votesAgainst = topBefore ? chosen.votesAfter : chosen.votesBefore;
  const signTestP = signTest(votesFor, votesAgainst);

  const strokesFor = topBefore ? chosen.strokesBefore : chosen.strokesAfter;
  const strokesAgainst = topBefore ? chosen.strokesAfter : chosen.strokesBefore;
  const strokeScore = strokesFor + strokesAgainst > 0 ? (strokesFor - strokesAgainst) / Math.sqrt(strokesFor + strokesAgainst) : 0;

  const stripsPerLine = (axis: AxisEvidence) => (axis.lines > 0 ? axis.humps / axis.lines : 0);
  const lengthRatio = stripsPerLine(other) > 0 ? stripsPerLine(chosen) / stripsPerLine(other) : Infinity;
  const byInkLead = axisRatio >= MIN_AXIS_RATIO;
  const byLineLength =
    !byInkLead &&
    axisRatio >= LETTER_COLUMNS.minAxisRatio &&
    stripsPerLine(chosen) >= LETTER_COLUMNS.minStripsPerLine &&
    lengthRatio >= LETTER_COLUMNS.minLengthRatio;

  // Lines found in a photo's grain hold a sliver of its ink; a page of text lines, most of it.
  let glyphInkTotal = 0;
  for (let i = 0; i < profiles.rows.length; i++) glyphInkTotal += profiles.rows[i];
  const lineShare = glyphInkTotal > 0 ? (chosen.bandInk + chosen.before + chosen.after) / glyphInkTotal : 0;
  const byLines =
    chosen.humps >= MIN_HUMPS &&
    lineShare >= MIN_LINE_SHARE &&
    TOP_EVIDENCE_TIERS.some((tier) => asymmetry >= tier.minAsymmetry && votesFor >= tier.minVotes && signTestP <= tier.maxSignTestP);
  const strokeShare = strokesFor + strokesAgainst > 0 ? strokesFor / (strokesFor + strokesAgainst) : 0;
  const byStrokes =
    chosen.humps >= STROKE_TIER.minHumps &&
    lineShare >= STROKE_TIER.minLineShare &&
    asymmetry >= STROKE_TIER.minAsymmetry &&
    strokesFor >= STROKE_TIER.minStrokes &&
    strokeShare >= STROKE_TIER.minStrokeShare &&
    strokeScore >= STROKE_TIER.minStrokeScore &&
    votesFor >= 1 &&
    (votesAgainst * STROKE_TIER.votesAgainstPerFor <= votesFor || (strokeShare >= STROKE_TIER.overwhelmingStrokeShare && votesAgainst < votesFor));
  const byStrongStrokes =
    chosen.humps >= STRONG_STROKE_TIER.minHumps &&
    lineShare >= STRONG_STROKE_TIER.minLineShare &&
    asymmetry >= STRONG_STROKE_TIER.minAsymmetry &&
    strokesFor >= STRONG_STROKE_TIER.minStrokes &&
    strokeShare >= STRONG_STROKE_TIER.minStrokeShare &&
    strokeScore >= STRONG_STROKE_TIER.minStrokeScore &&
    votesAgainst <= votesFor;
  const axisFound = byInkLead || byLineLength;
  const topFound = byLines || byStrokes || byStrongStrokes;
  const reliable = axisFound && topFound;
  // Each factor is 0.5 at its threshold and approaches 1 with a wide margin; evidence that did not
  // pass its rule stays below 0.5.
  const unsure = (value: number, passed: boolean) => (passed ? value : Math.min(value, 0.49));
  const axisConfidence = byLineLength
    ? Math.min(margin(axisRatio - 1, LETTER_COLUMNS.minAxisRatio - 1), margin(lengthRatio - 1, LETTER_COLUMNS.minLengthRatio - 1))
    : axisRatio === Infinity
      ? 1
      : margin(axisRatio - 1, MIN_AXIS_RATIO - 1);
  const middle = TOP_EVIDENCE_TIERS[1];
  const lineConfidence = Math.min(margin(asymmetry, middle.minAsymmetry), margin(-Math.log(signTestP), -Math.log(middle.maxSignTestP)));
  const strokeConfidence = Math.min(margin(asymmetry, STROKE_TIER.minAsymmetry), margin(strokeScore, STROKE_TIER.minStrokeScore));
  const strongStrokeConfidence = Math.min(margin(strokeScore, STRONG_STROKE_TIER.minStrokeScore), margin(strokeShare - 0.5, STRONG_STROKE_TIER.minStrokeShare - 0.5));
  const topConfidence = Math.max(unsure(lineConfidence, byLines), unsure(strokeConfidence, byStrokes), unsure(strongStrokeConfidence, byStrongStrokes));
  const confidence = chosen.humps === 0 ? 0 : Math.min(unsure(axisConfidence, axisFound), topConfidence);
  const axisWords = byInkLead
    ? `line ink ${ratioText(axisRatio)}`
    : byLineLength
      ? `line ink ${ratioText(axisRatio)} with lines ${lengthRatio.toFixed(1)}× as long (letter columns of a monospaced face)`
      : `unclear (line ink ${ratioText(axisRatio)})`;
  const topWords = `${byLines ? 'line votes' : byStrokes ? 'tail strokes' : byStrongStrokes ? 'many tail strokes' : 'unclear'}: votes ${votesFor} to ${votesAgainst}, tail ink ${asymmetry.toFixed(2)}, strokes ${strokesFor} to ${strokesAgainst}`;
  const evidence = chosen.humps === 0 ? 'no text lines' : `axis: ${axisWords}; top: ${topWords}`;
  return { turnQuarters, confidence, reliable, evidence, horizontal, vertical, axisRatio, asymmetry, votesFor, votesAgainst, signTestP, strokesFor, strokesAgainst, lineShare };
}

function ratioText(ratio: number): string {
  return ratio === Infinity ? 'on one axis only' : `${ratio.toFixed(1)}×`;
}

/** value / (value + threshold): 0.5 at the threshold, towards 1 above it. */
function margin(value: number, threshold: number): number {
  return value <= 0 ? 0 : value / (value + threshold);
}

/** P(X ≥ wins) for X ~ Binomial(wins + losses, 1/2). */
function signTest(wins: number, losses: number): number {
  const n = wins + losses;
  if (n === 0) return 1;
  let term = 0.5 ** n; // C(n, n) / 2^n
  let tail = term;
  for (let k = n; k > wins; k--) {
    term = (term * k) / (n - k + 1); // C(n, k−1) from C(n, k)
    tail += term;
  }
  return Math.min(1, tail);
}

function validate(image: GreyImage, dpi: number): void {
  if (!image || !(image.data instanceof Uint8Array)) throw new TypeError('detectOrientation: image.data must be a Uint8Array of grey pixels');
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 16 || height < 16) {
    throw new RangeError(`detectOrientation: image must be at least 16×16 pixels, got ${width}×${height}`);
  }
  if (data.length !== width * height) {
    throw new RangeError(`detectOrientation: image.data has ${data.length} bytes, expected width×height = ${width * height} (one grey byte per pixel)`);
  }
  if (!Number.isFinite(dpi) || dpi < 50 || dpi > 400) throw new RangeError(`detectOrientation: dpi must be between 50 and 400 (a small analysis copy), got ${dpi}`);
}
