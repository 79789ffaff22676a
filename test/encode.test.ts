import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BILEVEL_THRESHOLD, encodeBilevel, encodeBits, encodeJpeg, passthroughJpeg } from '../main/imaging/encode.js';
import { decodeG4ToGrey, encodeG4, G4DecodeError, packBytes } from '../main/imaging/g4.js';
import type { RawImage } from '../main/imaging/types.js';
import { decodeG4Tiff, decodeStripedG4Tiff, extractG4Strip } from '../main/pdf/ccitt.js';
import { renderPageRaw } from './fixtures/pages.js';

let page150: RawImage & { dpi: number };

beforeAll(async () => {
  const raw = await renderPageRaw({ dpi: 150, kind: 'table', seed: 3 });
  page150 = { ...raw, channels: 1 };
});

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

describe('encodeJpeg', () => {
  it('keeps a grey page one channel, with its size and resolution, close to the source', async () => {
    const encoded = await encodeJpeg(page150, 150, 75);
    expect(encoded).toMatchObject({ format: 'jpeg', width: page150.width, height: page150.height, dpi: 150 });
    const meta = await sharp(encoded.data).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', channels: 1, width: page150.width, height: page150.height, density: 150 });
    const decoded = await sharp(encoded.data).extractChannel(0).raw().toBuffer();
    expect(meanAbsDiff(decoded, page150.data)).toBeLessThan(4);
  });

  it('keeps a colour page in colour', async () => {
    const width = 200;
    const height = 100;
    const data = Buffer.alloc(width * height * 3);
    for (let i = 0; i < width * height; i++) data.set([200, 30, 30], i * 3); // a red page
    const encoded = await encodeJpeg({ data, width, height, channels: 3 }, 200, 80);
    const meta = await sharp(encoded.data).metadata();
    expect(meta.channels).toBe(3);
    const { data: pixel } = await sharp(encoded.data).extract({ left: 100, top: 50, width: 1, height: 1 }).raw().toBuffer({ resolveWithObject: true });
    expect(pixel[0]).toBeGreaterThan(150);
    expect(pixel[1]).toBeLessThan(80);
  });

  it('grows with quality', async () => {
    const low = await encodeJpeg(page150, 150, 50);
    const high = await encodeJpeg(page150, 150, 95);
    expect(high.data.length).toBeGreaterThan(low.data.length);
  });

  it('refuses raw data that does not match the size, and nonsense settings', async () => {
    await expect(encodeJpeg({ data: Buffer.alloc(10), width: 4, height: 4, channels: 1 }, 300, 75)).rejects.toThrow(/holds 10 bytes, expected 16/);
    await expect(encodeJpeg(page150, 150, 0)).rejects.toThrow(/quality must be an integer from 1 to 100, got 0/);
    await expect(encodeJpeg(page150, 0.5, 75)).rejects.toThrow(/dpi must be between 50 and 2400, got 0.5/);
  });
});

describe('encodeBilevel', () => {
  it('writes a 1-bit G4 TIFF in one tile that decodes to the thresholded page', async () => {
    const encoded = await encodeBilevel(page150, 150);
    expect(encoded).toMatchObject({ format: 'g4tiff', width: page150.width, height: page150.height, dpi: 150 });
    const meta = await sharp(encoded.data).metadata();
    expect(meta).toMatchObject({ format: 'tiff', density: 150, width: page150.width, height: page150.height });

    // A4 at 150 dpi is 1240×1754: neither is a multiple of 16, so the tile is padded.
    const g4 = extractG4Strip(encoded.data);
    expect(g4).toMatchObject({ width: 1248, height: 1760, imageWidth: 1240, imageHeight: 1754, blackIs1: false });

    const decoded = await sharp(encoded.data).extractChannel(0).raw().toBuffer();
    let differing = 0;
    for (let i = 0; i < decoded.length; i++) {
      const expected = page150.data[i] < DEFAULT_BILEVEL_THRESHOLD ? 0 : 255;
      if (decoded[i] !== expected) differing++;
    }
    expect(differing).toBe(0);
  });

  it('pads the tile with white, not black', async () => {
    const width = 100; // tile 112 wide
    const height = 50; // tile 64 high
    const encoded = await encodeBilevel({ data: Buffer.alloc(width * height, 255), width, height, channels: 1 }, 300);
    const g4 = extractG4Strip(encoded.data);
    expect([g4.width, g4.height]).toEqual([112, 64]);
    // An all-white tile codes to a handful of bytes; a black margin would need a run pair on
    // every row, as the all-black page here shows.
    const black = await encodeBilevel({ data: Buffer.alloc(width * height, 0), width, height, channels: 1 }, 300);
    expect(extractG4Strip(black.data).data.length).toBeGreaterThan(g4.data.length);
    expect(g4.data.length).toBeLessThan(40);
  });

  it('applies the threshold it is given', async () => {
    const width = 64;
    const height = 16;
    const mid = { data: Buffer.alloc(width * height, 150), width, height, channels: 1 as const };
    const lenient = await sharp((await encodeBilevel(mid, 300, 128)).data).extractChannel(0).raw().toBuffer();
    const strict = await sharp((await encodeBilevel(mid, 300, 200)).data).extractChannel(0).raw().toBuffer();
    expect(lenient.every((value) => value === 255)).toBe(true);
    expect(strict.every((value) => value === 0)).toBe(true);
  });

  it('refuses a threshold outside 1–255', async () => {
    await expect(encodeBilevel(page150, 150, 300)).rejects.toThrow(/threshold must be an integer from 1 to 255, got 300/);
  });
});

