/**
 * The clean-up of one page. Everything is decided on a small copy (~100 dpi): dark borders,
 * orientation, skew, blank, colour mode. Then the scanner's JPEG is kept byte for byte when nothing
 * needs to change or when the PDF can straighten it by how it draws it (a turn, a clip to the
 * paper), or the page is decoded once at full resolution, its border whitened, and encoded
 * (turned by the PDF's drawing, or in pixels once, quarter turns and skew together, on request): 1-bit G4 after an adaptive threshold for
 * black-and-white, JPEG on a whitened paper background for grey and colour.
 */
import sharp, { type Sharp } from 'sharp';
import { analyseRgb, BLANK_INK_SHARE, type PageAnalysis } from './analyse.js';
import { boxShrink, boxShrinkKeepingGreen } from './box-shrink.js';
import { binarizeAdaptiveBits, DEFAULT_SAUVOLA_K, DEFAULT_WINDOW_MM } from './binarize.js';
import { findPaperBox, scaleBox, whitenOutside, type PaperBox } from './borders.js';
import { decideColourMode, type ColourDecision } from './colour-mode.js';
import { openPageImage } from './decode.js';
import { readJpegHeader } from './probe.js';
import { measureSkewEitherWay, SKEW_ANALYSIS_DPI, type SkewEstimate } from './deskew.js';
import { encodeBilevel, encodeBits, encodeJpeg, passthroughJpeg } from './encode.js';
import { detectOrientation, type OrientationEstimate } from './orientation.js';
import { secondLookAtPage } from './orientation-second-look.js';
import { turnGreyCentred } from './turn-grey.js';
import { turnPageCentred } from './turn-full.js';
import type { ColourMode, EncodedPage, GreyImage, PageDrawing, RawImage, SourcePage } from './types.js';
import { giveBack, takeBuffer } from './spare-buffers.js';
import { whitenPaper } from './whiten-paper.js';
import { decodeStripedG4Tiff } from '../pdf/ccitt.js';

export interface CleanOptions {
  colourMode: 'auto' | ColourMode;
  jpegQuality: number;
  minSkewDegrees: number;
  maxSkewDegrees: number;
  /**
   * Pages are turned by how the PDF draws them (default): a scanner JPEG that stays grey or colour
   * keeps its bytes (its border hidden by a clip), other pages are cleaned and encoded unturned.
   * False: the pixels are turned at full resolution and re-encoded.
   */
  turnInPdf?: boolean;
}

/** What the clean-up did to a page, kept per page so staff can see and undo it. */
export interface CleanupRecord {
  /** The paper's box in full-resolution pixels when a dark border was whitened outside it. */
  border: PaperBox | null;
  orientation: OrientationEstimate;
  colourDecision: Pick<ColourDecision, 'mode' | 'reason' | 'colourShare' | 'photoShare'> | { mode: ColourMode; reason: string };
  /** Black-and-white pages: the adaptive threshold used. */
  threshold?: { method: 'sauvola'; k: number; windowMm: number };
  /** Grey and colour pages: paper level and white point used to whiten the background. */
  paperLevels?: { paper: number; whitePoint: number } | null;
  /** A kept JPEG straightened in the PDF: the turn and clip the page's content stream applies. */
  drawing?: PageDrawing;
}

export interface CleanedPage {
  encoded: EncodedPage;
  skew: SkewEstimate;
  /** The skew turn applied (clockwise, degrees); 0 when the page was left as it was. */
  rotatedDegrees: number;
  /** Clockwise quarter turns applied to make the page upright. */
  turnQuarters: 0 | 1 | 2 | 3;
  blank: boolean;
  inkShare: number;
  colourShare: number;
  colourMode: ColourMode;
  passthrough: boolean;
  /** The DPI was not in the file and was inferred from the page size. */
  dpiInferred: boolean;
  record: CleanupRecord;
}

const A4_LONG_SIDE_INCHES = 297 / 25.4;

/** Scanners nearly always write the DPI; when one does not, treat the page as A4 (the office norm). */
export function effectiveDpi(page: SourcePage): { dpi: number; inferred: boolean } {
  if (page.dpi && page.dpi >= 50 && page.dpi <= 2400) return { dpi: page.dpi, inferred: false };
  const inferred = Math.max(page.width, page.height) / A4_LONG_SIDE_INCHES;
  return { dpi: Math.round(Math.min(2400, Math.max(50, inferred))), inferred: true };
}

