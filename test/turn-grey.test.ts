import { describe, expect, it } from 'vitest';
import { turnGreyCentred } from '../main/imaging/turn-grey.js';
import type { GreyImage } from '../main/imaging/types.js';
import { plainPageFile, turnedAnalysisCopy } from './fixtures/orientation-pages.js';
import { sharpTurn } from './support/sharp-turn.js';


function differingPixels(a: Uint8Array, b: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) count++;
  return count;
}

describe('turnGreyCentred', () => {
  it('gives the pixels of sharp\'s rotate (bilinear, white fill) cut to the middle, on noise of odd sizes', async () => {
    let seed = 5;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (const [width, height] of [[17, 16], [61, 47], [300, 41], [213, 377]]) {
      const image: GreyImage = { data: new Uint8Array(width * height).map(() => Math.floor(random() * 256)), width, height };
      for (const degrees of [0.1, -0.37, 1.2, -2.5, 4.9, -8, 14.9, -15]) {
        const ours = turnGreyCentred(image, degrees);
        expect([ours.width, ours.height]).toEqual([width, height]);
        expect(differingPixels(ours.data, (await sharpTurn(image, degrees)).data), `${width}×${height} at ${degrees}°`).toBe(0);
      }
    }
  });

  it('gives sharp\'s pixels on white paper with sparse ink, where it skips the blend under paper only', async () => {
    let seed = 17;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (const [width, height] of [[300, 200], [413, 151]]) {
      const data = new Uint8Array(width * height).fill(255);
      // Lone specks (every pixel next to white), a few short strokes, and one row of near white.
      for (let i = 0; i < width * height * 0.002; i++) data[Math.floor(random() * width * height)] = Math.floor(random() * 200);
      for (let k = 0; k < 6; k++) {
        const y = Math.floor(random() * height);
        const x = Math.floor(random() * (width - 40));
        data.fill(20, y * width + x, y * width + x + 30);
      }
      data.fill(254, 7 * width, 8 * width);
      const image: GreyImage = { data, width, height };
      for (const degrees of [0.1, -0.37, 1.2, -2.5, 4.9, -8, 14.9, -15]) {
        expect(differingPixels(turnGreyCentred(image, degrees).data, (await sharpTurn(image, degrees)).data), `${width}×${height} at ${degrees}°`).toBe(0);
      }
    }
  });

  it('restarts its sums at libvips\' tile columns, as libvips does (a sample on a pixel edge at 45° tips a weight otherwise)', async () => {
    const width = 120;
    const height = 90;
    const image: GreyImage = { data: new Uint8Array(width * height).map((_, i) => (i * 37) % 256), width, height };
    expect(differingPixels(turnGreyCentred(image, 45).data, (await sharpTurn(image, 45)).data)).toBe(0);
  });

  it('gives the same pixels on a page\'s analysis copy, into a buffer it is handed', async () => {
    const copy = await turnedAnalysisCopy(await plainPageFile({ kind: 'letter', dpi: 300, skew: 2.2, mode: 'grey', seed: 3 }), 300, 0);
    for (const degrees of [2.2, -0.6, 7.3]) {
      const out = new Uint8Array(copy.image.width * copy.image.height).fill(7);
      const ours = turnGreyCentred(copy.image, degrees, out);
      expect(ours.data).toBe(out);
      expect(differingPixels(out, (await sharpTurn(copy.image, degrees)).data), `${degrees}°`).toBe(0);
    }
  });
});
