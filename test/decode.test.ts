import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { useTempDir } from './support/temp-dir.js';
import { openPageImage, openSource, verifySource, type OpenedSource } from '../main/imaging/decode.js';
import { sniffFormat } from '../main/imaging/probe.js';
import type { SourcePage } from '../main/imaging/types.js';
import {
  ccittPdf,
  flateBilevelPdf,
  flateRgbPdf,
  greyPage,
  jpegCmyk,
  jpegColour,
  jpegExifRotated,
  jpegGrey,
  jpegProgressive,
  joinTiffs,
  mixedPdf,
  png16,
  png1Bit,
  pngAlpha,
  pngPalette,
  scannerPdf,
  searchablePdf,
  threshold,
  tiffPage,
  vectorPdf,
  webp,
  type Grey,
} from './fixtures/source-files.js';

const temp = useTempDir('decode-test-');
const write = temp.write;

/** Opens, reads every page, verifies, closes. */
async function openAll(file: string): Promise<{ source: OpenedSource; pages: SourcePage[] }> {
  const source = await openSource(file);
  const pages: SourcePage[] = [];
  for (let i = 0; i < source.pageCount; i++) pages.push(await source.readPage(i));
  await verifySource(source);
  await source.close();
  return { source, pages };
}

/** The page as 1-channel grey pixels, the way the pipeline will read it. */
async function greyPixels(page: SourcePage): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await openPageImage(page).flatten({ background: '#ffffff' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  const grey = info.channels === 1 ? data : await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).extractChannel(0).raw().toBuffer();
  return { data: grey, width: info.width, height: info.height };
}

/** Share of pixels whose black/white class differs between two same-sized grey images. */
function bilevelMismatch(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let differ = 0;
  for (let i = 0; i < a.length; i++) if (a[i] < 128 !== b[i] < 128) differ++;
  return differ / a.length;
}

const darkShare = (data: Uint8Array) => data.reduce((n, v) => n + (v < 128 ? 1 : 0), 0) / data.length;

const SPEC_150 = { dpi: 150, kind: 'letter' as const, seed: 3 };
const A4_150 = { width: 1240, height: 1754 };

