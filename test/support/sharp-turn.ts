import sharp from 'sharp';
import type { GreyImage } from '../../main/imaging/types.js';

/** The pipeline's turnGrey before turn-grey.ts: sharp's rotate on white, cut to the copy's size about the middle. */
export async function sharpTurn(image: GreyImage, degrees: number): Promise<GreyImage> {
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } })
    .rotate(degrees, { background: '#ffffff' })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const left = Math.max(0, Math.floor((info.width - image.width) / 2));
  const top = Math.max(0, Math.floor((info.height - image.height) / 2));
  const out = new Uint8Array(image.width * image.height);
  for (let y = 0; y < image.height; y++) out.set(data.subarray((top + y) * info.width + left, (top + y) * info.width + left + image.width), y * image.width);
  return { data: out, width: image.width, height: image.height };
}
