/**
 * Types shared by the imaging modules (decode, clean-up, encode) and the PDF assembly.
 * Kept free of imports so worker threads and tests can use them cheaply.
 */

/** Formats the station accepts from scanners, told from the file's magic bytes, never its name. */
export type SourceFormat = 'jpeg' | 'png' | 'tiff' | 'webp' | 'pdf';

/** Raw 8-bit pixels, rows top to bottom, channels interleaved. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/** A grey image for analysis (one byte per pixel, 0 = black, 255 = white). */
export interface GreyImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** One page taken out of a source file, ready for the clean-up pipeline. */
export interface SourcePage {
  /** 0-based index of the page within its source file. */
  index: number;
  /**
   * Bytes sharp can read (a JPEG, PNG, WebP, or a TIFF with `page` selecting the page),
   * or raw pixels (pages rendered from a PDF, or images taken out of one).
   */
  input: { kind: 'encoded'; data: Buffer; page?: number } | ({ kind: 'raw' } & RawImage);
  /** Pixel size as displayed (after EXIF orientation). */
  width: number;
  height: number;
  /** Resolution in dots per inch, when the file says so. */
  dpi?: number;
  /**
   * The input is a JPEG that may go into the PDF byte for byte when no change is needed:
   * baseline or progressive, grey or RGB (not CMYK), no EXIF rotation.
   */
  jpegPassthrough: boolean;
  /** The source holds 1 bit per pixel (CCITT TIFF, 1-bit PNG): keep it black-and-white. */
  bilevel: boolean;
}

export type ColourMode = 'colour' | 'grey' | 'bw';

/**
 * How a PDF page shows an image that is still the scan as it came (a JPEG kept byte for byte):
 * turned about the page centre and clipped, instead of resampled. Lossless, and it spares the
 * decode, turn and encode at full resolution; a later fine turn by hand changes only these numbers.
 */
export interface PageDrawing {
  /** Clockwise turn of the image about the page centre, in degrees (quarter turns and skew together). */
  turnDegrees: number;
  /** The upright page, in pixels of the image's resolution (its centre is the image's centre). */
  pageWidth: number;
  pageHeight: number;
  /** The paper in the image's pixels when a dark scanner border lies outside it: only this part is shown, on white. */
  paper: { left: number; top: number; width: number; height: number } | null;
}

/** A cleaned page, encoded for the PDF. */
export interface EncodedPage {
  /** 'jpeg': JPEG bytes; 'g4tiff': a single-tile TIFF with CCITT G4 compression, 1 bit per pixel. */
  format: 'jpeg' | 'g4tiff';
  data: Buffer;
  width: number;
  height: number;
  dpi: number;
  /** Absent: the image is the upright page and fills it. */
  drawing?: PageDrawing;
  /**
   * 'g4tiff' pages fresh from the encoder: the 1-bit rows it coded (1 = ink; rows of `stride`
   * 32-bit words, first pixel in the high bit), so the clean-up can code them for the PDF as
   * well (JBIG2, jbig2-sidecar.ts) without decoding the G4 again. Only in memory, never stored.
   */
  bits?: { words: Uint32Array; width: number; height: number; stride: number };
}