function chooseColourMode(requested: CleanOptions['colourMode'], page: SourcePage, small: RawImage, analysis: PageAnalysis, dpi: number, border: PaperBox | null): CleanupRecord['colourDecision'] {
  if (requested !== 'auto') return { mode: requested, reason: `the profile asks for ${requested}` };
  if (page.bilevel) return { mode: 'bw', reason: 'the scan is already black-and-white (1 bit)' };
  const { mode, reason, colourShare, photoShare } = decideColourMode(small, { dpi, box: border ?? undefined, analysis });
  return { mode, reason, colourShare, photoShare };
}

/**
 * Told the name of each stage as it ends (benchmarks time the stages with it: test/bench/profile.ts).
 * A stage's time is from the previous call, or from the start of cleanPage, to this one.
 */
export type StageClock = (stage: string) => void;

export async function cleanPage(page: SourcePage, options: CleanOptions, clock?: StageClock): Promise<CleanedPage> {
  const scratch: Array<Buffer | Uint8Array | undefined> = [];
  try {
    return await cleanPageWith(page, options, scratch, clock);
  } finally {
    // Nothing the page returns refers to these: the next page of the same size reuses them.
    giveBack(...(scratch as Buffer[]));
  }
}

/** cleanPage, listing in `scratch` the page's buffers that are dead once it returns. */
async function cleanPageWith(page: SourcePage, options: CleanOptions, scratch: Array<Buffer | Uint8Array | undefined>, clock?: StageClock): Promise<CleanedPage> {
  const { dpi, inferred } = effectiveDpi(page);
  const analysisWidth = Math.max(64, Math.round((page.width * SKEW_ANALYSIS_DPI) / dpi));
  // A grey scan is analysed in one channel: a third of the pixel work, and it has no colour to find.
  const greySource = await hasNoColour(page);
  clock?.('header');
  // Only a scanner JPEG can go into the PDF as it is; every other page is decoded at full
  // resolution anyway, so it is decoded once and the small copy is made from those pixels. So is a
  // grey JPEG that will most likely be thresholded (the automatic or black-and-white mode; the
  // common scanned text page): libjpeg's scaled decode still reads all of the file's coefficients
  // and costs three quarters of the full one. So is a colour JPEG in those modes: its small copy
  // comes from the full RGB by a block mean and its grey for the threshold from the same pixels
  // (see renderFull). Only a grey or colour profile, whose JPEGs go into the PDF as they are,
  // decodes the small copy on its own.
  const space = greySource ? 'b-w' : 'srgb';
  const scannerJpeg = page.jpegPassthrough && page.input.kind === 'encoded';
  const likelyDecodedFull = inferred || options.colourMode === 'auto' || options.colourMode === 'bw';
  let decodedOnce = scannerJpeg && !likelyDecodedFull
    ? undefined
    : (fastBilevel(page) ?? (await decodeScan(openPageImage(page, { failOn: 'warning' }).flatten({ background: '#ffffff' }).toColourspace(space))));
  const smallWidth = Math.min(analysisWidth, page.width);
  // A colour decode of a page that may well be thresholded: its green channel (the grey of an
  // untinted page, see renderFull) is taken in the same pass as the small copy.
  const { small, green } = decodedOnce
    ? await shrinkDecoded(decodedOnce, smallWidth, space, options.colourMode !== 'colour')
    : { small: await decodeScan(openPageImage(page, { failOn: 'warning' }).resize({ width: smallWidth, kernel: 'linear' }).flatten({ background: '#ffffff' }).toColourspace(space)), green: undefined };
  clock?.('decode small');
  scratch.push(small.data, green?.data);
  const analysisDpi = (dpi * small.width) / page.width;
  const analysis = analyseRgb(small.data, small.width, small.height, small.channels);
  scratch.push(analysis.grey.data);
  clock?.('analyse');

  // Dark scanner borders would pass for lines and ink: whiten them on the small copy before measuring.
  const border = findPaperBox(analysis.grey, analysisDpi, analysis.paperLevel).box;
  const grey: GreyImage = border ? whitenedGrey(analysis.grey, border) : analysis.grey;
  if (border) scratch.push(grey.data);
  const blank = analysis.inkShare < BLANK_INK_SHARE;
  clock?.('borders');

  // Skew first: orientation reads the shape of text lines, which blurs past a few degrees of skew.
  const { lines, linesQuarters, skew, linesExtremes } = measureSkewEitherWay(grey, analysisDpi, { maxAngleDegrees: options.maxSkewDegrees, lookSideways: !blank });
  clock?.('skew');
  const straightened = skew.reliable && Math.abs(skew.angleDegrees) >= options.minSkewDegrees ? turnGrey(lines, skew.angleDegrees) : lines;
  if (straightened !== lines) scratch.push(straightened.data);
  const unknownOrientation: OrientationEstimate = { turnQuarters: 0, confidence: 0, reliable: false };
  // The skew measurement's block extremes serve the orientation's ink finder too while the copy is unturned.
  let orientation = blank ? unknownOrientation : detectOrientation(straightened, analysisDpi, { straightened: skew.reliable, blockExtremes: linesExtremes });
  let turnQuarters = orientation.reliable ? (((linesQuarters + orientation.turnQuarters) % 4) as 0 | 1 | 2 | 3) : 0;
  if (!blank && !orientation.reliable) {
    // Unsure on the small copy: a second look at the text box at about 200 dpi (orientation-second-look.ts).
    const second = await secondLookAtPage(page, decodedOnce, dpi, { small: grey, smallDpi: analysisDpi, linesQuarters, skewDegrees: skew.reliable ? skew.angleDegrees : undefined });
    if (second) [orientation, turnQuarters] = [second, second.turnQuarters];
  }
  clock?.('orientation');
  const colourDecision = chooseColourMode(options.colourMode, page, small, analysis, analysisDpi, border);
  const colourMode = colourDecision.mode;
  clock?.('colour mode');

  const turn =
    !blank && skew.reliable && Math.abs(skew.angleDegrees) >= options.minSkewDegrees && Math.abs(skew.angleDegrees) <= options.maxSkewDegrees
      ? skew.angleDegrees
      : 0;
  const fullBorder = border ? scaleBox(border, small, page) : null;
  const record: CleanupRecord = { border: fullBorder, orientation, colourDecision };
  const base = { skew, rotatedDegrees: turn, turnQuarters, blank, inkShare: analysis.inkShare, colourShare: analysis.colourShare, colourMode, dpiInferred: inferred };

  // A scanner JPEG that stays grey or colour keeps its bytes: a turn or a border becomes part of
  // how the PDF draws it (see PageDrawing), not a decode, resample and re-encode of the page.
  const keepsJpeg = page.jpegPassthrough && page.input.kind === 'encoded' && colourMode !== 'bw' && !inferred;
  const turned = turn !== 0 || turnQuarters !== 0;
  const turnInPdf = options.turnInPdf !== false;
  const drawing = (paper: PaperBox | null): PageDrawing => {
    const sideways = turnQuarters % 2 === 1;
    return { turnDegrees: turnQuarters * 90 + turn, pageWidth: sideways ? page.height : page.width, pageHeight: sideways ? page.width : page.height, paper };
  };
  if (keepsJpeg && ((!turned && !border) || turnInPdf)) {
    const encoded = passthroughJpeg((page.input as { data: Buffer }).data, page.width, page.height, dpi);
    if (turned || border) encoded.drawing = record.drawing = drawing(fullBorder);
    return { ...base, record, encoded, passthrough: true };
  }

  // Cleaned pixels: the border is whitened in them; the turn is the PDF's when turnInPdf (1-bit
  // pages then skip a full-resolution resample that costs more than decode and threshold together).
  const plan: RenderPlan = {
    border: fullBorder,
    turnQuarters: turnInPdf ? 0 : turnQuarters,
    turn: turnInPdf ? 0 : turn,
    colour: colourMode === 'colour',
    greySource,
    neutral: analysis.tintedShare === 0,
    decoded: decodedOnce,
    green,
  };
  // The plan holds the only reference left: renderFull lets a 26 MB RGB page go once it has its grey.
  decodedOnce = undefined;
  const full = await renderFull(page, plan);
  clock?.('decode full');
  let encoded: EncodedPage;
  if (colourMode === 'bw' && page.bilevel) {
    // Already 1 bit (a G4 TIFF, a 1-bit PNG): its pixels are black or white, nothing to threshold.
    encoded = await encodeBilevel(full, dpi);
  } else if (colourMode === 'bw') {
    const bits = binarizeAdaptiveBits({ data: full.data, width: full.width, height: full.height }, dpi);
    clock?.('threshold');
    encoded = encodeBits(bits, dpi);
    record.threshold = { method: 'sauvola', k: DEFAULT_SAUVOLA_K, windowMm: DEFAULT_WINDOW_MM };
  } else {
    record.paperLevels = whitenPaper(full);
    clock?.('whiten');
    encoded = await encodeJpeg(full, dpi, options.jpegQuality);
  }
  if (turnInPdf && turned) encoded.drawing = record.drawing = drawing(null);
  clock?.('encode');
  return { ...base, record, encoded, passthrough: false };
}

