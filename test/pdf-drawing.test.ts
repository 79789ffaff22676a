/**
 * Scanner JPEGs straightened by how the PDF draws them: the bytes go in untouched and the page's
 * content stream turns them. Checked on what poppler renders: the page is straight (our own skew
 * detector on the rendering), upright, A4, and the scanner's dark border is hidden. Text pages that
 * become 1-bit are thresholded unturned and drawn turned the same way.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { openSource } from '../main/imaging/decode.js';
import { measureSkew } from '../main/imaging/deskew.js';
import { detectOrientation } from '../main/imaging/orientation.js';
import { renderPageView } from '../main/imaging/page-view.js';
import { cleanPage, type CleanOptions } from '../main/imaging/pipeline.js';
import { assemblePdf } from '../main/pdf/assemble.js';
import { drawingFromRecord, drawTurnedImage } from '../main/pdf/page-drawing.js';
import { renderPageRaw } from './fixtures/pages.js';
import { renderPdfPageGrey } from './fixtures/render-pdf.js';
import { renderScan } from './fixtures/scan-faults.js';

const grey: CleanOptions = { colourMode: 'grey', jpegQuality: 75, minSkewDegrees: 0.1, maxSkewDegrees: 15 };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-drawing-'));
const meta = { documentId: 'd1', title: 'Gedreht', createdAt: new Date('2026-01-02T03:04:05Z'), stationId: 's1', sourceSha256: [], producer: 'test' };
const RENDER_DPI = 100;
// The 150-dpi page (1240 × 1754 px) rendered at 100 dpi: poppler rounds 826.7 × 1169.3 up.
const A4_AT_RENDER = [827, 1170];

async function clean(name: string, jpeg: Buffer, options: CleanOptions = grey) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, jpeg);
  const source = await openSource(file);
  try {
    return await cleanPage(await source.readPage(0), options);
  } finally {
    await source.close();
  }
}

/** A 150-dpi grey letter, content turned counter-clockwise by `angle` and then by quarter turns clockwise. */
async function letterJpeg(angle: number, quarters = 0, seed = 3): Promise<Buffer> {
  const page = await renderPageRaw({ kind: 'letter', dpi: 150, angle, seed });
  return sharp(page.data, { raw: { width: page.width, height: page.height, channels: 1 } })
    .rotate(90 * quarters)
    .withDensity(150)
    .toColourspace('b-w')
    .jpeg({ quality: 85 })
    .toBuffer();
}

async function rendered(cleaned: Awaited<ReturnType<typeof clean>>) {
  const pdf = await assemblePdf([cleaned.encoded], meta);
  return { pdf, image: await renderPdfPageGrey(pdf, 1, RENDER_DPI) };
}

describe('a turned scanner JPEG kept byte for byte', () => {
  it.each([4.2, -9.5])('is drawn straight at %s°: bytes untouched, poppler shows a straight A4 page', async (angle) => {
    const jpeg = await letterJpeg(angle);
    const cleaned = await clean(`schief-${angle}.jpg`, jpeg);
    expect(cleaned.passthrough).toBe(true);
    expect(cleaned.encoded.data.equals(jpeg)).toBe(true);
    expect(cleaned.rotatedDegrees).toBeCloseTo(angle, 1);
    expect(cleaned.encoded.drawing?.turnDegrees).toBe(cleaned.rotatedDegrees);
    expect(cleaned.record.drawing).toEqual(cleaned.encoded.drawing);

    const { pdf, image } = await rendered(cleaned);
    expect(Buffer.from(pdf).includes(jpeg)).toBe(true);
    // A4 at 100 dpi.
    expect([image.width, image.height]).toEqual(A4_AT_RENDER);
    const skew = measureSkew(image, RENDER_DPI);
    expect(skew.reliable).toBe(true);
    expect(Math.abs(skew.angleDegrees)).toBeLessThan(0.1);
    // The corners the turned image leaves open are white paper, not black.
    for (const [x, y] of [[2, 2], [image.width - 3, 2], [2, image.height - 3], [image.width - 3, image.height - 3]]) {
      expect(image.data[y * image.width + x]).toBe(255);
    }
  });

  it('turns a sideways, skewed page upright by the same drawing, the page box portrait', async () => {
    // Content turned a quarter clockwise: three more clockwise quarters make it upright.
    const jpeg = await letterJpeg(-6, 1, 7);
    const cleaned = await clean('quer.jpg', jpeg);
    expect(cleaned.passthrough).toBe(true);
    expect(cleaned.turnQuarters).toBe(3);
    expect(cleaned.encoded.drawing!.turnDegrees).toBeCloseTo(270 - 6, 1);
    expect([cleaned.encoded.drawing!.pageWidth, cleaned.encoded.drawing!.pageHeight]).toEqual([1240, 1754]);

    const { image } = await rendered(cleaned);
    expect([image.width, image.height]).toEqual(A4_AT_RENDER);
    const skew = measureSkew(image, RENDER_DPI);
    expect(Math.abs(skew.angleDegrees)).toBeLessThan(0.1);
    const orientation = detectOrientation(image, RENDER_DPI);
    expect(orientation.reliable).toBe(true);
    expect(orientation.turnQuarters).toBe(0);
  });

  it('hides a dark scanner border by clipping to the paper, and turns pixels instead when asked to', async () => {
    const scan = await renderScan({ dpi: 150, bands: { left: 6, top: 4 }, bandLevel: 30, seed: 4 });
    const jpeg = await sharp(scan.rgb, { raw: { width: scan.width, height: scan.height, channels: 3 } }).withDensity(150).jpeg({ quality: 90 }).toBuffer();
    const cleaned = await clean('rand.jpg', jpeg);
    expect(cleaned.passthrough).toBe(true);
    const paper = cleaned.encoded.drawing!.paper!;
    expect(paper.left).toBeGreaterThan(0);
    expect(paper.left).toBeLessThanOrEqual(scan.content.left);
    const { image } = await rendered(cleaned);
    expect(image.data[3 * image.width + 3]).toBe(255);

    // The other way: pixels turned and re-encoded, no drawing.
    const resampled = await clean('rand-pixel.jpg', jpeg, { ...grey, turnInPdf: false });
    expect(resampled.passthrough).toBe(false);
    expect(resampled.encoded.drawing).toBeUndefined();
  });
});

