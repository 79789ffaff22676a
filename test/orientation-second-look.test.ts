import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { openSource } from '../main/imaging/decode.js';
import { cleanPage } from '../main/imaging/pipeline.js';
import { textBox } from '../main/imaging/orientation-second-look.js';
import { hardPageFile, orientationAsPipeline, sparsePageFile, sparsePageName, sparsePagePlan, turnedAnalysisCopy, type FullPage } from './fixtures/orientation-pages.js';

const QUARTERS = [0, 1, 2, 3] as const;
const needed = (contentQuarters: number) => (4 - contentQuarters) % 4;

/** The full page turned by k clockwise quarter turns, grey, as the second look gets it. */
async function turnedFull(file: Buffer, k: number): Promise<FullPage> {
  const meta = await sharp(file).metadata();
  const { data, info } = await sharp(file).greyscale().rotate(90 * k).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }, dpi: meta.density ?? 300 };
}

/** The first look alone, and with the second look, for each quarter turn of the page. */
async function bothLooks(file: Buffer, dpi: number) {
  const results = [];
  for (const k of QUARTERS) {
    const copy = await turnedAnalysisCopy(file, dpi, k);
    const first = await orientationAsPipeline(copy);
    const second = await orientationAsPipeline(copy, 0.1, () => turnedFull(file, k));
    results.push({ k, first, second });
  }
  return results;
}

describe('orientation second look (text box at 200 dpi) on sparse pages the first look leaves unsure', () => {
  // Two lines of DejaVu Sans 10 pt at 300 dpi, 1-bit, skewed -2.7°: at 100 dpi the tails of its
  // letters are a few pixels and the first look flags it upright and turned 270°; at 200 dpi the
  // same lines give 15 ascender strokes to 2.
  const page = sparsePagePlan(48, 31)[24];

  it(`${sparsePageName(page)}: flagged by the first look, right after the second`, async () => {
    const results = await bothLooks(await sparsePageFile(page), page.dpi);
    for (const { k, first, second } of results) {
      expect(!first.reliable || first.turnQuarters === needed(k), `first look, turned ${90 * k}°`).toBe(true);
      expect(!second.reliable || second.turnQuarters === needed(k), `second look, turned ${90 * k}°: ${JSON.stringify(second.turnQuarters)}`).toBe(true);
    }
    const upright = results[0];
    expect(upright.first.reliable).toBe(false);
    expect(upright.second).toMatchObject({ reliable: true, turnQuarters: 0, secondLook: true });
  });

  const pages = sparsePagePlan(12, 7);
  const outcomes: Array<{ first: boolean; second: boolean }> = [];
  it.each(pages.map((p) => [sparsePageName(p), p] as const))('%s: never confidently wrong', async (_name, p) => {
    for (const { k, first, second } of await bothLooks(await sparsePageFile(p), p.dpi)) {
      expect(!second.reliable || second.turnQuarters === needed(k), `turned ${90 * k}°: got ${second.turnQuarters}`).toBe(true);
      outcomes.push({ first: first.reliable, second: second.reliable });
    }
  });

  it('tells at least as many as the first look alone', () => {
    expect(outcomes).toHaveLength(pages.length * 4);
    const told = (look: 'first' | 'second') => outcomes.filter((o) => o[look]).length;
    expect(told('second')).toBeGreaterThanOrEqual(told('first'));
  });
});

describe('orientation second look on pages whose orientation cannot be told', () => {
  it.each([
    ['an empty page with a few specks', () => hardPageFile('empty', 200, 0, 'grey', 7), 200],
    ['a full-page photo (1-bit)', () => hardPageFile('photo-full', 300, 0, 'bw', 9), 300],
    ['a full-page photo turned 9°', () => hardPageFile('photo-full', 300, -9.274, 'grey', 287), 300],
  ] as const)('%s: still flagged', async (_name, make, dpi) => {
    for (const { second } of await bothLooks(await make(), dpi)) expect(second.reliable).toBe(false);
  });
});

describe('textBox', () => {
  it('boxes the text of a sparse page, leaving the empty sheet out', async () => {
    const copy = await turnedAnalysisCopy(await sparsePageFile(sparsePagePlan(48, 31)[24]), 300, 0);
    const box = textBox(copy.image, copy.dpi);
    expect(box).toBeDefined();
    expect(box!.width * box!.height).toBeLessThan(0.05 * copy.image.width * copy.image.height);
  });

  it('finds no box on a white page', () => {
    expect(textBox({ data: new Uint8Array(200 * 300).fill(255), width: 200, height: 300 }, 100)).toBeUndefined();
  });
});

describe('cleanPage takes the second look', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-orientation-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('turns the sparse page upright (content turned 90°, 180°, 270°; turned 270°, the first look on the analysis copy is unsure)', async () => {
    const upright = await sparsePageFile(sparsePagePlan(48, 31)[24]);
    for (const k of [1, 2, 3]) {
      const turned = await sharp(upright).rotate(90 * k).threshold(160).toColourspace('b-w').withDensity(300).tiff({ compression: 'ccittfax4', bitdepth: 1, xres: 300 / 25.4, yres: 300 / 25.4 }).toBuffer();
      const file = path.join(dir, `page-${k}.tif`);
      fs.writeFileSync(file, turned);
      const source = await openSource(file);
      try {
        const cleaned = await cleanPage(await source.readPage(0), { colourMode: 'auto', jpegQuality: 75, minSkewDegrees: 0.1, maxSkewDegrees: 15 });
        expect(cleaned.record.orientation.reliable, `content turned ${90 * k}°`).toBe(true);
        expect(cleaned.turnQuarters, `content turned ${90 * k}°`).toBe(needed(k));
      } finally {
        await source.close();
      }
    }
  });
});
