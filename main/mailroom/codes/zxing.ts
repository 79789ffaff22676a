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

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const GREY_TO_RGBA_LE = Uint32Array.from({ length: 256 }, (_, v) => (0xff000000 | (v << 16) | (v << 8) | v) >>> 0);
const GREY_TO_RGBA_BE = Uint32Array.from({ length: 256 }, (_, v) => ((v << 24) | (v << 16) | (v << 8) | 0xff) >>> 0);

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
 * zxing takes RGBA only and turns it straight back into grey, so the copy is grey in all channels.
 */
export async function readRegion(image: GreyImage, region: { x: number; y: number; width: number; height: number }, options: ZxingPassOptions, origin = { x: 0, y: 0 }): Promise<Barcode[]> {
  await loadZxing();
  const { x, y, width, height } = region;
  const rgba = new Uint8ClampedArray(width * height * 4);
  // One 32-bit store per pixel (typed arrays use the machine's byte order).
  const pixels = new Uint32Array(rgba.buffer);
  const grey = LITTLE_ENDIAN ? GREY_TO_RGBA_LE : GREY_TO_RGBA_BE;
  for (let row = 0; row < height; row++) {
    let from = (y + row) * image.width + x;
    let to = row * width;
    for (let col = 0; col < width; col++, from++, to++) pixels[to] = grey[image.data[from]];
  }
  const results = await readBarcodes({ data: rgba, width, height, colorSpace: 'srgb' } as ImageData, {
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
