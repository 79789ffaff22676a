/**
 * Grey and colour text pages over the size goal go into the PDF in two layers (main/pdf/mrc.ts).
 * Checked on generated 300 dpi scans with sensor noise, as a reader shows them (poppler, pdf.js):
 * the page is within 150 KB, its text shows where the scan's text is as well as the scan itself
 * does (measured against the known ink of the generated page), photos keep their tones, a turn
 * drawn by the PDF turns both layers, and a page that is mostly photo keeps its JPEG.
 */
import { PDFDict, PDFDocument, PDFName, PDFRawStream, PDFStream } from 'pdf-lib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { passthroughJpeg } from '../main/imaging/encode.js';
import type { EncodedPage } from '../main/imaging/types.js';
import { assemblePdf } from '../main/pdf/assemble.js';
import { buildMrc, MAX_WRONG_SHARE } from '../main/pdf/mrc.js';
import { rng } from './fixtures/pages.js';
import { renderPdfPageGrey, requirePdftoppm } from './fixtures/render-pdf.js';
import { renderScan, type Scan, type ScanSpec } from './fixtures/scan-faults.js';

const meta = { documentId: 'mrc', title: 'MRC', createdAt: new Date('2026-01-02T03:04:05Z'), stationId: 's1', sourceSha256: [], producer: 'test' };
const GOAL = 150 * 1024;

/** The scan as a scanner would write it: a JPEG at quality 85, grey (one component) or colour. */
async function scannerJpeg(scan: Scan, colour: boolean): Promise<Buffer> {
  const image = colour
    ? sharp(scan.rgb, { raw: { width: scan.width, height: scan.height, channels: 3 } })
    : sharp(scan.grey, { raw: { width: scan.width, height: scan.height, channels: 1 } }).toColourspace('b-w');
  return image.withDensity(scan.dpi).jpeg({ quality: 85 }).toBuffer();
}

function images(doc: PDFDocument, index = 0): Map<string, PDFRawStream> {
  const xObjects = doc.getPage(index).node.Resources()?.lookup(PDFName.of('XObject'), PDFDict);
  const out = new Map<string, PDFRawStream>();
  for (const key of xObjects?.keys() ?? []) out.set(key.asString(), xObjects!.lookup(key, PDFStream) as PDFRawStream);
  return out;
}

/**
 * How well a rendering shows the page's text: the share of the generated page's inner ink pixels
 * (ink with ink all round: not a stroke's edge) shown dark, and the share of paper pixels at least
 * two pixels from any ink shown dark (outside `skip`, e.g. a photo).
 */
function textFidelity(scan: Scan, shown: { data: Uint8Array; width: number }, skip?: (x: number, y: number) => boolean) {
  const { width, height, inkTruth } = scan;
  let ink = 0;
  let inkShown = 0;
  let paper = 0;
  let paperDark = 0;
  for (let y = 2; y < height - 2; y++) {
    for (let x = 2; x < width - 2; x++) {
      if (skip?.(x, y)) continue;
      const i = y * width + x;
      const dark = shown.data[y * shown.width + x] < 128;
      if (inkTruth[i] && inkTruth[i - 1] && inkTruth[i + 1] && inkTruth[i - width] && inkTruth[i + width]) {
        ink++;
        if (dark) inkShown++;
        continue;
      }
      let nearInk = false;
      for (let dy = -2; dy <= 2 && !nearInk; dy++) for (let dx = -2; dx <= 2 && !nearInk; dx++) if (inkTruth[i + dy * width + dx]) nearInk = true;
      if (nearInk) continue;
      paper++;
      if (dark) paperDark++;
    }
  }
  return { inkShown: inkShown / ink, paperDark: paperDark / paper };
}

async function pdfOf(page: EncodedPage): Promise<Uint8Array> {
  return assemblePdf([page], meta);
}

