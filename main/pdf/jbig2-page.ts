/**
 * A stored black-and-white page (a single-tile CCITT G4 TIFF) recoded as JBIG2 for the PDF. The
 * page store keeps G4, which every TIFF reader opens; only the PDF gets the smaller JBIG2 (about
 * 60 % of the G4 bytes on text pages), built when the document is assembled, so no stored page or
 * schema changes. Lossless both ways: the G4 bits are decoded exactly and the generic region codes
 * them exactly (see jbig2.ts).
 */
import sharp from 'sharp';
import { decodeG4Tiff } from './ccitt.js';
import { encodeJbig2Generic } from './jbig2.js';

export interface Jbig2Page {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Decodes the G4 TIFF (its own size, not the padded tile) and codes its bits as JBIG2. */
export async function jbig2FromG4Tiff(tiff: Buffer, dpi: number): Promise<Jbig2Page> {
  const { data, width, height } = await decodeStoredG4(tiff);
  return { data: encodeJbig2Generic({ data, width, height }, { dpi }), width, height };
}

/**
 * Our own G4 decoder reads the station's page files (5-20 ms against libtiff's 53-77 ms through
 * sharp, same pixels, tested in ccitt); any TIFF it does not take goes to libtiff.
 */
async function decodeStoredG4(tiff: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  try {
    return decodeG4Tiff(tiff);
  } catch {
    // 'b-w': one 8-bit channel, black 0 and paper 255 (a 1-bit TIFF otherwise decodes to sRGB).
    const { data, info } = await sharp(tiff).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 1) throw new Error(`the 1-bit TIFF decoded to ${info.channels} channels, expected 1`);
    return { data, width: info.width, height: info.height };
  }
}
