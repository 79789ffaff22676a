/**
 * CCITT Group 4 (ITU-T T.6) coding of a black-and-white page, in JavaScript, straight from the
 * packed bits the adaptive threshold writes. libtiff (through sharp) took 30–45 ms per 300 dpi A4
 * page for the same job, most of it in libvips' passes over 8.7 million bytes before the coder
 * sees a bit; here the work is proportional to the colour changes on the page (a few hundred
 * thousand on a dense text page), and a white row costs one 32-bit compare per 32 pixels.
 *
 * The result is a TIFF holding the page in exactly one tile (what encodeBilevel always wrote, and
 * what main/pdf/ccitt.ts takes the G4 bytes out of for the PDF): min-is-white, bits most
 * significant first, the tile the page rounded up to 16 pixels, padded with white.
 */
import { BLACK_MAKEUP, BLACK_TERMINATING, EXTENDED_MAKEUP, WHITE_MAKEUP, WHITE_TERMINATING } from './g4-codes.js';

/**
 * 1-bit pixels, `stride` 32-bit words a row; pixel x of a row is bit 31 − (x mod 32) of word
 * x / 32 (the leftmost pixel is the word's top bit); 1 = black. Bits past `width` must be 0.
 */
export interface PackedBits {
  words: Uint32Array;
  width: number;
  height: number;
  stride: number;
}

interface CodeTable {
  code: Uint16Array;
  length: Uint8Array;
}

/** Terminating codes at 0–63, makeup codes at 64 + run / 64 − 1 (64 … 2560). */
function table(terminating: readonly string[], makeup: readonly string[]): CodeTable {
  const codes = [...terminating, ...makeup, ...EXTENDED_MAKEUP];
  if (codes.length !== 64 + 40) throw new Error(`G4 code table has ${codes.length} entries, expected 104`);
  return { code: Uint16Array.from(codes, (bits) => parseInt(bits, 2)), length: Uint8Array.from(codes, (bits) => bits.length) };
}

const WHITE = table(WHITE_TERMINATING, WHITE_MAKEUP);
const BLACK = table(BLACK_TERMINATING, BLACK_MAKEUP);
const LONGEST_MAKEUP = 2560;

/** Mode codes (T.4 table 4): pass 0001, horizontal 001, vertical by a1 − b1 from −3 to 3. */
const PASS = { code: 0b0001, length: 4 };
const HORIZONTAL = { code: 0b001, length: 3 };
const VERTICAL_CODE = [0b0000010, 0b000010, 0b010, 0b1, 0b011, 0b000011, 0b0000011];
const VERTICAL_LENGTH = [7, 6, 3, 1, 3, 6, 7];

/**
 * The codes codeRow writes, each as code | length << 16 in one table the optimising compiler
 * builds into the code: vertical modes at a1 − b1 + 3 (0–6), then the white run codes from
 * RUN_WHITE, the black ones from RUN_BLACK (terminating at + run, makeup at + 63 + run / 64).
 */
const RUN_WHITE = 8;
const RUN_BLACK = RUN_WHITE + 104;
const ROW_CODES = (() => {
  const codes = new Int32Array(RUN_BLACK + 104);
  for (let d = 0; d < 7; d++) codes[d] = VERTICAL_CODE[d] | (VERTICAL_LENGTH[d] << 16);
  for (let i = 0; i < 104; i++) {
    codes[RUN_WHITE + i] = WHITE.code[i] | (WHITE.length[i] << 16);
    codes[RUN_BLACK + i] = BLACK.code[i] | (BLACK.length[i] << 16);
  }
  return codes;
})();

class BitWriter {
  bytes: Uint8Array;
  at = 0;
  /** Bits not yet written out (fewer than 8), and how many. */
  pending = 0;
  pendingBits = 0;

  /** Every byte below `at` is written before it is read, so the bytes need no zeroing. */
  constructor(capacity: number) {
    this.bytes = Buffer.allocUnsafeSlow(Math.max(64, capacity));
  }

  /**
   * Empty again, writing into a new buffer of `capacity` bytes (the last one belongs to the page
   * whose coded bytes finish() returned as a view of it).
   */
  restart(capacity: number): void {
    this.bytes = Buffer.allocUnsafeSlow(Math.max(64, capacity));
    this.at = 0;
    this.pending = 0;
    this.pendingBits = 0;
  }

