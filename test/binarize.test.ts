import { describe, expect, it } from 'vitest';
import { binarizeAdaptive, binarizeAdaptiveBits } from '../main/imaging/binarize.js';
import { renderScan, type Scan, type ScanSpec } from './fixtures/scan-faults.js';

interface StrokeStats {
  /** Share of the true ink pixels that came out black. */
  recall: number;
  /** Black pixels in the content box divided by true ink pixels there (1 = same amount of ink). */
  inkRatio: number;
  /** Black pixels on paper at least 2 pixels from any ink, as a share of that paper. */
  speckle: number;
}

/** Pixels within 1.5 mm of the fixture's shaded field's outline: the binarizer draws that edge as a line, rightly. */
function onShadingEdge(scan: Scan, x: number, y: number): boolean {
  const mm = scan.dpi / 25.4;
  const near = (v: number, edge: number) => Math.abs(v - edge) < 1.5 * mm;
  const inX = x > 16 * mm && x < scan.width - 16 * mm;
  const inY = y > 38 * mm && y < 132 * mm;
  return (inY && (near(x, 18 * mm) || near(x, scan.width - 18 * mm))) || (inX && (near(y, 40 * mm) || near(y, 130 * mm)));
}

function strokeStats(scan: Scan, binary: Uint8Array, shaded = false): StrokeStats {
  const { width, content, inkTruth } = scan;
  let truth = 0;
  let hit = 0;
  let black = 0;
  let paper = 0;
  let falseBlack = 0;
  for (let y = content.top; y < content.bottom; y++) {
    for (let x = content.left; x < content.right; x++) {
      const i = y * width + x;
      const isBlack = binary[i] === 0;
      if (isBlack) black++;
      if (inkTruth[i]) {
        truth++;
        if (isBlack) hit++;
        continue;
      }
      let nearInk = false;
      for (let dy = -2; dy <= 2 && !nearInk; dy++) for (let dx = -2; dx <= 2 && !nearInk; dx++) nearInk = inkTruth[i + dy * width + dx] === 1;
      if (nearInk || (shaded && onShadingEdge(scan, x, y))) continue;
      paper++;
      if (isBlack) falseBlack++;
    }
  }
  return { recall: hit / truth, inkRatio: black / truth, speckle: falseBlack / paper };
}

function fixedThreshold(grey: Uint8Array, threshold: number): Uint8Array {
  return grey.map((v) => (v < threshold ? 0 : 255));
}

