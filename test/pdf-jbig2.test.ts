/**
 * Black-and-white pages go into the PDF as JBIG2 generic regions: lossless, no symbol coding.
 * Checked with three real decoders on generated 300 dpi pages (dense text, a letter, sparse text,
 * a table, halftone-like noise): poppler (pdfimages; pdftoppm -mono for the drawn page),
 * PDFium's JBIG2 decoder (the WebAssembly build pdf.js ships) and pdf.js's own JavaScript decoder.
 * Every decoded bit must equal the source bit.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { concatTransformationMatrix, drawObject, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFStream, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeBilevel } from '../main/imaging/encode.js';
import type { EncodedPage } from '../main/imaging/types.js';
import { assemblePdf } from '../main/pdf/assemble.js';
import { extractG4Strip } from '../main/pdf/ccitt.js';
import { encodeJbig2Generic } from '../main/pdf/jbig2.js';
import { pdfNumber } from '../main/pdf/pdf-syntax.js';
import { renderPageRaw, rng, type PageKind } from './fixtures/pages.js';
import { requirePdftoppm } from './fixtures/render-pdf.js';

const run = promisify(execFile);
const meta = { documentId: 'jbig2', title: 'JBIG2', createdAt: new Date('2026-01-02T03:04:05Z'), stationId: 's1', sourceSha256: [], producer: 'test' };
const WASM_DIR = `${path.resolve('node_modules/pdfjs-dist/wasm')}/`;

interface Bits {
  /** 0 = black, 255 = white, one byte per pixel. */
  data: Buffer;
  width: number;
  height: number;
}

async function textPage(kind: PageKind, seed: number, dpi = 300): Promise<Bits> {
  const page = await renderPageRaw({ kind, dpi, seed });
  const data = Buffer.alloc(page.data.length);
  for (let i = 0; i < data.length; i++) data[i] = page.data[i] < 160 ? 0 : 255;
  return { data, width: page.width, height: page.height };
}

/** A letter whose lower half is random dots of varying density: the worst case for context coding. */
async function halftonePage(): Promise<Bits> {
  const page = await textPage('letter', 9);
  const random = rng(11);
  for (let y = page.height >> 1; y < page.height; y++) {
    const density = (y / page.height) * 0.6;
    for (let x = 0; x < page.width; x++) if (random() < density) page.data[y * page.width + x] = 0;
  }
  return page;
}

function differing(bits: Bits, isBlack: (x: number, y: number) => boolean): number {
  let wrong = 0;
  for (let y = 0; y < bits.height; y++) for (let x = 0; x < bits.width; x++) if ((bits.data[y * bits.width + x] === 0) !== isBlack(x, y)) wrong++;
  return wrong;
}

function onlyImage(doc: PDFDocument): PDFRawStream {
  const xObjects = doc.getPage(0).node.Resources()?.lookup(PDFName.of('XObject'), PDFDict);
  const stream = xObjects?.lookup(PDFName.of('Im0'), PDFStream);
  if (!(stream instanceof PDFRawStream)) throw new Error('the page draws no raw image stream /Im0');
  return stream;
}

