import { createHash } from 'node:crypto';
import { PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream, PDFStream } from 'pdf-lib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BILEVEL_THRESHOLD, encodeBilevel, encodeJpeg, passthroughJpeg } from '../main/imaging/encode.js';
import type { EncodedPage, RawImage } from '../main/imaging/types.js';
import { assemblePdf, readPdfMetadata, type PdfMetadata } from '../main/pdf/assemble.js';
import { extractG4Strip } from '../main/pdf/ccitt.js';
import { a4Pixels, renderPageRaw } from './fixtures/pages.js';
import { darkShare, renderPdfPageGrey, requirePdftoppm } from './fixtures/render-pdf.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

const meta: PdfMetadata = {
  documentId: 'doc-0001 (Rescan)',
  title: 'Weiterbewilligungsantrag – Müller, Größe & <Änderung>',
  createdAt: new Date('2026-11-05T09:30:15.250Z'),
  stationId: 'station-jc-musterstadt-03',
  sourceSha256: [sha('first scan'), sha('second scan')],
};

let greyPage: RawImage; // A4 at 150 dpi, a table page
let textPage: RawImage; // A4 at 150 dpi, a letter

beforeAll(async () => {
  greyPage = { ...(await renderPageRaw({ dpi: 150, kind: 'table', seed: 5 })), channels: 1 };
  textPage = { ...(await renderPageRaw({ dpi: 150, kind: 'letter', seed: 7 })), channels: 1 };
});

function blankA4(dpi: number): RawImage {
  const { width, height } = a4Pixels(dpi);
  return { data: Buffer.alloc(width * height, 255), width, height, channels: 1 };
}

/** The image XObjects a page draws. */
function pageImages(doc: PDFDocument, index: number): PDFRawStream[] {
  const resources = doc.getPage(index).node.Resources();
  const xObjects = resources?.lookupMaybe(PDFName.of('XObject'), PDFDict);
  if (!xObjects) return [];
  return xObjects.keys().map((key) => {
    const stream = xObjects.lookup(key, PDFStream);
    if (!(stream instanceof PDFRawStream)) throw new Error(`XObject ${key.asString()} is not a raw stream`);
    return stream;
  });
}

describe('extractG4Strip', () => {
  it('refuses a TIFF cut into several strips, naming the reason', async () => {
    // sharp's default TIFF layout: strips of a few hundred rows each.
    const striped = await sharp(textPage.data, { raw: { width: textPage.width, height: textPage.height, channels: 1 } })
      .threshold(128)
      .toColourspace('b-w')
      .tiff({ compression: 'ccittfax4', bitdepth: 1 })
      .toBuffer();
    expect(() => extractG4Strip(striped)).toThrow(/strips of 256 rows for 1754 rows: only one strip is supported/);
  });

  it('refuses a TIFF that is not G4', async () => {
    const lzw = await sharp(Buffer.alloc(64 * 64, 255), { raw: { width: 64, height: 64, channels: 1 } }).tiff({ compression: 'lzw' }).toBuffer();
    expect(() => extractG4Strip(lzw)).toThrow(/compression is 5, expected 4/);
  });

  it('refuses what is not a TIFF, and a truncated one', async () => {
    expect(() => extractG4Strip(Buffer.from('%PDF-1.7 not a tiff'))).toThrow(/not a TIFF/);
    const whole = (await encodeBilevel(textPage, 150)).data;
    expect(() => extractG4Strip(whole.subarray(0, whole.length - 2000))).toThrow(/truncated TIFF/);
  });
});

