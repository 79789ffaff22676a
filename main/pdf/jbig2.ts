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

/** Template 0's context for the "row is typical" bit (ISO 14492 §6.2.5.7, Figure 8). */
const SLTP_CONTEXT_T0 = 0x9b25;
/** Nominal AT pixels of template 0: A1 (3,−1), A2 (−3,−1), A3 (2,−2), A4 (−2,−2), as signed bytes. */
const AT_NOMINAL = [3, -1, -3, -1, 2, -2, -2, -2];
const SEGMENT_PAGE_INFORMATION = 48;
const SEGMENT_IMMEDIATE_GENERIC_REGION = 38;
/** Left and right margin of the padded plane: the template reaches 4 pixels left and 3 right. */
const PAD = 4;

/**
 * The MQ arithmetic encoder (ISO 14492 Annex E.2), with the byte buffer it writes. Contexts keep
 * their state in two byte arrays, index and MPS, so the hot path is a few typed-array reads.
 */
class MqEncoder {
  a = 0x8000;
  c = 0;
  ct = 12;
  /** Position of byte B; out[0] is the byte "before the start", never emitted. */
  bp = 0;
  out: Uint8Array;
  readonly index: Uint8Array;
  readonly mps: Uint8Array;

  constructor(contexts: number, sizeHint: number) {
    this.index = new Uint8Array(contexts);
    this.mps = new Uint8Array(contexts);
    this.out = new Uint8Array(Math.max(1024, sizeHint));
  }

  encode(cx: number, d: number): void {
    const i = this.index[cx];
    const qe = QE[i];
    if (d === this.mps[cx]) {
      // CODEMPS
      const a = this.a - qe;
      if ((a & 0x8000) === 0) {
        if (a < qe) this.a = qe;
        else {
          this.a = a;
          this.c += qe;
        }
        this.index[cx] = NMPS[i];
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
      if (SWITCH[i] === 1) this.mps[cx] = 1 - this.mps[cx];
      this.index[cx] = NLPS[i];
      this.renormalise();
    }
  }

  /**
   * `n` symbols equal to the MPS of context `cx`, as `n` calls of encode would code them: while A
   * stays at or above 0x8000 an MPS only moves A and C by Qe, so those steps are taken together,
   * and only the step that renormalises goes through encode. White paper codes this way.
   */
  encodeMpsRun(cx: number, n: number): void {
    const mps = this.mps[cx];
    while (n > 0) {
      const qe = QE[this.index[cx]];
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

  private renormalise(): void {
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
    return this.out.slice(1, this.bp + 1);
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
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new RangeError(`encodeJbig2Generic: width and height must be positive integers, got ${width}×${height}`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height) {
    throw new RangeError(`encodeJbig2Generic: expected ${width * height} bytes for ${width}×${height}, got ${data?.length ?? 'none'}`);
  }
  const coded = codeGenericRegion(toPlane(image, options.ink ?? 'dark'), width, height);

  const region = new Uint8Array(17 + 1 + 8 + coded.length);
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
  region.set(coded, 26);

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

  return concat([segmentHeader(0, SEGMENT_PAGE_INFORMATION, page.length), page, segmentHeader(1, SEGMENT_IMMEDIATE_GENERIC_REGION, region.length), region]);
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

/**
 * The page as 0/1 bytes in rows of `width + 2·PAD`, after two rows of zeros: the template's
 * neighbours outside the page read as 0 (paper) without a bounds check in the pixel loop.
 */
function toPlane(image: Bilevel, ink: 'dark' | 'nonzero'): Uint8Array {
  const { data, width, height } = image;
  const stride = width + 2 * PAD;
  const plane = new Uint8Array(stride * (height + 2));
  for (let y = 0; y < height; y++) {
    let from = y * width;
    let to = (y + 2) * stride + PAD;
    const end = from + width;
    // Branch-free (a byte's top bit says "128 or more"; adding 255 carries into bit 8 unless it is 0):
    // ink and paper alternate along a row, and mispredicted branches cost more than the arithmetic.
    if (ink === 'dark') for (; from < end; from++, to++) plane[to] = (data[from] >> 7) ^ 1;
    else for (; from < end; from++, to++) plane[to] = (data[from] + 255) >> 8;
  }
  return plane;
}

/** Codes every row: first whether it repeats the row above (TPGDON), then its pixels if not. */
function codeGenericRegion(plane: Uint8Array, width: number, height: number): Uint8Array {
  const stride = width + 2 * PAD;
  // A text page codes to a few percent of a byte per pixel; start at 1/32 and grow if needed.
  const mq = new MqEncoder(1 << 16, (width * height) >> 5);
  const rows = Buffer.from(plane.buffer, plane.byteOffset, plane.length);
  let ltp = 0;
  for (let y = 0; y < height; y++) {
    const row = (y + 2) * stride;
    // The row above the first is all paper (§6.2.5.7): the zero rows of the plane.
    const typical = rows.compare(rows, row - stride + PAD, row - stride + PAD + width, row + PAD, row + PAD + width) === 0 ? 1 : 0;
    mq.encode(SLTP_CONTEXT_T0, typical ^ ltp);
    ltp = typical;
    if (typical) continue;
    codeRow(mq, plane, row + PAD, stride, width);
  }
  return mq.finish();
}

/**
 * One row through template 0. The context bits (§6.2.5.3, Figure 3, nominal AT pixels) are, from
 * bit 15 down: row −2 at x−2 … x+2, row −1 at x−3 … x+3, this row at x−4 … x−1. Each row is a
 * shift register that takes in the pixel entering the template on the right.
 */
function codeRow(mq: MqEncoder, plane: Uint8Array, at: number, stride: number, width: number): void {
  const above = at - stride;
  const above2 = at - 2 * stride;
  let r2 = (plane[above2 - 2] << 3) | (plane[above2 - 1] << 2) | (plane[above2] << 1) | plane[above2 + 1];
  let r1 = (plane[above - 3] << 5) | (plane[above - 2] << 4) | (plane[above - 1] << 3) | (plane[above] << 2) | (plane[above + 1] << 1) | plane[above + 2];
  let r0 = (plane[at - 4] << 3) | (plane[at - 3] << 2) | (plane[at - 2] << 1) | plane[at - 1];
  const index = mq.index;
  const mps = mq.mps;
  let x = 0;
  while (x < width) {
    r2 = ((r2 << 1) | plane[above2 + x + 2]) & 0x1f;
    r1 = ((r1 << 1) | plane[above + x + 3]) & 0x7f;
    const cx = (r2 << 11) | (r1 << 4) | (r0 & 0xf);
    const d = plane[at + x];
    if (cx === 0 && d === 0 && mps[0] === 0) {
      // Paper with paper all round: the run goes on until ink enters the template or is this pixel.
      let end = x + 1;
      while (end < width && plane[above2 + end + 2] === 0 && plane[above + end + 3] === 0 && plane[at + end] === 0) end++;
      mq.encodeMpsRun(0, end - x);
      // Only zeros entered the registers: they stay 0.
      r0 = 0;
      x = end;
      continue;
    }
    // The most common case inline: an MPS that needs no renormalisation.
    const qe = QE[index[cx]];
    const a = mq.a - qe;
    if (d === mps[cx] && (a & 0x8000) !== 0) {
      mq.a = a;
      mq.c += qe;
    } else mq.encode(cx, d);
    r0 = (r0 << 1) | d;
    x++;
  }
}