describe('images', () => {
  it('opens a grey JPEG at 300 dpi for passthrough, bytes untouched', async () => {
    const bytes = await jpegGrey({ dpi: 300 });
    const { source, pages } = await openAll(await write('scan.jpg', bytes));
    expect(source.format).toBe('jpeg');
    expect(source.pageCount).toBe(1);
    expect(pages[0]).toMatchObject({ index: 0, width: 2480, height: 3508, dpi: 300, jpegPassthrough: true, bilevel: false });
    expect(pages[0].input.kind === 'encoded' && pages[0].input.data.equals(bytes)).toBe(true);
  });

  it('lets colour and progressive JPEGs pass through, CMYK not', async () => {
    const colour = await openAll(await write('colour.jpg', await jpegColour(SPEC_150)));
    expect(colour.pages[0]).toMatchObject({ ...A4_150, dpi: 150, jpegPassthrough: true });
    const progressive = await openAll(await write('progressive.jpg', await jpegProgressive(SPEC_150)));
    expect(progressive.pages[0]).toMatchObject({ ...A4_150, jpegPassthrough: true });
    const cmyk = await openAll(await write('cmyk.jpg', await jpegCmyk(SPEC_150)));
    expect(cmyk.pages[0]).toMatchObject({ ...A4_150, dpi: 150, jpegPassthrough: false, bilevel: false });
  });

  it('reports an EXIF-rotated JPEG as displayed and reads it upright', async () => {
    const { pages } = await openAll(await write('rotated.jpg', await jpegExifRotated(SPEC_150)));
    // Stored 1754 × 1240 (landscape); EXIF 6 displays it portrait.
    expect(pages[0]).toMatchObject({ ...A4_150, jpegPassthrough: false });
    const upright = await greyPixels(pages[0]);
    expect({ width: upright.width, height: upright.height }).toEqual(A4_150);
    const original = await greyPage(SPEC_150);
    expect(bilevelMismatch(upright.data, original.data)).toBeLessThan(0.01);
  });

  it('opens 16-bit, palette and alpha PNGs with their pHYs resolution', async () => {
    for (const [name, make] of [['16bit.png', png16], ['palette.png', pngPalette], ['alpha.png', pngAlpha]] as const) {
      const { source, pages } = await openAll(await write(name, await make(SPEC_150)));
      expect(source.format).toBe('png');
      expect(pages[0]).toMatchObject({ ...A4_150, dpi: 150, jpegPassthrough: false, bilevel: false });
      const pixels = await greyPixels(pages[0]);
      expect(darkShare(pixels.data)).toBeGreaterThan(0.005);
    }
  });

  it('marks a 1-bit PNG as bilevel', async () => {
    const page = await greyPage(SPEC_150);
    const { pages } = await openAll(await write('fax.png', png1Bit(threshold(page), page.width, page.height, 150)));
    expect(pages[0]).toMatchObject({ ...A4_150, dpi: 150, bilevel: true, jpegPassthrough: false });
  });

  it('opens a WebP', async () => {
    const { source, pages } = await openAll(await write('scan.webp', await webp(SPEC_150)));
    expect(source.format).toBe('webp');
    expect(pages[0]).toMatchObject({ ...A4_150, jpegPassthrough: false, bilevel: false });
  });

  it('opens each page of a multi-page TIFF with mixed sizes and LZW, JPEG and G4 compression', async () => {
    const first = await greyPage({ dpi: 150, seed: 1 });
    const second = await greyPage({ dpi: 200, seed: 2, kind: 'table' });
    const third = await greyPage({ dpi: 300, seed: 3, kind: 'dense' });
    const tiff = joinTiffs([await tiffPage(first, 'lzw'), await tiffPage(second, 'jpeg'), await tiffPage(third, 'g4')]);
    expect((await sharp(tiff).metadata()).pages).toBe(3);
    const { source, pages } = await openAll(await write('stack.tif', tiff));
    expect(source.format).toBe('tiff');
    expect(source.pageCount).toBe(3);
    const expected: Array<[Grey, boolean]> = [[first, false], [second, false], [third, true]];
    for (const [i, [grey, bilevel]] of expected.entries()) {
      expect(pages[i]).toMatchObject({ index: i, width: grey.width, height: grey.height, dpi: grey.dpi, bilevel, jpegPassthrough: false });
      expect(pages[i].input).toMatchObject({ kind: 'encoded', page: i });
      const pixels = await greyPixels(pages[i]);
      expect(bilevelMismatch(pixels.data, grey.data)).toBeLessThan(0.02);
    }
  });

  it('tells the format from the bytes, whatever the name', async () => {
    const png = await pngPalette(SPEC_150);
    const names = [
      'Scan Überweisung Müller 12.11.2026.JPG',
      `${'Sehr langer Dateiname äöü '.repeat(8).slice(0, 196)}.PDF`,
      'no extension',
    ];
    for (const name of names) {
      const { source } = await openAll(await write(name, png));
      expect(source.format).toBe('png');
    }
    expect(sniffFormat(png.subarray(0, 1024))).toBe('png');
  });
});

