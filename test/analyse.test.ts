import { describe, expect, it } from 'vitest';
import { analyseRgb, inkShare, paperLevel } from '../main/imaging/analyse.js';
import { analysisReference as reference } from './support/analysis-reference.js';

/** White paper with grey ink specks, a few tinted and coloured ones, and runs of pure white. */
function page(width: number, height: number, channels: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * channels).fill(255);
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
  for (let i = 0; i < width * height; i++) {
    const r = next();
    if (r < 180) continue;
    const level = next();
    for (let c = 0; c < channels; c++) data[i * channels + c] = level;
    if (channels >= 3 && r > 250) data[i * channels] = Math.min(255, level + (r - 240) * 6);
  }
  return data;
}

describe('analyseRgb', () => {
  it('gives the grey, colour shares, largest chroma and paper level of the per-pixel definitions', () => {
    const cases: Array<[number, number, number]> = [
      [827, 40, 3], // the clean-up's 100 dpi copy of an A4 RGB page (rows of whole words)
      [101, 37, 3], // rows off word boundaries
      [64, 30, 4],
      [90, 33, 1],
      [45, 21, 2],
    ];
    cases.forEach(([width, height, channels], i) => {
      const data = page(width, height, channels, i + 3);
      const got = analyseRgb(data, width, height, channels);
      const want = reference(data, width, height, channels);
      expect(Buffer.from(got.grey.data).equals(Buffer.from(want.grey)), `case ${i} grey`).toBe(true);
      expect([got.colourShare, got.tintedShare, got.maxChroma, got.paperLevel], `case ${i}`).toEqual([want.colourShare, want.tintedShare, want.maxChroma, want.paperLevel]);
      expect(got.paperLevel).toBe(paperLevel(got.grey));
      expect(got.inkShare).toBe(inkShare(got.grey));
    });
  });

  it('finds the paper of a white page and of a page darker than the floor', () => {
    const white = analyseRgb(new Uint8Array(64 * 32 * 3).fill(255), 64, 32, 3);
    expect([white.paperLevel, white.maxChroma, white.inkShare]).toEqual([255, 0, 0]);
    expect(paperLevel({ data: new Uint8Array(64 * 32).fill(20), width: 64, height: 32 })).toBe(64);
  });

  it('counts ink by the per-pixel rule (dark, with a dark right or lower neighbour) at any paper level and row alignment', () => {
    let state = 29;
    const next = () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
    for (const [width, height] of [[827, 60], [101, 37], [64, 30]]) {
      // Paper near the levels the threshold falls between, with dark strokes and lone specks.
      const data = new Uint8Array(width * height).map(() => {
        const r = next();
        return r < 20 ? next() >> 2 : r < 60 ? 150 + (r & 63) : 230 + (r & 15);
      });
      for (const paper of [64, 200, 239, 245, 255]) {
        const threshold = Math.ceil(paper * 0.72);
        const x0 = Math.floor(width * 0.06);
        const x1 = Math.ceil(width * 0.94);
        const y0 = Math.floor(height * 0.06);
        const y1 = Math.ceil(height * 0.94);
        let ink = 0;
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) {
            const i = y * width + x;
            if (data[i] < threshold && (data[i + 1] < threshold || data[i + width] < threshold)) ink++;
          }
        }
        expect(inkShare({ data, width, height }, paper), `${width}×${height} paper ${paper}`).toBe(ink / ((x1 - x0) * (y1 - y0)));
        // The same pixels off word boundaries.
        const shifted = Buffer.alloc(data.length + 1);
        shifted.set(data, 1);
        expect(inkShare({ data: shifted.subarray(1), width, height }, paper)).toBe(ink / ((x1 - x0) * (y1 - y0)));
      }
    }
  });
});
