/**
 * The JBIG2 encoder's bytes against a reference written the plain way, straight from ISO 14492:
 * one pixel at a time through a bounds-checked lookup, the 16 template pixels gathered one by
 * one, every pixel coded on its own by the MQ coder of Annex E with ordinary arithmetic (no
 * packed rows, no rolling windows, no paper runs coded together). The fast encoder must write the
 * same bytes on every page here: random noise at several densities, rules, blank and repeated
 * rows, sizes off the byte and word grid, and rendered text. (That those bytes decode to the
 * source bits in poppler, PDFium and pdf.js is pdf-jbig2.test.ts.)
 * The G4 → JBIG2 recoding at assembly must give the bytes of encoding the page's own bits.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeBilevel } from '../main/imaging/encode.js';
import { packBytes } from '../main/imaging/g4.js';
import { encodeJbig2Generic, encodeJbig2Packed } from '../main/pdf/jbig2.js';
import { jbig2FromG4Tiff } from '../main/pdf/jbig2-page.js';
import { renderPageRaw, rng } from './fixtures/pages.js';

// Table E.1: Qe, NMPS, NLPS, SWITCH by index.
const TABLE: [number, number, number, number][] = [
  [0x5601, 1, 1, 1], [0x3401, 2, 6, 0], [0x1801, 3, 9, 0], [0x0ac1, 4, 12, 0], [0x0521, 5, 29, 0], [0x0221, 38, 33, 0],
  [0x5601, 7, 6, 1], [0x5401, 8, 14, 0], [0x4801, 9, 14, 0], [0x3801, 10, 14, 0], [0x3001, 11, 17, 0], [0x2401, 12, 18, 0],
  [0x1c01, 13, 20, 0], [0x1601, 29, 21, 0], [0x5601, 15, 14, 1], [0x5401, 16, 14, 0], [0x5101, 17, 15, 0], [0x4801, 18, 16, 0],
  [0x3801, 19, 17, 0], [0x3401, 20, 18, 0], [0x3001, 21, 19, 0], [0x2801, 22, 19, 0], [0x2401, 23, 20, 0], [0x2201, 24, 21, 0],
  [0x1c01, 25, 22, 0], [0x1801, 26, 23, 0], [0x1601, 27, 24, 0], [0x1401, 28, 25, 0], [0x1201, 29, 26, 0], [0x1101, 30, 27, 0],
  [0x0ac1, 31, 28, 0], [0x09c1, 32, 29, 0], [0x08a1, 33, 30, 0], [0x0521, 34, 31, 0], [0x0441, 35, 32, 0], [0x02a1, 36, 33, 0],
  [0x0221, 37, 34, 0], [0x0141, 38, 35, 0], [0x0111, 39, 36, 0], [0x0085, 40, 37, 0], [0x0049, 41, 38, 0], [0x0025, 42, 39, 0],
  [0x0015, 43, 40, 0], [0x0009, 44, 41, 0], [0x0005, 45, 42, 0], [0x0001, 45, 43, 0], [0x5601, 46, 46, 0],
];

/** Annex E.2, procedure by procedure; C is kept below 2^28 by BYTEOUT, so plain numbers hold it. */
class ReferenceMq {
  private a = 0x8000;
  private c = 0;
  private ct = 12;
  private b = 0;
  private readonly bytes: number[] = [];
  private readonly index = new Map<number, number>();
  private readonly mps = new Map<number, number>();

  encode(cx: number, d: number): void {
    const i = this.index.get(cx) ?? 0;
    const mps = this.mps.get(cx) ?? 0;
    const [qe, nmps, nlps, swtch] = TABLE[i];
    this.a -= qe;
    if (d === mps) {
      // CODEMPS
      if (this.a < 0x8000) {
        if (this.a < qe) this.a = qe;
        else this.c += qe;
        this.index.set(cx, nmps);
        this.renorme();
      } else this.c += qe;
    } else {
      // CODELPS
      if (this.a < qe) this.c += qe;
      else this.a = qe;
      if (swtch === 1) this.mps.set(cx, 1 - mps);
      this.index.set(cx, nlps);
      this.renorme();
    }
  }

