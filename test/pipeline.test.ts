/**
 * The whole page clean-up on generated scans with known faults: orientation, skew, borders,
 * colour mode and size, checked on what comes out.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { openSource } from '../main/imaging/decode.js';
import { analyseRgb } from '../main/imaging/analyse.js';
import { binarizeAdaptive } from '../main/imaging/binarize.js';
import { cleanPage, luminance, type CleanOptions } from '../main/imaging/pipeline.js';
import { renderPageFile, renderPageRaw } from './fixtures/pages.js';
import { renderScan, type ScanSpec } from './fixtures/scan-faults.js';

const options: CleanOptions = { colourMode: 'auto', jpegQuality: 75, minSkewDegrees: 0.1, maxSkewDegrees: 15 };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-pipeline-'));

async function cleanFile(name: string, data: Buffer) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  const source = await openSource(file);
  try {
    return await cleanPage(await source.readPage(0), options);
  } finally {
    await source.close();
  }
}

async function scanJpeg(spec: ScanSpec): Promise<Buffer> {
  const scan = await renderScan({ dpi: 200, ...spec });
  return sharp(scan.rgb, { raw: { width: scan.width, height: scan.height, channels: 3 } }).withDensity(scan.dpi).jpeg({ quality: 90 }).toBuffer();
}

async function turnedPage(angle: number, quarterTurnsOfContent: number): Promise<Buffer> {
  const page = await renderPageRaw({ kind: 'letter', dpi: 200, angle, seed: 5 });
  return sharp(page.data, { raw: { width: page.width, height: page.height, channels: 1 } })
    .rotate(90 * quarterTurnsOfContent)
    .withDensity(200)
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function decodeOutput(encoded: { data: Buffer; format: string }): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(encoded.data).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** The upright page the PDF shows: the drawing's page when the image is drawn turned. */
function pageSize(encoded: { width: number; height: number; drawing?: { pageWidth: number; pageHeight: number } }): number[] {
  return encoded.drawing ? [encoded.drawing.pageWidth, encoded.drawing.pageHeight] : [encoded.width, encoded.height];
}