/** Poppler's decode of the page's image, as grey PNG pixels. */
async function popplerImage(pdf: Uint8Array): Promise<{ data: Buffer; width: number; height: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'jbig2-poppler-'));
  try {
    await writeFile(path.join(dir, 'in.pdf'), pdf);
    const list = await run('pdfimages', ['-list', path.join(dir, 'in.pdf')]);
    expect(list.stdout).toMatch(/ jbig2 /);
    await run('pdfimages', ['-png', path.join(dir, 'in.pdf'), path.join(dir, 'img')]);
    const [file] = (await readdir(dir)).filter((name) => name.startsWith('img'));
    const { data, info } = await sharp(await readFile(path.join(dir, file))).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** pdftoppm -mono at the page's resolution: the page as drawn, one image pixel per device pixel. */
async function popplerMono(pdf: Uint8Array, dpi: number): Promise<{ data: Buffer; width: number; height: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'jbig2-mono-'));
  try {
    await writeFile(path.join(dir, 'in.pdf'), pdf);
    await run('pdftoppm', ['-mono', '-aa', 'no', '-aaVector', 'no', '-r', String(dpi), '-singlefile', path.join(dir, 'in.pdf'), path.join(dir, 'out')]);
    // PBM (P4): a text header, then rows of packed bits, 1 = black.
    const pbm = await readFile(path.join(dir, 'out.pbm'));
    const header = /^P4\s+(?:#[^\n]*\n\s*)*(\d+)\s+(\d+)\s/.exec(pbm.toString('latin1', 0, 100));
    if (!header) throw new Error('pdftoppm -mono did not write a binary PBM');
    const [width, height] = [Number(header[1]), Number(header[2])];
    const bits = pbm.subarray(header[0].length);
    const rowBytes = (width + 7) >> 3;
    const data = Buffer.alloc(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (bits[y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1 ? 0 : 255;
    return { data, width, height };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * PDFium's decode (the WebAssembly build pdf.js ships and uses for JBIG2 when it can load it), read
 * back through pdf.js as the image it paints: 1 bit per pixel, rows padded to bytes, 1 = white.
 * pdf.js says when it falls back to its JavaScript decoder; that warning must not come.
 */
async function pdfiumImage(pdf: Uint8Array): Promise<{ data: Uint8Array; width: number; height: number; rowBytes: number }> {
  const { getDocument, OPS, VerbosityLevel } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const log = vi.spyOn(console, 'log');
  const doc = await getDocument({
    data: pdf.slice(),
    verbosity: VerbosityLevel.WARNINGS,
    isOffscreenCanvasSupported: false,
    isImageDecoderSupported: false,
    wasmUrl: WASM_DIR,
  } as Parameters<typeof getDocument>[0]).promise;
  try {
    const page = await doc.getPage(1);
    const ops = await page.getOperatorList();
    const at = ops.fnArray.indexOf(OPS.paintImageXObject);
    expect(at).toBeGreaterThanOrEqual(0);
    const image = await new Promise<{ width: number; height: number; kind: number; data: Uint8Array }>((resolve) => page.objs.get(ops.argsArray[at][0], resolve));
    expect(image.kind).toBe(1); // GRAYSCALE_1BPP
    expect(log.mock.calls.filter((call) => String(call[0]).includes('JBIG2'))).toEqual([]);
    return { data: image.data, width: image.width, height: image.height, rowBytes: (image.width + 7) >> 3 };
  } finally {
    log.mockRestore();
    await doc.destroy();
  }
}

/** pdf.js's own JavaScript JBIG2 decoder on the image stream: 1 bit per pixel, 1 = ink. */
async function pdfjsDecode(stream: Uint8Array): Promise<Uint8ClampedArray> {
  const { Jbig2Image } = await import('pdfjs-dist/image_decoders/pdf.image_decoders.mjs');
  return new Jbig2Image().parseChunks([{ data: stream, start: 0, end: stream.length }]);
}

const kinds: [string, () => Promise<Bits>][] = [
  ['dense text', () => textPage('dense', 3)],
  ['a letter', () => textPage('letter', 7)],
  ['sparse text', () => textPage('sparse', 5)],
  ['a table', () => textPage('table', 2)],
  ['halftone-like noise', halftonePage],
];

describe.each(kinds)('a 300 dpi page of %s', (_, make) => {
  let bits: Bits;
  let page: EncodedPage;
  let pdf: Uint8Array;
  beforeAll(async () => {
    requirePdftoppm();
    bits = await make();
    page = await encodeBilevel({ ...bits, channels: 1 }, 300);
    pdf = await assemblePdf([page], meta);
  });

  it('is embedded as JBIG2, smaller than its G4 coding, at the page size', async () => {
    const image = onlyImage(await PDFDocument.load(pdf));
    expect(image.dict.get(PDFName.of('Filter'))).toBe(PDFName.of('JBIG2Decode'));
    expect(image.dict.get(PDFName.of('DecodeParms'))).toBeUndefined(); // no JBIG2Globals: no shared symbols
    expect(String(image.dict.get(PDFName.of('Width')))).toBe(String(bits.width));
    expect(String(image.dict.get(PDFName.of('Height')))).toBe(String(bits.height));
    expect(image.getContentsSize()).toBeLessThan(extractG4Strip(page.data).data.length);
    // Segment types in the stream: page information (48) and immediate generic region (38) only.
    const data = image.getContents();
    expect([data[4], data[11 + 19 + 4]]).toEqual([48, 38]);
  });

  it('decodes bit for bit in poppler', async () => {
    const decoded = await popplerImage(pdf);
    expect([decoded.width, decoded.height]).toEqual([bits.width, bits.height]);
    expect(differing(bits, (x, y) => decoded.data[y * decoded.width + x] < 128)).toBe(0);
  });

  it('decodes bit for bit in PDFium', async () => {
    const decoded = await pdfiumImage(pdf);
    expect([decoded.width, decoded.height]).toEqual([bits.width, bits.height]);
    const white = (x: number, y: number) => (decoded.data[y * decoded.rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1;
    expect(differing(bits, (x, y) => white(x, y) === 0)).toBe(0);
  });

  it("decodes bit for bit in pdf.js's JavaScript decoder", async () => {
    const decoded = await pdfjsDecode(onlyImage(await PDFDocument.load(pdf)).getContents());
    const rowBytes = (bits.width + 7) >> 3;
    expect(decoded.length).toBe(rowBytes * bits.height);
    expect(differing(bits, (x, y) => ((decoded[y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1) === 1)).toBe(0);
  });
});

/** The same bits as an uncompressed 1-bit image on a page of the same size: what the page must look like. */
async function uncompressedReference(bits: Bits, dpi: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  // The page size as the station writes it (four decimals): the same numbers, the same sampling.
  const page = doc.addPage([Number(pdfNumber((bits.width * 72) / dpi)), Number(pdfNumber((bits.height * 72) / dpi))]);
  const rowBytes = (bits.width + 7) >> 3;
  const packed = new Uint8Array(rowBytes * bits.height);
  // DeviceGray at 1 bit: 1 = white.
  for (let y = 0; y < bits.height; y++) for (let x = 0; x < bits.width; x++) if (bits.data[y * bits.width + x] !== 0) packed[y * rowBytes + (x >> 3)] |= 0x80 >> (x & 7);
  const image = doc.context.stream(packed, { Type: 'XObject', Subtype: 'Image', Width: bits.width, Height: bits.height, ColorSpace: 'DeviceGray', BitsPerComponent: 1 });
  const name = page.node.newXObject('Im', doc.context.register(image));
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(page.getWidth(), 0, 0, page.getHeight(), 0, 0), drawObject(name), popGraphicsState());
  return doc.save({ useObjectStreams: false });
}

describe('the drawn page', () => {
  it('renders in poppler (pdftoppm -mono) pixel for pixel as the same bits stored uncompressed', async () => {
    // pdftoppm does not map an image 1:1 onto its pixels even at the page's resolution (its
    // resampling moves edges by a pixel, for G4 as much as here), so the yardstick is the same
    // bits without any coding, drawn the same way.
    // At 150 dpi: at 300 dpi poppler's renders of the uncompressed and the JBIG2 image differ by a
    // few percent of pixels (its own choice of scaler; the decoded bits are equal, see above).
    for (const dpi of [150]) {
      const bits = await textPage('letter', 4, dpi);
      const shown = await popplerMono(await assemblePdf([await encodeBilevel({ ...bits, channels: 1 }, dpi)], meta), dpi);
      const reference = await popplerMono(await uncompressedReference(bits, dpi), dpi);
      expect([shown.width, shown.height]).toEqual([reference.width, reference.height]);
      expect(shown.data.equals(reference.data), `${dpi} dpi`).toBe(true);
      // Black on white, not inverted: a letter is mostly paper.
      const dark = shown.data.filter((value) => value === 0).length / shown.data.length;
      expect(dark).toBeGreaterThan(0.01);
      expect(dark).toBeLessThan(0.2);
    }
  });
});

describe('encodeJbig2Generic', () => {
  it('codes odd sizes exactly: a pixel, a column, a row, widths off the byte grid', async () => {
    const random = rng(3);
    for (const [width, height] of [[1, 1], [1, 40], [40, 1], [13, 7], [1001, 57]]) {
      for (const density of [0, 0.05, 0.5, 1]) {
        const ink = new Uint8Array(width * height);
        for (let i = 0; i < ink.length; i++) ink[i] = random() < density ? 1 : 0;
        const coded = encodeJbig2Generic({ data: ink, width, height }, { ink: 'nonzero' });
        const decoded = await pdfjsDecode(coded);
        const rowBytes = (width + 7) >> 3;
        let wrong = 0;
        for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (((decoded[y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1) !== ink[y * width + x]) wrong++;
        expect(wrong, `${width}×${height} at ${density}`).toBe(0);
      }
    }
  });

  it('refuses data that does not match the size', () => {
    expect(() => encodeJbig2Generic({ data: new Uint8Array(10), width: 4, height: 4 })).toThrow(/expected 16 bytes for 4×4, got 10/);
    expect(() => encodeJbig2Generic({ data: new Uint8Array(0), width: 0, height: 4 })).toThrow(/positive integers/);
  });
});

describe('the G4 fallback', () => {
  it('keeps the G4 data where JBIG2 would not be smaller (a tiny page: the segment headers alone outweigh it)', async () => {
    const page = await encodeBilevel({ data: Buffer.alloc(16 * 16, 255), width: 16, height: 16, channels: 1 }, 300);
    const image = onlyImage(await PDFDocument.load(await assemblePdf([page], meta)));
    expect(image.dict.get(PDFName.of('Filter'))).toBe(PDFName.of('CCITTFaxDecode'));
    expect(Buffer.from(image.getContents()).equals(extractG4Strip(page.data).data)).toBe(true);
  });
});
