/**
 * The patch-code detector on sheets drawn from the spec's dimensions: every patch type, at 200 and
 * 300 dpi, fed upright, sideways and upside down with up to 5° of skew, bars along either edge,
 * bars spread or thinned by a printer; through the real clean-up too. Text, tables, blank pages,
 * barcodes and thick bars that are no patch code give nothing.
 */
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { a4Pixels, renderPageFile, rng } from './fixtures/pages.js';
import { patchBarsSvg, renderBarcodePage, renderPatchSheet, scanUpright } from './fixtures/barcode-pages.js';
import { openSource } from '../main/imaging/decode.js';
import { cleanPage } from '../main/imaging/pipeline.js';
import { detectPageMarks } from '../main/mailroom/codes/page-marks.js';
import { loadPageImage } from '../main/mailroom/codes/page-image.js';
import { detectPatchCode, detectPatchCodes } from '../main/mailroom/codes/patch-code.js';
import { PATCH_PATTERNS, patchBars, patchTypeOf, patchTypes, type PatchType } from '../main/mailroom/codes/patch-spec.js';
import { useTempDir } from './support/temp-dir.js';

const temp = useTempDir('patch-code-');

async function detect(file: Buffer) {
  const page = await loadPageImage(file);
  return detectPatchCode(page.small, page.smallDpi);
}

describe('patch-code spec', () => {
  it('has six distinct codes of 2 wide and 2 narrow bars, 0.8 in across', () => {
    expect(new Set(Object.values(PATCH_PATTERNS)).size).toBe(6);
    for (const type of patchTypes) {
      const bars = patchBars(type);
      const last = bars[bars.length - 1];
      expect(last.offset + last.width).toBeCloseTo(0.8, 6);
      expect(bars.filter((b) => b.width === 0.2)).toHaveLength(2);
      expect(patchTypeOf(PATCH_PATTERNS[type])).toBe(type);
    }
    // Patch T read from the wrong edge is Patch III: why the detector reads from the nearer edge.
    expect(patchTypeOf([...PATCH_PATTERNS.T].reverse().join(''))).toBe('III');
  });
});

