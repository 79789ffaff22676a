/**
 * A lossless JBIG2 encoder for PDF's JBIG2Decode filter: one immediate generic region (ISO/IEC
 * 14492 §6.2, arithmetic MQ coding, template 0 with the nominal AT pixels, typical prediction
 * TPGDON) covering the whole page. Every pixel is coded from its own neighbourhood, so the decoded
 * bits are the source bits exactly; there is no symbol dictionary and no text region, the pattern
 * matching behind the "Xerox number swap" that archiving rules forbid.
 *
 * What the PDF stream holds (PDF 32000-1 §7.4.7, embedded organisation of ISO 14492 Annex D.3):
 * no file header, no end-of-page or end-of-file segment; the page information segment and the
 * region segment, each with its segment header. Readers need the page information segment: it
 * sets the page size the region is drawn into (pdf.js and poppler fail without it). This is also
 * what jbig2enc writes for a generic region in its PDF mode.
 */
import { packBytes, type PackedBits } from '../imaging/g4.js';

/** Probability estimation (ISO 14492 Table E.1): Qe, next index after an MPS / an LPS, MPS switch. */
const QE = new Uint32Array([
  0x5601, 0x3401, 0x1801, 0x0ac1, 0x0521, 0x0221, 0x5601, 0x5401, 0x4801, 0x3801, 0x3001, 0x2401, 0x1c01, 0x1601, 0x5601, 0x5401,
  0x5101, 0x4801, 0x3801, 0x3401, 0x3001, 0x2801, 0x2401, 0x2201, 0x1c01, 0x1801, 0x1601, 0x1401, 0x1201, 0x1101, 0x0ac1, 0x09c1,
  0x08a1, 0x0521, 0x0441, 0x02a1, 0x0221, 0x0141, 0x0111, 0x0085, 0x0049, 0x0025, 0x0015, 0x0009, 0x0005, 0x0001, 0x5601,
]);
const NMPS = new Uint8Array([
  1, 2, 3, 4, 5, 38, 7, 8, 9, 10, 11, 12, 13, 29, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38,
  39, 40, 41, 42, 43, 44, 45, 45, 46,
]);
const NLPS = new Uint8Array([
  1, 6, 9, 12, 29, 33, 6, 14, 14, 14, 17, 18, 20, 21, 14, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
  35, 36, 37, 38, 39, 40, 41, 42, 43, 46,
]);
const SWITCH = new Uint8Array([1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

/**
 * The same table by context state s = 2 · index + MPS, so a context is one byte: Qe, and the state
 * after coding its MPS or its LPS (with the MPS switch of Table E.1 folded in).
 */
const STATE_QE = Uint32Array.from({ length: 2 * QE.length }, (_, s) => QE[s >> 1]);
const STATE_AFTER_MPS = Uint8Array.from({ length: 2 * QE.length }, (_, s) => 2 * NMPS[s >> 1] + (s & 1));
const STATE_AFTER_LPS = Uint8Array.from({ length: 2 * QE.length }, (_, s) => 2 * NLPS[s >> 1] + ((s & 1) ^ SWITCH[s >> 1]));
/** The three in one word for the pixel loop, one load a pixel: Qe | after MPS << 16 | after LPS << 24. */
const STATE_ENTRY = Uint32Array.from({ length: 2 * QE.length }, (_, s) => STATE_QE[s] | (STATE_AFTER_MPS[s] << 16) | (STATE_AFTER_LPS[s] << 24));

/** Template 0's context for the "row is typical" bit (ISO 14492 §6.2.5.7, Figure 8). */
const SLTP_CONTEXT_T0 = 0x9b25;
/** Nominal AT pixels of template 0: A1 (3,−1), A2 (−3,−1), A3 (2,−2), A4 (−2,−2), as signed bytes. */
const AT_NOMINAL = [3, -1, -3, -1, 2, -2, -2, -2];
const SEGMENT_PAGE_INFORMATION = 48;
const SEGMENT_IMMEDIATE_GENERIC_REGION = 38;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The MQ arithmetic encoder (ISO 14492 Annex E.2), with the byte buffer it writes. Contexts keep
 * their state in one byte each (2 · index + MPS). The pixel loop (codeRow) keeps A, C and CT in
 * locals and codes most pixels itself; it comes here for renormalisations that emit a byte.
 */
class MqEncoder {
  a = 0x8000;
  c = 0;
  ct = 12;
  /** Position of byte B; out[0] is the byte "before the start", never emitted. */
  bp = 0;
  out: Uint8Array;
  /** Each context's state, 2 · index + MPS (see STATE_QE). */
  readonly state: Uint8Array;

  constructor(contexts: Uint8Array, sizeHint: number) {
    this.state = contexts;
    this.out = new Uint8Array(Math.max(1024, sizeHint));
  }

  /**
   * Back to the state of a new encoder (INITENC, E.2.8) for the next region: every context at
   * index 0 with MPS 0, and room for at least `sizeHint` bytes. out[0], the byte "before the
   * start", is 0 again (a carry before the first byte out lands there); every other byte is written
   * before it is read.
   */
  reset(sizeHint: number): void {
    this.a = 0x8000;
    this.c = 0;
    this.ct = 12;
    this.bp = 0;
    this.state.fill(0);
    if (this.out.length < sizeHint) this.out = new Uint8Array(sizeHint);
    this.out[0] = 0;
  }

  encode(cx: number, d: number): void {
    const s = this.state[cx];
    const qe = STATE_QE[s];
    if (d === (s & 1)) {
      // CODEMPS
      const a = this.a - qe;
      if ((a & 0x8000) === 0) {
        if (a < qe) this.a = qe;
        else {
          this.a = a;
          this.c += qe;
        }
        this.state[cx] = STATE_AFTER_MPS[s];
        this.renormalise();
      } else {
        this.a = a;
        this.c += qe;
      }
    } else {
      // CODELPS
      const a = this.a - qe;
      if (a < qe) {
        this.a = a;
        this.c += qe;
      } else this.a = qe;
      this.state[cx] = STATE_AFTER_LPS[s];
      this.renormalise();
    }
  }

  /**
   * `n` symbols equal to the MPS of context `cx`, as `n` calls of encode would code them: while A
   * stays at or above 0x8000 an MPS only moves A and C by Qe, so those steps are taken together,
   * and only the step that renormalises goes through encode. White paper codes this way.
   */
  encodeMpsRun(cx: number, n: number): void {
    const mps = this.state[cx] & 1;
    while (n > 0) {
      const qe = STATE_QE[this.state[cx]];
      // MPS steps until A drops below 0x8000, counting the one that does.
      const steps = Math.floor((this.a - 0x8000) / qe) + 1;
      if (n < steps) {
        this.a -= n * qe;
        this.c += n * qe;
        return;
      }
      this.a -= (steps - 1) * qe;
      this.c += (steps - 1) * qe;
      n -= steps;
      this.encode(cx, mps);
    }
  }

  /** RENORME (E.2.6): doubles A and C until A reaches 0x8000, a byte out each time CT runs down. */
  renormalise(): void {
    let { a, c, ct } = this;
    do {
      a <<= 1;
      c <<= 1;
      ct--;
      if (ct === 0) {
        this.c = c;
        this.byteOut();
        c = this.c;
        ct = this.ct;
      }
    } while ((a & 0x8000) === 0);
    this.a = a;
    this.c = c;
    this.ct = ct;
  }

  private byteOut(): void {
    const out = this.out;
    if (out[this.bp] === 0xff) {
      this.put(this.c >>> 20);
      this.c &= 0xfffff;
      this.ct = 7;
    } else if (this.c < 0x8000000) {
      this.put(this.c >>> 19);
      this.c &= 0x7ffff;
      this.ct = 8;
    } else {
      // A carry into the byte already written.
      out[this.bp]++;
      if (out[this.bp] === 0xff) {
        this.c &= 0x7ffffff;
        this.put(this.c >>> 20);
        this.c &= 0xfffff;
        this.ct = 7;
      } else {
        this.put(this.c >>> 19);
        this.c &= 0x7ffff;
        this.ct = 8;
      }
    }
  }

  private put(byte: number): void {
    if (this.bp + 1 >= this.out.length) {
      const grown = new Uint8Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[++this.bp] = byte & 0xff;
  }

  /** FLUSH (E.2.9), then the 0xFF 0xAC marker that ends arithmetically coded data (§7.4.6.4). */
  finish(): Uint8Array {
    // SETBITS: the value in the final interval with the most trailing 1 bits.
    const top = this.c + this.a;
    this.c |= 0xffff;
    if (this.c >= top) this.c -= 0x8000;
    this.c <<= this.ct;
    this.byteOut();
    this.c <<= this.ct;
    this.byteOut();
    if (this.out[this.bp] !== 0xff) this.put(0xff);
    this.put(0xac);
    return this.out.subarray(1, this.bp + 1);
  }
}

export interface Bilevel {
  /** One byte per pixel, rows top to bottom; a pixel is ink when `isInk(value)`. */
  data: Uint8Array;
  width: number;
  height: number;
}

export interface Jbig2Options {
  /** Resolution written into the page information segment (informative for readers). */
  dpi?: number;
  /**
   * Which byte values are ink. Default: below 128, for 8-bit grey where 0 is black (what sharp
   * decodes a 1-bit TIFF to). Use `'nonzero'` for a plane of 0/1 with 1 as ink.
   */
  ink?: 'dark' | 'nonzero';
}

/**
 * Encodes the page as a JBIG2 embedded stream for a PDF image with /Filter /JBIG2Decode,
 * /BitsPerComponent 1 and the same /Width and /Height. JBIG2 codes ink as 1, which JBIG2Decode
 * gives out as black; no /Decode array is needed.
 */
export function encodeJbig2Generic(image: Bilevel, options: Jbig2Options = {}): Uint8Array {
  const { width, height, data } = image;
  checkSize(width, height);
  if (!(data instanceof Uint8Array) || data.length !== width * height) {
    throw new RangeError(`encodeJbig2Generic: expected ${width * height} bytes for ${width}×${height}, got ${data?.length ?? 'none'}`);
  }
  return encodeJbig2Packed(packInk(data, width, height, options.ink ?? 'dark'), options);
}

/**
 * The same stream from packed 1-bit rows (1 = ink, as the threshold and the G4 decoder write
 * them): no byte per pixel is ever made. Bits past `width` are ignored.
 */
export function encodeJbig2Packed(bits: PackedBits, options: { dpi?: number } = {}): Uint8Array {
  const { width, height, stride, words } = bits;
  checkSize(width, height);
  if (!Number.isInteger(stride) || stride < (width + 31) >>> 5 || !(words instanceof Uint32Array) || words.length < stride * height) {
    throw new RangeError(`encodeJbig2Packed: ${width}×${height} needs rows of at least ${(width + 31) >>> 5} words and ${stride * height} words, got stride ${stride} and ${words?.length ?? 'none'}`);
  }
  const coded = codeGenericRegion(bits);

  // The region's own header; the coded bytes follow it (copied once, into the stream).
  const region = new Uint8Array(17 + 1 + 8);
  const view = new DataView(region.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  // x = y = 0; external combination operator OR (the page is empty: any operator gives the region).
  view.setUint32(8, 0);
  view.setUint32(12, 0);
  region[16] = 0;
  // MMR 0, GBTEMPLATE 0, TPGDON 1, EXTTEMPLATE 0.
  region[17] = 0x08;
  for (let i = 0; i < 8; i++) region[18 + i] = AT_NOMINAL[i] & 0xff;

  const ppm = options.dpi ? Math.round(options.dpi / 0.0254) : 0;
  const page = new Uint8Array(19);
  const pageView = new DataView(page.buffer);
  pageView.setUint32(0, width);
  pageView.setUint32(4, height);
  pageView.setUint32(8, ppm);
  pageView.setUint32(12, ppm);
  // Eventually lossless; default pixel 0 (paper); combination OR, not overridden; no striping.
  page[16] = 0x01;
  pageView.setUint16(17, 0);

  return concat([segmentHeader(0, SEGMENT_PAGE_INFORMATION, page.length), page, segmentHeader(1, SEGMENT_IMMEDIATE_GENERIC_REGION, region.length + coded.length), region, coded]);
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new RangeError(`encodeJbig2Generic: width and height must be positive integers, got ${width}×${height}`);
  }
}

/** A segment header (§7.2): number, type, no referred-to segments, page 1, data length. */
function segmentHeader(number: number, type: number, length: number): Uint8Array {
  const header = new Uint8Array(11);
  const view = new DataView(header.buffer);
  view.setUint32(0, number);
  header[4] = type; // page association in one byte, not deferred
  header[5] = 0; // no referred-to segments, no retention bits
  header[6] = 1; // page 1
  view.setUint32(7, length);
  return header;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** One byte a pixel to packed rows, 1 = ink. */
function packInk(data: Uint8Array, width: number, height: number, ink: 'dark' | 'nonzero'): PackedBits {
  // Dark: below 128 is ink, packBytes' rule (it skips four paper bytes with one compare).
  if (ink === 'dark') return packBytes(data, width, height, 128);
  const stride = (width + 31) >>> 5;
  const words = new Uint32Array(stride * height);
  if (LITTLE_ENDIAN && width % 4 === 0 && data.byteOffset % 4 === 0) {
    // Four bytes at a time (a mask is mostly paper, 0): each nonzero byte gets its top bit set,
    // and one multiplication gathers the four top bits into a nibble, the first byte highest.
    const quads = new Uint32Array(data.buffer, data.byteOffset, (width * height) >>> 2);
    const quadsPerRow = width >>> 2;
    for (let y = 0; y < height; y++) {
      const first = y * quadsPerRow;
      const rowStart = y * stride;
      for (let q = 0; q < quadsPerRow; q++) {
        const v = quads[first + q];
        if (v === 0) continue;
        const top = (((v & 0x7f7f7f7f) + 0x7f7f7f7f) | v) & 0x80808080;
        const nibble = (Math.imul(top >>> 7, 0x08040201) >>> 24) & 0xf;
        words[rowStart + (q >>> 3)] |= nibble << (28 - ((q & 7) << 2));
      }
    }
    return { words, width, height, stride };
  }
  for (let y = 0; y < height; y++) {
    let p = y * width;
    const rowStart = y * stride;
    for (let i = 0; i < stride; i++) {
      const n = Math.min(32, width - (i << 5));
      let word = 0;
      for (let b = 0; b < n; b++, p++) word |= ((data[p] + 255) >> 8) << (31 - b);
      words[rowStart + i] = word;
    }
  }
  return { words, width, height, stride };
}

/**
 * The generic region's context states: the thread's one table, the one encoder's (below). A
 * module constant because the pixel loop (codeRow) reads it as one: the optimising compiler then
 * builds its address into the code, where a table reached through the encoder cost a map check and
 * two loads a pixel.
 */
const GENERIC_REGION_STATE = new Uint8Array(1 << 16);
let reusedEncoder: MqEncoder | undefined;

/**
 * The thread's one encoder, reset for the next region. Coding is synchronous, so no two regions
 * share it at once, and the caller copies the coded bytes out (concat) before the next region.
 * Kept alive on purpose: an encoder made per page died with the page, and with it the hidden class
 * that the pixel loop's optimized code checks its encoder against; the next full garbage collection
 * then threw that code away ("weak objects") and the loop was compiled again, page after page (in
 * the bundled page worker, 100 pages: about 25 recompiles of codeRow and its helpers, tens of ms of
 * compiler time each). One live encoder keeps the class, and the 64 KB context table and output
 * buffer are no longer allocated and zeroed per page.
 */
function threadEncoder(sizeHint: number): MqEncoder {
  if (!reusedEncoder) reusedEncoder = new MqEncoder(GENERIC_REGION_STATE, sizeHint);
  else reusedEncoder.reset(sizeHint);
  return reusedEncoder;
}

/**
 * Codes every row: first whether it repeats the row above (TPGDON), then its pixels if not.
 *
 * The last three rows are copied into a ring of word rows, each with a zero word either side:
 * rows above the page, pixels left of it and right of it read as paper (as the template needs)
 * with no bounds checks, and bits past the width are cleared on the way in.
 */
function codeGenericRegion(bits: PackedBits): Uint8Array {
  const { width, height, stride, words } = bits;
  // Words a row holds pixels in: any further words of the source's rows are left out.
  const rowWords = (width + 31) >>> 5;
  // A text page codes to well under a bit in 64 (a dense A4 page at 300 dpi: about 52 KB); the
  // buffer grows when a page needs more.
  const mq = threadEncoder((width * height) >> 6);
  const slot = rowWords + 2;
  const ring = new Uint32Array(3 * slot);
  const lastMask = width % 32 === 0 ? 0xffffffff : ~(0xffffffff >>> width % 32);
  // Word offsets of the rows two above, one above and this one (their first word, after the pad).
  let o2 = 1;
  let o1 = 1 + slot;
  let o0 = 1 + 2 * slot;
  let ltp = 0;
  for (let y = 0; y < height; y++) {
    // Copied a word at a time (a subarray a row to set from was an object a row to collect).
    for (let i = 0, from = y * stride; i < rowWords; i++) ring[o0 + i] = words[from + i];
    ring[o0 + rowWords - 1] &= lastMask;
    let same = 1;
    for (let i = 0; i < rowWords; i++) {
      if (ring[o0 + i] !== ring[o1 + i]) {
        same = 0;
        break;
      }
    }
    mq.encode(SLTP_CONTEXT_T0, same ^ ltp);
    ltp = same;
    if (!same) codeRow(mq, ring, o2, o1, o0, rowWords, width);
    const oldest = o2;
    o2 = o1;
    o1 = o0;
    o0 = oldest;
  }
  return mq.finish();
}

/**
 * One row through template 0. The context bits (§6.2.5.3, Figure 3, nominal AT pixels) are, from
 * bit 15 down: row −2 at x−2 … x+2, row −1 at x−3 … x+3, this row at x−4 … x−1. Each row gives a
 * 32-bit window of its pixels from x − 4, loaded once for up to 24 pixels and shifted one pixel a
 * step.
 *
 * Paper with paper all round (context 0, pixel 0) is the most of a page: from there the pixels go
 * on as one run while no ink enters the template, found 32 at a time in the three rows' words, and
 * the run is coded in one step per renormalisation (MqEncoder.encodeMpsRun).
 *
 * Written for the optimising compiler (measured on the process bench's pages, in CPU ms a page:
 * 10.0 before these, 7.0 after): the pixel loop makes no call and keeps few values live, so its
 * locals stay in registers. It stops for the rare work (a run, a renormalisation that emits a
 * byte) and that is done after it, before the windows are loaded again. The tables are locals
 * taken from module constants (built into the code as constants), and every sum is kept to 32
 * bits (`| 0`: A stays below 2^16 and C below 2^28, so nothing is cut; without it each addition
 * carries an overflow check).
 */
function codeRow(mq: MqEncoder, ring: Uint32Array, o2: number, o1: number, o0: number, rowWords: number, width: number): void {
  const state = GENERIC_REGION_STATE;
  const entries = STATE_ENTRY;
  const qes = STATE_QE;
  o0 |= 0;
  o1 |= 0;
  o2 |= 0;
  rowWords |= 0;
  width |= 0;
  let a = mq.a | 0;
  let c = mq.c | 0;
  let ct = mq.ct | 0;
  let x = 0;
  while (x < width) {
    // Each row's 32 pixels from x − 4 (the words either side of a row are 0): pixel x at bit 27,
    // its template's fields at fixed bits. 24 steps keep row −1's x+3 inside the window.
    const q = (x - 4) >> 5;
    const s4 = (x - 4) & 31;
    let w2 = (ring[o2 + q] << s4) | ((ring[o2 + q + 1] >>> 1) >>> (31 - s4));
    let w1 = (ring[o1 + q] << s4) | ((ring[o1 + q + 1] >>> 1) >>> (31 - s4));
    let w0 = (ring[o0 + q] << s4) | ((ring[o0 + q + 1] >>> 1) >>> (31 - s4));
    const groupEnd = width - x < 24 ? width : (x + 24) | 0;
    // Why the loop below stopped before groupEnd: 0 not, 1 a renormalisation that emits a byte
    // (the pixel is coded up to it), 2 paper in a context of paper, paper the MPS (pixel x).
    let stop = 0;
    for (; x < groupEnd; x = (x + 1) | 0, w2 <<= 1, w1 <<= 1, w0 <<= 1) {
      const cx = ((w2 >>> 14) & 0xf800) | ((w1 >>> 20) & 0x07f0) | (w0 >>> 28);
      const d = (w0 >>> 27) & 1;
      const s = state[cx];
      if ((cx | d | (s & 1)) === 0) {
        stop = 2;
        break;
      }
      // MQ encoding (E.2.2–E.2.6) in place; an MPS that leaves A at or above 0x8000 is the common case.
      const entry = entries[s];
      const qe = entry & 0xffff;
      a = (a - qe) | 0;
      if (d === (s & 1)) {
        if ((a & 0x8000) !== 0) {
          c = (c + qe) | 0;
          continue;
        }
        if (a < qe) a = qe;
        else c = (c + qe) | 0;
        state[cx] = (entry >>> 16) & 0xff;
      } else {
        if (a < qe) c = (c + qe) | 0;
        else a = qe;
        state[cx] = entry >>> 24;
      }
      // Renormalise: the shifts all at once unless a byte goes out on the way.
      const shifts = (Math.clz32(a) - 16) | 0;
      if (shifts < ct) {
        a <<= shifts;
        c <<= shifts;
        ct = (ct - shifts) | 0;
      } else {
        stop = 1;
        x = (x + 1) | 0;
        break;
      }
    }
    if (stop === 1) {
      mq.a = a;
      mq.c = c;
      mq.ct = ct;
      mq.renormalise();
      a = mq.a | 0;
      c = mq.c | 0;
      ct = mq.ct | 0;
    } else if (stop === 2) {
      // The run ends where a pixel is ink or ink enters the template (this row at x, row −1 at
      // x+3, row −2 at x+2), those bits aligned and OR-ed a word at a time.
      let j = x >>> 5;
      let word = (ring[o0 + j] | (ring[o1 + j] << 3) | (ring[o1 + j + 1] >>> 29) | (ring[o2 + j] << 2) | (ring[o2 + j + 1] >>> 30)) & (0xffffffff >>> (x & 31));
      while (word === 0 && ++j < rowWords) word = ring[o0 + j] | (ring[o1 + j] << 3) | (ring[o1 + j + 1] >>> 29) | (ring[o2 + j] << 2) | (ring[o2 + j + 1] >>> 30);
      let end = word === 0 ? width : ((j << 5) + Math.clz32(word)) | 0;
      if (end > width) end = width;
      const n = (end - x) | 0;
      const qe = qes[state[0]];
      if (n * qe <= a - 0x8000) {
        // No renormalisation within the run: A and C move by n · Qe.
        a = (a - n * qe) | 0;
        c = (c + n * qe) | 0;
      } else {
        mq.a = a;
        mq.c = c;
        mq.ct = ct;
        mq.encodeMpsRun(0, n);
        a = mq.a | 0;
        c = mq.c | 0;
        ct = mq.ct | 0;
      }
      x = end;
    }
  }
  mq.a = a;
  mq.c = c;
  mq.ct = ct;
}
