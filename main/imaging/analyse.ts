/**
 * Page analysis on the small copy used for deskew: grey levels, colourfulness and ink coverage,
 * computed in one pass over the pixels.
 */
import type { GreyImage } from './types.js';

export interface PageAnalysis {
  grey: GreyImage;
  /** Share of pixels with clear colour (stamps, photos, highlighter), 0..1. */
  colourShare: number;
  /**
   * Share of pixels with any tint at all (chroma above NEUTRAL_CHROMA), 0..1. Where it is 0 the
   * page's red, green and blue agree to a few levels, so any one of them is its grey.
   */
  tintedShare: number;
  /** Share of pixels that are ink after ignoring the outer margin and isolated specks, 0..1. */
  inkShare: number;
}

/** Chroma above which a pixel counts as coloured (on 0..255 channels; scanner noise stays below). */
const CHROMA_THRESHOLD = 48;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Chroma up to which a pixel counts as neutral grey: JPEG's colour noise on grey paper stays below it. */
const NEUTRAL_CHROMA = 12;
/** Pixels darker than this fraction of the paper's brightness count as ink. */
const INK_FRACTION = 0.72;
/** Margin ignored for blank detection: punch holes, shadows and the paper edge live there. */
const BLANK_MARGIN = 0.06;

/** Writes the luma of the RGB pixel at `p` to grey[k] and returns its chroma (max - min channel). */
export function greyAndChroma(pixels: Uint8Array, p: number, grey: Uint8Array, k: number): number {
  const r = pixels[p];
  const g = pixels[p + 1];
  const b = pixels[p + 2];
  grey[k] = (r * 77 + g * 150 + b * 29) >> 8;
  const max = r > g ? (r > b ? r : b) : g > b ? g : b;
  const min = r < g ? (r < b ? r : b) : g < b ? g : b;
  return max - min;
}

export function analyseRgb(data: Buffer | Uint8Array, width: number, height: number, channels: number): PageAnalysis {
  const grey = new Uint8Array(width * height);
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.length);
  let coloured = 0;
  let tinted = 0;
  // One loop per layout: a branch on the channel count inside the pixel loop costs a third of it.
  if (channels === 1) {
    grey.set(pixels.subarray(0, grey.length));
  } else if (channels < 3) {
    for (let i = 0, p = 0; i < grey.length; i++, p += channels) grey[i] = pixels[p];
  } else {
    let i = 0;
    if (channels === 3 && LITTLE_ENDIAN && pixels.byteOffset % 4 === 0) {
      // Most of a page is white paper: four white pixels (three words of 255s) are one test.
      const quads = grey.length >>> 2;
      const words = new Uint32Array(pixels.buffer, pixels.byteOffset, quads * 3);
      for (let q = 0, j = 0; q < quads; q++, j += 3) {
        if ((words[j] & words[j + 1] & words[j + 2]) === -1) {
          grey[4 * q] = grey[4 * q + 1] = grey[4 * q + 2] = grey[4 * q + 3] = 255;
          continue;
        }
        for (let k = 4 * q, p = 12 * q; k < 4 * q + 4; k++, p += 3) {
          const chroma = greyAndChroma(pixels, p, grey, k);
          if (chroma > NEUTRAL_CHROMA) {
            tinted++;
            if (chroma > CHROMA_THRESHOLD) coloured++;
          }
        }
      }
      i = quads * 4;
    }
    for (let p = i * channels; i < grey.length; i++, p += channels) {
      const chroma = greyAndChroma(pixels, p, grey, i);
      if (chroma > NEUTRAL_CHROMA) {
        tinted++;
        if (chroma > CHROMA_THRESHOLD) coloured++;
      }
    }
  }
  const image = { data: grey, width, height };
  return { grey: image, colourShare: coloured / grey.length, tintedShare: tinted / grey.length, inkShare: inkShare(image) };
}

/** The paper's brightness: a high percentile of the grey histogram, robust to dark borders. */
export function paperLevel(image: GreyImage): number {
  const histogram = new Uint32Array(256);
  for (let i = 0; i < image.data.length; i++) histogram[image.data[i]]++;
  let seen = 0;
  const target = image.data.length * 0.9;
  for (let level = 0; level < 256; level++) {
    seen += histogram[level];
    if (seen >= target) return Math.max(level, 64);
  }
  return 255;
}

/** Ink coverage inside the margins, counting a dark pixel only when a neighbour is dark too (specks are noise). */
export function inkShare(image: GreyImage): number {
  const { data, width, height } = image;
  const threshold = paperLevel(image) * INK_FRACTION;
  const x0 = Math.floor(width * BLANK_MARGIN);
  const x1 = Math.ceil(width * (1 - BLANK_MARGIN));
  const y0 = Math.floor(height * BLANK_MARGIN);
  const y1 = Math.ceil(height * (1 - BLANK_MARGIN));
  let ink = 0;
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    for (let x = x0; x < x1; x++) {
      const i = row + x;
      if (data[i] < threshold && (data[i + 1] < threshold || data[i + width] < threshold)) ink++;
    }
  }
  return ink / Math.max(1, (x1 - x0) * (y1 - y0));
}

/** Below this ink share a page is blank (a duplex back, an empty sheet). About a short word's worth. */
export const BLANK_INK_SHARE = 0.0008;
/** Above this colour share a page keeps its colour. */
export const COLOUR_SHARE = 0.002;