describe('PDF', () => {
  it('takes JPEGs out of a scanner PDF byte for byte', async () => {
    const jpegs = [
      { data: await jpegGrey({ dpi: 300, seed: 1 }), dpi: 300 },
      { data: await jpegColour({ dpi: 150, seed: 2 }), dpi: 150 },
      { data: await jpegGrey({ dpi: 200, seed: 3 }), dpi: 200 },
    ];
    const { source, pages } = await openAll(await write('scanner.pdf', await scannerPdf(jpegs)));
    expect(source.format).toBe('pdf');
    expect(source.pageCount).toBe(3);
    expect(source.renderReasons).toEqual([undefined, undefined, undefined]);
    for (const [i, jpeg] of jpegs.entries()) {
      const meta = await sharp(jpeg.data).metadata();
      expect(pages[i]).toMatchObject({ index: i, width: meta.width, height: meta.height, dpi: jpeg.dpi, jpegPassthrough: true, bilevel: false });
      expect(pages[i].input.kind).toBe('encoded');
      expect(pages[i].input.kind === 'encoded' && pages[i].input.data.equals(jpeg.data)).toBe(true);
    }
  });

  it('keeps a searchable PDF image-only: the invisible OCR text does not force a render', async () => {
    const jpeg = await jpegGrey(SPEC_150);
    const { source, pages } = await openAll(await write('ocr.pdf', await searchablePdf(jpeg, 150)));
    expect(source.renderReasons).toEqual([undefined]);
    expect(pages[0].input.kind === 'encoded' && pages[0].input.data.equals(jpeg)).toBe(true);
  });

  it('renders a vector PDF at 300 dpi', async () => {
    const { source, pages } = await openAll(await write('letter.pdf', await vectorPdf(2)));
    expect(source.pageCount).toBe(2);
    expect(source.renderReasons?.[0]).toMatch(/text|vector/);
    for (const page of pages) {
      expect(page).toMatchObject({ width: 2480, height: 3508, dpi: 300, jpegPassthrough: false, bilevel: false });
      expect(page.input).toMatchObject({ kind: 'raw', width: 2480, height: 3508, channels: 3 });
      const pixels = await greyPixels(page);
      // Text lines and the red box are drawn; most of the page stays white.
      expect(darkShare(pixels.data)).toBeGreaterThan(0.002);
      expect(darkShare(pixels.data)).toBeLessThan(0.2);
    }
  });

  it('renders a page with an image plus visible text', async () => {
    const { source, pages } = await openAll(await write('stamped.pdf', await mixedPdf(await jpegGrey(SPEC_150), 150)));
    expect(source.renderReasons?.[0]).toMatch(/visible text/);
    expect(pages[0].input.kind).toBe('raw');
    expect(pages[0]).toMatchObject({ width: 2480, height: 3508, dpi: 300 });
  });

  it('renders a page turned with /Rotate, reporting its displayed (landscape) size', async () => {
    const { PDFDocument, degrees } = await import('pdf-lib');
    const doc = await PDFDocument.load(await scannerPdf([{ data: await jpegGrey(SPEC_150), dpi: 150 }]));
    doc.getPage(0).setRotation(degrees(90));
    const { source, pages } = await openAll(await write('turned.pdf', Buffer.from(await doc.save())));
    expect(source.renderReasons?.[0]).toMatch(/rotated/);
    expect(pages[0]).toMatchObject({ width: 3508, height: 2480, dpi: 300, jpegPassthrough: false });
  });

  it('takes 1-bit Flate images out as bilevel pixels, honouring /Decode [1 0]', async () => {
    const grey = await greyPage(SPEC_150);
    const bits = threshold(grey);
    const expected = Buffer.from(bits).map((b) => (b ? 255 : 0));
    for (const inverted of [false, true]) {
      const { source, pages } = await openAll(await write(`bw-${inverted}.pdf`, await flateBilevelPdf(bits, grey.width, grey.height, 150, inverted)));
      expect(source.renderReasons).toEqual([undefined]);
      expect(pages[0]).toMatchObject({ ...A4_150, dpi: 150, bilevel: true, jpegPassthrough: false });
      expect(pages[0].input.kind === 'raw' && pages[0].input.channels).toBe(1);
      expect(pages[0].input.kind === 'raw' && pages[0].input.data.equals(expected)).toBe(true);
    }
  });

  it('takes an 8-bit RGB Flate image out as raw pixels', async () => {
    const png = await sharp(await jpegColour(SPEC_150)).png().toBuffer();
    const { source, pages } = await openAll(await write('rgb.pdf', await flateRgbPdf(png, 150)));
    expect(source.renderReasons).toEqual([undefined]);
    expect(pages[0].input).toMatchObject({ kind: 'raw', channels: 3, ...A4_150 });
    const original = await sharp(png).removeAlpha().raw().toBuffer();
    expect(pages[0].input.kind === 'raw' && pages[0].input.data.equals(original)).toBe(true);
  });

  it('wraps a CCITT G4 image in a TIFF that decodes to the original page', async () => {
    const grey = await greyPage({ dpi: 300, seed: 5 });
    for (const form of ['usual', 'blackIs1'] as const) {
      const { source, pages } = await openAll(await write(`fax-${form}.pdf`, await ccittPdf(grey, form)));
      expect(source.renderReasons).toEqual([undefined]);
      expect(pages[0]).toMatchObject({ width: 2480, height: 3508, dpi: 300, bilevel: true, jpegPassthrough: false });
      const extracted = await greyPixels(pages[0]);
      expect(bilevelMismatch(extracted.data, grey.data)).toBeLessThan(0.01);
      expect(darkShare(extracted.data)).toBeGreaterThan(0.01);
    }
  });
});
