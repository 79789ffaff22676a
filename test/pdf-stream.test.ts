import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PDFDict, PDFDocument, PDFName, PDFRawStream, PDFStream } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBilevel, encodeJpeg } from '../main/imaging/encode.js';
import type { EncodedPage, RawImage } from '../main/imaging/types.js';
import { assemblePdf, readPdfMetadata } from '../main/pdf/assemble.js';
import { buildDocument } from '../main/pdf/build-document.js';
import { readJpegInfo } from '../main/pdf/jpeg-info.js';
import type { PdfMetadata } from '../main/pdf/metadata.js';
import { pdfNumber, pdfTextString } from '../main/pdf/pdf-syntax.js';
import { pagesFromArray, writePdfFile, writePdfToMemory, type PageSource } from '../main/pdf/stream-writer.js';
import { isTempPath, sha256File } from '../main/store/files.js';
import { renderPageRaw, type PageKind } from './fixtures/pages.js';
import { assembleWithPdfLib } from './fixtures/pdf-lib-reference.js';
import { renderPdfPageGrey, requirePdftoppm } from './fixtures/render-pdf.js';

const run = promisify(execFile);
const sha = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const MB = 1024 * 1024;

const meta: PdfMetadata = {
  documentId: 'doc-ä (1) \\ <x>',
  title: 'Antrag Größe & <Änderung> (Kopie) C:\\Akten\\Müller',
  createdAt: new Date('2026-11-05T09:30:15.250Z'),
  stationId: 'station-Köln & (2)',
  sourceSha256: [sha('first scan'), sha('second scan')],
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pdf-stream-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The grey page tinted into colour, with a red stamp, so RGB and CMYK pages are really coloured. */
function colourise(grey: { data: Buffer; width: number; height: number }): RawImage {
  const { width, height } = grey;
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const value = grey.data[i];
    const x = i % width;
    const y = Math.floor(i / width);
    const stamp = x > width * 0.6 && x < width * 0.85 && y > height * 0.05 && y < height * 0.12;
    data[i * 3] = stamp ? 200 : value;
    data[i * 3 + 1] = stamp ? 30 : Math.round(value * 0.9 + 20);
    data[i * 3 + 2] = stamp ? 40 : Math.round(value * 0.6 + 100);
  }
  return { data, width, height, channels: 3 };
}

async function cmykJpeg(image: RawImage, dpi: number): Promise<EncodedPage> {
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .toColourspace('cmyk')
    .jpeg({ quality: 80 })
    .toBuffer();
  return { format: 'jpeg', data, width: image.width, height: image.height, dpi };
}

async function grey(kind: PageKind, dpi: number, seed: number): Promise<RawImage> {
  return { ...(await renderPageRaw({ kind, dpi, seed })), channels: 1 };
}

function xObject(doc: PDFDocument, pageIndex: number): PDFRawStream {
  const xObjects = doc.getPage(pageIndex).node.Resources()?.lookup(PDFName.of('XObject'), PDFDict);
  const stream = xObjects?.lookup(PDFName.of('Im0'), PDFStream);
  if (!(stream instanceof PDFRawStream)) throw new Error(`page ${pageIndex + 1} draws no raw image stream /Im0`);
  return stream;
}

describe('PDF syntax', () => {
  it('writes text strings as escaped ASCII literals or UTF-16BE hex with a byte order mark', () => {
    expect(pdfTextString('a (b) \\ c & <d>')).toBe('(a \\(b\\) \\\\ c & <d>)');
    expect(pdfTextString('Größe')).toBe('<FEFF0047007200F600DF0065>');
    // A line break is not printable: hex, so no reader folds it.
    expect(pdfTextString('a\nb')).toBe('<FEFF0061000A0062>');
  });

  it('writes numbers without exponent or negative zero, rounded to four decimals', () => {
    expect(pdfNumber(1754 * (72 / 150))).toBe('841.92');
    expect(pdfNumber(2480 * (72 / 300))).toBe('595.2');
    expect(pdfNumber(1e-7)).toBe('0');
    expect(pdfNumber(-1e-7)).toBe('0');
    expect(pdfNumber(-2.88)).toBe('-2.88');
    expect(() => pdfNumber(Number.NaN)).toThrow(/finite/);
  });
});

