/**
 * A page as the mark detectors need it: full-resolution grey (for barcode crops) and a small
 * copy at about 100 dpi (for finding where codes are, and for patch codes).
 */
import sharp from 'sharp';
import { MAX_PAGE_PIXELS } from '../../imaging/decode-limits.js';
import type { GreyImage } from '../../imaging/types.js';

/** An image file path, encoded image bytes, or raw 8-bit pixels (the pipeline's RawImage). */
export type PageInput = string | Buffer | Uint8Array | { data: Uint8Array; width: number; height: number; channels: 1 | 2 | 3 | 4 };

export interface PageImage {
  full: GreyImage;
  dpi: number;
  small: GreyImage;
  smallDpi: number;
}

const ANALYSIS_DPI = 100;
const A4_LONG_SIDE_INCHES = 297 / 25.4;

export async function loadPageImage(input: PageInput, dpiHint?: number): Promise<PageImage> {
  const { grey, density } = await decodeGrey(input);
  const dpi = validDpi(dpiHint) ?? validDpi(density) ?? Math.round(Math.max(grey.width, grey.height) / A4_LONG_SIDE_INCHES);
  const factor = Math.max(1, Math.round(dpi / ANALYSIS_DPI));
  return { full: grey, dpi, small: await shrink(grey, factor), smallDpi: dpi / factor };
}

function validDpi(dpi: number | undefined): number | undefined {
  return dpi && dpi >= 50 && dpi <= 2400 ? dpi : undefined;
}

async function decodeGrey(input: PageInput): Promise<{ grey: GreyImage; density?: number }> {
  if (typeof input === 'object' && !(input instanceof Uint8Array)) {
    const { data, width, height, channels } = input;
    if (channels === 1) return { grey: { data, width, height } };
    const grey = new Uint8Array(width * height);
    for (let i = 0, j = 0; i < grey.length; i++, j += channels) {
      grey[i] = channels >= 3 ? (306 * data[j] + 601 * data[j + 1] + 117 * data[j + 2] + 512) >> 10 : data[j];
    }
    return { grey: { data: grey, width, height } };
  }
  const image = sharp(input, { limitInputPixels: MAX_PAGE_PIXELS });
  const { density, hasAlpha } = await image.metadata();
  // 'b-w' is libvips' own grey conversion (and the fast path for 1-bit G4 pages); flatten only when needed.
  const { data, info } = await (hasAlpha ? image.flatten({ background: '#ffffff' }) : image).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  if (info.channels === 1) return { grey: { data, width: info.width, height: info.height }, density };
  const grey = new Uint8Array(info.width * info.height);
  for (let i = 0, j = 0; i < grey.length; i++, j += info.channels) grey[i] = data[j];
  return { grey: { data: grey, width: info.width, height: info.height }, density };
}

/** Shrinks by a whole factor (libvips box shrink: about 15 ms for an A4 page at 300 dpi). */
export async function shrink(image: GreyImage, factor: number): Promise<GreyImage> {
  if (factor <= 1) return image;
  const width = Math.max(1, Math.floor(image.width / factor));
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 }, limitInputPixels: MAX_PAGE_PIXELS })
    .resize({ width, height: Math.max(1, Math.floor(image.height / factor)), fit: 'fill', kernel: 'linear' })
    // Without this libvips hands back three channels.
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
