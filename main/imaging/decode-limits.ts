/**
 * Size limits for pages, checked against what a header declares before any pixel is decoded,
 * so a decompression bomb or a mislabelled poster never reaches the pixel pipeline.
 */
import { BadInputError } from './bad-input.js';

/** A4 at 600 dpi is 4961 × 7016 = 34.8 MP; US Legal at 600 dpi is 42.8 MP. A scan is never more. */
export const MAX_PAGE_PIXELS = 44_000_000;
/** The long side of A3 at 1200 dpi; anything longer is a banner, not a document page. */
export const MAX_PAGE_SIDE = 20_000;
/** Smaller than this is an icon or a tracking pixel, not a document page. */
export const MIN_PAGE_SIDE = 100;
/** The whole source is read into memory once; a scanner file is never this large. */
export const MAX_SOURCE_BYTES = 1024 * 1024 * 1024;
/** Resolution used to render PDF pages that hold more than one image. */
export const RENDER_DPI = 300;

const megapixels = (pixels: number) => (pixels / 1e6).toFixed(pixels < 1e7 ? 1 : 0);

/** Throws too_large / too_small when a page's declared size is not a document page. */
export function checkPageSize(what: string, width: number, height: number): void {
  const pixels = width * height;
  if (!Number.isFinite(pixels) || width <= 0 || height <= 0) {
    throw new BadInputError('corrupt', `${what} declares an impossible size of ${width} × ${height} pixels.`);
  }
  if (pixels > MAX_PAGE_PIXELS) {
    throw new BadInputError(
      'too_large',
      `${what} declares ${width} × ${height} pixels (${megapixels(pixels)} MP); a scan can be at most ${megapixels(MAX_PAGE_PIXELS)} MP (A4 at 600 dpi is 35 MP).`,
    );
  }
  if (Math.max(width, height) > MAX_PAGE_SIDE) {
    throw new BadInputError(
      'too_large',
      `${what} declares ${width} × ${height} pixels; a page side can be at most ${MAX_PAGE_SIDE} pixels (A3 at 1200 dpi).`,
    );
  }
  if (Math.min(width, height) < MIN_PAGE_SIDE) {
    throw new BadInputError(
      'too_small',
      `${what} is only ${width} × ${height} pixels; a page needs at least ${MIN_PAGE_SIDE} × ${MIN_PAGE_SIDE} pixels.`,
    );
  }
}
