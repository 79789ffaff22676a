import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { analyseRgb, inkShare, paperLevel } from '../main/imaging/analyse.js';
import { analysisReference as reference } from './support/analysis-reference.js';

/**
 * A grey scan of printed paper: paper near 240 with a few levels of grain (never pure white), lines
 * of dark print, and where `colourEvery` is set, a tinted or coloured pixel now and then (so the
 * groups of four pixels mix neutral and tinted ones at every position).
 */
function scannedPaper(width: number, height: number, seed: number, colourEvery = 0): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const print = y % 12 < 3 && x % 40 < 30 && x > width * 0.1 && x < width * 0.9;
      const level = print ? 20 + (next() & 31) : 236 + (next() % 9);
      data.fill(level, i * 3, i * 3 + 3);
      if (colourEvery && next() % colourEvery === 0) {
        const r = next();
        data[i * 3 + (r % 3)] = Math.min(255, level + (r > 128 ? 8 : 90)) - (r > 128 ? 0 : 60);
      }
    }
  }
  return data;
}

function expectSameAsReference(data: Uint8Array, width: number, height: number, channels: number, label: string): void {
  const got = analyseRgb(data, width, height, channels);
  const want = reference(data, width, height, channels);
  expect(Buffer.from(got.grey.data).equals(Buffer.from(want.grey)), `${label} grey`).toBe(true);
  expect([got.colourShare, got.tintedShare, got.maxChroma, got.paperLevel, got.inkShare], label).toEqual([want.colourShare, want.tintedShare, want.maxChroma, want.paperLevel, want.inkShare]);
  expect(got.paperLevel, label).toBe(paperLevel(got.grey));
  expect(got.inkShare, label).toBe(inkShare(got.grey));
  // The same grey off word boundaries, where the ink count goes byte by byte.
  const unaligned = new Uint8Array(got.grey.data.length + 1).subarray(1);
  unaligned.set(got.grey.data);
  expect(inkShare({ data: unaligned, width, height }, got.paperLevel), `${label} unaligned`).toBe(want.inkShare);
}

describe('analyseRgb on scanned (not pure white) paper', () => {
  it('gives the per-pixel definitions on neutral textured paper, with tinted pixels among the neutral ones', () => {
    const cases: Array<[number, number, number]> = [
      [827, 60, 0], // a grey scan stored as RGB: every pixel neutral
      [827, 60, 7], // tinted pixels at every position of a group of four
      [101, 37, 3], // rows off word boundaries, a tail of pixels after the last group
      [103, 41, 0],
    ];
    cases.forEach(([width, height, colourEvery], i) => {
      expectSameAsReference(scannedPaper(width, height, i + 11, colourEvery), width, height, 3, `case ${i}`);
    });
  });

  it('gives the per-pixel definitions on a grey page that went through a colour JPEG', async () => {
    const [width, height] = [413, 200];
    const drawn = scannedPaper(width, height, 5);
    const { data, info } = await sharp(drawn, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 85, chromaSubsampling: '4:2:0' })
      .toBuffer()
      .then((jpeg) => sharp(jpeg).raw().toBuffer({ resolveWithObject: true }));
    expect(info.channels).toBe(3);
    // Word-aligned, as the clean-up's decoded buffers are.
    const aligned = new Uint8Array(data.length);
    aligned.set(data);
    expectSameAsReference(aligned, info.width, info.height, 3, 'jpeg');
    const grey = analyseRgb(aligned, info.width, info.height, 3).grey;
    expectSameAsReference(new Uint8Array(grey.data), info.width, info.height, 1, 'jpeg as one channel');
  });
});
