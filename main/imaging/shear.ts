/**
 * Straightens lines on a small grey analysis copy by shearing, not rotating: whole columns (or
 * rows) move by whole pixels, so it is cheap, exact in what it keeps, and synchronous. Letters
 * lean a little; line positions, which is what the orientation cue reads, become level.
 */
import type { GreyImage } from './types.js';

/**
 * Lines running at `degrees` to the horizontal (the skew convention: positive = content turned
 * counter-clockwise) become horizontal: each column moves up or down about the centre. White fill.
 */
export function levelRows(image: GreyImage, degrees: number): GreyImage {
  const { data, width, height } = image;
  const out = new Uint8Array(width * height).fill(255);
  const slope = Math.tan((degrees * Math.PI) / 180);
  const cx = width / 2;
  for (let x = 0; x < width; x++) {
    const dy = Math.round((x - cx) * slope);
    const from = Math.max(0, dy);
    const to = Math.min(height, height + dy);
    for (let y = from; y < to; y++) out[y * width + x] = data[(y - dy) * width + x];
  }
  return { data: out, width, height };
}

/**
 * Lines running at `degrees` to the vertical, measured as the skew of the copy turned a quarter
 * clockwise, become vertical: each row moves left or right about the centre. White fill.
 */
export function levelColumns(image: GreyImage, degreesTurnedCopy: number): GreyImage {
  const { data, width, height } = image;
  const out = new Uint8Array(width * height).fill(255);
  const slope = -Math.tan((degreesTurnedCopy * Math.PI) / 180);
  const cy = height / 2;
  for (let y = 0; y < height; y++) {
    const dx = Math.round((y - cy) * slope);
    const row = y * width;
    const from = Math.max(0, dx);
    const to = Math.min(width, width + dx);
    out.set(data.subarray(row + from - dx, row + to - dx), row + from);
  }
  return { data: out, width, height };
}