/**
 * The analysis copy of a page decoded at full resolution: a block mean when the scale is a whole
 * factor to within a percent (300 dpi to 100: a few ms in JS, a quarter of libvips' resize with the
 * hand-over of the full page), else libvips' linear resize as before.
 */
async function shrinkDecoded(decoded: RawImage, smallWidth: number, space: 'b-w' | 'srgb', keepGreen: boolean): Promise<{ small: RawImage; green?: RawImage }> {
  const factor = Math.round(decoded.width / smallWidth);
  if (factor >= 2 && Math.abs(Math.ceil(decoded.width / factor) - smallWidth) <= Math.max(1, smallWidth * 0.01)) {
    return keepGreen && decoded.channels === 3 ? boxShrinkKeepingGreen(decoded, factor) : { small: boxShrink(decoded, factor) };
  }
  const small = await rawOf(sharp(decoded.data, { raw: rawOptions(decoded) }).resize({ width: smallWidth, kernel: 'linear' }).toColourspace(space));
  return { small };
}

/**
 * A plain G4 TIFF (a fax or a scanner's black-and-white page) decoded by our own G4 decoder: the
 * same pixels as libtiff's (tested) in a fraction of the time, as libvips spends most of its decode
 * converting and copying 8-bit rows. Anything else, or anything it does not decode cleanly, is
 * left to libvips and its strict checks (undefined).
 */
