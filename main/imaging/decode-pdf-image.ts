/**
 * Turns the image streams found in scanner PDFs into something sharp reads: Flate (or
 * uncompressed) samples become 8-bit raw pixels, CCITT G4 data gets a minimal TIFF header.
 * The JPEG case needs nothing: a DCTDecode stream already is a JPEG file.
 */
import zlib from 'node:zlib';
import type { RawImage } from './types.js';

export interface SampleLayout {
  width: number;
  height: number;
  /** Samples per pixel in the stream (1 grey or palette index, 3 RGB). */
  components: number;
  bitsPerComponent: 1 | 2 | 4 | 8 | 16;
  /** PNG predictor (10–15) from DecodeParms, or 1 for none. */
  predictor: number;
}

function rowBytes(layout: SampleLayout): number {
  return Math.ceil((layout.width * layout.components * layout.bitsPerComponent) / 8);
}

/** Reverses the PNG row filters PDF writers apply before Flate (Predictor ≥ 10). */
function unpredictPng(data: Uint8Array, layout: SampleLayout): Uint8Array {
  const stride = rowBytes(layout);
  const bpp = Math.max(1, Math.ceil((layout.components * layout.bitsPerComponent) / 8));
  const out = new Uint8Array(stride * layout.height);
  for (let row = 0; row < layout.height; row++) {
    const src = row * (stride + 1);
    if (src + stride + 1 > data.length) throw new Error(`image data ends at row ${row} of ${layout.height}`);
    const filter = data[src];
    const dst = row * stride;
    for (let x = 0; x < stride; x++) {
      const raw = data[src + 1 + x];
      const left = x >= bpp ? out[dst + x - bpp] : 0;
      const up = row > 0 ? out[dst - stride + x] : 0;
      const upLeft = row > 0 && x >= bpp ? out[dst - stride + x - bpp] : 0;
      let predicted: number;
      switch (filter) {
        case 0: predicted = 0; break;
        case 1: predicted = left; break;
        case 2: predicted = up; break;
        case 3: predicted = (left + up) >> 1; break;
        case 4: {
          const p = left + up - upLeft;
          const pa = Math.abs(p - left);
          const pb = Math.abs(p - up);
          const pc = Math.abs(p - upLeft);
          predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
          break;
        }
        default:
          throw new Error(`unknown PNG row filter ${filter} at row ${row}`);
      }
      out[dst + x] = (raw + predicted) & 0xff;
    }
  }
  return out;
}

/** Maps stored sample values (0..2^bpc−1) to 0..255, optionally inverted (a /Decode [1 0] array). */
export function levelTable(bitsPerComponent: number, invert: boolean): Uint8Array {
  const max = bitsPerComponent >= 8 ? 255 : (1 << bitsPerComponent) - 1;
  const table = new Uint8Array(256);
  for (let v = 0; v <= 255; v++) {
    const scaled = Math.round((Math.min(v, max) * 255) / max);
    table[v] = invert ? 255 - scaled : scaled;
  }
  return table;
}

const IDENTITY_LEVELS = Uint8Array.from({ length: 256 }, (_, v) => v);

/**
 * One byte per sample, rows unpadded, each stored value (16-bit: its high byte) mapped through
 * `levels` (default: kept as stored, as palette indices must be).
 */
export function unpackSamples(stream: Uint8Array, layout: SampleLayout, levels: Uint8Array = IDENTITY_LEVELS): Buffer {
  const rows = layout.predictor >= 10 ? unpredictPng(stream, layout) : stream;
  const stride = rowBytes(layout);
  if (rows.length < stride * layout.height) {
    throw new Error(`image data holds ${rows.length} bytes, ${stride * layout.height} expected`);
  }
  const perRow = layout.width * layout.components;
  const out = Buffer.alloc(perRow * layout.height);
  const bpc = layout.bitsPerComponent;
  const [zero, one] = [levels[0], levels[1]];
  for (let row = 0; row < layout.height; row++) {
    const src = row * stride;
    const dst = row * perRow;
    if (bpc === 8) {
      for (let s = 0; s < perRow; s++) out[dst + s] = levels[rows[src + s]];
    } else if (bpc === 16) {
      for (let s = 0; s < perRow; s++) out[dst + s] = levels[rows[src + s * 2]];
    } else if (bpc === 1) {
      // Black-and-white scans are the common case: 8 samples per byte, unrolled.
      const whole = perRow >> 3;
      for (let b = 0, o = dst; b < whole; b++, o += 8) {
        const v = rows[src + b];
        out[o] = v & 0x80 ? one : zero;
        out[o + 1] = v & 0x40 ? one : zero;
        out[o + 2] = v & 0x20 ? one : zero;
        out[o + 3] = v & 0x10 ? one : zero;
        out[o + 4] = v & 0x08 ? one : zero;
        out[o + 5] = v & 0x04 ? one : zero;
        out[o + 6] = v & 0x02 ? one : zero;
        out[o + 7] = v & 0x01 ? one : zero;
      }
      for (let s = whole * 8; s < perRow; s++) out[dst + s] = (rows[src + (s >> 3)] >> (7 - (s & 7))) & 1 ? one : zero;
    } else {
      const mask = (1 << bpc) - 1;
      for (let s = 0; s < perRow; s++) {
        const bit = s * bpc;
        out[dst + s] = levels[(rows[src + (bit >> 3)] >> (8 - bpc - (bit & 7))) & mask];
      }
    }
  }
  return out;
}

