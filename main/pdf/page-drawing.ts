/**
 * A page whose image is drawn turned: the content stream paints the page white, clips to it and
 * draws the image turned about the page centre, clipped to the image (or to the paper inside it).
 * This is how a scanner's JPEG is straightened without touching its bytes. The numbers come from
 * the page's processing record, so they are validated here like any other input.
 */
import type { PageDrawing } from '../imaging/types.js';
import { pdfNumber } from './pdf-syntax.js';

type Problem = string | undefined;

const integer = (min: number) => (value: unknown): Problem =>
  typeof value !== 'number' || !Number.isInteger(value) ? 'expected an integer' : value < min ? `must be at least ${min}` : undefined;
const turn = (value: unknown): Problem =>
  typeof value !== 'number' || !Number.isFinite(value) ? 'expected a finite number' : Math.abs(value) > 360 ? 'must be between -360 and 360' : undefined;

/** The fields of `value` that break `rules` (and fields it should not have), as "path: problem". */
function problemsOf(value: unknown, rules: Record<string, (field: unknown) => Problem | string[]>, at: string[] = []): string[] {
  const where = (key: string) => [...at, key].join('.');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at.join('.')}: expected an object`];
  const problems: string[] = [];
  for (const [key, rule] of Object.entries(rules)) {
    const problem = rule((value as Record<string, unknown>)[key]);
    if (Array.isArray(problem)) problems.push(...problem);
    else if (problem) problems.push(`${where(key)}: ${problem}`);
  }
  for (const key of Object.keys(value)) if (!(key in rules)) problems.push(`${where(key)}: not a field of a drawing`);
  return problems;
}

const BOX_RULES = { left: integer(0), top: integer(0), width: integer(1), height: integer(1) };
const DRAWING_RULES = {
  turnDegrees: turn,
  pageWidth: integer(1),
  pageHeight: integer(1),
  paper: (box: unknown): Problem | string[] => (box === null ? undefined : box === undefined ? 'expected a box or null' : problemsOf(box, BOX_RULES, ['paper'])),
};

/**
 * `value` as a drawing, or a RangeError naming every field that is wrong. Checked by hand rather
 * than with the schema library: the PDF writer checks every drawing it draws, and loading that
 * library would cost the assembly task in the worker ~0.1 s of CPU.
 */
export function parseDrawing(value: unknown): PageDrawing {
  const problems = problemsOf(value, DRAWING_RULES);
  if (problems.length > 0) throw new RangeError(`the page's drawing is malformed: ${problems.join('; ')}`);
  return value as PageDrawing;
}

/**
 * The drawing kept in a page's processing record (processing_json), or undefined when the page
 * has none (its image is the upright page). A record that holds a malformed drawing is an error,
 * not a page silently drawn straight.
 */
export function drawingFromRecord(processingJson: string | null | undefined): PageDrawing | undefined {
  if (!processingJson) return undefined;
  const record = JSON.parse(processingJson) as { drawing?: unknown };
  if (record.drawing === undefined || record.drawing === null) return undefined;
  return parseDrawing(record.drawing);
}

export interface DrawnPage {
  /** The page box in points. */
  pageWidth: number;
  pageHeight: number;
  /** The content stream. */
  content: string;
}

/** Rotation entries get more decimals than positions: 1e-6 of a turn is far below a pixel over a page. */
const ROTATION_DIGITS = 7;

/**
 * The content stream for an image of `imageWidth`×`imageHeight` pixels at `dpi`, drawn per
 * `drawing`. `placed` is the size of the coded image when it is larger than the image (a G4 tile
 * padded right and bottom): it is anchored top left and the padding clipped off.
 */
export function drawTurnedImage(
  drawing: PageDrawing,
  image: { width: number; height: number; dpi: number },
  placed: { width: number; height: number } = image,
): DrawnPage {
  return drawTurnedLayers(drawing, image, [{ name: 'Im0', placed }]);
}

/**
 * One image of a page drawn in layers (mixed raster content: a background and a text mask over
 * it). Every layer covers the same page: `placed` is its coded size in page pixels (a
 * downsampled background covers `placed` pixels of the page however few it has), anchored top
 * left; `paint` sets the fill colour a stencil mask (/ImageMask) is drawn in.
 */
export interface ImageLayer {
  name: string;
  placed: { width: number; height: number };
  paint?: string;
}

/** The layers' drawing in image space, `k` points per image pixel, the image's top left at (left, top). */
export function layerOperators(layers: ImageLayer[], k: number, left: number, top: number): string[] {
  const n = pdfNumber;
  const lines: string[] = [];
  for (const layer of layers) {
    if (!/^[A-Za-z0-9]+$/.test(layer.name)) throw new RangeError(`an image name must be letters and digits, got ${JSON.stringify(layer.name)}`);
    const width = layer.placed.width * k;
    const height = layer.placed.height * k;
    // Each layer in its own q…Q: its matrix and colour do not leak into the next one.
    lines.push('q', ...(layer.paint ? [layer.paint] : []), `${n(width)} 0 0 ${n(height)} ${n(left)} ${n(top - height)} cm`, `/${layer.name} Do`, 'Q');
  }
  return lines;
}

/** Same as drawTurnedImage, for an image drawn in several layers. */
export function drawTurnedLayers(drawing: PageDrawing, image: { width: number; height: number; dpi: number }, layers: ImageLayer[]): DrawnPage {
  const { turnDegrees, paper, pageWidth: drawnWidth, pageHeight: drawnHeight } = parseDrawing(drawing);
  if (paper && (paper.left + paper.width > image.width || paper.top + paper.height > image.height)) {
    throw new RangeError(`the paper box ${paper.width}×${paper.height}+${paper.left}+${paper.top} reaches outside the ${image.width}×${image.height} image`);
  }
  const k = 72 / image.dpi;
  const pageWidth = drawnWidth * k;
  const pageHeight = drawnHeight * k;
  const iw = image.width * k;
  const ih = image.height * k;
  const n = pdfNumber;
  const r = (value: number) => pdfNumber(value, ROTATION_DIGITS);
  // Clockwise on screen in PDF's y-up space: [cos −sin sin cos]. Exact for quarter turns.
  const radians = (turnDegrees * Math.PI) / 180;
  const quarter = Math.abs(turnDegrees / 90 - Math.round(turnDegrees / 90)) < 1e-12;
  const cos = quarter ? Math.round(Math.cos(radians)) : Math.cos(radians);
  const sin = quarter ? Math.round(Math.sin(radians)) : Math.sin(radians);
  // In the turned frame the image's centre is the origin; image pixel (x, y) from the top left
  // lies at (x·k − iw/2, ih/2 − y·k).
  const show = paper ?? { left: 0, top: 0, width: image.width, height: image.height };
  const lines = [
    'q',
    // White paper under everything: the corners a turned image leaves open stay white.
    `1 g 0 0 ${n(pageWidth)} ${n(pageHeight)} re f`,
    `0 0 ${n(pageWidth)} ${n(pageHeight)} re W n`,
    `${r(cos)} ${r(-sin)} ${r(sin)} ${r(cos)} ${n(pageWidth / 2)} ${n(pageHeight / 2)} cm`,
    `${n(show.left * k - iw / 2)} ${n(ih / 2 - (show.top + show.height) * k)} ${n(show.width * k)} ${n(show.height * k)} re W n`,
    ...layerOperators(layers, k, -iw / 2, ih / 2),
    'Q',
    '',
  ];
  return { pageWidth, pageHeight, content: lines.join('\n') };
}
