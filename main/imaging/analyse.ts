/**
 * Page analysis on the small copy used for deskew: grey levels, colourfulness and ink coverage,
 * computed in one pass over the pixels.
 */
import { takeBuffer } from './spare-buffers.js';
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
  /** The largest chroma (max − min channel) of any pixel; 0 for a grey image. */
  maxChroma: number;
  /** The grey's paper level (paperLevel), taken from the same pass. */
  paperLevel: number;
  /** Share of pixels that are ink after ignoring the outer margin and isolated specks, 0..1. */
  inkShare: number;
}

/** Chroma above which a pixel counts as coloured (on 0..255 channels; scanner noise stays below). */
const CHROMA_THRESHOLD = 48;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Chroma up to which a pixel counts as neutral grey: JPEG's colour noise on grey paper stays below it. */
export const NEUTRAL_CHROMA = 12;
/** Pixels darker than this fraction of the paper's brightness count as ink. */
const INK_FRACTION = 0.72;
/** Margin ignored for blank detection: punch holes, shadows and the paper edge live there. */
const BLANK_MARGIN = 0.06;
/** The paper is this percentile of the grey levels (borders and ink are darker). */
const PAPER_PERCENTILE = 0.9;

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

/**
 * Grey levels, colourfulness, paper level and ink coverage in one pass over the pixels. The grey
 * buffer is scratch the clean-up hands back at the end of the page (spare-buffers.ts).
 */