  private renorme(): void {
    do {
      this.a *= 2;
      this.c *= 2;
      this.ct -= 1;
      if (this.ct === 0) this.byteout();
    } while (this.a < 0x8000);
  }

  private emit(shift: number): void {
    this.bytes.push(this.b);
    this.b = Math.floor(this.c / 2 ** shift) % 256;
    this.c %= 2 ** shift;
    this.ct = shift === 20 ? 7 : 8;
  }

  private byteout(): void {
    if (this.b === 0xff) this.emit(20);
    else if (this.c < 0x8000000) this.emit(19);
    else {
      this.b += 1;
      if (this.b === 0xff) {
        this.c %= 0x8000000;
        this.emit(20);
      } else this.emit(19);
    }
  }

  /** FLUSH with SETBITS, then the 0xFF 0xAC end marker; the byte before the first is dropped. */
  finish(): number[] {
    const top = this.c + this.a;
    this.c = this.c - (this.c % 0x10000) + 0xffff;
    if (this.c >= top) this.c -= 0x8000;
    this.c *= 2 ** this.ct;
    this.byteout();
    this.c *= 2 ** this.ct;
    this.byteout();
    this.bytes.push(this.b);
    if (this.b !== 0xff) this.bytes.push(0xff);
    this.bytes.push(0xac);
    return this.bytes.slice(1);
  }
}

/** Template 0 with the nominal AT pixels, from bit 15 down (§6.2.5.3, Figure 3). */
const TEMPLATE: [number, number][] = [
  [-2, -2], [-1, -2], [0, -2], [1, -2], [2, -2],
  [-3, -1], [-2, -1], [-1, -1], [0, -1], [1, -1], [2, -1], [3, -1],
  [-4, 0], [-3, 0], [-2, 0], [-1, 0],
];

/** The whole embedded stream: page information segment, then the generic region segment. */
function referenceJbig2(ink: Uint8Array, width: number, height: number, dpi = 0): Uint8Array {
  const pixel = (x: number, y: number) => (x < 0 || x >= width || y < 0 ? 0 : ink[y * width + x]);
  const mq = new ReferenceMq();
  let ltp = 0;
  for (let y = 0; y < height; y++) {
    let typical = 1;
    for (let x = 0; x < width; x++) if (pixel(x, y) !== pixel(x, y - 1)) typical = 0;
    mq.encode(0x9b25, typical ^ ltp);
    ltp = typical;
    if (typical) continue;
    for (let x = 0; x < width; x++) {
      let cx = 0;
      for (const [dx, dy] of TEMPLATE) cx = cx * 2 + pixel(x + dx, y + dy);
      mq.encode(cx, pixel(x, y));
    }
  }
  const coded = mq.finish();
  const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  const ppm = dpi ? Math.round(dpi / 0.0254) : 0;
  const page = [...u32(width), ...u32(height), ...u32(ppm), ...u32(ppm), 0x01, 0, 0];
  const region = [...u32(width), ...u32(height), ...u32(0), ...u32(0), 0, 0x08, 3, 0xff, 0xfd, 0xff, 2, 0xfe, 0xfe, 0xfe, ...coded];
  const header = (number: number, type: number, length: number) => [...u32(number), type, 0, 1, ...u32(length)];
  return Uint8Array.from([...header(0, 48, page.length), ...page, ...header(1, 38, region.length), ...region]);
}

/** 0/1 ink bytes, one a pixel. */
interface Ink {
  name: string;
  ink: Uint8Array;
  width: number;
  height: number;
}

function noise(width: number, height: number, density: number, seed: number): Ink {
  const random = rng(seed);
  const ink = new Uint8Array(width * height);
  for (let i = 0; i < ink.length; i++) ink[i] = random() < density ? 1 : 0;
  return { name: `${width}×${height} noise at ${density}`, ink, width, height };
}