describe('readJpegInfo', () => {
  it('reads size, components and the Adobe marker from the frame header', async () => {
    const pixels = { raw: { width: 40, height: 30, channels: 3 as const } };
    const rgb = Buffer.alloc(40 * 30 * 3, 128);
    expect(readJpegInfo(await sharp(rgb, pixels).jpeg().toBuffer())).toEqual({ width: 40, height: 30, components: 3, adobe: false });
    expect(readJpegInfo(await sharp(rgb, pixels).toColourspace('b-w').jpeg().toBuffer())).toMatchObject({ components: 1 });
    expect(readJpegInfo(await sharp(rgb, pixels).jpeg({ progressive: true }).toBuffer())).toMatchObject({ width: 40, height: 30 });
    expect(readJpegInfo(await sharp(rgb, pixels).toColourspace('cmyk').jpeg().toBuffer())).toMatchObject({ components: 4, adobe: true });
  });

  it('refuses what is not a JPEG, and a JPEG cut before its frame header', async () => {
    const png = await sharp(Buffer.alloc(16 * 16, 255), { raw: { width: 16, height: 16, channels: 1 } }).png().toBuffer();
    expect(() => readJpegInfo(png)).toThrow(/not a JPEG: starts with 89 50, expected FF D8/);
    const jpeg = await sharp(Buffer.alloc(16 * 16, 255), { raw: { width: 16, height: 16, channels: 1 } }).jpeg().toBuffer();
    expect(() => readJpegInfo(jpeg.subarray(0, 30))).toThrow(/truncated JPEG/);
  });
});