describe('assemblePdf', () => {
  it('sizes each page by its resolution: A4 is 595×842 pt at 150, 200, 300 and 600 dpi', async () => {
    const pages: EncodedPage[] = [];
    for (const dpi of [150, 200, 300, 600]) pages.push(await encodeBilevel(blankA4(dpi), dpi));
    pages.push(await encodeJpeg(blankA4(300), 300, 75));
    // A landscape A5 page among A4 ones: mixed sizes are fine.
    pages.push(await encodeJpeg({ data: Buffer.alloc(1748 * 1240, 255), width: 1748, height: 1240, channels: 1 }, 300, 75));
    const doc = await PDFDocument.load(await assemblePdf(pages, meta));
    expect(doc.getPageCount()).toBe(6);
    for (let i = 0; i < 5; i++) {
      const { width, height } = doc.getPage(i).getSize();
      expect(Math.abs(width - 595.28)).toBeLessThan(1);
      expect(Math.abs(height - 841.89)).toBeLessThan(1);
    }
    const a5 = doc.getPage(5).getSize();
    expect(Math.abs(a5.width - 419.5)).toBeLessThan(1);
    expect(Math.abs(a5.height - 297.6)).toBeLessThan(1);
  });

  it('embeds JPEG pages byte for byte', async () => {
    const jpeg = await sharp(greyPage.data, { raw: { width: greyPage.width, height: greyPage.height, channels: 1 } }).jpeg({ quality: 85 }).toBuffer();
    const pdf = Buffer.from(await assemblePdf([passthroughJpeg(jpeg, greyPage.width, greyPage.height, 150)], meta));
    expect(pdf.indexOf(jpeg)).toBeGreaterThan(0);
  });

  it('embeds 1-bit pages as JBIG2 image XObjects at the page size, smaller than their G4 data', async () => {
    const page = await encodeBilevel(textPage, 150);
    const pdf = await assemblePdf([page], meta);
    const [image] = pageImages(await PDFDocument.load(pdf), 0);
    const dict = image.dict;
    expect(dict.get(PDFName.of('Filter'))).toBe(PDFName.of('JBIG2Decode'));
    expect(dict.get(PDFName.of('BitsPerComponent'))).toEqual(PDFNumber.of(1));
    expect(dict.get(PDFName.of('ColorSpace'))).toBe(PDFName.of('DeviceGray'));
    expect(dict.get(PDFName.of('Width'))).toEqual(PDFNumber.of(1240));
    expect(dict.get(PDFName.of('Height'))).toEqual(PDFNumber.of(1754));
    // No JBIG2Globals: nothing shared between pages, no symbol dictionary.
    expect(dict.get(PDFName.of('DecodeParms'))).toBeUndefined();
    expect(image.getContentsSize()).toBeLessThan(extractG4Strip(page.data).data.length);
  });

  it('refuses a page whose data does not match its size, naming the page', async () => {
    const good = await encodeBilevel(textPage, 150);
    const lying = { ...(await encodeJpeg(greyPage, 150, 75)), width: 100 };
    await expect(assemblePdf([good, lying], meta)).rejects.toThrow(/page 2 of 2 \(jpeg\): the JPEG is 1240×1754 but the page says 100×1754/);
    await expect(assemblePdf([], meta)).rejects.toThrow(/at least one page/);
  });

  it('refuses bad metadata', async () => {
    const page = await encodeBilevel(blankA4(150), 150);
    await expect(assemblePdf([page], { ...meta, sourceSha256: ['abc'] })).rejects.toThrow(/sourceSha256 holds "abc", expected 64 lower-case hex digits/);
    await expect(assemblePdf([page], { ...meta, createdAt: new Date('nonsense') })).rejects.toThrow(/createdAt must be a valid Date/);
    await expect(assemblePdf([page], { ...meta, stationId: ' ' })).rejects.toThrow(/stationId must be a non-empty string/);
  });

  it('gives the same bytes for the same input', async () => {
    const pages = [await encodeBilevel(textPage, 150), await encodeJpeg(greyPage, 150, 75)];
    const first = Buffer.from(await assemblePdf(pages, meta));
    const second = Buffer.from(await assemblePdf(pages, meta));
    expect(first.equals(second)).toBe(true);
  });
});

