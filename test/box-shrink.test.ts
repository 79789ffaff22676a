import { describe, expect, it } from 'vitest';
import { boxShrink, boxShrinkKeepingGreen } from '../main/imaging/box-shrink.js';
import type { RawImage } from '../main/imaging/types.js';

/** The definition, pixel by pixel: the mean of each block rounded half up, narrower blocks at the edges. */
function reference(image: RawImage, factor: number): Uint8Array {
  const { data, width, height, channels } = image;
  const outWidth = Math.ceil(width / factor);
  const outHeight = Math.ceil(height / factor);
  const out = new Uint8Array(outWidth * outHeight * channels);
  for (let oy = 0; oy < outHeight; oy++) {
    for (let ox = 0; ox < outWidth; ox++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        let count = 0;
        for (let y = oy * factor; y < Math.min(height, (oy + 1) * factor); y++) {
          for (let x = ox * factor; x < Math.min(width, (ox + 1) * factor); x++) {
            sum += data[(y * width + x) * channels + c];
            count++;
          }
        }
        out[(oy * outWidth + ox) * channels + c] = Math.floor((sum + Math.floor(count / 2)) / count);
      }
    }
  }
  return out;
}

function noise(width: number, height: number, channels: RawImage['channels'], seed: number): RawImage {
  const data = Buffer.alloc(width * height * channels);
  let state = seed;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    // Mostly paper with dark strokes, and pure black and white, where lanes would overflow first.
    const r = state >>> 24;
    data[i] = r < 40 ? 0 : r < 80 ? 255 : r;
  }
  return { data, width, height, channels };
}

describe('boxShrink', () => {
  it('gives each block its rounded mean, edge blocks over the pixels they hold', () => {
    const cases: Array<[number, number, RawImage['channels'], number]> = [
      [2480, 31, 1, 3], // the 300 dpi path: whole groups of twelve pixels
      [2483, 32, 1, 3], // rows not on word boundaries
      [2480, 31, 3, 3], // the 300 dpi colour path: whole groups of twelve RGB pixels
      [116, 40, 3, 3], // a colour width that leaves part of a group
      [2482, 30, 3, 3], // colour rows not on word boundaries (the general path)
      [100, 35, 1, 3], // a width that leaves a group's worth of columns
      [64, 64, 1, 2],
      [61, 47, 3, 4],
      [40, 40, 4, 6],
      [33, 17, 2, 5],
      [10, 10, 1, 1],
    ];
    cases.forEach(([width, height, channels, factor], i) => {
      const image = noise(width, height, channels, i + 1);
      const shrunk = boxShrink(image, factor);
      expect([shrunk.width, shrunk.height, shrunk.channels]).toEqual([Math.ceil(width / factor), Math.ceil(height / factor), channels]);
      expect(Buffer.from(shrunk.data).equals(Buffer.from(reference(image, factor))), `case ${i}`).toBe(true);
    });
  });

  it('gives the colour fast path the reference means on mostly white paper with ink specks', () => {
    // White groups are skipped whole; a speck anywhere in a group of 12 × 3 pixels must not be.
    const image = noise(2484, 61, 3, 99);
    let state = 7;
    for (let i = 0; i < image.data.length; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      if (state >>> 24 > 3) image.data[i] = 255;
    }
    expect(Buffer.from(boxShrink(image, 3).data).equals(Buffer.from(reference(image, 3)))).toBe(true);
  });

  it('gives the grey fast path the reference means on mostly white paper with ink specks', () => {
    // Its white groups (12 × 3 pixels) are skipped too; groups with a speck in any word must not be.
    const image = noise(2484, 61, 1, 98);
    let state = 5;
    for (let i = 0; i < image.data.length; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      if (state >>> 24 > 2) image.data[i] = 255;
    }
    expect(Buffer.from(boxShrink(image, 3).data).equals(Buffer.from(reference(image, 3)))).toBe(true);
  });

  it('gives the colour fast path the reference means where its lanes are fullest and first words are white', () => {
    // Near-white paper (254 and 255: the largest sums a lane holds short of a skipped white group),
    // and groups whose first word is white and whose rest is not.
    const width = 2484;
    const height = 33;
    const image: RawImage = { data: Buffer.alloc(width * height * 3, 255), width, height, channels: 3 };
    let state = 11;
    for (let i = 0; i < image.data.length; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      const r = state >>> 24;
      if (r < 96) image.data[i] = 254;
      else if (r < 98) image.data[i] = 0;
    }
    // Whole rows of white words beside rows of near white: the white test must look at every row.
    image.data.fill(255, 0, width * 3 * 4);
    for (let x = 0; x < width * 3; x += 36) image.data.fill(255, (5 * width * 3) + x, (5 * width * 3) + x + 12);
    const { small, green } = boxShrinkKeepingGreen(image, 3);
    expect(Buffer.from(small.data).equals(Buffer.from(reference(image, 3)))).toBe(true);
    const expected = Buffer.alloc(width * height);
    for (let p = 0; p < expected.length; p++) expected[p] = image.data[p * 3 + 1];
    expect(Buffer.from(green!.data).equals(expected)).toBe(true);
  });

  it('keeps white white and black black at every factor the lanes allow', () => {
    for (const level of [0, 255]) {
      const image: RawImage = { data: Buffer.alloc(520 * 520, level), width: 520, height: 520, channels: 1 };
      for (const factor of [3, 200, 257]) expect(boxShrink(image, factor).data.every((v) => v === level)).toBe(true);
    }
  });

  it('keeps the green channel of an RGB page beside the same shrunk copy where it takes both in one pass', () => {
    const cases: Array<[number, number, number]> = [
      [2480, 31, 3], // the 300 dpi path: whole groups, one row left below the last block
      [2484, 30, 3], // a width that leaves part of a group
      [2482, 33, 3], // rows not on word boundaries (the general path: no green)
      [116, 40, 3],
      [120, 9, 3], // fewer than one group's rows below the blocks
      [61, 47, 4],
      [3, 3, 3],
    ];
    cases.forEach(([width, height, factor], i) => {
      const image = noise(width, height, 3, i + 7);
      // White bands so the fast path's white groups are taken too.
      image.data.fill(255, 0, width * 3 * Math.min(height, 6));
      const { small, green } = boxShrinkKeepingGreen(image, factor);
      expect(Buffer.from(small.data).equals(Buffer.from(reference(image, factor))), `case ${i} small`).toBe(true);
      // Only the word-wise 300-to-100 path takes the green on the way.
      expect(green !== undefined, `case ${i} green kept`).toBe(factor === 3 && width % 4 === 0);
      if (!green) return;
      const expected = Buffer.alloc(width * height);
      for (let p = 0; p < expected.length; p++) expected[p] = image.data[p * 3 + 1];
      expect([green.width, green.height, green.channels]).toEqual([width, height, 1]);
      expect(Buffer.from(green.data).equals(expected), `case ${i} green`).toBe(true);
    });
  });

  it('refuses a factor it cannot sum exactly', () => {
    const image: RawImage = { data: Buffer.alloc(16), width: 4, height: 4, channels: 1 };
    expect(() => boxShrink(image, 258)).toThrow(RangeError);
    expect(() => boxShrink(image, 1.5)).toThrow(RangeError);
  });
});