  /** Room for at least `more` bytes. */
  reserve(more: number): void {
    if (this.at + more <= this.bytes.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.at + more));
    grown.set(this.bytes.subarray(0, this.at));
    this.bytes = grown;
  }

  /** Appends `length` (≤ 24) bits of `code`, most significant first. */
  put(code: number, length: number): void {
    let bits = this.pendingBits + length;
    let pending = (this.pending << length) | code;
    while (bits >= 8) {
      bits -= 8;
      this.bytes[this.at++] = (pending >>> bits) & 255;
    }
    this.pending = pending & ((1 << bits) - 1);
    this.pendingBits = bits;
  }

  putRun(run: number, codes: CodeTable): void {
    while (run >= LONGEST_MAKEUP) {
      this.put(codes.code[63 + LONGEST_MAKEUP / 64], codes.length[63 + LONGEST_MAKEUP / 64]);
      run -= LONGEST_MAKEUP;
    }
    if (run >= 64) {
      const index = 63 + (run >> 6);
      this.put(codes.code[index], codes.length[index]);
      run &= 63;
    }
    this.put(codes.code[run], codes.length[run]);
  }

  /** Pads the last byte with zero bits. */
  finish(): Uint8Array {
    if (this.pendingBits > 0) this.put(0, 8 - this.pendingBits);
    return this.bytes.subarray(0, this.at);
  }
}

let threadWriter: BitWriter | undefined;

/**
 * The thread's one bit writer, emptied for the next page. Coding is synchronous, so no two pages
 * share it at once. Kept alive on purpose: a writer made per page died with the page, and with it
 * the hidden class that codeRow's optimized code checks its writer against; the next full garbage
 * collection then threw that code away (deopt reason "weak objects") and the coder was compiled
 * again, page after page, in the bundled page worker.
 */
function emptyWriter(capacity: number): BitWriter {
  if (!threadWriter) threadWriter = new BitWriter(capacity);
  else threadWriter.restart(capacity);
  return threadWriter;
}

/**
 * The colour changes of row `y`: positions where a pixel differs from the one before it (the row
 * starts white), ascending, then `columns` three times as the end marks the coder reads up to.
 * Returns how many changes there are.
 */
function changesOfRow(image: PackedBits, y: number, columns: number, out: Int32Array): number {
  const { words, stride, width } = image;
  let n = 0;
  let black = 0;
  const first = y * stride;
  for (let i = 0; i < stride; i++) {
    const word = words[first + i];
    // Runs of one colour across whole words are the common case: one compare each.
    let diff = black ? ~word : word;
    if (diff === 0) continue;
    const base = i << 5;
    while (diff !== 0) {
      const bit = Math.clz32(diff);
      const x = base + bit;
      if (x >= width) break;
      out[n++] = x;
      black ^= 1;
      // The bits after this change, compared with the new colour.
      const after = bit === 31 ? 0 : 0xffffffff >>> (bit + 1);
      diff = (black ? ~word : word) & after;
    }
  }
  // A page ending in black changes back to white at its right edge when the tile is wider.
  if (black && columns > width) out[n++] = width;
  out[n] = out[n + 1] = out[n + 2] = columns;
  return n;
}

/**
 * Codes the page as `columns` × `rows` (at least its own size; the rest is white) in G4, ending
 * with the end-of-facsimile-block mark (two EOLs), as libtiff writes it.
 */
export function encodeG4(image: PackedBits, columns = image.width, rows = image.height): Uint8Array {
  const { width, height } = image;
  if (columns < width || rows < height) throw new RangeError(`encodeG4: ${columns}×${rows} is smaller than the image ${width}×${height}`);
  if (image.words.length < image.stride * height || image.stride * 32 < width) {
    throw new RangeError(`encodeG4: ${image.words.length} words at ${image.stride} a row do not hold ${width}×${height} pixels`);
  }
  const writer = emptyWriter((columns * rows) >> 5);
  let reference = new Int32Array(columns + 4);
  let coding = new Int32Array(columns + 4);
  // The row above the first is white: no changes.
  reference[0] = reference[1] = reference[2] = columns;
  for (let y = 0; y < rows; y++) {
    const count = y < height ? changesOfRow(image, y, columns, coding) : ((coding[0] = coding[1] = coding[2] = columns), 0);
    // Worst case per change: a horizontal mode with two runs of makeup + terminating codes (≤ 7 bytes).
    writer.reserve((count + 2) * 8);
    codeRow(writer, coding, reference, columns);
    const swap = reference;
    reference = coding;
    coding = swap;
  }
  writer.put(1, 12);
  writer.put(1, 12);
  return writer.finish();
}

