/**
 * A stored black-and-white page (a single-tile CCITT G4 TIFF) recoded as JBIG2 for the PDF. The
 * page store keeps G4, which every TIFF reader opens; only the PDF gets the smaller JBIG2 (about
 * 60 % of the G4 bytes on text pages). The clean-up codes it from the bits in memory and keeps it
 * beside the page file (jbig2-sidecar.ts); the assembly codes it here from the G4 only for a page
 * that has no such file, so no stored page or schema changes. Lossless both ways: the G4 bits are
 * decoded exactly and the generic region codes them exactly (see jbig2.ts).
 */
import sharp from 'sharp';
import { packBytes, type PackedBits } from '../imaging/g4.js';
import { decodeG4Tiff as decodeG4Runs, type RunImage } from '../imaging/g4-runs.js';
import { encodeJbig2Packed } from './jbig2.js';

export interface Jbig2Page {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Decodes the G4 TIFF (its own size, not the padded tile) and codes its bits as JBIG2. */
export async function jbig2FromG4Tiff(tiff: Buffer, dpi: number): Promise<Jbig2Page> {
  return jbig2FromBits(await decodeStoredG4(tiff), dpi);
}

/**
 * The same stream from the bits the G4 TIFF was coded from (the clean-up's, see jbig2-sidecar.ts):
 * G4 is lossless, so these are the bits the TIFF decodes to.
 */
export function jbig2FromBits(bits: PackedBits, dpi: number): Jbig2Page {
  return { data: encodeJbig2Packed(bits, { dpi }), width: bits.width, height: bits.height };
}

/**
 * The G4 decoder that gives each row's colour changes (the marks reader's) reads the station's
 * page files, and the runs are painted straight into packed rows: no byte per pixel on the way
 * (a dense 300 dpi page: about 14 ms CPU, against 26 for decoding to bytes and packing them).
 * Any TIFF it does not take goes to libtiff.
 */
async function decodeStoredG4(tiff: Buffer): Promise<PackedBits> {
  const runs = decodeG4Runs(tiff);
  if (runs) return paintRuns(runs);
  // 'b-w': one 8-bit channel, black 0 and paper 255 (a 1-bit TIFF otherwise decodes to sRGB).
  const { data, info } = await sharp(tiff).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`the 1-bit TIFF decoded to ${info.channels} channels, expected 1`);
  return packBytes(data, info.width, info.height, 128);
}

/** Each row's ink runs set as 1 bits, a word at a time inside a run. */
function paintRuns(image: RunImage): PackedBits {
  const { width, height, rowStart, changes } = image;
  const stride = (width + 31) >>> 5;
  const words = new Uint32Array(stride * height);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    const end = rowStart[y + 1];
    for (let k = rowStart[y]; k < end; k += 2) {
      const from = changes[k];
      const to = k + 1 < end ? changes[k + 1] : width;
      if (to <= from) continue;
      const first = from >>> 5;
      const last = (to - 1) >>> 5;
      // Bits from `from` to the end of its word; bits from its word's start to `to - 1`.
      const head = 0xffffffff >>> (from & 31);
      const tail = ~(0x7fffffff >>> ((to - 1) & 31));
      if (first === last) words[row + first] |= head & tail;
      else {
        words[row + first] |= head;
        words.fill(0xffffffff, row + first + 1, row + last);
        words[row + last] |= tail;
      }
    }
  }
  return { words, width, height, stride };
}
