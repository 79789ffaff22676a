/** The barcode formats the mailroom reads (zxing-wasm's names). */
import { z } from 'zod';

export const barcodeFormats = ['QRCode', 'DataMatrix', 'Code128', 'Code39'] as const;
export type BarcodeFormatName = (typeof barcodeFormats)[number];
export const barcodeFormatSchema = z.enum(barcodeFormats);

/** One barcode found on a page. */
export interface Barcode {
  format: BarcodeFormatName;
  text: string;
  /** Bounding box in the pixels of the image given to the reader. */
  position: { x: number; y: number; width: number; height: number };
  /** Degrees the code is turned clockwise on the page, 0 ≤ orientation < 360. */
  orientation: number;
}
