/**
 * zxing-wasm, loaded from the installed package file (it would fetch its .wasm from a CDN by
 * default, which fails offline and must never happen on a Jobcenter network). One module per
 * thread, loaded on first use.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { prepareZXingModule, readBarcodes, type ReadResult } from 'zxing-wasm/reader';
import type { GreyImage } from '../../imaging/types.js';
import { barcodeFormats, type Barcode, type BarcodeFormatName } from './formats.js';

let ready: Promise<unknown> | null = null;

export function loadZxing(): Promise<unknown> {
  if (!ready) {
    const require = createRequire(import.meta.url);
    const wasmBinary = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
    ready = prepareZXingModule({
      overrides: { wasmBinary: wasmBinary.buffer.slice(wasmBinary.byteOffset, wasmBinary.byteOffset + wasmBinary.byteLength) as ArrayBuffer },
      fireImmediately: true,
    }).catch((error: unknown) => {
      ready = null;
      throw error;
    });
  }
  return ready;
}

export interface ZxingPassOptions {
  formats: readonly BarcodeFormatName[];
  /** zxing's slower search: more scan lines. */
  tryHarder: boolean;
  /** Also try the image turned a quarter (linear codes running up the page). */
  tryRotate: boolean;
  /** Also search downscaled copies (codes with very large modules). */
  tryDownscale: boolean;
  maxSymbols?: number;
  /** The pixels are 0 or 255 only (a 1-bit page): zxing may take them as they are instead of thresholding. */
  binary?: boolean;
}

/**
 * Reads the codes in a rectangle of a grey image; positions come back in the image's pixels, moved
 * by `origin` (where the image sits on the page, for crops).
 * The pixels go to zxing as a binary PGM (P5), which its image loader takes as they are. As
 * ImageData they would have to be RGBA, which zxing-wasm turns straight back into grey in JS: the
 * same luminance in the end (r = g = b), at more than twice the CPU time of the whole call on
 * mailroom pages (4-byte pixels built, copied and converted).
 */
export async function readRegion(image: GreyImage, region: { x: number; y: number; width: number; height: number }, options: ZxingPassOptions, origin = { x: 0, y: 0 }): Promise<Barcode[]> {
  await loadZxing();
  const { x, y, width, height } = region;
  if (width <= 0 || height <= 0) return [];
  const header = new TextEncoder().encode(`P5\n${width} ${height}\n255\n`);
  const pgm = new Uint8Array(header.length + width * height);
  pgm.set(header);
  if (x === 0 && width === image.width) pgm.set(image.data.subarray(y * width, (y + height) * width), header.length);
  else for (let row = 0; row < height; row++) pgm.set(image.data.subarray((y + row) * image.width + x, (y + row) * image.width + x + width), header.length + row * width);
  const results = await readBarcodes(pgm, {
    formats: [...options.formats],
    tryHarder: options.tryHarder,
    tryRotate: options.tryRotate,
    tryInvert: false,
    tryDownscale: options.tryDownscale,
    maxNumberOfSymbols: options.maxSymbols ?? 8,
    binarizer: options.binary ? 'BoolCast' : 'LocalAverage',
  });
  return results.filter((r) => r.isValid).flatMap((r) => toBarcode(r, origin.x + x, origin.y + y));
}

function toBarcode(result: ReadResult, offsetX: number, offsetY: number): Barcode[] {
  const format = barcodeFormats.find((f) => f === result.format || result.format.startsWith(f));
  if (!format) return [];
  const points = [result.position.topLeft, result.position.topRight, result.position.bottomRight, result.position.bottomLeft];
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const left = Math.min(...xs);
  const top = Math.min(...ys);
  return [
    {
      format,
      text: result.text,
      position: { x: offsetX + left, y: offsetY + top, width: Math.max(...xs) - left, height: Math.max(...ys) - top },
      orientation: (((Math.round(result.orientation) % 360) + 360) % 360),
    },
  ];
}
