/** Turns a small grey analysis image by clockwise quarter turns (exact, no resampling). */
import type { GreyImage } from './types.js';

export function rotateGreyQuarters(image: GreyImage, quarters: 0 | 1 | 2 | 3): GreyImage {
  const { data, width, height } = image;
  if (quarters === 0) return image;
  const out = new Uint8Array(width * height);
  if (quarters === 2) {
    for (let i = 0, j = out.length - 1; i < out.length; i++, j--) out[j] = data[i];
    return { data: out, width, height };
  }
  // Clockwise: source (x, y) lands at (height - 1 - y, x); counter-clockwise at (y, width - 1 - x).
  const outWidth = height;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const target = quarters === 1 ? x * outWidth + (height - 1 - y) : (width - 1 - x) * outWidth + y;
      out[target] = data[row + x];
    }
  }
  return { data: out, width: height, height: width };
}