describe('writePdfFile with mixed pages', () => {
  let pages: EncodedPage[];
  let outPath: string;
  let pdf: Buffer;
  let result: Awaited<ReturnType<typeof writePdfFile>>;

  beforeAll(async () => {
    const letter150 = await grey('letter', 150, 1);
    const table300 = await grey('table', 300, 2);
    const letter300 = await grey('letter', 300, 3);
    const columns150 = await grey('columns', 150, 4);
    pages = [
      await encodeJpeg(letter150, 150, 75), // grey
      await encodeJpeg(colourise(table300), 300, 75), // RGB
      await cmykJpeg(colourise(letter150), 150), // CMYK, Adobe-inverted as libjpeg writes it
      await encodeBilevel(letter300, 300), // G4, padded tile
      await encodeBilevel(columns150, 150),
      await encodeJpeg(table300, 300, 75),
    ];
    outPath = join(dir, 'mixed', 'document.pdf');
    result = await writePdfFile(outPath, pagesFromArray(pages), meta);
    pdf = readFileSync(outPath);
  });

  it('writes the file whole, with its size and hash, and leaves no temp file', async () => {
    expect(result).toEqual({ sha256: sha(pdf), bytes: pdf.length, pageCount: 6 });
    expect(await sha256File(outPath)).toBe(result.sha256);
    expect(readdirSync(join(dir, 'mixed'))).toEqual(['document.pdf']);
    expect(pdf.subarray(0, 9).toString('latin1')).toBe('%PDF-1.7\n');
    expect(pdf.subarray(-6).toString('latin1')).toBe('%%EOF\n');
  });

  it('reads back with pdf-lib: page sizes from dpi, image dictionaries per colour space', async () => {
    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    expect(doc.getPageCount()).toBe(6);
    for (const [index, page] of pages.entries()) {
      const { width, height } = doc.getPage(index).getSize();
      expect(width).toBeCloseTo((page.width / page.dpi) * 72, 3);
      expect(height).toBeCloseTo((page.height / page.dpi) * 72, 3);
    }
    const colourSpaces = pages.map((_, index) => xObject(doc, index).dict.get(PDFName.of('ColorSpace')));
    expect(colourSpaces).toEqual(['DeviceGray', 'DeviceRGB', 'DeviceCMYK', 'DeviceGray', 'DeviceGray', 'DeviceGray'].map((name) => PDFName.of(name)));
    expect(String(xObject(doc, 2).dict.get(PDFName.of('Decode')))).toBe('[ 1 0 1 0 1 0 1 0 ]');
    expect(xObject(doc, 0).dict.get(PDFName.of('Decode'))).toBeUndefined();
    // JPEG bytes as they are; G4 with the tile's Columns and Rows.
    expect(Buffer.from(xObject(doc, 1).getContents()).equals(pages[1].data)).toBe(true);
    // 1-bit pages as JBIG2 at the page's own size (the G4 tile's padding is not coded).
    const bilevel = xObject(doc, 3).dict;
    expect(bilevel.get(PDFName.of('Filter'))).toBe(PDFName.of('JBIG2Decode'));
    expect(String(bilevel.get(PDFName.of('Width')))).toBe(String(pages[3].width));
    expect(String(bilevel.get(PDFName.of('Height')))).toBe(String(pages[3].height));
    expect(bilevel.get(PDFName.of('DecodeParms'))).toBeUndefined();
  });

  it('round-trips its metadata, umlauts and &<>()\\ included', async () => {
    expect(await readPdfMetadata(pdf)).toEqual({
      title: meta.title,
      stationId: meta.stationId,
      documentId: meta.documentId,
      sourceSha256: meta.sourceSha256,
      pageCount: 6,
    });
    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    expect(doc.getCreator()).toBe('Intake Station');
    expect(doc.getProducer()).toMatch(/^Intake Station \d+\.\d+\.\d+/);
    expect(doc.getCreationDate()?.toISOString()).toBe('2026-11-05T09:30:15.000Z');
    expect(doc.getModificationDate()?.toISOString()).toBe('2026-11-05T09:30:15.000Z');
    expect(doc.getKeywords()).toBe(`intake-document:${meta.documentId} intake-station:${meta.stationId}`);
    const xmp = new TextDecoder().decode((doc.catalog.lookup(PDFName.of('Metadata'), PDFStream) as PDFRawStream).getContents());
    expect(xmp).toContain('<rdf:li xml:lang="x-default">Antrag Größe &amp; &lt;Änderung&gt; (Kopie) C:\\Akten\\Müller</rdf:li>');
    expect(xmp).toContain('<intake:PageCount>6</intake:PageCount>');
  });

  it('carries a trailer /ID of two equal hashes of the content before the xref table', () => {
    const text = pdf.toString('latin1');
    const startXref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
    expect(text.slice(startXref, startXref + 5)).toBe('xref\n');
    const id = /\/ID \[<([0-9A-F]{32})> <([0-9A-F]{32})>\]/.exec(text);
    expect(id?.[1]).toBe(id?.[2]);
    expect(id?.[1]).toBe(sha(pdf.subarray(0, startXref)).slice(0, 32).toUpperCase());
  });

  it('passes pdfinfo without a complaint, which shows its metadata', async () => {
    const { stdout, stderr } = await run('pdfinfo', ['-enc', 'UTF-8', outPath]);
    expect(stderr).toBe('');
    expect(stdout).toMatch(new RegExp(`^Title: +${meta.title.replace(/[\\()^$.*+?[\]{}|]/g, '\\$&')}$`, 'm'));
    expect(stdout).toMatch(/^Pages: +6$/m);
    expect(stdout).toMatch(/^PDF version: +1\.7$/m);
    const xmp = await run('pdfinfo', ['-meta', outPath]);
    expect(xmp.stdout).toContain('<intake:DocumentId>doc-ä (1) \\ &lt;x&gt;</intake:DocumentId>');
  });

  it('renders with poppler as the pdf-lib assembly of the same pages does (50 dpi, 1-bit pages at theirs; mean difference < 1 level, < 3 for a layered page)', async () => {
    requirePdftoppm();
    const reference = await assembleWithPdfLib(pages);
    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    for (let page = 1; page <= pages.length; page++) {
      // A 1-bit page is JBIG2 at its own size here and a G4 tile padded to 16 pixels there: at 50
      // dpi poppler samples the two images differently (a 3:1 grid for 1248 columns, not for 1240),
      // so those pages are compared at their own resolution.
      const dpi = pages[page - 1].format === 'g4tiff' ? pages[page - 1].dpi : 50;
      // The 300 dpi grey table is over the size goal: text mask over a background here, the JPEG
      // there. Its strokes are drawn solid in the ink's mean colour, a little darker at 50 dpi.
      const layered = (doc.getPage(page - 1).node.Resources()?.lookup(PDFName.of('XObject'), PDFDict)?.keys().length ?? 0) > 1;
      const ours = await renderPdfPageGrey(pdf, page, dpi);
      const theirs = await renderPdfPageGrey(reference, page, dpi);
      expect([ours.width, ours.height], `page ${page} size`).toEqual([theirs.width, theirs.height]);
      let diff = 0;
      let sum = 0;
      for (let i = 0; i < ours.data.length; i++) {
        diff += Math.abs(ours.data[i] - theirs.data[i]);
        sum += ours.data[i];
      }
      expect(diff / ours.data.length, `page ${page} mean difference`).toBeLessThan(layered ? 3 : 1);
      // Not inverted (CMYK!) nor blank: document pages are mostly paper, with some ink.
      expect(sum / ours.data.length, `page ${page} mean level`).toBeGreaterThan(170);
      expect(sum / ours.data.length, `page ${page} mean level`).toBeLessThan(254);
    }
  });

  it('renders with pdf.js: the CMYK page as poppler shows it', async () => {
    const { getDocument, VerbosityLevel } = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await getDocument({ data: new Uint8Array(pdf), verbosity: VerbosityLevel.ERRORS }).promise;
    try {
      expect(doc.numPages).toBe(6);
      expect(((await doc.getMetadata()).info as { Title?: string }).Title).toBe(meta.title);
      const page = await doc.getPage(3);
      const viewport = page.getViewport({ scale: 50 / 72 });
      const factory = doc.canvasFactory as { create(width: number, height: number): { canvas: HTMLCanvasElement; context: CanvasRenderingContext2D } };
      const { canvas, context } = factory.create(Math.round(viewport.width), Math.round(viewport.height));
      await page.render({ canvas, canvasContext: context, viewport } as Parameters<typeof page.render>[0]).promise;
      const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
      const poppler = await renderPdfPageGrey(pdf, 3, 50);
      // 413⅓ pixels wide: pdf.js rounds, pdftoppm rounds up. Compare what both drew.
      expect(Math.abs(canvas.width - poppler.width)).toBeLessThanOrEqual(1);
      expect(Math.abs(canvas.height - poppler.height)).toBeLessThanOrEqual(1);
      const width = Math.min(canvas.width, poppler.width);
      const height = Math.min(canvas.height, poppler.height);
      // Two renderers with their own CMYK conversion and smoothing: close, not equal.
      let diff = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const at = (y * canvas.width + x) * 4;
          const luma = 0.299 * rgba[at] + 0.587 * rgba[at + 1] + 0.114 * rgba[at + 2];
          diff += Math.abs(luma - poppler.data[y * poppler.width + x]);
        }
      }
      console.log(`CMYK page, pdf.js against poppler at 50 dpi: mean difference ${(diff / (width * height)).toFixed(2)} levels`);
      // An inverted page (CMYK read without its Decode) would differ by over 100 levels.
      expect(diff / (width * height)).toBeLessThan(20);
    } finally {
      await doc.destroy();
    }
  });

  it('gives the same bytes for the same input, to a file or to memory', async () => {
    const again = join(dir, 'again.pdf');
    const second = await writePdfFile(again, pagesFromArray(pages), meta);
    expect(readFileSync(again).equals(pdf)).toBe(true);
    expect(second).toEqual(result);
    const memory = await writePdfToMemory(pagesFromArray(pages), meta);
    expect(Buffer.from(memory.pdf).equals(pdf)).toBe(true);
    expect(Buffer.from(await assemblePdf(pages, meta)).equals(pdf)).toBe(true);
    // And different bytes (and /ID) for different metadata.
    const other = await writePdfToMemory(pagesFromArray(pages), { ...meta, documentId: 'doc-2' });
    expect(other.sha256).not.toBe(result.sha256);
  });
});