describe('a 300 dpi grey letter with scanner noise', () => {
  let scan: Scan;
  let jpeg: Buffer;
  let pdf: Uint8Array;
  beforeAll(async () => {
    requirePdftoppm();
    scan = await renderScan({ kind: 'letter', dpi: 300, seed: 2 });
    jpeg = await scannerJpeg(scan, false);
    pdf = await pdfOf(passthroughJpeg(jpeg, scan.width, scan.height, 300));
  });

  it('goes in as a JBIG2 text mask over a 100 dpi grey background, within 150 KB', async () => {
    expect(jpeg.length).toBeGreaterThan(3 * GOAL); // what it was: the scanner's JPEG
    const layers = images(await PDFDocument.load(pdf));
    const background = layers.get('/Im0')!;
    const mask = layers.get('/Im1')!;
    expect(background.dict.get(PDFName.of('Filter'))).toBe(PDFName.of('DCTDecode'));
    expect(background.dict.get(PDFName.of('ColorSpace'))).toBe(PDFName.of('DeviceGray'));
    expect(String(background.dict.get(PDFName.of('Width')))).toBe(String(Math.ceil(scan.width / 3)));
    expect(mask.dict.get(PDFName.of('Filter'))).toBe(PDFName.of('JBIG2Decode'));
    expect(String(mask.dict.get(PDFName.of('ImageMask')))).toBe('true');
    expect(String(mask.dict.get(PDFName.of('Width')))).toBe(String(scan.width));
    expect(background.getContentsSize() + mask.getContentsSize()).toBeLessThan(GOAL);
    expect(pdf.length).toBeLessThan(GOAL);
  });

  it('shows its text in poppler as well as the scan does', async () => {
    const shown = await renderPdfPageGrey(pdf, 1, 300);
    expect([shown.width, shown.height]).toEqual([scan.width, scan.height]);
    const layered = textFidelity(scan, shown);
    const original = textFidelity(scan, { data: (await sharp(jpeg).toColourspace('b-w').raw().toBuffer()) as Uint8Array, width: scan.width });
    expect(layered.inkShown).toBeGreaterThanOrEqual(Math.min(0.995, original.inkShown));
    expect(layered.paperDark).toBeLessThanOrEqual(Math.max(0.0005, original.paperDark));
  });

  it('shows the same page in pdf.js (the stencil mask drawn in the ink colour)', async () => {
    const { getDocument, VerbosityLevel } = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await getDocument({ data: pdf.slice(), verbosity: VerbosityLevel.ERRORS, wasmUrl: `${process.cwd()}/node_modules/pdfjs-dist/wasm/` } as Parameters<typeof getDocument>[0]).promise;
    try {
      const page = await doc.getPage(1);
      const viewport = page.getViewport({ scale: 300 / 72 });
      const factory = doc.canvasFactory as { create(width: number, height: number): { canvas: HTMLCanvasElement; context: CanvasRenderingContext2D } };
      const { canvas, context } = factory.create(Math.round(viewport.width), Math.round(viewport.height));
      await page.render({ canvas, canvasContext: context, viewport } as Parameters<typeof page.render>[0]).promise;
      const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
      const grey = new Uint8Array(rgba.length / 4);
      for (let i = 0; i < grey.length; i++) grey[i] = rgba[i * 4 + 1];
      expect([canvas.width, canvas.height]).toEqual([scan.width, scan.height]);
      const fidelity = textFidelity(scan, { data: grey, width: canvas.width });
      expect(fidelity.inkShown).toBeGreaterThan(0.99);
      expect(fidelity.paperDark).toBeLessThan(0.001);
    } finally {
      await doc.destroy();
    }
  });

  it('turns both layers by the page drawing', async () => {
    // A quarter turn drawn by the PDF must show what the straight page shows, turned: a layer
    // left unturned would land on the wrong part of the page.
    const straight = await renderPdfPageGrey(pdf, 1, 100);
    const turnedPdf = await pdfOf({ ...passthroughJpeg(jpeg, scan.width, scan.height, 300), drawing: { turnDegrees: 90, pageWidth: scan.height, pageHeight: scan.width, paper: null } });
    const turned = await renderPdfPageGrey(turnedPdf, 1, 100);
    expect(images(await PDFDocument.load(turnedPdf)).size).toBe(2);
    const expected = await sharp(straight.data, { raw: { width: straight.width, height: straight.height, channels: 1 } }).rotate(90).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect([turned.width, turned.height]).toEqual([expected.info.width, expected.info.height]);
    let diff = 0;
    for (let i = 0; i < turned.data.length; i++) diff += Math.abs(turned.data[i] - expected.data[i]);
    expect(diff / turned.data.length).toBeLessThan(4);
  });
});