/** Replaces palette indices by the palette's colours (base colour space grey or RGB). */
export function expandIndexed(indices: Uint8Array, palette: Uint8Array, baseComponents: 1 | 3): Buffer {
  const out = Buffer.alloc(indices.length * baseComponents);
  const entries = Math.floor(palette.length / baseComponents);
  for (let i = 0; i < indices.length; i++) {
    const entry = Math.min(indices[i], entries - 1) * baseComponents;
    for (let c = 0; c < baseComponents; c++) out[i * baseComponents + c] = palette[entry + c];
  }
  return out;
}

/** Inflates a FlateDecode stream, refusing to produce more than `expected` bytes (a bomb guard). */
export function inflateStream(data: Uint8Array, expected: number): Uint8Array {
  // Scanners sometimes end a Flate stream without its checksum; inflate what is there.
  return zlib.inflateSync(data, { maxOutputLength: Math.max(expected, 1) + 1024, finishFlush: zlib.constants.Z_SYNC_FLUSH });
}

export function rawImage(data: Buffer, width: number, height: number, channels: 1 | 3): RawImage {
  return { data, width, height, channels };
}

export interface CcittParams {
  width: number;
  height: number;
  /** PDF's K: below 0 is pure two-dimensional (Group 4), which is all this wrapper accepts. */
  k: number;
  /** True when the decoded black runs are to be shown black (BlackIs1 and /Decode agree). */
  blackRunsAreBlack: boolean;
  dpi?: number;
}

/**
 * A little-endian single-strip TIFF around a CCITT Group 4 stream, so libtiff (through sharp)
 * decodes it. libtiff's fax decoder emits 1 for black runs; Photometric says how to show them.
 */
export function ccittG4ToTiff(data: Uint8Array, params: CcittParams): Buffer {
  if (params.k >= 0) throw new Error('only Group 4 (K < 0) CCITT data can be wrapped');
  const tags: Array<[tag: number, type: number, value: number]> = [
    [256, 4, params.width],
    [257, 4, params.height],
    [258, 3, 1],
    [259, 3, 4], // CCITT T.6 (Group 4)
    [262, 3, params.blackRunsAreBlack ? 0 : 1], // 0 = WhiteIsZero: 1 bits (black runs) shown black
    [273, 4, 0], // strip offset, filled in below
    [277, 3, 1],
    [278, 4, params.height],
    [279, 4, data.length],
    [282, 5, 0], // resolution rationals, filled in below
    [283, 5, 0],
    [293, 4, 0], // T6Options: no uncompressed mode
    [296, 3, 2], // inches
  ];
  const ifdOffset = 8;
  const ifdSize = 2 + tags.length * 12 + 4;
  const rationalOffset = ifdOffset + ifdSize;
  const dataOffset = rationalOffset + 16;
  const out = Buffer.alloc(dataOffset + data.length);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(ifdOffset, 4);
  out.writeUInt16LE(tags.length, ifdOffset);
  tags.forEach(([tag, type, value], i) => {
    const entry = ifdOffset + 2 + i * 12;
    out.writeUInt16LE(tag, entry);
    out.writeUInt16LE(type, entry + 2);
    out.writeUInt32LE(1, entry + 4);
    if (tag === 273) value = dataOffset;
    if (tag === 282) value = rationalOffset;
    if (tag === 283) value = rationalOffset + 8;
    if (type === 3) out.writeUInt16LE(value, entry + 8);
    else out.writeUInt32LE(value, entry + 8);
  });
  out.writeUInt32LE(0, ifdOffset + 2 + tags.length * 12);
  const dpi = Math.round((params.dpi ?? 300) * 100);
  for (const at of [rationalOffset, rationalOffset + 8]) {
    out.writeUInt32LE(dpi, at);
    out.writeUInt32LE(100, at + 4);
  }
  out.set(data, dataOffset);
  return out;
}
