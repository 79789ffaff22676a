/**
 * Reads QR, Data Matrix, Code 128 and Code 39 codes on a page.
 *
 * Speed matters (a mailroom batch runs at 10 pages a second on two cores), and a whole-page zxing
 * search costs 80–400 ms. So the page is first looked at small (about 100 dpi, candidates.ts) to
 * find the few places dense enough to be a code, and zxing (tryHarder, so skewed and turned codes
 * are read) runs on just those crops at full resolution. Pages without such places cost a few
 * milliseconds. 'thorough' mode adds a whole-page search when the crops found nothing: for a
 * re-read on request, and as a yardstick in tests and the bench.
 */
import sharp from 'sharp';
import type { GreyImage } from '../../imaging/types.js';
import { findCodeRegions, type Region } from './candidates.js';
import { barcodeFormats, type Barcode, type BarcodeFormatName } from './formats.js';
import { loadPageImage, type PageCrop, type PageImage, type PageInput } from './page-image.js';
import { readRegion, type ZxingPassOptions } from './zxing.js';

export interface ReadBarcodesOptions {
  /** The page's resolution when the file does not say (or says wrong). */
  dpi?: number;
  formats?: readonly BarcodeFormatName[];
  /** 'fast' (default): candidate regions only. 'thorough': also the whole page when they found nothing. */
  mode?: 'fast' | 'thorough';
  /** Stops reading further regions once this says the codes found so far are all the caller needs. */
  enough?: (found: readonly Barcode[]) => boolean;
}

const LINEAR_FORMATS = new Set<BarcodeFormatName>(['Code128', 'Code39']);

export interface BarcodeReadStats {
  regions: number;
  /** zxing calls made. */
  passes: number;
  wholePage: boolean;
}

/** Reads every barcode on a page file, bytes or raw image. */
export async function readPageBarcodes(input: PageInput, options: ReadBarcodesOptions = {}): Promise<Barcode[]> {
  const page = await loadPageImage(input, options.dpi);
  return (await readBarcodesOnPage(page, options)).barcodes;
}

export async function readBarcodesOnPage(page: PageImage, options: ReadBarcodesOptions = {}): Promise<{ barcodes: Barcode[]; stats: BarcodeReadStats }> {
  const formats = options.formats ?? barcodeFormats;
  const scale = page.width / page.small.width;
  const regions = findCodeRegions(page.small, page.smallDpi);
  const stats: BarcodeReadStats = { regions: regions.length, passes: 0, wholePage: false };
  const found: Barcode[] = [];
  for (const region of regions) {
    // Only the formats the region's shape allows: each reader zxing runs costs about as much as the others.
    const regionFormats = formats.filter((f) => (LINEAR_FORMATS.has(f) ? region.mayHold.linear : region.mayHold.matrix));
    if (regionFormats.length === 0) continue;
    const crop = await page.crop(toFull(region, scale));
    // tryRotate: sideways linear codes and Data Matrix upside down need it (cheap on a crop);
    // tryDownscale is the expensive part of a zxing search and only helps very large modules.
    const pass: ZxingPassOptions = { formats: regionFormats, tryHarder: true, tryRotate: true, tryDownscale: false, binary: crop.binary };
    stats.passes++;
    let codes = await readCrop(crop, pass);
    // zxing's scan lines run straight across: a long linear code skewed by a few degrees is
    // crossed whole by too few of them at 200 dpi. Level the crop along its long axis once;
    // only where the region looks like bars (text lines are elongated too, but not anisotropic).
    if (codes.length === 0 && region.elongation >= 2.5 && region.anisotropy >= 2 && Math.abs(region.axisDegrees) >= 1.5 && Math.abs(region.axisDegrees) <= 20) {
      stats.passes++;
      codes = await readLevelled(crop, region.axisDegrees, { ...pass, binary: false }, page.dpi < 250 ? 2 : 1);
    }
    // Very large modules (a poster-size code) want zxing's own downscaled search.
    if (codes.length === 0 && Math.min(crop.width, crop.height) >= 600) {
      stats.passes++;
      codes = await readCrop(crop, { ...pass, tryDownscale: true });
    }
    found.push(...codes);
    if (codes.length > 0 && options.enough?.(found)) break;
  }
  if (found.length === 0 && options.mode === 'thorough') {
    stats.passes++;
    stats.wholePage = true;
    const whole = await page.crop({ x: 0, y: 0, width: page.width, height: page.height });
    found.push(...(await readCrop(whole, { formats, tryHarder: true, tryRotate: true, tryDownscale: true, binary: whole.binary })));
  }
  return { barcodes: dedupe(found), stats };
}

/** zxing on a whole crop, positions in page pixels. */
function readCrop(crop: PageCrop, pass: ZxingPassOptions): Promise<Barcode[]> {
  return readRegion(crop, { x: 0, y: 0, width: crop.width, height: crop.height }, pass, { x: crop.x, y: crop.y });
}

/**
 * Reads a crop turned by −`degrees` (levelling a code that runs at `degrees`), positions mapped
 * back. Below 250 dpi a module is about 2 pixels, and turning it again breaks its edges: the crop
 * is enlarged `upscale` times first.
 */
async function readLevelled(crop: PageCrop, degrees: number, pass: ZxingPassOptions, upscale: number): Promise<Barcode[]> {
  const { data, info } = await sharp(crop.data, { raw: { width: crop.width, height: crop.height, channels: 1 } })
    .resize({ width: crop.width * upscale, height: crop.height * upscale, kernel: 'linear' })
    .rotate(-degrees, { background: '#ffffff' })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const turned: GreyImage = { data, width: info.width, height: info.height };
  const codes = await readRegion(turned, { x: 0, y: 0, width: turned.width, height: turned.height }, pass);
  const radians = (degrees * Math.PI) / 180;
  const [cos, sin] = [Math.cos(radians), Math.sin(radians)];
  const back = (x: number, y: number) => {
    const dx = (x - turned.width / 2) / upscale;
    const dy = (y - turned.height / 2) / upscale;
    return { x: crop.x + crop.width / 2 + dx * cos - dy * sin, y: crop.y + crop.height / 2 + dx * sin + dy * cos };
  };
  return codes.map((code) => {
    const { x, y, width, height } = code.position;
    const corners = [back(x, y), back(x + width, y), back(x + width, y + height), back(x, y + height)];
    const left = Math.min(...corners.map((p) => p.x));
    const top = Math.min(...corners.map((p) => p.y));
    return {
      ...code,
      position: { x: Math.round(left), y: Math.round(top), width: Math.round(Math.max(...corners.map((p) => p.x)) - left), height: Math.round(Math.max(...corners.map((p) => p.y)) - top) },
      orientation: (((Math.round(code.orientation + degrees) % 360) + 360) % 360),
    };
  });
}

/** A region of the small copy in page pixels (the page clips it). */
function toFull(region: Region, scale: number): Region {
  const x = Math.floor(region.x * scale);
  const y = Math.floor(region.y * scale);
  return { x, y, width: Math.ceil((region.x + region.width) * scale) - x, height: Math.ceil((region.y + region.height) * scale) - y };
}

/** The same code read from two overlapping crops counts once; reading order is top to bottom. */
function dedupe(barcodes: Barcode[]): Barcode[] {
  const kept: Barcode[] = [];
  for (const code of barcodes) {
    const twin = kept.find((k) => k.format === code.format && k.text === code.text && overlaps(k.position, code.position));
    if (!twin) kept.push(code);
  }
  return kept.sort((a, b) => a.position.y - b.position.y || a.position.x - b.position.x);
}

function overlaps(a: Region, b: Region): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}
