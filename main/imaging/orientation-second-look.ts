/**
 * A second look at the orientation of a page the first look (on the ~100 dpi analysis copy) left
 * unsure, at about 200 dpi and only where the text is.
 *
 * At 100 dpi the thin strokes of light and small faces (DejaVu ExtraLight or Mono at 9–10 pt) fade
 * into the paper, and a two-line note gives too few ascenders and descenders to decide on. At
 * 200 dpi the same letters keep their strokes. Reading the whole page at 200 dpi would cost four
 * times the first look; reading the box around the text costs a fraction of that on the pages
 * that need it (a sparse note's text fills a tenth of the sheet).
 *
 * The box is found on the small copy, cut out of the full-resolution pixels, scaled to 200 dpi,
 * turned and levelled as the first look was, and read by the same detector.
 */
import sharp from 'sharp';
import { openPageImage } from './decode.js';
import { detectOrientationDetailed, type OrientationDetails, type OrientationEstimate } from './orientation.js';
import { glyphInk } from './orientation-ink.js';
import { readSparseCues, sparseNoteTop } from './orientation-sparse.js';
import { rotateGreyQuarters } from './quarter-turn.js';
import { levelRows } from './shear.js';
import type { GreyImage, RawImage, SourcePage } from './types.js';

/** Resolution of the second look: thin strokes of 9 pt text survive; beyond it the cost grows with no gain in the cues. */
export const SECOND_LOOK_DPI = 200;
/** Source pixels must be at least this much finer than the first look's for a second look to see more. */
const MIN_GAIN = 1.4;
/** Margin (inches) round the text box: the tails of the outer lines and a little paper. */
const MARGIN_INCHES = 0.2;
/** Share of the glyph ink left out at each end of the box, so a speck far from the text does not stretch it. */
const TRIM_SHARE = 0.005;

/** What the first look knew about the page, in the small copy's terms. */
export interface FirstLook {
  /** The small grey copy the first look read (before any quarter turn), borders whitened. */
  small: GreyImage;
  /** Its resolution. */
  smallDpi: number;
  /** Clockwise quarter turns the first look gave the copy so its lines run across (0 or 1). */
  linesQuarters: 0 | 1;
  /** The skew of the turned copy (the skew convention), when it was measured reliably. */
  skewDegrees?: number;
}

export interface SecondLook {
  details: OrientationDetails;
  /** Pixels read, for the bench. */
  pixels: number;
}

/**
 * The orientation read at about 200 dpi from the text box of the full-resolution page, as the
 * clockwise quarter turns the page (unturned) needs. Undefined when the full pixels are not finer
 * than the small copy's, or there is no text box.
 */
export async function secondLookOrientation(full: RawImage, fullDpi: number, first: FirstLook): Promise<SecondLook | undefined> {
  const view = await textBoxView(full, fullDpi, first);
  if (!view) return undefined;
  let details = detectOrientationDetailed(view.lines, view.dpi, { straightened: view.straightened });
  if (!details.reliable) details = sparseNoteLook(view, details) ?? details;
  return { details: { ...details, turnQuarters: ((first.linesQuarters + details.turnQuarters) % 4) as 0 | 1 | 2 | 3 }, pixels: view.lines.width * view.lines.height };
}

/**
 * Share of the glyph ink the detector found in lines across the box before the sparse-note cues
 * are read: a note's lines hold 0.58 and more of it (a two-line note in a 14 pt monospaced face
 * the least), a photo's grain 0.15 and less (0.48 once); the cues' own line check follows.
 */
const SPARSE_MIN_LINE_SHARE = 0.5;

/**
 * A short note whose tails leave the detector unsure, told by its margins, its detached marks and
 * the lean of its tails (orientation-sparse.ts), two of them agreeing. Only on a box levelled by a
 * measured skew, with lines across (the lines' axis is then the skew's): the answer is upright or
 * turned 180° in the box's frame.
 */
function sparseNoteLook(view: TextBoxView, details: OrientationDetails): OrientationDetails | undefined {
  const across = details.turnQuarters === 0 || details.turnQuarters === 2;
  if (!view.straightened || !across || details.lineShare < SPARSE_MIN_LINE_SHARE) return undefined;
  const cues = readSparseCues(view.lines, view.dpi, view.skewDegrees);
  const top = sparseNoteTop(cues, details.horizontal);
  if (!top) return undefined;
  return { ...details, turnQuarters: top.upright ? 0 : 2, reliable: true, confidence: top.agreeing === 3 ? 0.8 : 0.6, evidence: `axis: lines across, levelled by the measured skew; top: ${top.evidence}` };
}

