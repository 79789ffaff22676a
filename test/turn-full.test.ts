import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { turnPageCentred } from '../main/imaging/turn-full.js';
import type { RawImage } from '../main/imaging/types.js';

/** The pipeline's full-page turn before turn-full.ts: sharp's rotate on white, its middle cut to the upright size, back in the page's colour space. */
async function sharpTurnFull(image: RawImage, degrees: number, uprightWidth: number, uprightHeight: number): Promise<RawImage> {
  const raw = { width: image.width, height: image.height, channels: image.channels };
  const turned = await sharp(image.data, { raw }).rotate(degrees, { background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
  const { data, info } = await sharp(turned.data, { raw: { width: turned.info.width, height: turned.info.height, channels: turned.info.channels } })
    .extract({
      left: Math.max(0, Math.floor((turned.info.width - uprightWidth) / 2)),
      top: Math.max(0, Math.floor((turned.info.height - uprightHeight) / 2)),
      width: Math.min(uprightWidth, turned.info.width),
      height: Math.min(uprightHeight, turned.info.height),
    })
    .toColourspace(image.channels === 1 ? 'b-w' : 'srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels as RawImage['channels'] };
}

function differingBytes(a: Uint8Array, b: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) count++;
  return count + Math.abs(a.length - b.length);
}

function noise(width: number, height: number, channels: 1 | 3, seed: number, whiteShare = 0): RawImage {
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const data = Buffer.alloc(width * height * channels);
  // Patches of pure white among the noise, so the white shortcut meets edges of white.
  for (let i = 0; i < data.length; i++) data[i] = random() < whiteShare ? 255 : Math.floor(random() * 256);
  return { data, width, height, channels };
}

describe('turnPageCentred', () => {
  it('gives the pixels of sharp\'s rotate (bilinear, white fill) cut to the upright size, for quarter turns plus a skew, in one grey or three sRGB channels', async () => {
    for (const channels of [1, 3] as const) {
      for (const [width, height] of [[17, 16], [61, 47], [300, 41], [213, 377]]) {
        const image = noise(width, height, channels, width * 7 + height + channels, 0.5);
        for (const degrees of [0.1, -0.37, 2.5, -8, 15, 90.4, -91.2, 89.5, 180.3, 178, 271, -268.6]) {
          const sideways = Math.round(degrees / 90) % 2 !== 0;
          const [uprightWidth, uprightHeight] = sideways ? [height, width] : [width, height];
          const ours = turnPageCentred(image, degrees, uprightWidth, uprightHeight);
          const theirs = await sharpTurnFull(image, degrees, uprightWidth, uprightHeight);
          expect(ours, `${width}×${height}×${channels} at ${degrees}°`).toBeDefined();
          expect([ours!.width, ours!.height, ours!.channels]).toEqual([theirs.width, theirs.height, theirs.channels]);
          expect(differingBytes(ours!.data, theirs.data), `${width}×${height}×${channels} at ${degrees}°`).toBe(0);
        }
      }
    }
  });

  it('restarts its sums at libvips\' tile columns, as libvips does, across the crop of a page wider than a tile', async () => {
    const width = 700;
    const height = 300;
    const data = Buffer.from(new Uint8Array(width * height).map((_, i) => (i * 37) % 256));
    const image: RawImage = { data, width, height, channels: 1 };
    for (const degrees of [45, 135.5, -1.7]) {
      const sideways = Math.round(degrees / 90) % 2 !== 0;
      const [uprightWidth, uprightHeight] = sideways ? [height, width] : [width, height];
      const ours = turnPageCentred(image, degrees, uprightWidth, uprightHeight)!;
      expect(differingBytes(ours.data, (await sharpTurnFull(image, degrees, uprightWidth, uprightHeight)).data), `${degrees}°`).toBe(0);
    }
  });

  it('writes into the buffer it is handed, and declines what it does not reproduce', () => {
    const image = noise(40, 30, 1, 3);
    const out = Buffer.alloc(40 * 30, 7);
    expect(turnPageCentred(image, 3, 40, 30, out)!.data).toBe(out);
    // Two channels (grey and alpha) are sharp's to turn; so is a crop larger than the turned box.
    expect(turnPageCentred({ ...noise(40, 30, 1, 3), data: Buffer.alloc(40 * 30 * 2), channels: 2 }, 3, 40, 30)).toBeUndefined();
    expect(turnPageCentred(image, 3, 400, 30)).toBeUndefined();
  });
});