/** Rules, blank rows, rows repeated with ink, a solid block, ink on the right edge, lone dots. */
function ruledPage(width: number, height: number): Ink {
  const ink = new Uint8Array(width * height);
  const set = (x: number, y: number) => {
    if (x >= 0 && x < width && y >= 0 && y < height) ink[y * width + x] = 1;
  };
  for (let x = 0; x < width; x++) set(x, 3); // a full-width rule
  for (let y = 6; y < 12; y++) for (let x = 5; x < width - 7; x++) set(x, y); // a thick rule: six equal rows
  for (let y = 0; y < height; y++) set(width - 1, y); // the right edge
  for (let y = 14; y < height; y++) for (let x = 0; x < width; x += 37) set(x, y); // columns across words
  for (let y = 20; y < Math.min(height, 40); y++) for (let x = 40; x < Math.min(width, 140); x++) set(x, y); // a block
  const random = rng(5);
  for (let i = 0; i < 50; i++) set(Math.floor(random() * width), 45 + Math.floor(random() * (height - 45)));
  return { name: `${width}×${height} rules and dots`, ink, width, height };
}

/**
 * Lone dots spaced so that every pixel seen with paper all round is ink: context 0's MPS turns to
 * ink. The lower part is blank but for a few dots, so paper then codes as context 0's LPS.
 */
function dotsTurningContextZero(width: number, height: number): Ink {
  const ink = new Uint8Array(width * height);
  for (let y = 0; y < height >> 1; y += 3) for (let x = 0; x < width; x += 5) ink[y * width + x] = 1;
  for (let y = (height >> 1) + 10; y < height; y += 17) ink[y * width + ((y * 7) % width)] = 1;
  return { name: `${width}×${height} dots that turn context 0's MPS`, ink, width, height };
}

async function textInk(kind: 'letter' | 'dense' | 'table', dpi: number, seed: number): Promise<Ink> {
  const page = await renderPageRaw({ kind, dpi, seed });
  const ink = new Uint8Array(page.data.length);
  for (let i = 0; i < ink.length; i++) ink[i] = page.data[i] < 160 ? 1 : 0;
  return { name: `${kind} at ${dpi} dpi`, ink, width: page.width, height: page.height };
}

function generated(): Ink[] {
  const pages: Ink[] = [];
  let seed = 1;
  for (const [width, height] of [[1, 1], [1, 40], [40, 1], [13, 7], [31, 5], [32, 6], [33, 9], [63, 4], [1001, 57]]) {
    for (const density of [0, 0.02, 0.5, 0.98, 1]) pages.push(noise(width, height, density, seed++));
  }
  for (const [width, height] of [[200, 80], [255, 97], [1000, 60]]) pages.push(ruledPage(width, height));
  pages.push(dotsTurningContextZero(301, 90));
  return pages;
}

/** Ink bytes as packed rows, `extra` spare words a row with junk in every bit past the width. */
function packed(page: Ink, extra = 0) {
  const stride = ((page.width + 31) >>> 5) + extra;
  const words = new Uint32Array(stride * page.height);
  for (let y = 0; y < page.height; y++) {
    const last = ((page.width + 31) >>> 5) - 1;
    if (page.width % 32) words[y * stride + last] = 0xffffffff >>> page.width % 32; // junk past the width
    for (let i = last + 1; i < stride; i++) words[y * stride + i] = 0xdeadbeef;
    for (let x = 0; x < page.width; x++) if (page.ink[y * page.width + x]) words[y * stride + (x >>> 5)] |= 0x80000000 >>> (x & 31);
  }
  return { words, width: page.width, height: page.height, stride };
}

const same = (actual: Uint8Array, expected: Uint8Array) => Buffer.from(actual).equals(Buffer.from(expected));

