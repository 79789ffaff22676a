/**
 * A page whose image is drawn turned: the content stream paints the page white, clips to it and
 * draws the image turned about the page centre, clipped to the image (or to the paper inside it).
 * This is how a scanner's JPEG is straightened without touching its bytes. The numbers come from
 * the page's processing record, so they are validated here like any other input.
 */
import { z } from 'zod';
import type { PageDrawing } from '../imaging/types.js';
import { pdfNumber } from './pdf-syntax.js';

const boxSchema = z.strictObject({
  left: z.number().int().min(0),
  top: z.number().int().min(0),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

export const pageDrawingSchema = z.strictObject({
  turnDegrees: z.number().finite().min(-360).max(360),
  pageWidth: z.number().int().positive(),
  pageHeight: z.number().int().positive(),
  paper: boxSchema.nullable(),
});

/**
 * The drawing kept in a page's processing record (processing_json), or undefined when the page
 * has none (its image is the upright page). A record that holds a malformed drawing is an error,
 * not a page silently drawn straight.
 */
export function drawingFromRecord(processingJson: string | null | undefined): PageDrawing | undefined {
  if (!processingJson) return undefined;
  const record = JSON.parse(processingJson) as { drawing?: unknown };
  if (record.drawing === undefined || record.drawing === null) return undefined;
  const parsed = pageDrawingSchema.safeParse(record.drawing);
  if (!parsed.success) throw new RangeError(`the page's drawing is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
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
  const parsed = pageDrawingSchema.safeParse(drawing);
  if (!parsed.success) throw new RangeError(`the page's drawing is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const { turnDegrees, paper } = parsed.data;
  if (paper && (paper.left + paper.width > image.width || paper.top + paper.height > image.height)) {
    throw new RangeError(`the paper box ${paper.width}×${paper.height}+${paper.left}+${paper.top} reaches outside the ${image.width}×${image.height} image`);
  }
  const k = 72 / image.dpi;
  const pageWidth = parsed.data.pageWidth * k;
  const pageHeight = parsed.data.pageHeight * k;
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
