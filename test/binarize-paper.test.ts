/**
 * The threshold on scanned paper, which is not pure white: a generated page on the process bench's
 * textured paper (test/bench/texture.ts: paper at 237–245 with grain, uneven light, show-through,
 * then JPEG) keeps its text and turns its paper white, and the 1-bit path, which skips paper that
 * lies above every threshold Sauvola can give, writes the same bits as the byte path, which skips
 * nothing.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { alwaysWhiteLevel, binarizeAdaptive, binarizeAdaptiveBits, DEFAULT_SAUVOLA_K } from '../main/imaging/binarize.js';
import type { PackedBits } from '../main/imaging/g4.js';
import { scannerPaper } from './bench/texture.js';
import { renderPageRaw } from './fixtures/pages.js';

function bitAt(bits: PackedBits, x: number, y: number): number {
  return (bits.words[y * bits.stride + (x >>> 5)] >>> (31 - (x & 31))) & 1;
}

function countDifferences(bits: PackedBits, bytes: Uint8Array): { differing: number; black: number } {
  let differing = 0;
  let black = 0;
  for (let y = 0; y < bits.height; y++) {
    for (let x = 0; x < bits.width; x++) {
      const bit = bitAt(bits, x, y);
      black += bit;
      if (bit !== (bytes[y * bits.width + x] === 0 ? 1 : 0)) differing++;
    }
  }
  return { differing, black };
}

async function jpegRoundTrip(data: Buffer, width: number, height: number): Promise<Uint8Array> {
  const jpeg = await sharp(data, { raw: { width, height, channels: 1 } }).jpeg({ quality: 85 }).toBuffer();
  const decoded = await sharp(jpeg).extractChannel(0).raw().toBuffer();
  return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.length);
}

describe('binarizeAdaptiveBits on scanned (textured) paper', () => {
  it('keeps the text, turns the paper white: no grain specks, the ink of the same page on white paper', async () => {
    // Seed 1 shows the mirrored reverse side through the paper (every third page does).
    const raw = await renderPageRaw({ kind: 'letter', dpi: 300, seed: 1, pageNumber: 1 });
    const { width, height } = raw;
    const white = binarizeAdaptiveBits({ data: await jpegRoundTrip(raw.data, width, height), width, height }, 300);
    const textured = binarizeAdaptiveBits({ data: await jpegRoundTrip(await scannerPaper(raw, { seed: 1, angle: 0 }), width, height), width, height }, 300);
    let inkWhite = 0;
    let inkTextured = 0;
    let specks = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        inkWhite += bitAt(white, x, y);
        if (!bitAt(textured, x, y)) continue;
        inkTextured++;
        // A speck: black on textured paper, more than 2 pixels from any ink of the white page.
        let near = false;
        for (let dy = -2; dy <= 2 && !near; dy++) {
          for (let dx = -2; dx <= 2 && !near; dx++) {
            const xx = x + dx;
            const yy = y + dy;
            near = xx >= 0 && yy >= 0 && xx < width && yy < height && bitAt(white, xx, yy) === 1;
          }
        }
        if (!near) specks++;
      }
    }
    expect(inkWhite).toBeGreaterThan(0.03 * width * height);
    expect(Math.abs(inkTextured / inkWhite - 1)).toBeLessThan(0.02);
    expect(specks).toBeLessThanOrEqual(20);
  });

  it('writes the same bits as the byte path on textured paper (paper groups skipped)', async () => {
    const raw = await renderPageRaw({ kind: 'dense', dpi: 300, seed: 4, pageNumber: 4, angle: 1.2 });
    const { width, height } = raw;
    const image = { data: await jpegRoundTrip(await scannerPaper(raw, { seed: 4, angle: 1.2 }), width, height), width, height };
    const { differing, black } = countDifferences(binarizeAdaptiveBits(image, 300), binarizeAdaptive(image, 300));
    expect(black).toBeGreaterThan(100_000);
    expect(differing).toBe(0);
  });

  it('never skips a pixel a threshold can reach: the same bits as the byte path where thresholds peak', () => {
    // Sauvola's threshold is highest (about 232 for k = 0.1) in a bright window with a little
    // black in it. Groups of 32×4 pixels in a checkerboard: half hold black dots on white, half
    // only white and pixels at 228–237, on both sides of alwaysWhiteLevel. Those groups are
    // skipped when all their pixels lie at or above it, and their windows reach the black dots
    // next door (a bound 4 levels too low gives hundreds of wrong pixels here).
    expect(alwaysWhiteLevel(DEFAULT_SAUVOLA_K)).toBe(233);
    const width = 1203;
    const height = 1201;
    let seed = 99;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    const data = new Uint8Array(width * height).fill(255);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const dotted = (((x >> 5) + (y >> 2)) & 1) === 0;
        const r = random();
        if (dotted && r < 0.025) data[y * width + x] = 0;
        else if (!dotted && r < 0.3) data[y * width + x] = 228 + Math.floor(random() * 10);
      }
    }
    const image = { data, width, height };
    const bytes = binarizeAdaptive(image, 300);
    const { differing } = countDifferences(binarizeAdaptiveBits(image, 300), bytes);
    expect(differing).toBe(0);
    // The page does reach the bound: some pixels just under it come out black, none at or above it.
    let blackJustUnder = 0;
    let blackAtBound = 0;
    for (let i = 0; i < data.length; i++) {
      if (bytes[i] !== 0) continue;
      if (data[i] >= 228 && data[i] < 233) blackJustUnder++;
      if (data[i] >= 233 && data[i] < 255) blackAtBound++;
    }
    expect(blackJustUnder).toBeGreaterThan(0);
    expect(blackAtBound).toBe(0);
  });
});
