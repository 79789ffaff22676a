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
});