export function analyseRgb(data: Buffer | Uint8Array, width: number, height: number, channels: number): PageAnalysis {
  // Every pixel is written below.
  const grey = takeBuffer(width * height);
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.length);
  const histogram = new Uint32Array(256);
  let coloured = 0;
  let tinted = 0;
  let maxChroma = 0;
  // One loop per layout: a branch on the channel count inside the pixel loop costs a third of it.
  if (channels === 1) {
    grey.set(pixels.subarray(0, grey.length));
    countLevels(grey, histogram);
  } else if (channels < 3) {
    for (let i = 0, p = 0; i < grey.length; i++, p += channels) grey[i] = pixels[p];
    countLevels(grey, histogram);
  } else {
    let i = 0;
    // White pixels are counted apart: one histogram bucket bumped pixel after pixel is a chain of
    // dependent memory updates, the slowest part of the loop on a page of white paper.
    let white = 0;
    if (channels === 3 && LITTLE_ENDIAN && pixels.byteOffset % 4 === 0 && grey.byteOffset % 4 === 0) {
      // Most of a page is white paper: four white pixels (three words of 255s) are one test.
      const quads = grey.length >>> 2;
      const words = new Uint32Array(pixels.buffer, pixels.byteOffset, quads * 3);
      const greyWords = new Uint32Array(grey.buffer, grey.byteOffset, quads);
      grey.fill(255, 0, quads * 4);
      for (let q = 0, j = 0; q < quads; q++, j += 3) {
        const w0 = words[j];
        const w1 = words[j + 1];
        const w2 = words[j + 2];
        if ((w0 & w1 & w2) === -1) {
          white += 4;
          continue;
        }
        // Four neutral pixels (red = green = blue, as a grey scan stored as a colour JPEG decodes:
        // scanned paper, never pure white, and its print) are their own grey, (v·256) >> 8 = v,
        // with chroma 0: one word of grey, four counts, nothing for the colour shares. The bytes
        // are v0 v0 v0 v1 | v1 v1 v2 v2 | v2 v3 v3 v3.
        const v0 = w0 & 255;
        const v1 = w0 >>> 24;
        const v2 = w1 >>> 24;
        const v3 = w2 >>> 24;
        const e0 = (v0 * 0x10101) | (v1 << 24);
        const e1 = (v1 * 0x101) | (v2 << 16) | (v2 << 24);
        const e2 = v2 | ((v3 * 0x10101) << 8);
        if (((w0 ^ e0) | (w1 ^ e1) | (w2 ^ e2)) === 0) {
          greyWords[q] = v0 | (v1 << 8) | (v2 << 16) | (v3 << 24);
          histogram[v0]++;
          histogram[v1]++;
          histogram[v2]++;
          histogram[v3]++;
          continue;
        }
        for (let k = 4 * q, p = 12 * q; k < 4 * q + 4; k++, p += 3) {
          const chroma = greyAndChroma(pixels, p, grey, k);
          histogram[grey[k]]++;
          if (chroma > maxChroma) maxChroma = chroma;
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
      histogram[grey[i]]++;
      if (chroma > maxChroma) maxChroma = chroma;
      if (chroma > NEUTRAL_CHROMA) {
        tinted++;
        if (chroma > CHROMA_THRESHOLD) coloured++;
      }
    }
    histogram[255] += white;
  }
  const image = { data: grey, width, height };
  const paper = paperLevelOf(histogram, grey.length);
  return { grey: image, colourShare: coloured / grey.length, tintedShare: tinted / grey.length, maxChroma, paperLevel: paper, inkShare: inkShare(image, paper) };
}

/** Adds each pixel's level to the histogram, a word of four white pixels at a time where it can. */
function countLevels(grey: Uint8Array, histogram: Uint32Array): void {
  let i = 0;
  let white = 0;
  if (LITTLE_ENDIAN && grey.byteOffset % 4 === 0) {
    const words = new Uint32Array(grey.buffer, grey.byteOffset, grey.length >>> 2);
    for (let w = 0; w < words.length; w++) {
      const word = words[w];
      if (word === 0xffffffff) {
        white += 4;
        continue;
      }
      histogram[word & 255]++;
      histogram[(word >>> 8) & 255]++;
      histogram[(word >>> 16) & 255]++;
      histogram[word >>> 24]++;
    }
    i = words.length * 4;
  }
  for (; i < grey.length; i++) histogram[grey[i]]++;
  histogram[255] += white;
}

/** The paper's brightness: a high percentile of the grey histogram, robust to dark borders. */
export function paperLevel(image: GreyImage): number {
  const histogram = new Uint32Array(256);
  countLevels(image.data, histogram);
  return paperLevelOf(histogram, image.data.length);
}

function paperLevelOf(histogram: Uint32Array, count: number): number {
  let seen = 0;
  const target = count * PAPER_PERCENTILE;
  for (let level = 0; level < 256; level++) {
    seen += histogram[level];
    if (seen >= target) return Math.max(level, 64);
  }
  return 255;
}

/** Ink coverage inside the margins, counting a dark pixel only when a neighbour is dark too (specks are noise). */
export function inkShare(image: GreyImage, paper: number = paperLevel(image)): number {
  const { data, width, height } = image;
  // Whole levels: v < t and v < ceil(t) agree for every whole v, and whole compares are cheaper.
  const threshold = Math.ceil(paper * INK_FRACTION);
  const x0 = Math.floor(width * BLANK_MARGIN);
  const x1 = Math.ceil(width * (1 - BLANK_MARGIN));
  const y0 = Math.floor(height * BLANK_MARGIN);
  const y1 = Math.ceil(height * (1 - BLANK_MARGIN));
  let ink = 0;
  // Paper is skipped a word of four pixels at a time: only a pixel below the threshold counts, and
  // scanned paper (near 240, never pure white) is far above it. Per 16-bit lane 0x100 + pixel −
  // threshold keeps bit 8 exactly when the pixel is at or above the threshold (no borrow crosses
  // lanes: the threshold is at most 184).
  const words = LITTLE_ENDIAN && data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, data.length >>> 2) : undefined;
  const bound = threshold * 0x10001;
  const view = words ? new DataView(data.buffer, data.byteOffset, data.length) : undefined;
  for (let y = y0; y < y1; y++) {
    let i = y * width + x0;
    const end = y * width + x1;
    if (words) {
      for (; i < end && i % 4 !== 0; i++) {
        if (data[i] < threshold && (data[i + 1] < threshold || data[i + width] < threshold)) ink++;
      }
      for (const wordsEnd = end >>> 2; i >>> 2 < wordsEnd; i += 4) {
        const w = words[i >>> 2];
        // Bits 8 and 24 (one a 16-bit lane, even pixels and odd ones) set where the pixel is paper.
        const evenHere = (((w & 0xff00ff) | 0x1000100) - bound) & 0x1000100;
        const oddHere = ((((w >>> 8) & 0xff00ff) | 0x1000100) - bound) & 0x1000100;
        if ((evenHere & oddHere) === 0x1000100) continue;
        // The same for the pixels one to the right and one below (unaligned reads), then the
        // dark pixels with a dark neighbour counted lane by lane, without a branch a pixel.
        const right = view!.getUint32(i + 1, true);
        const below = view!.getUint32(i + width, true);
        const evenNext = ((((right & 0xff00ff) | 0x1000100) - bound) & (((below & 0xff00ff) | 0x1000100) - bound)) & 0x1000100;
        const oddNext = (((((right >>> 8) & 0xff00ff) | 0x1000100) - bound) & ((((below >>> 8) & 0xff00ff) | 0x1000100) - bound)) & 0x1000100;
        const even = ~(evenHere | evenNext) & 0x1000100;
        const odd = ~(oddHere | oddNext) & 0x1000100;
        ink += ((even >>> 8) & 1) + (even >>> 24) + ((odd >>> 8) & 1) + (odd >>> 24);
      }
    }
    for (; i < end; i++) {
      if (data[i] < threshold && (data[i + 1] < threshold || data[i + width] < threshold)) ink++;
    }
  }
  return ink / Math.max(1, (x1 - x0) * (y1 - y0));
}

/** Below this ink share a page is blank (a duplex back, an empty sheet). About a short word's worth. */
export const BLANK_INK_SHARE = 0.0008;
/** Above this colour share a page keeps its colour. */
export const COLOUR_SHARE = 0.002;