describe('patch-code detector', () => {
  it('finds every type at 200 and 300 dpi, fed in all four directions with up to 5° skew', async () => {
    const random = rng(4711);
    const failures: string[] = [];
    for (const type of patchTypes) {
      for (const dpi of [200, 300]) {
        for (const turnQuarters of [0, 1, 2, 3] as const) {
          // Two of the four feeds per type and resolution keep the test short; all combinations over the types.
          if ((patchTypes.indexOf(type) + turnQuarters + dpi / 100) % 2 === 1) continue;
          const skew = Math.round((random() * 10 - 5) * 10) / 10;
          const sheet = await renderPatchSheet({ type, dpi, turnQuarters, skew, insetInches: 0.3 + random() * 0.9, lengthInches: 2 + random() * 3, caption: `Patch ${type}` });
          const found = await detect(sheet.file);
          const label = `Patch ${type} ${dpi} dpi ${turnQuarters * 90}°+${skew}°`;
          if (!found) {
            failures.push(`${label}: not found`);
            continue;
          }
          if (found.type !== type) failures.push(`${label}: read as ${found.type}`);
          if (found.orientation !== turnQuarters * 90) failures.push(`${label}: orientation ${found.orientation}`);
          // The box (small-image pixels) holds the bars' centre.
          const scale = sheet.width / (await loadPageImage(sheet.file)).small.width;
          const { x, y, width, height } = found.box;
          const cx = sheet.codeCentre.x / scale;
          const cy = sheet.codeCentre.y / scale;
          if (cx < x - 3 || cx > x + width + 3 || cy < y - 3 || cy > y + height + 3) failures.push(`${label}: box ${JSON.stringify(found.box)} misses the bars at ${cx.toFixed(0)},${cy.toFixed(0)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('reads bars along the bottom edge from the bottom up (a sheet printed for either feed)', async () => {
    for (const turnQuarters of [0, 2] as const) {
      const sheet = await renderPatchSheet({ type: 'T', dpi: 200, edge: 'bottom', turnQuarters, skew: 2 });
      const found = await detect(sheet.file);
      expect(found?.type).toBe('T');
      expect(found?.orientation).toBe(turnQuarters === 0 ? 180 : 0);
    }
  });

  it('tolerates bars spread or thinned by printing (±0.01 in, the spec tolerance, and more)', async () => {
    for (const barScale of [0.85, 1.15]) {
      for (const type of ['T', 'II'] as const) {
        const sheet = await renderPatchSheet({ type, dpi: 200, barScale, skew: -3 });
        expect((await detect(sheet.file))?.type, `Patch ${type} at ${barScale}`).toBe(type);
      }
    }
  });

  it('finds nothing on text, table, blank and barcode pages', async () => {
    for (const [index, kind] of (['letter', 'dense', 'table', 'columns', 'sparse'] as const).entries()) {
      const file = await renderPageFile({ kind, dpi: index % 2 ? 300 : 200, seed: 3, angle: index - 2 }, index % 2 ? 'jpeg' : 'tiff-g4');
      expect(await detect(file), kind).toBeNull();
    }
    const { width, height } = a4Pixels(200);
    const blank = await scanUpright(Buffer.alloc(width * height, 255), width, height, { dpi: 200, skew: 1 });
    expect(await detect(blank.file)).toBeNull();
    // A Code 128 turned sideways has horizontal bars too, but far thinner and many more.
    for (const turnQuarters of [1, 3] as const) {
      const code = await renderBarcodePage({ code: 'code128', text: 'KDNR:123A456789', dpi: 300, moduleMm: 0.5, heightMm: 25, turnQuarters, atMm: { x: 20, y: 20 } });
      expect(await detect(code.file)).toBeNull();
    }
  });

  it('rejects thick bars that are no patch code: four wide, three bars, a short run', async () => {
    const dpi = 200;
    const { width, height } = a4Pixels(dpi);
    const rect = (y: number, h: number, length = 2.5) => `<rect x="${(width - length * dpi) / 2}" y="${y * dpi}" width="${length * dpi}" height="${h * dpi}" fill="#000"/>`;
    const bodies = {
      'four wide bars': [0, 0.28, 0.56, 0.84].map((y) => rect(0.5 + y, 0.2)).join(''),
      'three bars': [rect(0.5, 0.08), rect(0.66, 0.2), rect(0.94, 0.08)].join(''),
      'a 0.6 in patch T': patchBarsSvg('T', dpi, width, height, { insetInches: 0.5, lengthInches: 0.6 }),
      'a letterhead rule': rect(0.5, 0.12, 6),
    };
    for (const [name, body] of Object.entries(bodies)) {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${body}</svg>`;
      const upright = await sharp(Buffer.from(svg), { density: 72 }).extractChannel(0).raw().toBuffer();
      const scanned = await scanUpright(upright, width, height, { dpi, skew: 1.5 });
      expect(await detect(scanned.file), name).toBeNull();
    }
  });

  it('finds both patches of a sheet with bars at the top and bottom', async () => {
    const dpi = 300;
    const { width, height } = a4Pixels(dpi);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${patchBarsSvg('T', dpi, width, height, { edge: 'top' })}${patchBarsSvg('T', dpi, width, height, { edge: 'bottom' })}</svg>`;
    const upright = await sharp(Buffer.from(svg), { density: 72 }).extractChannel(0).raw().toBuffer();
    const scanned = await scanUpright(upright, width, height, { dpi, turnQuarters: 2, skew: -4 });
    const page = await loadPageImage(scanned.file);
    const found = detectPatchCodes(page.small, page.smallDpi);
    expect(found.map((f) => f.type)).toEqual(['T', 'T']);
    expect(found.map((f) => f.orientation).sort()).toEqual([0, 180]);
  });

  it('makes a Patch T sheet a separator through the real clean-up, and other patches not', async () => {
    const cases: { type: PatchType; dpi: number; turnQuarters: 0 | 2; skew: number }[] = [
      { type: 'T', dpi: 200, turnQuarters: 2, skew: 3 },
      { type: 'T', dpi: 300, turnQuarters: 0, skew: -4.5 },
      { type: 'III', dpi: 200, turnQuarters: 0, skew: 1 },
    ];
    for (const [index, spec] of cases.entries()) {
      const sheet = await renderPatchSheet({ ...spec, caption: 'Patch-Code Trennblatt' });
      const file = await temp.write(`patch-${index}.jpg`, sheet.file);
      const source = await openSource(file);
      try {
        const cleaned = await cleanPage(await source.readPage(0), { colourMode: 'bw', jpegQuality: 80, minSkewDegrees: 0.1, maxSkewDegrees: 15 });
        const marks = await detectPageMarks(cleaned.encoded.data, { dpi: cleaned.encoded.dpi });
        expect(marks.patchCode?.type, `Patch ${spec.type} after clean-up`).toBe(spec.type);
        expect(marks.separator).toBe(spec.type === 'T' ? 'patch-t' : null);
        expect(marks.barcodes).toEqual([]);
      } finally {
        await source.close();
      }
    }
  });
});