describe('page clean-up', () => {
  it('turns an upside-down, skewed text page upright and straight, as a small 1-bit page', async () => {
    const cleaned = await cleanFile('kopfueber.jpg', await turnedPage(2.5, 2));
    expect(cleaned.turnQuarters).toBe(2);
    expect(cleaned.record.orientation.reliable).toBe(true);
    expect(cleaned.rotatedDegrees).toBeCloseTo(2.5, 1);
    expect(cleaned.colourMode).toBe('bw');
    expect(cleaned.encoded.format).toBe('g4tiff');
    expect(pageSize(cleaned.encoded)).toEqual([1654, 2339]);
    expect(cleaned.encoded.data.length).toBeLessThan(60_000);
  });

  it.each([
    [0, 1, 3],
    [8, 1, 3],
    [-6, 3, 1],
    [11, 2, 2],
  ])('turns a page skewed by %s° and turned %s quarter(s) clockwise back to upright portrait', async (angle, quarters, expected) => {
    // Content turned 90° clockwise needs three clockwise quarter turns to be upright.
    const cleaned = await cleanFile(`quer-${angle}-${quarters}.jpg`, await turnedPage(angle, quarters));
    expect(cleaned.turnQuarters).toBe(expected);
    expect(cleaned.record.orientation.reliable).toBe(true);
    expect(cleaned.rotatedDegrees).toBeCloseTo(angle, 1);
    expect(pageSize(cleaned.encoded)).toEqual([1654, 2339]);
    // The turn is the PDF's: the image keeps the scan's own size (portrait content on a landscape scan).
    expect(cleaned.encoded.drawing?.turnDegrees).toBeCloseTo(expected * 90 + angle, 1);
  });

  it('keeps colour where there is real colour, and grey for a photo', async () => {
    const stamped = await cleanFile('stempel.jpg', await scanJpeg({ stamp: 'red', seed: 2 }));
    expect(stamped.colourMode).toBe('colour');
    expect(stamped.encoded.format).toBe('jpeg');
    const photo = await cleanFile('foto.jpg', await scanJpeg({ photo: 'grey', seed: 3 }));
    expect(photo.colourMode).toBe('grey');
    expect(photo.record.colourDecision.reason).toMatch(/photo|tone/i);
  });

  it('whitens a dark scanner border without cutting into the page', async () => {
    const spec: ScanSpec = { bands: { left: 6, top: 4 }, bandLevel: 30, seed: 4 };
    const scan = await renderScan({ dpi: 200, ...spec });
    const cleaned = await cleanFile('rand.jpg', await scanJpeg(spec));
    const border = cleaned.record.border!;
    expect(border).not.toBeNull();
    // The paper box lies around all the content.
    expect(border.left).toBeLessThanOrEqual(scan.content.left);
    expect(border.top).toBeLessThanOrEqual(scan.content.top);
    expect(border.left + border.width).toBeGreaterThanOrEqual(scan.content.right);
    // The band is gone from the output: the top-left corner is white.
    const out = await decodeOutput(cleaned.encoded);
    expect(out.data[5 * out.width + 5]).toBe(255);
  });

  it('keeps a straight 1-bit scan pixel for pixel (nothing to threshold)', async () => {
    const tiff = await renderPageFile({ kind: 'letter', dpi: 150, seed: 8 }, 'tiff-g4');
    const cleaned = await cleanFile('fax.tif', tiff);
    expect([cleaned.colourMode, cleaned.encoded.format, cleaned.rotatedDegrees]).toEqual(['bw', 'g4tiff', 0]);
    expect(cleaned.record.threshold).toBeUndefined();
    const scan = await decodeOutput({ data: tiff, format: 'g4tiff' });
    const out = await decodeOutput(cleaned.encoded);
    expect([out.width, out.height]).toEqual([scan.width, scan.height]);
    let differing = 0;
    for (let i = 0; i < scan.data.length; i++) if ((scan.data[i] < 128) !== (out.data[i] < 128)) differing++;
    expect(differing).toBe(0);
  });

  it('thresholds a grey page written as a colour JPEG exactly as its weighted-sum grey', async () => {
    // Scanners often write grey pages as three-channel JPEGs (R = G = B): the clean-up then reads
    // one channel instead of three, and the 1-bit page must not change by a pixel.
    const page = await renderPageRaw({ kind: 'dense', dpi: 200, angle: 1.5, seed: 7 });
    const jpeg = await sharp(page.data, { raw: { width: page.width, height: page.height, channels: 1 } }).toColourspace('srgb').withDensity(200).jpeg({ quality: 85 }).toBuffer();
    expect((await sharp(jpeg).metadata()).channels).toBe(3);
    const cleaned = await cleanFile('grau-als-farbe.jpg', jpeg);
    expect(cleaned.colourMode).toBe('bw');
    const rgb = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    const grey = luminance({ data: rgb.data, width: rgb.info.width, height: rgb.info.height, channels: 3 });
    const expected = binarizeAdaptive({ data: grey.data, width: grey.width, height: grey.height }, 200);
    const out = await decodeOutput(cleaned.encoded);
    let differing = 0;
    for (let i = 0; i < expected.length; i++) if (out.data[i] !== expected[i]) differing++;
    expect(differing).toBe(0);
  });

  it('computes the weighted-sum grey a word at a time exactly as pixel by pixel', () => {
    for (const [width, height] of [[101, 7], [64, 3], [1, 1]]) {
      const data = Buffer.alloc(width * height * 3, 255);
      let seed = width;
      // Half the pixels random, half white: both the white shortcut and the sums are exercised.
      for (let i = 0; i < data.length; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        if ((i / 3) % 2 < 1) data[i] = seed & 255;
      }
      const grey = luminance({ data, width, height, channels: 3 });
      const expected = Array.from({ length: width * height }, (_, i) => (data[i * 3] * 77 + data[i * 3 + 1] * 150 + data[i * 3 + 2] * 29) >> 8);
      expect(grey.channels).toBe(1);
      expect(Array.from(grey.data)).toEqual(expected);
    }
  });

  it('analyses white paper a word at a time with the same grey and shares as pixel by pixel', () => {
    const width = 203;
    const height = 61;
    const data = Buffer.alloc(width * height * 3, 255);
    let seed = 3;
    // Blocks of ink, tint and colour on white paper, so white quads and mixed quads both occur.
    for (let p = 0; p < width * height; p++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      if (((p / 9) | 0) % 3 !== 0) continue;
      data[p * 3] = seed & 255;
      data[p * 3 + 1] = (seed >> 8) & 255;
      data[p * 3 + 2] = (seed >> 16) & 255;
    }
    const analysis = analyseRgb(data, width, height, 3);
    let coloured = 0;
    let tinted = 0;
    for (let p = 0; p < width * height; p++) {
      const [r, g, b] = [data[p * 3], data[p * 3 + 1], data[p * 3 + 2]];
      expect(analysis.grey.data[p]).toBe((r * 77 + g * 150 + b * 29) >> 8);
      const chroma = Math.max(r, g, b) - Math.min(r, g, b);
      if (chroma > 48) coloured++;
      if (chroma > 12) tinted++;
    }
    expect(coloured).toBeGreaterThan(100);
    expect(analysis.colourShare).toBe(coloured / (width * height));
    expect(analysis.tintedShare).toBe(tinted / (width * height));
  });

  it('keeps faint pencil text in black-and-white', async () => {
    const scan = await renderScan({ dpi: 200, ink: 187, seed: 6 });
    const cleaned = await cleanFile('bleistift.jpg', await scanJpeg({ ink: 187, seed: 6 }));
    expect(cleaned.colourMode).toBe('bw');
    const out = await decodeOutput(cleaned.encoded);
    let truth = 0;
    let kept = 0;
    for (let i = 0; i < scan.inkTruth.length; i++) {
      if (scan.inkTruth[i]) {
        truth++;
        if (out.data[i] < 128) kept++;
      }
    }
    expect(truth).toBeGreaterThan(10_000);
    expect(kept / truth).toBeGreaterThan(0.8);
  });
});
