/**
 * A page as its PDF shows it, for previews and thumbnails: the stored page image (which, for a
 * page turned by its drawing, is the unturned scan or the unturned 1-bit page) shrunk, turned
 * about the page centre, cropped to the page and hidden outside the paper, as the PDF's content
 * stream does (main/pdf/page-drawing.ts). Shrinking first keeps the turn cheap at preview sizes.
 */
import sharp from 'sharp';
import { MAX_PAGE_PIXELS } from './decode-limits.js';
import { scaleBox, whitenOutside } from './borders.js';
import type { PageDrawing, RawImage } from './types.js';

export interface PageViewOptions {
  /** Width of the view in pixels (the height follows the page). */
  width: number;
  format?: 'jpeg' | 'png';
  /** JPEG quality (default 80). */
  quality?: number;
}

export async function renderPageView(image: Buffer, drawing: PageDrawing | undefined, options: PageViewOptions): Promise<Buffer> {
  if (!Number.isInteger(options.width) || options.width < 1 || options.width > 10_000) {
    throw new RangeError(`renderPageView: width must be a whole number from 1 to 10000, got ${options.width}`);
  }
  const meta = await sharp(image, { limitInputPixels: MAX_PAGE_PIXELS }).metadata();
  if (!meta.width || !meta.height) throw new RangeError('renderPageView: the page image has no size');
  const pageWidth = drawing?.pageWidth ?? meta.width;
  const scale = options.width / pageWidth;
  const shrunkWidth = Math.max(1, Math.round(meta.width * scale));
  const { data, info } = await sharp(image, { limitInputPixels: MAX_PAGE_PIXELS })
    .resize({ width: shrunkWidth })
    .flatten({ background: '#ffffff' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  let view: RawImage = { data, width: info.width, height: info.height, channels: info.channels as RawImage['channels'] };
  if (drawing) {
    if (drawing.paper) whitenOutside(view, scaleBox(drawing.paper, meta as { width: number; height: number }, view));
    const outWidth = options.width;
    const outHeight = Math.max(1, Math.round(drawing.pageHeight * scale));
    // sharp turns clockwise for a positive angle, growing the canvas about the same centre.
    const turned = await sharp(view.data, { raw: view }).rotate(drawing.turnDegrees, { background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
    const left = Math.round((turned.info.width - outWidth) / 2);
    const top = Math.round((turned.info.height - outHeight) / 2);
    const extracted = await sharp(turned.data, { raw: { width: turned.info.width, height: turned.info.height, channels: turned.info.channels } })
      .extend({
        // A page wider than the turned image (it cannot be, but rounding can make it a pixel so): pad with white.
        left: Math.max(0, -left),
        top: Math.max(0, -top),
        right: Math.max(0, -left),
        bottom: Math.max(0, -top),
        background: '#ffffff',
      })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const final = await sharp(extracted.data, { raw: { width: extracted.info.width, height: extracted.info.height, channels: extracted.info.channels } })
      .extract({ left: Math.max(0, left), top: Math.max(0, top), width: outWidth, height: outHeight })
      .raw()
      .toBuffer({ resolveWithObject: true });
    view = { data: final.data, width: final.info.width, height: final.info.height, channels: final.info.channels as RawImage['channels'] };
  }
  const out = sharp(view.data, { raw: view }).removeAlpha();
  return options.format === 'png' ? out.png().toBuffer() : out.jpeg({ quality: options.quality ?? 80 }).toBuffer();
}