describe('metadata', () => {
  let pdf: Uint8Array;
  beforeAll(async () => {
    pdf = await assemblePdf([await encodeBilevel(blankA4(150), 150), await encodeJpeg(blankA4(150), 150, 75)], meta);
  });

  it('round-trips through readPdfMetadata', async () => {
    expect(await readPdfMetadata(pdf)).toEqual({
      title: meta.title,
      stationId: meta.stationId,
      documentId: meta.documentId,
      sourceSha256: meta.sourceSha256,
      pageCount: 2,
    });
  });

  it('fills the standard Info entries', async () => {
    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    expect(doc.getTitle()).toBe(meta.title);
    expect(doc.getCreator()).toBe('Intake Station');
    expect(doc.getProducer()).toMatch(/^Intake Station \d+\.\d+\.\d+/);
    // PDF dates have whole seconds.
    expect(doc.getCreationDate()?.toISOString()).toBe('2026-11-05T09:30:15.000Z');
    expect(doc.getModificationDate()?.toISOString()).toBe('2026-11-05T09:30:15.000Z');
    expect(doc.getKeywords()).toContain('intake-document:doc-0001 (Rescan)');
    const custom = await assemblePdf([await encodeBilevel(blankA4(150), 150)], { ...meta, producer: 'Test Producer 9' });
    expect((await PDFDocument.load(custom, { updateMetadata: false })).getProducer()).toBe('Test Producer 9');
  });

  it('carries an uncompressed XMP packet that agrees with the Info dictionary', async () => {
    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    const stream = doc.catalog.lookup(PDFName.of('Metadata'), PDFStream) as PDFRawStream;
    expect(stream.dict.get(PDFName.of('Subtype'))).toBe(PDFName.of('XML'));
    expect(stream.dict.get(PDFName.of('Filter'))).toBeUndefined();
    const xmp = new TextDecoder().decode(stream.getContents());
    expect(xmp).toContain('<rdf:li xml:lang="x-default">Weiterbewilligungsantrag – Müller, Größe &amp; &lt;Änderung&gt;</rdf:li>');
    expect(xmp).toContain('<xmp:CreateDate>2026-11-05T09:30:15Z</xmp:CreateDate>');
    expect(xmp).toMatch(/<pdf:Producer>Intake Station \d+\.\d+\.\d+[^<]*<\/pdf:Producer>/);
    expect(xmp).toContain(`<intake:StationId>${meta.stationId}</intake:StationId>`);
    expect(xmp).toContain('<intake:DocumentId>doc-0001 (Rescan)</intake:DocumentId>');
    expect(xmp).toContain('<intake:PageCount>2</intake:PageCount>');
    expect(xmp).toContain(`<rdf:Seq><rdf:li>${meta.sourceSha256[0]}</rdf:li><rdf:li>${meta.sourceSha256[1]}</rdf:li></rdf:Seq>`);
  });

  it('is written without object streams, so the Info dictionary is plain text in the file', () => {
    const text = Buffer.from(pdf).toString('latin1');
    expect(text).not.toContain('/ObjStm');
    expect(text).toContain(`/IntakeStationId (${meta.stationId})`);
    expect(text).toContain('/IntakePageCount (2)');
  });
});