/**
 * One row in T.6's three modes. a0 is the coder's position (−1 before the row), `black` the colour
 * from a0 on; changes at even indices turn to black, at odd indices back to white.
 *
 * The bit writer's state is kept in locals for the row, and every code is appended and whole
 * bytes written out in place (a code is at most 13 bits and fewer than 8 wait, so 21 bits hold
 * them): the optimising compiler then keeps the row in registers instead of loading and storing
 * the writer's fields, with their checks, at every code. encodeG4 reserves the row's bytes first.
 */
function codeRow(writer: BitWriter, coding: Int32Array, reference: Int32Array, columns: number): void {
  const codes = ROW_CODES;
  const bytes = writer.bytes;
  let at = writer.at | 0;
  let pending = writer.pending | 0;
  let bits = writer.pendingBits | 0;
  columns |= 0;
  let a0 = -1;
  let black = 0;
  let ia = 0; // coding[ia] is a1: the first change right of a0
  let ib = 0; // reference[ib] is the first reference change right of a0
  while (a0 < columns) {
    while (coding[ia] <= a0) ia++;
    while (reference[ib] <= a0) ib++;
    const a1 = coding[ia];
    // b1: the first reference change right of a0 to the colour opposite a0's (even index: to black).
    const j = (ib & 1) === black ? ib : ib + 1;
    const b1 = reference[j];
    const b2 = reference[j + 1];
    if (b2 < a1) {
      // Pass: 0001.
      pending = (pending << 4) | 1;
      bits += 4;
      a0 = b2;
    } else if (a1 - b1 >= -3 && a1 - b1 <= 3) {
      const code = codes[a1 - b1 + 3];
      pending = (pending << (code >>> 16)) | (code & 0xffff);
      bits += code >>> 16;
      a0 = a1;
      black ^= 1;
    } else {
      // Horizontal: 001, then the run to a1 in a0's colour and the run to a2 in the other.
      pending = (pending << 3) | 1;
      bits += 3;
      const a2 = coding[ia + 1];
      for (let part = 0; part < 2; part++) {
        let run = part === 0 ? a1 - (a0 < 0 ? 0 : a0) : a2 - a1;
        const table = (black ^ part) === 0 ? RUN_WHITE : RUN_BLACK;
        // Makeup codes (2560 as often as needed, then one of 64 … 2496), then the terminating code.
        while (run >= 64) {
          const makeup = run >= LONGEST_MAKEUP ? LONGEST_MAKEUP : run & ~63;
          const code = codes[table + 63 + (makeup >> 6)];
          pending = (pending << (code >>> 16)) | (code & 0xffff);
          bits += code >>> 16;
          while (bits >= 8) {
            bits -= 8;
            bytes[at++] = pending >>> bits;
          }
          pending &= (1 << bits) - 1;
          run -= makeup;
        }
        const code = codes[table + run];
        pending = (pending << (code >>> 16)) | (code & 0xffff);
        bits += code >>> 16;
        while (bits >= 8) {
          bits -= 8;
          bytes[at++] = pending >>> bits;
        }
        pending &= (1 << bits) - 1;
      }
      a0 = a2;
    }
    while (bits >= 8) {
      bits -= 8;
      bytes[at++] = pending >>> bits;
    }
    pending &= (1 << bits) - 1;
  }
  writer.at = at;
  writer.pending = pending;
  writer.pendingBits = bits;
}

/** TIFF tags of the one-tile G4 file, in ascending order as TIFF requires. */
const TIFF_SHORT = 3;
const TIFF_LONG = 4;
const TIFF_RATIONAL = 5;

