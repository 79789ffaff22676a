import { describe, expect, it } from 'vitest';
import { findPaperBox, scaleBox, whitenOutside } from '../main/imaging/borders.js';
import { analysisCopy, renderScan, type ScanSpec } from './fixtures/scan-faults.js';


const BORDER_CASES: Array<[string, ScanSpec]> = [
  ['black lid left 8 mm + top 4 mm, punch holes', { bands: { left: 8, top: 4 }, punchHoles: true }],
  ['grey bands right 3 mm + bottom 10 mm', { bands: { right: 3, bottom: 10 }, bandLevel: 120 }],
  ['1 mm on every edge', { bands: { left: 1, top: 1, right: 1, bottom: 1 } }],
  ['black 10 mm left with a 4 mm shadow on the paper, punch holes', { bands: { left: 10 }, shadowMm: 4, punchHoles: true }],
  ['dense page, black 6 mm top and bottom', { kind: 'dense', bands: { top: 6, bottom: 6 } }],
  ['table, grey 5 mm left and right', { kind: 'table', bands: { left: 5, right: 5 }, bandLevel: 140 }],
];

describe('findPaperBox', () => {
  it.each(BORDER_CASES)('%s: finds the paper, never cuts content', async (_name, spec) => {
    const scan = await renderScan({ dpi: 200, seed: 3, ...spec });
    const small = await analysisCopy(scan, 1);
    const result = findPaperBox(small, small.dpi);
    expect(result.box).not.toBeNull();
    const full = scaleBox(result.box!, small, scan);
    // Never cuts content: the printed content's bounding box stays inside the box.
    expect(full.left).toBeLessThanOrEqual(scan.content.left);
    expect(full.top).toBeLessThanOrEqual(scan.content.top);
    expect(full.left + full.width).toBeGreaterThanOrEqual(scan.content.right);
    expect(full.top + full.height).toBeGreaterThanOrEqual(scan.content.bottom);
    // Accurate: each banded edge within 1 mm outside the paper edge, or inside it by no more than the shadow.
    const mm = scan.dpi / 25.4;
    const inside = ((spec.shadowMm ?? 0) + 1) * mm;
    const bands = spec.bands ?? {};
    const check = (banded: number | undefined, found: number, truth: number) => {
      if (!banded) return expect(found).toBeLessThanOrEqual(1 * mm);
      expect(found).toBeGreaterThanOrEqual(truth - 1 * mm);
      expect(found).toBeLessThanOrEqual(truth + inside);
    };
    check(bands.left, full.left, scan.paper.left);
    check(bands.top, full.top, scan.paper.top);
    check(bands.right, scan.width - full.left - full.width, scan.width - scan.paper.right);
    check(bands.bottom, scan.height - full.top - full.height, scan.height - scan.paper.bottom);
    expect(result.confidence).toBeGreaterThan(0.3);
  });

  it.each<[string, ScanSpec]>([
    ['a clean letter', {}],
    ['a page with a photo block', { photo: 'grey' }],
    ['a page with punch holes but no border', { punchHoles: true }],
    ['form shading', { shading: 200 }],
  ])('finds no border on %s', async (_name, spec) => {
    const scan = await renderScan({ dpi: 150, seed: 4, ...spec });
    const result = findPaperBox(await analysisCopy(scan, 1));
    expect(result.box).toBeNull();
    expect(result.bands).toEqual({ left: 0, top: 0, right: 0, bottom: 0 });
  });

  it('leaves a page that is dark to its middle alone (a full-page dark photo is no border)', () => {
    const width = 210;
    const height = 297;
    const data = new Uint8Array(width * height).fill(60);
    for (let y = 0; y < height; y++) for (let x = 150; x < width; x++) data[y * width + x] = 245;
    const result = findPaperBox({ data, width, height });
    expect(result.bands.left).toBe(0);
  });

  it('leaves a dark photo that reaches the page edge alone (it varies along the edge; a scanner bed does not)', () => {
    const width = 210;
    const height = 297;
    const data = new Uint8Array(width * height).fill(245);
    let seed = 7;
    // The bottom 30 rows: a photo's dark tones, blotchy along the row (std well above a flat bed's noise).
    for (let y = height - 30; y < height; y++) {
      for (let x = 0; x < width; x++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        data[y * width + x] = 20 + ((x >> 3) % 4) * 35 + (seed % 9);
      }
    }
    const result = findPaperBox({ data, width, height }, 25.4);
    expect(result.bands.bottom).toBe(0);
    // The same rows as one flat dark tone are a border.
    for (let y = height - 30; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = 40 + (x % 3);
    expect(findPaperBox({ data, width, height }, 25.4).bands.bottom).toBe(30);
  });

  it('refuses an image whose data does not match its size', () => {
    expect(() => findPaperBox({ data: new Uint8Array(10), width: 20, height: 20 })).toThrow(/expected 400 bytes/);
  });
});

describe('whitenOutside', () => {
  it('whitens the border of a full-resolution grey scan and nothing inside the box', async () => {
    const scan = await renderScan({ dpi: 150, seed: 5, bands: { left: 8, top: 4 }, punchHoles: true });
    const small = await analysisCopy(scan, 1);
    const box = scaleBox(findPaperBox(small, small.dpi).box!, small, scan);
    const image = { data: Buffer.from(scan.grey), width: scan.width, height: scan.height, channels: 1 as const };
    whitenOutside(image, box);
    let darkOutside = 0;
    let changedInside = 0;
    for (let y = 0; y < scan.height; y++) {
      for (let x = 0; x < scan.width; x++) {
        const i = y * scan.width + x;
        const inBox = x >= box.left && x < box.left + box.width && y >= box.top && y < box.top + box.height;
        if (!inBox && image.data[i] !== 255) darkOutside++;
        if (inBox && image.data[i] !== scan.grey[i]) changedInside++;
      }
    }
    expect(darkOutside).toBe(0);
    expect(changedInside).toBe(0);
    // The band is gone: the first columns are white now, and were dark before.
    expect(scan.grey[10 * scan.width + 2]).toBeLessThan(80);
    expect(image.data[10 * scan.width + 2]).toBe(255);
  });

  it('whitens RGB and keeps alpha opaque', () => {
    const image = { data: Buffer.alloc(4 * 4 * 4, 0), width: 4, height: 4, channels: 4 as const };
    whitenOutside(image, { left: 1, top: 1, width: 2, height: 2 });
    expect([...image.data.subarray(0, 4)]).toEqual([255, 255, 255, 255]);
    const inside = (1 * 4 + 1) * 4;
    expect([...image.data.subarray(inside, inside + 4)]).toEqual([0, 0, 0, 0]);
  });
});

describe('scaleBox', () => {
  it('rounds outwards so the full-resolution box never loses paper', () => {
    const box = scaleBox({ left: 10, top: 5, width: 80, height: 90 }, { width: 100, height: 100 }, { width: 333, height: 333 });
    expect(box.left).toBe(33);
    expect(box.top).toBe(16);
    expect(box.left + box.width).toBe(300);
    expect(box.top + box.height).toBe(317);
  });
});