describe('writePdfFile refusals', () => {
  let good: EncodedPage;
  beforeAll(async () => {
    good = await encodeJpeg(await grey('sparse', 100, 9), 100, 75);
  });

  it('names the page that cannot be loaded or does not match its size, and leaves no file behind', async () => {
    const target = join(dir, 'refused', 'doc.pdf');
    const failing: PageSource = {
      count: 3,
      load: async (index) => {
        if (index === 2) throw new Error('page file vanished');
        return good;
      },
    };
    await expect(writePdfFile(target, failing, meta)).rejects.toThrow(/^page 3 of 3: page file vanished$/);
    await expect(writePdfFile(target, pagesFromArray([good, { ...good, height: 99 }]), meta)).rejects.toThrow(
      new RegExp(`page 2 of 2 \\(jpeg\\): the JPEG is ${good.width}×${good.height} but the page says ${good.width}×99`),
    );
    await expect(writePdfFile(target, pagesFromArray([{ ...good, data: Buffer.from('GIF89a, not a JPEG') }]), meta)).rejects.toThrow(
      /page 1 of 1 \(jpeg\): not a JPEG: starts with 47 49, expected FF D8/,
    );
    await expect(writePdfFile(target, pagesFromArray([{ ...good, format: 'g4tiff' }]), meta)).rejects.toThrow(/page 1 of 1 \(g4tiff\): not a TIFF/);
    expect(readdirSync(join(dir, 'refused')).filter((name) => name === 'doc.pdf' || isTempPath(name))).toEqual([]);
  });

  it('refuses an empty document and bad metadata before it creates a file', async () => {
    const target = join(dir, 'never', 'doc.pdf');
    await expect(writePdfFile(target, pagesFromArray([]), meta)).rejects.toThrow(/a document needs at least one page/);
    await expect(writePdfFile(target, pagesFromArray([good]), { ...meta, sourceSha256: ['ABC'] })).rejects.toThrow(/sourceSha256 holds "ABC"/);
    expect(() => readdirSync(join(dir, 'never'))).toThrow(/ENOENT/);
  });
});

