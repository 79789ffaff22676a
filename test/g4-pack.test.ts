import { describe, expect, it } from 'vitest';
import { packBytes } from '../main/imaging/g4.js';
import { rng } from './fixtures/pages.js';

/** packBytes' rule one pixel at a time: below the threshold is black, bit 31 − x mod 32 of word x / 32. */
function plainPack(data: Uint8Array, width: number, height: number, threshold: number, channels = 1) {
  const stride = (width + 31) >>> 5;
  const words = new Uint32Array(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if (data[(y * width + x) * channels] < threshold) words[y * stride + (x >>> 5)] |= 0x80000000 >>> (x & 31);
  }
  return { words, width, height, stride };
}

describe('packBytes', () => {
  it('packs as the plain rule at every threshold: grey bytes, white words, rows ending inside a word', () => {
    const random = rng(3);
    // Widths a multiple of 4 take the four-bytes-at-a-time path, the others the byte path; the rows
    // end on a word edge, a quad or two past one, and a quad short of one.
    for (const [width, height] of [[64, 9], [68, 7], [100, 5], [124, 3], [36, 4], [4, 6], [37, 5], [1, 3]]) {
      const data = new Uint8Array(width * height);
      for (let i = 0; i < data.length; i++) {
        // Mostly white (whole white words), grey near the threshold lanes' edges, black.
        const r = random();
        data[i] = r < 0.6 ? 255 : r < 0.7 ? 0 : Math.floor(random() * 256);
      }
      for (let threshold = 1; threshold <= 255; threshold++) {
        const packed = packBytes(data, width, height, threshold);
        const expected = plainPack(data, width, height, threshold);
        expect(packed.stride, `${width}×${height}`).toBe(expected.stride);
        expect(Buffer.from(packed.words.buffer).equals(Buffer.from(expected.words.buffer)), `${width}×${height} at ${threshold}`).toBe(true);
      }
    }
  });

  it('packs a view into a larger buffer, and thresholds outside 1–255 as the rule says', () => {
    const random = rng(4);
    const buffer = new Uint8Array(4 + 64 * 6);
    for (let i = 0; i < buffer.length; i++) buffer[i] = Math.floor(random() * 256);
    const view = buffer.subarray(4);
    for (const threshold of [0, 1, 127.5, 200, 256, 1000]) {
      expect(Buffer.from(packBytes(view, 64, 6, threshold).words.buffer).equals(Buffer.from(plainPack(view, 64, 6, threshold).words.buffer)), `threshold ${threshold}`).toBe(true);
    }
    const rgb = new Uint8Array(20 * 3 * 4);
    for (let i = 0; i < rgb.length; i++) rgb[i] = Math.floor(random() * 256);
    expect(Buffer.from(packBytes(rgb, 20, 4, 128, 3).words.buffer).equals(Buffer.from(plainPack(rgb, 20, 4, 128, 3).words.buffer))).toBe(true);
  });
});
