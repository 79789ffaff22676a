/**
 * The clean-up of one page: measure skew on a small copy, decide blank and colour mode, then
 * either keep the scanner's JPEG byte for byte or decode once, turn, and encode for the PDF.
 */
import sharp from 'sharp';
import { analyseRgb, BLANK_INK_SHARE, COLOUR_SHARE } from './analyse.js';
import { measureSkew, SKEW_ANALYSIS_DPI, type SkewEstimate } from './deskew.js';
import { encodeBilevel, encodeJpeg, passthroughJpeg } from './encode.js';
import { openPageImage } from './decode.js';
import type { ColourMode, EncodedPage, RawImage, SourcePage } from './types.js';

export interface CleanOptions {
  colourMode: 'auto' | ColourMode;
  jpegQuality: number;
  minSkewDegrees: number;
  maxSkewDegrees: number;
}

export interface CleanedPage {
  encoded: EncodedPage;
  skew: SkewEstimate;
  /** What the page was turned by (clockwise, degrees); 0 when left as it was. */
  rotatedDegrees: number;
  blank: boolean;
  inkShare: number;
  colourShare: number;
  colourMode: ColourMode;
  passthrough: boolean;
  /** The DPI was not in the file and was inferred from the page size. */
  dpiInferred: boolean;
}

const A4_LONG_SIDE_INCHES = 297 / 25.4;

/** Scanners nearly always write the DPI; when one does not, treat the page as A4 (the office norm). */
export function effectiveDpi(page: SourcePage): { dpi: number; inferred: boolean } {
  if (page.dpi && page.dpi >= 50 && page.dpi <= 2400) return { dpi: page.dpi, inferred: false };
  const inferred = Math.max(page.width, page.height) / A4_LONG_SIDE_INCHES;
  return { dpi: Math.round(Math.min(2400, Math.max(50, inferred))), inferred: true };
}

function decideColourMode(requested: CleanOptions['colourMode'], page: SourcePage, colourShare: number): ColourMode {
  if (requested !== 'auto') return requested;
  if (page.bilevel) return 'bw';
  return colourShare > COLOUR_SHARE ? 'colour' : 'grey';
}

export async function cleanPage(page: SourcePage, options: CleanOptions): Promise<CleanedPage> {
  const { dpi, inferred } = effectiveDpi(page);
  const analysisWidth = Math.max(64, Math.round((page.width * SKEW_ANALYSIS_DPI) / dpi));
  const small = await openPageImage(page, { failOn: 'warning' })
    .resize({ width: Math.min(analysisWidth, page.width), kernel: 'linear' })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const analysis = analyseRgb(small.data, small.info.width, small.info.height, small.info.channels);
  const analysisDpi = (dpi * small.info.width) / page.width;
  const skew = measureSkew(analysis.grey, analysisDpi, { maxAngleDegrees: options.maxSkewDegrees });
  const blank = analysis.inkShare < BLANK_INK_SHARE;
  const colourMode = decideColourMode(options.colourMode, page, analysis.colourShare);

  const turn =
    !blank && skew.reliable && Math.abs(skew.angleDegrees) >= options.minSkewDegrees && Math.abs(skew.angleDegrees) <= options.maxSkewDegrees
      ? skew.angleDegrees
      : 0;
  const sourceIsColourJpeg = page.input.kind === 'encoded';
  const keepJpeg = page.jpegPassthrough && turn === 0 && colourMode !== 'bw' && sourceIsColourJpeg && !inferred;
  const base = { skew, rotatedDegrees: turn, blank, inkShare: analysis.inkShare, colourShare: analysis.colourShare, colourMode, dpiInferred: inferred };
  if (keepJpeg && page.input.kind === 'encoded') {
    return { ...base, encoded: passthroughJpeg(page.input.data, page.width, page.height, dpi), passthrough: true };
  }

  const full = await renderFull(page, turn, colourMode);
  const encoded = colourMode === 'bw' ? await encodeBilevel(full, dpi) : await encodeJpeg(full, dpi, options.jpegQuality);
  return { ...base, encoded, passthrough: false };
}

/** Decodes once at full resolution, turns by `turn` degrees clockwise on white, crops back to the page size. */
async function renderFull(page: SourcePage, turn: number, colourMode: ColourMode): Promise<RawImage> {
  let pipeline = openPageImage(page, { failOn: 'warning' }).flatten({ background: '#ffffff' });
  pipeline = colourMode === 'colour' ? pipeline.toColourspace('srgb') : pipeline.toColourspace('b-w');
  if (turn !== 0) {
    // sharp turns clockwise for a positive angle and grows the canvas: crop its centre back to the page.
    const turned = await pipeline.rotate(turn, { background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
    const { width, height, channels } = turned.info;
    pipeline = sharp(turned.data, { raw: { width, height, channels } }).extract({
      left: Math.floor((width - page.width) / 2),
      top: Math.floor((height - page.height) / 2),
      width: page.width,
      height: page.height,
    });
  }
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels as RawImage['channels'] };
}