/**
 * A classic little-endian TIFF holding `g4` as its one tile of `tileWidth` × `tileHeight`:
 * min-is-white (0 = paper, the fax convention G4 is coded in), resolution in dots per inch.
 */
export function g4Tiff(g4: Uint8Array, width: number, height: number, tileWidth: number, tileHeight: number, dpi: number): Buffer {
  const entries: [tag: number, type: number, value: number][] = [
    [256, TIFF_LONG, width],
    [257, TIFF_LONG, height],
    [258, TIFF_SHORT, 1], // BitsPerSample
    [259, TIFF_SHORT, 4], // Compression: CCITT T.6
    [262, TIFF_SHORT, 0], // PhotometricInterpretation: min-is-white
    [266, TIFF_SHORT, 1], // FillOrder: most significant bit first
    [277, TIFF_SHORT, 1], // SamplesPerPixel
    [282, TIFF_RATIONAL, 0], // XResolution (value written after the IFD)
    [283, TIFF_RATIONAL, 0], // YResolution
    [284, TIFF_SHORT, 1], // PlanarConfiguration: contiguous
    [293, TIFF_LONG, 0], // T6Options: no uncompressed mode
    [296, TIFF_SHORT, 2], // ResolutionUnit: inch
    [322, TIFF_LONG, tileWidth],
    [323, TIFF_LONG, tileHeight],
    [324, TIFF_LONG, 8], // TileOffsets: the data follows the header
    [325, TIFF_LONG, g4.length], // TileByteCounts
  ];
  const ifdAt = 8 + g4.length + (g4.length & 1);
  const ifdBytes = 2 + entries.length * 12 + 4;
  const rationalAt = ifdAt + ifdBytes;
  const file = Buffer.alloc(rationalAt + 8);
  file.write('II', 0, 'latin1');
  file.writeUInt16LE(42, 2);
  file.writeUInt32LE(ifdAt, 4);
  file.set(g4, 8);
  file.writeUInt16LE(entries.length, ifdAt);
  entries.forEach(([tag, type, value], i) => {
    const at = ifdAt + 2 + i * 12;
    file.writeUInt16LE(tag, at);
    file.writeUInt16LE(type, at + 2);
    file.writeUInt32LE(1, at + 4);
    if (type === TIFF_SHORT) file.writeUInt16LE(value, at + 8);
    else if (type === TIFF_LONG) file.writeUInt32LE(value, at + 8);
    else file.writeUInt32LE(rationalAt, at + 8); // both resolutions share one rational
  });
  file.writeUInt32LE(0, ifdAt + 2 + entries.length * 12); // no next IFD
  // dpi as a fraction with 1/100 precision (scanners write whole numbers; a computed DPI may not be).
  file.writeUInt32LE(Math.round(dpi * 100), rationalAt);
  file.writeUInt32LE(100, rationalAt + 4);
  return file;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/**
 * packBytes' four pixels from which of the four bytes (bit i: byte i, the leftmost first) are at
 * least the threshold: the others are black, the first pixel the top bit of the nibble.
 */
const INK_NIBBLE = Uint8Array.from({ length: 16 }, (_, atLeast) => ((atLeast & 1) ? 0 : 8) | ((atLeast & 2) ? 0 : 4) | ((atLeast & 4) ? 0 : 2) | ((atLeast & 8) ? 0 : 1));

/**
 * Packs one byte a pixel (below `threshold` = black) into PackedBits; a 0/255 image packs with
 * any threshold from 1 to 255.
 */
export function packBytes(data: Uint8Array, width: number, height: number, threshold: number, channels = 1): PackedBits {
  const stride = (width + 31) >>> 5;
  const words = new Uint32Array(stride * height);
  // Made before the loops, not after: the loops are compiled while they run (on-stack
  // replacement), and code after them that had never run had no type feedback, so the compiled
  // loop left the optimised code at its end on every call (an eager deoptimisation a page).
  const packed: PackedBits = { words, width, height, stride };
  // One grey byte a pixel on word-aligned rows, four at a time: four white pixels are skipped with
  // one compare, and a word of 32 pixels is put together in a register and stored once.
  if (channels === 1 && width % 4 === 0 && data.byteOffset % 4 === 0 && LITTLE_ENDIAN && Number.isInteger(threshold) && threshold >= 1 && threshold <= 255) {
    const quads = new Int32Array(data.buffer, data.byteOffset, (width * height) >>> 2);
    const quadsPerRow = width >>> 2;
    const nibbles = INK_NIBBLE;
    // The four compares with the threshold at once: bytes 0 and 2 (then 1 and 3) in 16-bit lanes
    // with bit 8 set, less the threshold; bit 8 of a lane stays set where the byte is at least it.
    const lanes = threshold | (threshold << 16);
    for (let y = 0; y < height; y++) {
      let q = y * quadsPerRow;
      const rowEnd = q + quadsPerRow;
      let at = y * stride;
      while (q < rowEnd) {
        if (rowEnd - q >= 8 && (quads[q] & quads[q + 1] & quads[q + 2] & quads[q + 3] & quads[q + 4] & quads[q + 5] & quads[q + 6] & quads[q + 7]) === -1) {
          // 32 white pixels (the words start at 0).
          q += 8;
          at++;
          continue;
        }
        const wordEnd = rowEnd - q < 8 ? rowEnd : q + 8;
        let word = 0;
        for (let shift = 28; q < wordEnd; q++, shift -= 4) {
          const v = quads[q];
          if (v === -1) continue;
          const even = ((v & 0x00ff00ff) | 0x01000100) - lanes;
          const odd = (((v >>> 8) & 0x00ff00ff) | 0x01000100) - lanes;
          const atLeast = ((even >>> 8) & 0x00010001) | ((odd >>> 7) & 0x00020002);
          word |= nibbles[(atLeast & 3) | ((atLeast >>> 14) & 0xc)] << shift;
        }
        words[at++] = word;
      }
    }
    return packed;
  }
  for (let y = 0; y < height; y++) {
    let p = y * width * channels;
    const rowStart = y * stride;
    for (let i = 0; i < stride; i++) {
      const n = Math.min(32, width - (i << 5));
      let word = 0;
      for (let b = 0; b < n; b++, p += channels) if (data[p] < threshold) word |= 1 << (31 - b);
      words[rowStart + i] = word >>> 0;
    }
  }
  return packed;
}

/** Decoding tables: the next 13 bits of the stream index (run or mode) | code length << 16. */
const LOOKUP_BITS = 13;

function runLookup(codes: CodeTable): Int32Array {
  const lookup = new Int32Array(1 << LOOKUP_BITS).fill(-1);
  for (let i = 0; i < codes.code.length; i++) {
    const run = i < 64 ? i : (i - 63) * 64;
    const length = codes.length[i];
    const first = codes.code[i] << (LOOKUP_BITS - length);
    for (let k = 0; k < 1 << (LOOKUP_BITS - length); k++) lookup[first + k] = run | (length << 16);
  }
  return lookup;
}

let runLookups: { white: Int32Array; black: Int32Array } | undefined;

/** Modes by their code in the top 7 bits: 0–6 vertical by a1 − b1 + 3, 7 pass, 8 horizontal, −1 none. */
const MODE_BITS = 7;
const MODE_PASS = 7;
const MODE_HORIZONTAL = 8;
const modeLookup = (() => {
  const lookup = new Int32Array(1 << MODE_BITS).fill(-1);
  const set = (mode: number, code: number, length: number) => {
    const first = code << (MODE_BITS - length);
    for (let k = 0; k < 1 << (MODE_BITS - length); k++) lookup[first + k] = mode | (length << 16);
  };
  VERTICAL_CODE.forEach((code, d) => set(d, code, VERTICAL_LENGTH[d]));
  set(MODE_PASS, PASS.code, PASS.length);
  set(MODE_HORIZONTAL, HORIZONTAL.code, HORIZONTAL.length);
  return lookup;
})();

export class G4DecodeError extends Error {
  override name = 'G4DecodeError';
}

/**
 * Decodes a G4 stream of `columns` × `rows` (as encodeG4 or libtiff writes it) into one byte a
 * pixel, 0 = black and 255 = white, keeping the top-left `width` × `height` (a tile's padding
 * dropped). Made for the PDF assembly, which re-reads stored pages: a tenth of the time of libtiff
 * through sharp, which spends most of it converting and copying 8-bit rows.
 */
export function decodeG4ToGrey(g4: Uint8Array, columns: number, rows: number, width = columns, height = rows): Buffer {
  if (width > columns || height > rows) throw new RangeError(`decodeG4ToGrey: ${width}×${height} is larger than the coded ${columns}×${rows}`);
  const out = Buffer.alloc(width * height, 255);
  decodeG4Into(g4, columns, rows, { out, width, height, firstRow: 0, minIsBlack: false });
  return out;
}

/**
 * Decodes G4 rows into `out` (one byte a pixel, `width` wide, already filled with the colour of
 * G4's "white" runs: 255 for a min-is-white image, 0 for min-is-black), from row `firstRow` on,
 * writing only G4's "black" runs. Rows past `height` are decoded and dropped.
 */
export function decodeG4Into(
  g4: Uint8Array,
  columns: number,
  rows: number,
  target: { out: Uint8Array; width: number; height: number; firstRow: number; minIsBlack: boolean },
): void {
  const { out, width, firstRow } = target;
  const height = Math.min(rows, target.height);
  const ink = target.minIsBlack ? 255 : 0;
  if (width > columns) throw new RangeError(`decodeG4Into: ${width} columns wanted of ${columns} coded`);
  runLookups ??= { white: runLookup(WHITE), black: runLookup(BLACK) };
  const { white, black: blackRuns } = runLookups;
  let reference = new Int32Array(columns + 4);
  let coding = new Int32Array(columns + 4);
  reference[0] = reference[1] = reference[2] = columns;
  let bit = 0;
  const end = g4.length * 8;
  const peek = (): number => {
    const at = bit >>> 3;
    const window = ((g4[at] ?? 0) << 16) | ((g4[at + 1] ?? 0) << 8) | (g4[at + 2] ?? 0);
    return (window >>> (11 - (bit & 7))) & 0x1fff;
  };
  const readRun = (lookup: Int32Array): number => {
    let run = 0;
    for (;;) {
      const entry = lookup[peek()];
      if (entry < 0 || bit >= end) throw new G4DecodeError(`no run-length code at bit ${bit}`);
      bit += entry >>> 16;
      const length = entry & 0xffff;
      run += length;
      if (length < 64) return run;
    }
  };
  for (let y = 0; y < rows; y++) {
    let a0 = -1;
    let black = 0;
    let n = 0;
    let ib = 0;
    while (a0 < columns) {
      while (reference[ib] <= a0) ib++;
      const j = (ib & 1) === black ? ib : ib + 1;
      const b1 = reference[j];
      const entry = modeLookup[peek() >>> (LOOKUP_BITS - MODE_BITS)];
      if (entry < 0 || bit >= end) throw new G4DecodeError(`no mode code at bit ${bit} (row ${y})`);
      bit += entry >>> 16;
      const mode = entry & 0xffff;
      if (mode === MODE_PASS) {
        a0 = reference[j + 1];
      } else if (mode === MODE_HORIZONTAL) {
        const start = a0 < 0 ? 0 : a0;
        const a1 = start + readRun(black ? blackRuns : white);
        const a2 = a1 + readRun(black ? white : blackRuns);
        if (a2 > columns) throw new G4DecodeError(`a run ends past the row's end at row ${y}`);
        if (a1 < columns) coding[n++] = a1;
        if (a2 < columns) coding[n++] = a2;
        a0 = a2;
      } else {
        const a1 = b1 + mode - 3;
        if (a1 <= a0 || a1 > columns) throw new G4DecodeError(`a vertical code leads off the row at row ${y}`);
        if (a1 < columns) coding[n++] = a1;
        a0 = a1;
        black ^= 1;
      }
    }
    coding[n] = coding[n + 1] = coding[n + 2] = columns;
    if (y < height) {
      const row = (firstRow + y) * width;
      for (let i = 0; i < n; i += 2) {
        const from = coding[i];
        if (from >= width) break;
        out.fill(ink, row + from, row + Math.min(width, coding[i + 1]));
      }
    }
    const swap = reference;
    reference = coding;
    coding = swap;
  }
}