/** libtiff's G4 coder (through sharp) on the same pixels, for a one-tile TIFF like encodeBilevel's. */
async function libtiffG4(grey: Uint8Array, width: number, height: number): Promise<Buffer> {
  const tiff = await sharp(Buffer.from(grey), { raw: { width, height, channels: 1 } })
    .threshold(128, { greyscale: true })
    .toColourspace('b-w')
    .tiff({ compression: 'ccittfax4', bitdepth: 1, miniswhite: true, tile: true, tileWidth: Math.ceil(width / 16) * 16, tileHeight: Math.ceil(height / 16) * 16 })
    .toBuffer();
  return extractG4Strip(tiff).data;
}

/** Pixels with runs of every length: short and long, across word edges, black to the right edge. */
function runsImage(width: number, height: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height).fill(255);
  let state = seed;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
  for (let y = 0; y < height; y++) {
    // Most rows repeat the row above with small shifts (as text does: vertical modes), some are new.
    if (y > 0 && next(4) !== 0) {
      const shift = next(7) - 3;
      for (let x = 0; x < width; x++) data[y * width + x] = data[(y - 1) * width + Math.min(width - 1, Math.max(0, x + shift))];
      continue;
    }
    let x = 0;
    let black = next(2) === 1;
    while (x < width) {
      const run = next(5) === 0 ? next(3000) : next(70);
      data.fill(black ? 0 : 255, y * width + x, y * width + Math.min(width, x + run));
      x += run;
      black = !black;
    }
  }
  return data;
}