describe('a 300 dpi colour letter with a photo and a blue stamp', () => {
  let scan: Scan;
  let jpeg: Buffer;
  let pdf: Uint8Array;
  let photoBox: { left: number; top: number; right: number; bottom: number };
  beforeAll(async () => {
    const spec: ScanSpec = { kind: 'letter', dpi: 300, seed: 4, photo: 'colour', stamp: 'blue' };
    scan = await renderScan(spec);
    jpeg = await scannerJpeg(scan, true);
    pdf = await pdfOf(passthroughJpeg(jpeg, scan.width, scan.height, 300));
    // Where renderScan puts the photo: 60 × 45 mm, 20 mm from the right, 130 mm from the top.
    const mm = 300 / 25.4;
    photoBox = { left: Math.round(scan.width - 80 * mm), top: Math.round(130 * mm), right: Math.round(scan.width - 20 * mm), bottom: Math.round(175 * mm) };
  });

  it('is within 150 KB, the photo and the stamp in a 150 dpi colour background', async () => {
    const layers = images(await PDFDocument.load(pdf));
    const background = layers.get('/Im0')!;
    expect(background.dict.get(PDFName.of('ColorSpace'))).toBe(PDFName.of('DeviceRGB'));
    expect(String(background.dict.get(PDFName.of('Width')))).toBe(String(Math.ceil(scan.width / 2)));
    expect(pdf.length).toBeLessThan(GOAL);
  });

  it('keeps the photo\'s tones (150 dpi) and the text outside it as sharp as the scan', async () => {
    const shown = await renderPdfPageGrey(pdf, 1, 300);
    const inPhoto = (x: number, y: number) => x >= photoBox.left - 30 && x < photoBox.right + 30 && y >= photoBox.top - 30 && y < photoBox.bottom + 30;
    // Against the scan itself: the stamp is dark in both, and not text ink in the generated truth.
    const original = textFidelity(scan, { data: (await sharp(jpeg).toColourspace('b-w').raw().toBuffer()) as Uint8Array, width: scan.width }, inPhoto);
    const fidelity = textFidelity(scan, shown, inPhoto);
    expect(fidelity.inkShown).toBeGreaterThanOrEqual(Math.min(0.995, original.inkShown));
    expect(fidelity.paperDark).toBeLessThanOrEqual(Math.max(0.0005, original.paperDark * 1.1));
    // The photo, compared in 2×2 blocks (its resolution in the background): within a few levels.
    let diff = 0;
    let count = 0;
    for (let y = photoBox.top + 8; y < photoBox.bottom - 8; y += 2) {
      for (let x = photoBox.left + 8; x < photoBox.right - 8; x += 2) {
        let a = 0;
        let b = 0;
        for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
          a += shown.data[(y + dy) * shown.width + x + dx];
          b += scan.grey[(y + dy) * scan.width + x + dx];
        }
        diff += Math.abs(a - b) / 4;
        count++;
      }
    }
    expect(diff / count).toBeLessThan(8);
  });
});

describe('pages that keep their JPEG', () => {
  it('a page that is mostly photo', async () => {
    const width = 2480;
    const height = 3508;
    const random = rng(5);
    const cells = Buffer.alloc(16 * 22 * 3);
    for (let i = 0; i < cells.length; i++) cells[i] = 40 + Math.floor(random() * 180);
    const smooth = await sharp(cells, { raw: { width: 16, height: 22, channels: 3 } }).resize(width, height, { kernel: 'cubic' }).raw().toBuffer();
    for (let i = 0; i < smooth.length; i++) smooth[i] = Math.max(0, Math.min(255, smooth[i] + Math.floor(random() * 30) - 15));
    const jpeg = await sharp(smooth, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
    expect(jpeg.length).toBeGreaterThan(GOAL);
    const decision = await buildMrc(jpeg, 300);
    expect(decision.use).toBe(false);
    expect(!decision.use && decision.reason).toMatch(/% of the page is photo: not a text page/);
    const pdf = Buffer.from(await pdfOf(passthroughJpeg(jpeg, width, height, 300)));
    expect(pdf.indexOf(jpeg)).toBeGreaterThan(0);
  });

  it('a page whose JPEG is already within the goal, and a 150 dpi page', async () => {
    const scan = await renderScan({ kind: 'sparse', dpi: 300, seed: 3, noise: 0 });
    const small = await sharp(scan.grey, { raw: { width: scan.width, height: scan.height, channels: 1 } }).toColourspace('b-w').jpeg({ quality: 60 }).toBuffer();
    expect(small.length).toBeLessThan(GOAL);
    expect(await buildMrc(small, 300)).toMatchObject({ use: false, reason: expect.stringMatching(/within the size goal/) });
    expect(await buildMrc(small, 150)).toMatchObject({ use: false, reason: expect.stringMatching(/below 200 dpi/) });
  });

  it('a letter in red ink: the mask leaves colour to the background, which would blur it, so the readability check refuses', async () => {
    const scan = await renderScan({ kind: 'letter', dpi: 300, seed: 2 });
    const rgb = Buffer.from(scan.rgb);
    for (let i = 0; i < scan.inkTruth.length; i++) if (scan.inkTruth[i]) rgb.set([210, 20, 30], i * 3);
    const jpeg = await sharp(rgb, { raw: { width: scan.width, height: scan.height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
    const decision = await buildMrc(jpeg, 300);
    expect(decision.use).toBe(false);
    expect(!decision.use && decision.reason).toMatch(/clearly unlike the scan/);
    expect(decision.measures?.wrongShare).toBeGreaterThan(MAX_WRONG_SHARE);
    const pdf = Buffer.from(await pdfOf(passthroughJpeg(jpeg, scan.width, scan.height, 300)));
    expect(pdf.indexOf(jpeg)).toBeGreaterThan(0);
  });

  it('reports what it measured on a page it layers: little photo, next to nothing shown wrongly', async () => {
    const scan = await renderScan({ kind: 'table', dpi: 300, seed: 6, shading: 200 });
    const decision = await buildMrc(await scannerJpeg(scan, false), 300);
    expect(decision.use).toBe(true);
    expect(decision.measures?.wrongShare).toBeLessThan(MAX_WRONG_SHARE);
    expect(decision.measures?.photoShare).toBe(0);
  });
});