/** The text box at the second look's resolution, turned so its lines run across and levelled as the first look found them. */
export interface TextBoxView {
  lines: GreyImage;
  dpi: number;
  /** The lines were levelled by a reliably measured skew (or needed none). */
  straightened: boolean;
  /** The skew they were levelled by (0 when not straightened). */
  skewDegrees: number;
}

/**
 * The text box of the full-resolution page at about 200 dpi, turned by the first look's quarter
 * turns for its lines and levelled by its skew. Undefined when the full pixels are not finer than
 * the small copy's, or there is no text box.
 */
export async function textBoxView(full: RawImage, fullDpi: number, first: FirstLook): Promise<TextBoxView | undefined> {
  const targetDpi = Math.min(SECOND_LOOK_DPI, fullDpi);
  if (targetDpi < MIN_GAIN * first.smallDpi) return undefined;
  const box = textBox(first.small, first.smallDpi);
  if (!box) return undefined;
  const scale = full.width / first.small.width;
  const left = Math.max(0, Math.floor(box.left * scale));
  const top = Math.max(0, Math.floor(box.top * scale));
  const width = Math.min(full.width - left, Math.ceil(box.width * scale));
  const height = Math.min(full.height - top, Math.ceil(box.height * scale));
  if (width < 16 || height < 16) return undefined;
  const outWidth = Math.max(16, Math.round((width * targetDpi) / fullDpi));
  const { data, info } = await sharp(full.data, { raw: { width: full.width, height: full.height, channels: full.channels } })
    .extract({ left, top, width, height })
    .resize({ width: outWidth, kernel: 'linear' })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const crop: GreyImage = { data: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height), width: info.width, height: info.height };
  const dpi = (fullDpi * info.width) / width;
  let lines = rotateGreyQuarters(crop, first.linesQuarters);
  const straightened = first.skewDegrees !== undefined;
  if (first.skewDegrees) lines = levelRows(lines, first.skewDegrees);
  return { lines, dpi, straightened, skewDegrees: first.skewDegrees ?? 0 };
}

/**
 * The second look as the pipeline takes it: from the page's full-resolution pixels when it has
 * decoded them already, else from a grey decode of the page (only pages the first look left
 * unsure pay for it). The estimate holds the quarter turns the unturned page needs (not those of
 * the copy turned for its lines, as the first look's does); undefined
 * when the second look is no surer than the first.
 */
export async function secondLookAtPage(page: SourcePage, decoded: RawImage | undefined, pageDpi: number, first: FirstLook): Promise<OrientationEstimate | undefined> {
  if (Math.min(SECOND_LOOK_DPI, pageDpi) < MIN_GAIN * first.smallDpi) return undefined;
  const full = decoded ?? (await decodeGrey(page));
  const look = await secondLookOrientation(full, pageDpi, first);
  if (!look?.details.reliable) return undefined;
  const { turnQuarters, confidence, reliable, evidence } = look.details;
  return { turnQuarters, confidence, reliable, evidence: `second look at ${SECOND_LOOK_DPI} dpi on the text box; ${evidence}` };
}

async function decodeGrey(page: SourcePage): Promise<RawImage> {
  const { data, info } = await openPageImage(page, { failOn: 'warning' }).flatten({ background: '#ffffff' }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels as RawImage['channels'] };
}

/** The box round the glyph ink of the small copy, trimmed of stray specks and widened by a margin; undefined when there is no ink. */
export function textBox(small: GreyImage, dpi: number): { left: number; top: number; width: number; height: number } | undefined {
  const { width, height } = small;
  const mask = glyphInk(small, dpi);
  const rows = new Float64Array(height);
  const cols = new Float64Array(width);
  let total = 0;
  for (let y = 0; y < height; y++) {
    const offset = y * width;
    for (let x = 0; x < width; x++) {
      if (mask[offset + x] === 0) continue;
      rows[y]++;
      cols[x]++;
      total++;
    }
  }
  if (total === 0) return undefined;
  const [y0, y1] = trimmedRange(rows, total);
  const [x0, x1] = trimmedRange(cols, total);
  const margin = Math.round(MARGIN_INCHES * dpi);
  const left = Math.max(0, x0 - margin);
  const top = Math.max(0, y0 - margin);
  return { left, top, width: Math.min(width, x1 + 1 + margin) - left, height: Math.min(height, y1 + 1 + margin) - top };
}

function trimmedRange(counts: Float64Array, total: number): [number, number] {
  const cut = TRIM_SHARE * total;
  let first = 0;
  for (let seen = 0; first < counts.length - 1; first++) {
    seen += counts[first];
    if (seen > cut) break;
  }
  let last = counts.length - 1;
  for (let seen = 0; last > first; last--) {
    seen += counts[last];
    if (seen > cut) break;
  }
  return [first, last];
}