describe('a turned text page that becomes 1-bit', () => {
  it('is thresholded unturned and drawn straight: poppler shows a straight, upright A4 page', async () => {
    const cleaned = await clean('text-quer.jpg', await letterJpeg(3.5, 2, 11), { ...grey, colourMode: 'auto' });
    expect(cleaned.colourMode).toBe('bw');
    expect(cleaned.encoded.format).toBe('g4tiff');
    expect(cleaned.passthrough).toBe(false);
    expect(cleaned.encoded.drawing?.turnDegrees).toBeCloseTo(180 + 3.5, 1);
    const { image } = await rendered(cleaned);
    expect([image.width, image.height]).toEqual(A4_AT_RENDER);
    expect(Math.abs(measureSkew(image, RENDER_DPI).angleDegrees)).toBeLessThan(0.1);
    const orientation = detectOrientation(image, RENDER_DPI);
    expect([orientation.reliable, orientation.turnQuarters]).toEqual([true, 0]);
  });
});

describe('renderPageView: the page as its PDF shows it, for previews', () => {
  it.each([
    ['a grey JPEG kept as scanned', 'grey' as const, 5.5, 0],
    ['a 1-bit page drawn upside down and skewed', 'auto' as const, -3, 2],
  ])('%s: straight, upright, page-sized', async (_name, colourMode, angle, quarters) => {
    const cleaned = await clean(`vorschau-${colourMode}.jpg`, await letterJpeg(angle, quarters, 13), { ...grey, colourMode });
    expect(cleaned.encoded.drawing).toBeDefined();
    const png = await renderPageView(cleaned.encoded.data, cleaned.encoded.drawing, { width: 827, format: 'png' });
    const { data, info } = await sharp(png).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual(A4_AT_RENDER);
    const image = { data, width: info.width, height: info.height };
    expect(Math.abs(measureSkew(image, RENDER_DPI).angleDegrees)).toBeLessThan(0.1);
    const orientation = detectOrientation(image, RENDER_DPI);
    expect([orientation.reliable, orientation.turnQuarters]).toEqual([true, 0]);
  });
});

describe('page drawings from the processing record', () => {
  it('reads a drawing back, none when absent, and refuses a malformed one', () => {
    const drawing = { turnDegrees: 2.5, pageWidth: 100, pageHeight: 140, paper: { left: 1, top: 2, width: 90, height: 130 } };
    expect(drawingFromRecord(JSON.stringify({ drawing }))).toEqual(drawing);
    expect(drawingFromRecord(JSON.stringify({ orientation: {} }))).toBeUndefined();
    expect(drawingFromRecord(null)).toBeUndefined();
    expect(() => drawingFromRecord(JSON.stringify({ drawing: { ...drawing, pageWidth: -1 } }))).toThrow(/pageWidth/);
    expect(drawingFromRecord(JSON.stringify({ drawing: { ...drawing, turnDegrees: -360, paper: null } }))).toEqual({ ...drawing, turnDegrees: -360, paper: null });
    const refused: [unknown, RegExp][] = [
      [{ ...drawing, pageHeight: 1.5 }, /pageHeight: expected an integer/],
      [{ ...drawing, turnDegrees: 361 }, /turnDegrees: must be between -360 and 360/],
      [{ ...drawing, turnDegrees: '2' }, /turnDegrees: expected a finite number/],
      [{ ...drawing, paper: undefined }, /paper: expected a box or null/],
      [{ ...drawing, paper: { ...drawing.paper, width: 0 } }, /paper\.width: must be at least 1/],
      [{ ...drawing, paper: { ...drawing.paper, left: -1, depth: 2 } }, /paper\.left: must be at least 0; paper\.depth: not a field/],
      [{ ...drawing, scale: 2 }, /scale: not a field of a drawing/],
      [[drawing], /expected an object/],
    ];
    for (const [bad, problem] of refused) expect(() => drawingFromRecord(JSON.stringify({ drawing: bad }))).toThrow(problem);
    // The writer checks a drawing handed to it directly too.
    expect(() => drawTurnedImage({ ...drawing, pageWidth: 0 }, { width: 100, height: 140, dpi: 100 })).toThrow(/malformed: pageWidth/);
  });

  it('refuses a paper box outside the image', () => {
    const drawing = { turnDegrees: 1, pageWidth: 100, pageHeight: 100, paper: { left: 50, top: 0, width: 60, height: 10 } };
    expect(() => drawTurnedImage(drawing, { width: 100, height: 100, dpi: 100 })).toThrow(/outside/);
  });
});