function fastBilevel(page: SourcePage): RawImage | undefined {
  if (!page.bilevel || page.input.kind !== 'encoded' || (page.input.page ?? 0) !== 0) return undefined;
  const decoded = decodeStripedG4Tiff(page.input.data);
  if (!decoded || decoded.width !== page.width || decoded.height !== page.height) return undefined;
  return { ...decoded, channels: 1 };
}

async function hasNoColour(page: SourcePage): Promise<boolean> {
  if (page.bilevel) return true;
  if (page.input.kind === 'raw') return page.input.channels <= 2;
  // A plain JPEG (one grey or three colour components, as decode.ts checked) says so in its frame
  // header: read here in microseconds, where libvips' header read costs most of a millisecond.
  if (page.jpegPassthrough) {
    const components = readJpegHeader(page.input.data)?.components;
    if (components === 1 || components === 3) return components === 1;
  }
  const { channels } = await openPageImage(page).metadata();
  return channels !== undefined && channels <= 2;
}

/** Turns the small grey copy clockwise by `degrees` on white, keeping its size (for orientation only): sharp's rotate, pixel for pixel, without its round trip (turn-grey.ts). */
function turnGrey(image: GreyImage, degrees: number): GreyImage {
  // Every pixel is written; scratch the page hands back (spare-buffers.ts).
  return turnGreyCentred(image, degrees, takeBuffer(image.width * image.height));
}

function whitenedGrey(image: GreyImage, box: PaperBox): GreyImage {
  const copy = takeBuffer(image.data.length);
  copy.set(image.data);
  whitenOutside({ data: copy, width: image.width, height: image.height, channels: 1 }, box);
  return { data: copy, width: image.width, height: image.height };
}

interface RenderPlan {
  border: PaperBox | null;
  turnQuarters: 0 | 1 | 2 | 3;
  /** Skew correction, degrees clockwise. */
  turn: number;
  colour: boolean;
  /** The source holds no colour channels (a grey scan): libvips' grey conversion is then free. */
  greySource: boolean;
  /**
   * A colour file whose small copy shows no tint anywhere (a grey page a scanner wrote as colour
   * JPEG): its green channel is its grey to within a few levels (exactly, for R = G = B), and
   * libvips hands out one channel for a third of the memory traffic of three.
   */
  neutral: boolean;
  /** The page already decoded at full resolution (flattened, in the source's own colour space). */
  decoded?: RawImage;
  /** The decoded RGB page's green channel, taken with its small copy (see boxShrinkKeepingGreen). */
  green?: RawImage;
}