describe('binarizeAdaptive on generated 300 dpi scans', () => {
  it.each<[string, ScanSpec]>([
    ['black print', { ink: 17 }],
    ['pencil grey #999', { ink: 0x99, noise: 10 }],
    ['pencil grey #aaa', { ink: 0xaa, noise: 10 }],
    ['pencil grey #bbb', { ink: 0xbb, noise: 10 }],
    ['black text on light form shading', { shading: 215 }],
    ['black text on darker form shading', { shading: 180 }],
    ['dense page with sensor noise', { kind: 'dense', noise: 8 }],
  ])('%s keeps its strokes, drops the background', async (_name, spec) => {
    const scan = await renderScan({ dpi: 300, seed: 11, ...spec });
    const stats = strokeStats(scan, binarizeAdaptive({ data: scan.grey, width: scan.width, height: scan.height }, scan.dpi), spec.shading !== undefined);
    expect(stats.recall).toBeGreaterThan(0.9);
    expect(stats.inkRatio).toBeGreaterThan(0.9);
    // Black print and the shaded field's outline may grow the ink a little, never by a third.
    expect(stats.inkRatio).toBeLessThan(1.35);
    expect(stats.speckle).toBeLessThan(0.001);
  });

  it('keeps pencil grey #bbb that the fixed threshold of 160 loses entirely', async () => {
    const scan = await renderScan({ dpi: 300, seed: 12, ink: 0xbb, noise: 10 });
    const fixed = strokeStats(scan, fixedThreshold(scan.grey, 160));
    const adaptive = strokeStats(scan, binarizeAdaptive({ data: scan.grey, width: scan.width, height: scan.height }, scan.dpi));
    expect(fixed.recall).toBeLessThan(0.2);
    expect(adaptive.recall).toBeGreaterThan(0.9);
  });

  it('whitens dark form shading that the fixed threshold of 160 keeps black, and the text on it stays black', async () => {
    const scan = await renderScan({ dpi: 300, seed: 13, shading: 150, noise: 6 });
    const image = { data: scan.grey, width: scan.width, height: scan.height };
    const binary = binarizeAdaptive(image, scan.dpi);
    const fixed = fixedThreshold(scan.grey, 160);
    // The shaded field: 40..130 mm from the top, 18 mm in from either side (see the fixture).
    const mm = scan.dpi / 25.4;
    const region = { left: Math.round(25 * mm), right: Math.round(scan.width - 25 * mm), top: Math.round(45 * mm), bottom: Math.round(125 * mm) };
    let shade = 0;
    let shadeBlackAdaptive = 0;
    let shadeBlackFixed = 0;
    for (let y = region.top; y < region.bottom; y++) {
      for (let x = region.left; x < region.right; x++) {
        const i = y * scan.width + x;
        let nearInk = false;
        for (let d = -2; d <= 2 && !nearInk; d++) nearInk = scan.inkTruth[i + d] === 1 || scan.inkTruth[i + d * scan.width] === 1;
        if (nearInk) continue;
        shade++;
        if (binary[i] === 0) shadeBlackAdaptive++;
        if (fixed[i] === 0) shadeBlackFixed++;
      }
    }
    expect(shadeBlackFixed / shade).toBeGreaterThan(0.5);
    expect(shadeBlackAdaptive / shade).toBeLessThan(0.01);
    expect(strokeStats(scan, binary, true).recall).toBeGreaterThan(0.9);
  });

  it('keeps a solid black bar solid (no holes from its flat window)', () => {
    const width = 600;
    const height = 400;
    const data = new Uint8Array(width * height).fill(245);
    let seed = 1;
    for (let y = 100; y < 300; y++) {
      for (let x = 100; x < 500; x++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        data[y * width + x] = 15 + (seed % 17);
      }
    }
    const binary = binarizeAdaptive({ data, width, height }, 300);
    let holes = 0;
    for (let y = 100; y < 300; y++) for (let x = 100; x < 500; x++) if (binary[y * width + x] !== 0) holes++;
    expect(holes).toBe(0);
    expect(binary[10 * width + 10]).toBe(255);
  });

  it('returns a Buffer of one byte per pixel, only 0 and 255', () => {
    const width = 37;
    const height = 23;
    const data = new Uint8Array(width * height).map((_, i) => (i * 37) % 256);
    const binary = binarizeAdaptive({ data, width, height }, 150);
    expect(Buffer.isBuffer(binary)).toBe(true);
    expect(binary.length).toBe(width * height);
    expect(binary.every((v) => v === 0 || v === 255)).toBe(true);
  });

  it('gives the same pixels for a copy of odd width at an odd byte offset, away from the cut edge', async () => {
    const scan = await renderScan({ dpi: 300, seed: 14, ink: 0xaa, noise: 10 });
    const full = binarizeAdaptive({ data: scan.grey, width: scan.width, height: scan.height }, scan.dpi);
    // Three columns fewer, and the bytes one past a word boundary: rows no longer start on words.
    const width = scan.width - 3;
    const backing = new Uint8Array(width * scan.height + 1);
    const data = backing.subarray(1);
    for (let y = 0; y < scan.height; y++) data.set(scan.grey.subarray(y * scan.width, y * scan.width + width), y * width);
    const cut = binarizeAdaptive({ data, width, height: scan.height }, scan.dpi);
    expect(cut.length).toBe(width * scan.height);
    // Windows reach about 2 mm (24 px) plus a cell of interpolation: 40 px from the cut are untouched by it.
    let differing = 0;
    let black = 0;
    for (let y = 0; y < scan.height; y++) {
      for (let x = 0; x < width - 40; x++) {
        if (cut[y * width + x] !== full[y * scan.width + x]) differing++;
        if (cut[y * width + x] === 0) black++;
      }
    }
    expect(black).toBeGreaterThan(10_000);
    expect(differing).toBe(0);
  });

  it.each([
    ['300 dpi, odd width', 300, 3],
    ['300 dpi, width a multiple of 32', 300, 0],
    ['200 dpi (cells of 3 pixels)', 200, 1],
  ])('writes the same pixels as 1-bit rows (%s)', async (_name, dpi, trim) => {
    const scan = await renderScan({ dpi, seed: 15, ink: 0xaa, noise: 10, shading: 180 });
    // Cut the page to the width under test; the copy starts one byte past a word boundary.
    const width = trim === 0 ? scan.width - (scan.width % 32) : scan.width - trim;
    const data = new Uint8Array(width * scan.height + 1).subarray(1);
    for (let y = 0; y < scan.height; y++) data.set(scan.grey.subarray(y * scan.width, y * scan.width + width), y * width);
    const image = { data, width, height: scan.height };
    const bytes = binarizeAdaptive(image, dpi);
    const bits = binarizeAdaptiveBits(image, dpi);
    expect([bits.width, bits.height, bits.stride]).toEqual([width, scan.height, Math.ceil(width / 32)]);
    let differing = 0;
    let black = 0;
    let padding = 0;
    for (let y = 0; y < scan.height; y++) {
      for (let x = 0; x < bits.stride * 32; x++) {
        const bit = (bits.words[y * bits.stride + (x >> 5)] >>> (31 - (x & 31))) & 1;
        if (x >= width) {
          padding += bit;
          continue;
        }
        if (bit === 1) black++;
        if (bit !== (bytes[y * width + x] === 0 ? 1 : 0)) differing++;
      }
    }
    expect(black).toBeGreaterThan(10_000);
    expect(differing).toBe(0);
    // Past the page's right edge every bit is white: the G4 coder reads whole words.
    expect(padding).toBe(0);
  });

  it('gives a page the same bits whatever page came before it (tables are kept between pages)', () => {
    // Flat paper whose last column runs through the threshold's level, at a width off word
    // boundaries: its rows are copied and padded, and stale padding would shift that threshold.
    const width = 601;
    const height = 409;
    const data = new Uint8Array(width * height).fill(200);
    for (let y = 0; y < height; y++) data[y * width + width - 1] = 160 + (y % 40);
    const page = { data, width, height };
    const expected = binarizeAdaptiveBits(page, 300);
    // A larger white page in between leaves 255s wherever the kept rows are not rewritten.
    binarizeAdaptiveBits({ data: new Uint8Array(1203 * 811).fill(255), width: 1203, height: 811 }, 300);
    const again = binarizeAdaptiveBits(page, 300);
    expect(Buffer.from(again.words.buffer).equals(Buffer.from(expected.words.buffer))).toBe(true);
    expect(binarizeAdaptive(page, 300)).toEqual(binarizeAdaptive({ data: Uint8Array.from(data), width, height }, 300));
  });

  it('writes the same bits as the bytes on pure white paper with sparse marks (skipped groups, thresholds left unset)', () => {
    // Pure white, where the 1-bit compare skips groups and works out only the thresholds next to
    // ink: dots, short strokes and grey smudges on and beside the 32-pixel group and 4-pixel cell
    // boundaries, some alone in a group, at the edges and in the last, shorter cell row.
    const width = 1203;
    const height = 1502;
    let seed = 12345;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    const page = (marks: number) => {
      const data = new Uint8Array(width * height).fill(255);
      for (let n = 0; n < marks; n++) {
        const x0 = random() < 0.5 ? Math.floor(random() * 38) * 32 + Math.floor(random() * 3) - 1 : Math.floor(random() * width);
        const y0 = random() < 0.2 ? height - 1 - Math.floor(random() * 3) : Math.floor(random() * height);
        const w = 1 + Math.floor(random() * 12);
        const h = 1 + Math.floor(random() * 6);
        const level = Math.floor(random() * 255);
        for (let y = Math.max(0, y0); y < Math.min(height, y0 + h); y++) {
          for (let x = Math.max(0, x0); x < Math.min(width, x0 + w); x++) data[y * width + x] = Math.min(254, level + Math.floor(random() * 40));
        }
      }
      return { data, width, height };
    };
    // A mid-grey page first, so every kept threshold holds a value far below what a cell beside a
    // mark on white paper gets: one the compare read without working it out would show.
    const grey = new Uint8Array(width * height);
    for (let i = 0; i < grey.length; i++) grey[i] = 90 + Math.floor(random() * 120);
    binarizeAdaptiveBits({ data: grey, width, height }, 300);
    for (const marks of [300, 3_000]) {
      const image = page(marks);
      const bits = binarizeAdaptiveBits(image, 300);
      const bytes = binarizeAdaptive(image, 300);
      let differing = 0;
      let black = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const bit = (bits.words[y * bits.stride + (x >> 5)] >>> (31 - (x & 31))) & 1;
          black += bit;
          if (bit !== (bytes[y * width + x] === 0 ? 1 : 0)) differing++;
        }
      }
      expect(black).toBeGreaterThan(marks * 5);
      expect(differing).toBe(0);
    }
  });

  it('refuses bad input with a clear message', () => {
    expect(() => binarizeAdaptive({ data: new Uint8Array(10), width: 5, height: 5 }, 300)).toThrow(/25 bytes/);
    expect(() => binarizeAdaptive({ data: new Uint8Array(25), width: 5, height: 5 }, 10)).toThrow(/dpi/);
    expect(() => binarizeAdaptive({ data: new Uint8Array(25), width: 5, height: 5 }, 300, { k: 2 })).toThrow(/k must/);
  });
});