describe('encodeBits (the G4 coder)', () => {
  it.each([
    [2480, 40, 1],
    [6000, 12, 2],
    [1241, 31, 3],
    [33, 17, 4],
    [1, 5, 5],
  ])('codes %i×%i pixels into the same G4 bytes libtiff writes, and they decode to the pixels', async (width, height, seed) => {
    const grey = runsImage(width, height, seed);
    const encoded = encodeBits(packBytes(grey, width, height, 128), 300);
    expect(encoded).toMatchObject({ format: 'g4tiff', width, height, dpi: 300 });
    expect(Buffer.from(extractG4Strip(encoded.data).data).equals(await libtiffG4(grey, width, height))).toBe(true);
    const { data: decoded, info } = await sharp(encoded.data).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([width, height]);
    let differing = 0;
    for (let i = 0; i < grey.length; i++) if (decoded[i] !== (grey[i] < 128 ? 0 : 255)) differing++;
    expect(differing).toBe(0);
  });

  it('codes a rendered 300 dpi page as libtiff does', async () => {
    const raw = await renderPageRaw({ dpi: 300, kind: 'dense', seed: 9 });
    const encoded = encodeBits(packBytes(raw.data, raw.width, raw.height, 160), 300);
    const threshold = raw.data.map((v) => (v < 160 ? 0 : 255));
    expect(Buffer.from(extractG4Strip(encoded.data).data).equals(await libtiffG4(threshold, raw.width, raw.height))).toBe(true);
    expect(await sharp(encoded.data).metadata()).toMatchObject({ format: 'tiff', density: 300, width: raw.width, height: raw.height });
  });

  it.each([
    [2480, 40, 6, false],
    [1241, 31, 7, false],
    [300, 20, 8, true],
  ])('decodes a %i×%i G4 TIFF from libtiff to the pixels libtiff decodes (min-is-black: %s)', async (width, height, seed, minIsBlack) => {
    const grey = runsImage(width, height, seed);
    const tiff = await sharp(Buffer.from(grey), { raw: { width, height, channels: 1 } })
      .threshold(128, { greyscale: true })
      .toColourspace('b-w')
      .tiff({ compression: 'ccittfax4', bitdepth: 1, miniswhite: !minIsBlack, tile: true, tileWidth: Math.ceil(width / 16) * 16, tileHeight: Math.ceil(height / 16) * 16 })
      .toBuffer();
    const decoded = decodeG4Tiff(tiff);
    expect([decoded.width, decoded.height]).toEqual([width, height]);
    const expected = await sharp(tiff).toColourspace('b-w').raw().toBuffer();
    expect(decoded.data.equals(expected)).toBe(true);
  });

  it.each([
    ['min-is-black', false],
    ['min-is-white', true],
  ])('decodes a striped G4 TIFF as libvips writes it (%s) to the pixels libtiff decodes', async (_name, miniswhite) => {
    const width = 1000;
    const height = 700; // several strips of libvips' 256 rows, the last one short
    const grey = runsImage(width, height, 11);
    const tiff = await sharp(Buffer.from(grey), { raw: { width, height, channels: 1 } })
      .threshold(128, { greyscale: true })
      .toColourspace('b-w')
      .tiff({ compression: 'ccittfax4', bitdepth: 1, miniswhite })
      .toBuffer();
    const decoded = decodeStripedG4Tiff(tiff)!;
    expect([decoded.width, decoded.height]).toEqual([width, height]);
    expect(decoded.data.equals(await sharp(tiff).toColourspace('b-w').raw().toBuffer())).toBe(true);
  });

  it('leaves other TIFFs to libtiff: several pages, another compression, a damaged strip', async () => {
    const grey = runsImage(300, 300, 12);
    const raw = { raw: { width: 300, height: 300, channels: 1 as const } };
    const g4 = await sharp(Buffer.from(grey), raw).threshold(128).toColourspace('b-w').tiff({ compression: 'ccittfax4', bitdepth: 1 }).toBuffer();
    expect(decodeStripedG4Tiff(g4)).toBeDefined();
    const lzw = await sharp(Buffer.from(grey), raw).tiff({ compression: 'lzw' }).toBuffer();
    expect(decodeStripedG4Tiff(lzw)).toBeUndefined();
    const pages = await sharp(Buffer.from(grey), { raw: { width: 300, height: 150, channels: 1, pageHeight: 75 } as never })
      .threshold(128)
      .toColourspace('b-w')
      .tiff({ compression: 'ccittfax4', bitdepth: 1 })
      .toBuffer();
    expect((await sharp(pages).metadata()).pages).toBe(2);
    expect(decodeStripedG4Tiff(pages)).toBeUndefined();
    // Garbage in the coded data: not decoded here (libtiff then says what is wrong).
    const oneStrip = await sharp(Buffer.from(grey.subarray(0, 300 * 100)), { raw: { width: 300, height: 100, channels: 1 } })
      .threshold(128)
      .toColourspace('b-w')
      .tiff({ compression: 'ccittfax4', bitdepth: 1 })
      .toBuffer();
    expect(decodeStripedG4Tiff(oneStrip)).toBeDefined();
    const damaged = Buffer.from(oneStrip);
    const at = extractG4Strip(oneStrip).data.byteOffset - oneStrip.byteOffset;
    damaged.fill(0, at + 10, at + 40);
    expect(decodeStripedG4Tiff(damaged)).toBeUndefined();
  });

  it('decodes what it encodes, and refuses a cut stream', () => {
    const width = 700;
    const height = 50;
    const grey = runsImage(width, height, 9);
    const g4 = encodeG4(packBytes(grey, width, height, 128), 704, 64);
    const decoded = decodeG4ToGrey(g4, 704, 64, width, height);
    expect(decoded.equals(Buffer.from(grey.map((v) => (v < 128 ? 0 : 255))))).toBe(true);
    expect(() => decodeG4ToGrey(g4.subarray(0, g4.length >> 1), 704, 64, width, height)).toThrow(G4DecodeError);
  });

  it('refuses a coded size smaller than the image', () => {
    expect(() => encodeG4(packBytes(new Uint8Array(64), 8, 8, 128), 4, 8)).toThrow(/smaller than the image/);
  });
});

describe('passthroughJpeg', () => {
  it('hands the JPEG on unchanged', async () => {
    const jpeg = await sharp(page150.data, { raw: { width: page150.width, height: page150.height, channels: 1 } }).jpeg().toBuffer();
    const page = passthroughJpeg(jpeg, page150.width, page150.height, 150);
    expect(page.format).toBe('jpeg');
    expect(page.data).toBe(jpeg);
  });

  it('refuses what is not a JPEG', () => {
    expect(() => passthroughJpeg(Buffer.from('\x89PNG\r\n\x1a\n'), 10, 10, 300)).toThrow(/not a JPEG/);
  });
});