describe('the JBIG2 encoder against the plain reference', () => {
  it('writes the same bytes on noise, rules, blank and repeated rows, odd sizes and lone dots', () => {
    for (const page of generated()) {
      const expected = referenceJbig2(page.ink, page.width, page.height, 300);
      expect(same(encodeJbig2Generic({ data: page.ink, width: page.width, height: page.height }, { ink: 'nonzero', dpi: 300 }), expected), page.name).toBe(true);
      // Any nonzero byte is ink; dark-is-ink bytes (0 ink, 255 paper) and packed rows give the same stream.
      const levels = page.ink.map((v, i) => (v ? [1, 7, 128, 255][i % 4] : 0));
      expect(same(encodeJbig2Generic({ data: levels, width: page.width, height: page.height }, { ink: 'nonzero', dpi: 300 }), expected), `${page.name}, levels`).toBe(true);
      const grey = page.ink.map((v) => (v ? 0 : 255));
      expect(same(encodeJbig2Generic({ data: grey, width: page.width, height: page.height }, { dpi: 300 }), expected), `${page.name}, grey`).toBe(true);
      expect(same(encodeJbig2Packed(packed(page), { dpi: 300 }), expected), `${page.name}, packed`).toBe(true);
    }
  });

  it('ignores the bits past the width in packed rows, however wide the rows', () => {
    for (const page of [noise(45, 20, 0.3, 99), ruledPage(70, 50)]) {
      const expected = referenceJbig2(page.ink, page.width, page.height);
      expect(same(encodeJbig2Packed(packed(page, 2)), expected), page.name).toBe(true);
    }
  });

  it.each([
    ['letter', 150, 7],
    ['dense', 100, 3],
    ['table', 100, 2],
  ] as const)('writes the same bytes on a rendered %s page at %i dpi', async (kind, dpi, seed) => {
    const page = await textInk(kind, dpi, seed);
    expect(same(encodeJbig2Generic({ data: page.ink, width: page.width, height: page.height }, { ink: 'nonzero' }), referenceJbig2(page.ink, page.width, page.height))).toBe(true);
  });

  it('refuses packed rows shorter than the width or too few words', () => {
    expect(() => encodeJbig2Packed({ words: new Uint32Array(4), width: 33, height: 4, stride: 1 })).toThrow(/rows of at least 2 words/);
    expect(() => encodeJbig2Packed({ words: new Uint32Array(3), width: 32, height: 4, stride: 1 })).toThrow(/got stride 1 and 3/);
  });
});

describe('JBIG2 at assembly from the stored G4 TIFF', () => {
  it.each([
    ['the page file the clean-up writes (one tile, min-is-white)', 'station'],
    ['a striped min-is-black G4 TIFF', 'striped-black'],
    ['a 1-bit LZW TIFF (left to libtiff)', 'lzw'],
  ] as const)('codes %s to the bytes of its own bits', async (_name, kind) => {
    const page = await textInk('letter', 200, 4);
    const grey = Buffer.from(page.ink.map((v) => (v ? 0 : 255)));
    const raw = { raw: { width: page.width, height: page.height, channels: 1 as const } };
    const tiff =
      kind === 'station'
        ? (await encodeBilevel({ data: grey, width: page.width, height: page.height, channels: 1 }, 200)).data
        : kind === 'striped-black'
          ? await sharp(grey, raw).toColourspace('b-w').tiff({ compression: 'ccittfax4', bitdepth: 1, miniswhite: false }).toBuffer()
          : await sharp(grey, raw).toColourspace('b-w').tiff({ compression: 'lzw', predictor: 'none', bitdepth: 1 }).toBuffer();
    const recoded = await jbig2FromG4Tiff(tiff, 200);
    expect([recoded.width, recoded.height]).toEqual([page.width, page.height]);
    expect(same(recoded.data, encodeJbig2Packed(packBytes(grey, page.width, page.height, 128), { dpi: 200 }))).toBe(true);
  });
});