describe('buildDocument', () => {
  it('streams page files into the PDF that assemblePdf gives for the same pages', async () => {
    const pages = [await encodeJpeg(await grey('table', 100, 11), 100, 75), await encodeBilevel(await grey('letter', 100, 12), 100)];
    const files = pages.map((page, index) => {
      const path = join(dir, `build-page-${index}`);
      writeFileSync(path, page.data);
      return { path, format: page.format, width: page.width, height: page.height, dpi: page.dpi };
    });
    const outPath = join(dir, 'built', 'doc.pdf');
    const built = await buildDocument({ outPath, pages: files, meta: { ...meta, createdAt: meta.createdAt.toISOString() } });
    const pdf = readFileSync(outPath);
    expect(built).toEqual({ sha256: sha(pdf), bytes: pdf.length });
    expect(pdf.equals(Buffer.from(await assemblePdf(pages, meta)))).toBe(true);
  });
});

describe('a 1,000-page document', () => {
  const PAGES = 1000;
  const sources: { path: string; page: Omit<EncodedPage, 'data'> }[] = [];

  beforeAll(async () => {
    // Ten distinct 300 dpi grey page files of the size a mailroom scan has (about 0.1–1 MB each).
    const kinds: PageKind[] = ['letter', 'dense', 'table', 'columns', 'sparse'];
    for (const [k, kind] of kinds.entries()) {
      const raw = await grey(kind, 300, 20 + k);
      for (const quality of [70, 80]) {
        const { data, ...page } = await encodeJpeg(raw, 300, quality);
        const path = join(dir, `big-${kind}-${quality}.jpg`);
        writeFileSync(path, data);
        sources.push({ path, page });
      }
    }
  });

  it('is written with memory that does not grow with the document', async () => {
    const outPath = join(dir, 'big', 'batch.pdf');
    const start = process.memoryUsage();
    let peakRss = start.rss;
    let peakArrayBuffers = start.arrayBuffers;
    let inputBytes = 0;
    const source: PageSource = {
      count: PAGES,
      load: async (index) => {
        const usage = process.memoryUsage();
        peakRss = Math.max(peakRss, usage.rss);
        peakArrayBuffers = Math.max(peakArrayBuffers, usage.arrayBuffers);
        // Round robin, and read per load as buildDocument does: nothing is cached.
        const { path, page } = sources[index % sources.length];
        const data = readFileSync(path);
        inputBytes += data.length;
        return { ...page, data };
      },
    };
    const started = performance.now();
    // JPEGs byte for byte (no layers): this measures the streaming, not the per-page layering.
    const result = await writePdfFile(outPath, source, meta, { layers: false });
    const elapsed = performance.now() - started;
    const end = process.memoryUsage();
    peakRss = Math.max(peakRss, end.rss);
    peakArrayBuffers = Math.max(peakArrayBuffers, end.arrayBuffers);

    const rssGrowth = peakRss - start.rss;
    const settled = process.memoryUsage().rss;
    const arrayBufferGrowth = peakArrayBuffers - start.arrayBuffers;
    console.log(
      `1,000 pages of 300 dpi grey JPEG: ${(result.bytes / MB).toFixed(0)} MB PDF in ${(elapsed / 1000).toFixed(1)} s ` +
        `(${(elapsed / PAGES).toFixed(2)} ms a page, fsync included); peak growth: rss ${(rssGrowth / MB).toFixed(1)} MB, ` +
        `arrayBuffers ${(arrayBufferGrowth / MB).toFixed(1)} MB; rss ${(start.rss / MB).toFixed(0)} MB before, ` +
        `${(peakRss / MB).toFixed(0)} MB at most, ${(settled / MB).toFixed(0)} MB after`,
    );

    expect(result.pageCount).toBe(PAGES);
    // The images are most of the file: every page's bytes went in.
    expect(result.bytes).toBeGreaterThan(inputBytes);
    expect(result.bytes).toBeLessThan(inputBytes + PAGES * 1024 + 64 * 1024);
    // Holding the document would take its whole size; the bound is a fraction of it.
    expect(result.bytes).toBeGreaterThan(3 * 150 * MB);
    expect(rssGrowth).toBeLessThan(150 * MB);
    expect(arrayBufferGrowth).toBeLessThan(150 * MB);

    expect(await sha256File(outPath)).toBe(result.sha256);
    const { stdout, stderr } = await run('pdfinfo', [outPath]);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Pages: +1000$/m);
    // The last page draws its image (the last file of the round robin).
    const prefix = join(dir, 'big', 'last');
    await run('pdftoppm', ['-f', '1000', '-l', '1000', '-r', '20', '-gray', '-png', '-singlefile', outPath, prefix]);
    const stats = await sharp(`${prefix}.png`).stats();
    expect(stats.channels[0].mean).toBeLessThan(254);
    expect(stats.channels[0].mean).toBeGreaterThan(170);
    rmSync(outPath);
  });
});