describe('rendered back with poppler', () => {
  beforeAll(() => requirePdftoppm());

  it('shows a black-and-white page black on white, pixel for pixel', async () => {
    const pdf = await assemblePdf([await encodeBilevel(textPage, 150)], meta);
    const rendered = await renderPdfPageGrey(pdf, 1, 150);
    expect([rendered.width, rendered.height]).toEqual([textPage.width, textPage.height]);
    // poppler resamples the image onto its own pixel grid, which moves some stroke edges by a
    // pixel: a rendered pixel counts as wrong only when no source pixel next to it agrees.
    const sourceDarkAt = (x: number, y: number) => textPage.data[y * textPage.width + x] < DEFAULT_BILEVEL_THRESHOLD;
    let wrong = 0;
    let sourceDark = 0;
    for (let y = 0; y < rendered.height; y++) {
      for (let x = 0; x < rendered.width; x++) {
        const dark = rendered.data[y * rendered.width + x] < 128;
        if (sourceDarkAt(x, y)) sourceDark++;
        let matched = false;
        for (let dy = -1; dy <= 1 && !matched; dy++) {
          for (let dx = -1; dx <= 1 && !matched; dx++) {
            const sx = x + dx;
            const sy = y + dy;
            if (sx >= 0 && sy >= 0 && sx < textPage.width && sy < textPage.height && sourceDarkAt(sx, sy) === dark) matched = true;
          }
        }
        if (!matched) wrong++;
      }
    }
    const shareSource = sourceDark / rendered.data.length;
    const shareRendered = darkShare(rendered.data);
    // Not inverted: a letter is mostly paper.
    expect(shareSource).toBeGreaterThan(0.01);
    expect(shareRendered).toBeLessThan(0.2);
    expect(Math.abs(shareRendered - shareSource)).toBeLessThan(0.1 * shareSource);
    expect(wrong / rendered.data.length).toBeLessThan(0.0005);
    // The padded tile's margin lies outside the page; the last row and column show paper.
    const lastRow = rendered.data.subarray((rendered.height - 1) * rendered.width);
    expect(darkShare(lastRow)).toBe(0);
  });

  it('shows a grey page as its source', async () => {
    const pdf = await assemblePdf([await encodeJpeg(greyPage, 150, 75)], meta);
    const rendered = await renderPdfPageGrey(pdf, 1, 150);
    expect([rendered.width, rendered.height]).toEqual([greyPage.width, greyPage.height]);
    let diff = 0;
    for (let i = 0; i < rendered.data.length; i++) diff += Math.abs(rendered.data[i] - greyPage.data[i]);
    expect(diff / rendered.data.length).toBeLessThan(5);
    const shareSource = darkShare(greyPage.data);
    expect(Math.abs(darkShare(rendered.data) - shareSource)).toBeLessThan(0.1 * shareSource);
  });

  it('shows every page of a mixed document in order', async () => {
    const pdf = await assemblePdf([await encodeJpeg(greyPage, 150, 75), await encodeBilevel(textPage, 150)], meta);
    const second = await renderPdfPageGrey(pdf, 2, 150);
    const sourceShare = [...textPage.data].filter((value) => value < DEFAULT_BILEVEL_THRESHOLD).length / textPage.data.length;
    expect(Math.abs(darkShare(second.data) - sourceShare)).toBeLessThan(0.1 * sourceShare);
  });
});

describe('rendered back with pdf.js', () => {
  // A second reader with its own CCITT decoder: what a pdf.js-based preview would show.
  it('shows a black-and-white page with the dark share of its source', async () => {
    const { getDocument, VerbosityLevel } = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const pdf = await assemblePdf([await encodeBilevel(textPage, 150)], meta);
    const doc = await getDocument({ data: pdf, verbosity: VerbosityLevel.ERRORS }).promise;
    try {
      const page = await doc.getPage(1);
      const viewport = page.getViewport({ scale: 150 / 72 });
      // pdf.js types its canvas factory as Object; it makes @napi-rs/canvas canvases in Node.
      const factory = doc.canvasFactory as { create(width: number, height: number): { canvas: HTMLCanvasElement; context: CanvasRenderingContext2D } };
      const { canvas, context } = factory.create(Math.round(viewport.width), Math.round(viewport.height));
      await page.render({ canvas, canvasContext: context, viewport } as Parameters<typeof page.render>[0]).promise;
      const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
      const grey = new Uint8Array(rgba.length / 4);
      for (let i = 0; i < grey.length; i++) grey[i] = rgba[i * 4];
      const sourceShare = [...textPage.data].filter((value) => value < DEFAULT_BILEVEL_THRESHOLD).length / textPage.data.length;
      expect([canvas.width, canvas.height]).toEqual([textPage.width, textPage.height]);
      expect(Math.abs(darkShare(grey) - sourceShare)).toBeLessThan(0.05 * sourceShare);
    } finally {
      await doc.destroy();
    }
  });
});