/**
 * Decodes once at full resolution (grey unless colour), whitens outside the paper, and turns once
 * by the quarter turns plus the skew, on white, cropped back to the upright page size.
 */
async function renderFull(page: SourcePage, plan: RenderPlan): Promise<RawImage> {
  const space = plan.colour ? 'srgb' : 'b-w';
  // A colour file for a grey page: libvips' exact (linear-light) grey conversion of a 300 dpi page
  // costs about as much as the decode itself; the weighted sum the analysis uses costs a third.
  // A three-channel page at 300 dpi is 26 MB: handing it over costs more than decoding it (fresh
  // pages for the copy, measured 110–140 ms CPU on a busy machine against 30 ms for one channel).
  const viaRgb = !plan.colour && !plan.greySource;
  let image: RawImage;
  if (plan.decoded && (!plan.colour || plan.decoded.channels >= 3)) {
    // Decoded in the source's space: grey stays grey, colour stays colour or becomes grey here,
    // by the same rule as a grey decode below (green when untinted), so the pixels are the same.
    const decoded = plan.decoded;
    const green = plan.green;
    plan.decoded = plan.green = undefined;
    // The green buffer, not needed as such on a tinted page, takes its luminance instead.
    image = !viaRgb ? decoded : plan.neutral && decoded.channels === 3 ? (green ?? greenOf(decoded)) : luminance(decoded, green?.data);
  } else {
    const decoding = openPageImage(page, { failOn: 'warning' }).flatten({ background: '#ffffff' }).toColourspace(viaRgb ? 'srgb' : space);
    image = await decodeScan(viaRgb && plan.neutral ? decoding.extractChannel(1) : decoding);
    if (viaRgb && !plan.neutral) image = luminance(image);
    else if (viaRgb) image = { ...image, channels: 1 };
  }
  if (plan.border) whitenOutside(image, plan.border);
  const angle = plan.turnQuarters * 90 + plan.turn;
  if (angle === 0) return image;
  const uprightWidth = plan.turnQuarters % 2 ? image.height : image.width;
  const uprightHeight = plan.turnQuarters % 2 ? image.width : image.height;
  if (angle % 90 !== 0) {
    // Quarter turns and skew in one resample, in JS: sharp's pixels, only those kept, in the
    // page's own channels (turn-full.ts). The page as decoded is dead once turned: the next page's
    // scratch, as the turned page takes a spare one of its size.
    const out = takeBuffer(uprightWidth * uprightHeight * image.channels);
    const turned = turnPageCentred(image, angle, uprightWidth, uprightHeight, out);
    if (turned) {
      // (A buffer of its own, as sharp and the G4 decoder hand out; never a view into another.)
      if (image.data.byteOffset === 0 && image.data.buffer.byteLength === image.data.length) giveBack(image.data as Buffer);
      return turned;
    }
    giveBack(out);
  } else {
    // Whole quarter turns move pixels without resampling: one pipeline, in the page's own colour space.
    return rawOf(sharp(image.data, { raw: rawOptions(image) }).rotate(angle).toColourspace(space));
  }
  // Not for turn-full.ts (neither one nor three channels, or a box smaller than the page): sharp
  // turns clockwise for a positive angle and grows the canvas; its centre is cropped back to the
  // page. sharp writes the turned page out as sRGB: back to the page's own colour space.
  const turned = await rawOf(sharp(image.data, { raw: image }).rotate(angle, { background: '#ffffff' }));
  image = await rawOf(
    sharp(turned.data, { raw: turned })
      .extract({
        left: Math.max(0, Math.floor((turned.width - uprightWidth) / 2)),
        top: Math.max(0, Math.floor((turned.height - uprightHeight) / 2)),
        width: Math.min(uprightWidth, turned.width),
        height: Math.min(uprightHeight, turned.height),
      })
      .toColourspace(space),
  );
  return image;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The green channel of packed RGB: what libvips' extractChannel(1) hands out from the same decode. */
function greenOf(image: RawImage): RawImage {
  const { data, width, height } = image;
  const rgb = new Uint8Array(data.buffer, data.byteOffset, data.length);
  const count = width * height;
  let grey = Buffer.allocUnsafe(count);
  let done = 0;
  if (LITTLE_ENDIAN && rgb.byteOffset % 4 === 0) {
    if (grey.byteOffset % 4 !== 0) grey = Buffer.alloc(count);
    // Four pixels are three words, R0 G0 B0 R1 | G1 B1 R2 G2 | B2 R3 G3 B3, and one word out.
    const quads = count >>> 2;
    const source = new Uint32Array(rgb.buffer, rgb.byteOffset, quads * 3);
    const target = new Uint32Array(grey.buffer, grey.byteOffset, quads);
    for (let q = 0, j = 0; q < quads; q++, j += 3) {
      const w1 = source[j + 1];
      target[q] = ((source[j] >>> 8) & 255) | ((w1 & 255) << 8) | ((w1 >>> 24) << 16) | (((source[j + 2] >>> 16) & 255) << 24);
    }
    done = quads * 4;
  }
  for (let i = done; i < count; i++) grey[i] = rgb[i * 3 + 1];
  return { data: grey, width, height, channels: 1 };
}

/** Grey from sRGB with the analysis' weights (0.30, 0.59, 0.11 in 1/256ths), into `target` when given (one byte a pixel). */
export function luminance(image: RawImage, target?: Buffer): RawImage {
  const { data, width, height, channels } = image;
  if (channels < 3) return image;
  const rgb = new Uint8Array(data.buffer, data.byteOffset, data.length);
  const count = width * height;
  let grey = target && target.length === count ? target : Buffer.allocUnsafe(count);
  let done = 0;
  if (channels === 3 && LITTLE_ENDIAN && rgb.byteOffset % 4 === 0) {
    // Four pixels are three 32-bit words in and one word out; four white pixels (most of a page)
    // are one compare. A third of the time of the byte loop.
    if (grey.byteOffset % 4 !== 0) grey = Buffer.alloc(count);
    const quads = count >>> 2;
    const source = new Uint32Array(rgb.buffer, rgb.byteOffset, quads * 3);
    const target = new Uint32Array(grey.buffer, grey.byteOffset, quads);
    for (let q = 0, j = 0; q < quads; q++, j += 3) {
      const w0 = source[j];
      const w1 = source[j + 1];
      const w2 = source[j + 2];
      if ((w0 & w1 & w2) === -1) {
        target[q] = 0xffffffff;
        continue;
      }
      const l0 = ((w0 & 255) * 77 + ((w0 >>> 8) & 255) * 150 + ((w0 >>> 16) & 255) * 29) >> 8;
      const l1 = ((w0 >>> 24) * 77 + (w1 & 255) * 150 + ((w1 >>> 8) & 255) * 29) >> 8;
      const l2 = (((w1 >>> 16) & 255) * 77 + (w1 >>> 24) * 150 + (w2 & 255) * 29) >> 8;
      const l3 = (((w2 >>> 8) & 255) * 77 + ((w2 >>> 16) & 255) * 150 + (w2 >>> 24) * 29) >> 8;
      target[q] = l0 | (l1 << 8) | (l2 << 16) | (l3 << 24);
    }
    done = quads * 4;
  }
  for (let i = done, p = done * channels; i < count; i++, p += channels) grey[i] = (rgb[p] * 77 + rgb[p + 1] * 150 + rgb[p + 2] * 29) >> 8;
  return { data: grey, width, height, channels: 1 };
}

/** The scan's pixels could not be decoded: bad input, unlike any other failure, which is the station's. */
export class ScanDecodeError extends Error {
  override name = 'ScanDecodeError';
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Decodes the scan (strictly: any decoder warning fails), marking a failure as bad input. */
async function decodeScan(pipeline: Sharp): Promise<RawImage> {
  try {
    return await rawOf(pipeline);
  } catch (error) {
    throw new ScanDecodeError(error);
  }
}

function rawOptions(image: RawImage): { width: number; height: number; channels: RawImage['channels'] } {
  return { width: image.width, height: image.height, channels: image.channels };
}

async function rawOf(pipeline: Sharp): Promise<RawImage> {
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels as RawImage['channels'] };
}
