/**
 * Decides per page whether it goes into the PDF as black-and-white (1-bit G4), grey or colour,
 * from the small analysis copy (about 100 dpi). Colour only for real colour (stamps, highlighter,
 * colour photos: chroma of 3×3 means, so not the colour fringes a scanner leaves along black text);
 * grey only for continuous tone (photos: areas of smooth mid-tones whose tone varies); everything
 * else, text on white or on flat form shading included, is black-and-white, because the adaptive
 * binarizer keeps that text and a 300 dpi grey JPEG of a text page is ten times the bytes.
 */

import { greyAndChroma, type PageAnalysis } from './analyse.js';

export interface ColourDecision {
  mode: 'colour' | 'grey' | 'bw';
  /** Share of the analysed area with clustered clear colour, 0..1. */
  colourShare: number;
  /** Share of the analysed area covered by photo-like continuous tone, 0..1. */
  photoShare: number;
  /** Share covered by flat mid-tone shading (form fields), 0..1; binarized away in 'bw'. */
  shadedShare: number;
  /** Photo areas found, in the analysed image's pixels (for a later text + photo split of the page). */
  photoBoxes: Array<{ left: number; top: number; width: number; height: number }>;
  /** A short English reason for the audit trail. */
  reason: string;
}

export interface ColourModeOptions {
  /** Resolution of the copy; by default inferred as if the page were A4. */
  dpi?: number;
  /** Analyse only this area (the paper box from findPaperBox), so a scanner border is not content. */
  box?: { left: number; top: number; width: number; height: number };
  /**
   * The same image's analyseRgb, when the caller has it: its grey is the luminance used here, its
   * paper level that of the whole image, and an image with no pixel of clear chroma has no
   * coloured window, so the colour search is skipped (most scans: grey pages in RGB files).
   */
  analysis?: Pick<PageAnalysis, 'grey' | 'maxChroma' | 'paperLevel'>;
}

/** Chroma (max − min of the channels' 3×3 means) above which a pixel is clearly coloured; scanner noise stays far below. */
const CHROMA_THRESHOLD = 40;
/** Above this clustered colour share a page keeps its colour: a small stamp is about 0.5 %. */
export const COLOUR_PAGE_SHARE = 0.002;
/** Above this photo share a page stays grey: a passport photo is about 2.5 % of A4. */
export const PHOTO_PAGE_SHARE = 0.01;
/** Tone blocks of about 2 mm: smaller than a passport photo by far, larger than a glyph's stroke. */
const BLOCK_MM = 2;
/** A pixel is "flat" when it differs from its right and lower neighbours by at most this. */
const FLAT_TOLERANCE = 16;
/** A block is continuous tone when at least this share of its pixels are flat mid-tones. */
const TONE_BLOCK_SHARE = 0.5;
/** A tone area is a photo when its tones spread over at least this many levels (p10..p90); flat shading does not. */
const PHOTO_TONE_SPREAD = 24;
/** Tone areas smaller than this (mm²) are logos or bold glyph clusters, not photos. */
const MIN_PHOTO_AREA_MM2 = 150;
/** A tone strip along the image edge thinner than this (mm) is a shadow or a border, not a photo. */
const EDGE_STRIP_MM = 15;

export function decideColourMode(
  rgb: { data: Uint8Array; width: number; height: number; channels: number },
  options: ColourModeOptions = {},
): ColourDecision {
  const { data, width, height, channels } = rgb;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 8 || height < 8) {
    throw new RangeError(`decideColourMode: the image must be at least 8×8 pixels, got ${width}×${height}`);
  }
  if (![1, 2, 3, 4].includes(channels)) throw new RangeError(`decideColourMode: channels must be 1, 2, 3 or 4, got ${channels}`);
  if (!(data instanceof Uint8Array) || data.length !== width * height * channels) {
    throw new RangeError(`decideColourMode: expected ${width * height * channels} bytes for ${width}×${height}×${channels}, got ${data?.length ?? 'none'}`);
  }
  const pixelsPerMm = options.dpi ? options.dpi / 25.4 : Math.max(width, height) / 297;
  const box = clampBox(options.box ?? { left: 0, top: 0, width, height }, width, height);

  const known = options.analysis && options.analysis.grey.width === width && options.analysis.grey.height === height ? options.analysis : undefined;
  const { grey, coloured } = split(data, width, height, channels, known);
  const colourShare = coloured ? clusteredColourShare(coloured, width, box) : 0;
  const wholeImage = box.left === 0 && box.top === 0 && box.right === width && box.bottom === height;
  const tone = findTone(grey, width, height, box, pixelsPerMm, wholeImage ? known?.paperLevel : undefined);

  const percent = (share: number) => `${(share * 100).toFixed(2)} %`;
  let mode: ColourDecision['mode'];
  let reason: string;
  if (colourShare >= COLOUR_PAGE_SHARE) {
    mode = 'colour';
    reason = `colour on ${percent(colourShare)} of the page (stamp, highlighter or photo)`;
  } else if (tone.photoShare >= PHOTO_PAGE_SHARE) {
    mode = 'grey';
    reason = `continuous tone (photo) on ${percent(tone.photoShare)} of the page`;
  } else {
    mode = 'bw';
    reason =
      tone.shadedShare > 0.01
        ? `text and line art; flat shading on ${percent(tone.shadedShare)} of the page is binarized away`
        : 'text and line art';
  }
  return { mode, colourShare, photoShare: tone.photoShare, shadedShare: tone.shadedShare, photoBoxes: tone.photoBoxes, reason };
}

function clampBox(box: NonNullable<ColourModeOptions['box']>, width: number, height: number) {
  const left = Math.max(0, Math.min(width - 1, Math.floor(box.left)));
  const top = Math.max(0, Math.min(height - 1, Math.floor(box.top)));
  const right = Math.max(left + 1, Math.min(width, Math.ceil(box.left + box.width)));
  const bottom = Math.max(top + 1, Math.min(height, Math.ceil(box.top + box.height)));
  return { left, top, right, bottom };
}

type Area = ReturnType<typeof clampBox>;

/**
 * Luminance, and a clear-colour flag per pixel judged on the 3×3 mean of each channel. A scanner
 * whose colour sensors are out of register by a pixel paints red on one side of every black
 * stroke and cyan on the other; the channel sums over a window are the same whatever the shift,
 * so the fringes cancel out, while a stamp's stroke, a highlighter band or a photo keeps its colour.
 */
function split(
  data: Uint8Array,
  width: number,
  height: number,
  channels: number,
  known?: Pick<PageAnalysis, 'grey' | 'maxChroma'>,
): { grey: Uint8Array; coloured: Uint8Array | undefined } {
  const n = width * height;
  // A 3×3 mean's chroma is at most the mean of its pixels' chroma, so no window is coloured
  // when no pixel is: then nothing is counted (undefined: no coloured pixel anywhere).
  if (known && (channels < 3 || known.maxChroma <= CHROMA_THRESHOLD)) return { grey: known.grey.data, coloured: undefined };
  const grey = known ? known.grey.data : new Uint8Array(n);
  const coloured = new Uint8Array(n);
  if (channels < 3) {
    for (let i = 0, p = 0; i < n; i++, p += channels) grey[i] = data[p];
    return { grey, coloured };
  }
  // Only windows holding a pixel of clear chroma can be coloured: on a grey page in an RGB file
  // (most scans) there are none or a few, and the window sums are needed only around those.
  const limitPixel = CHROMA_THRESHOLD;
  const hot: number[] = [];
  const maxHot = n >> 6;
  if (known) {
    for (let i = 0, p = 0; i < n && hot.length <= maxHot; i++, p += channels) {
      if (chromaAt(data, p) > limitPixel) hot.push(i);
    }
  } else {
    for (let i = 0, p = 0; i < n; i++, p += channels) {
      if (greyAndChroma(data, p, grey, i) > limitPixel && hot.length <= maxHot) hot.push(i);
    }
  }
  if (hot.length <= maxHot) {
    markAroundHot(data, width, height, channels, hot, coloured);
    return { grey, coloured };
  }
  // Horizontal 3-sums per channel, then vertical 3-sums of those: the 3×3 window's sum (×9).
  const horizontal = [new Uint16Array(n), new Uint16Array(n), new Uint16Array(n)];
  for (let c = 0; c < 3; c++) {
    const h = horizontal[c];
    for (let y = 0; y < height; y++) {
      const row = y * width;
      for (let x = 1; x < width - 1; x++) {
        const p = (row + x) * channels + c;
        h[row + x] = data[p - channels] + data[p] + data[p + channels];
      }
    }
  }
  const limit = CHROMA_THRESHOLD * 9;
  const [hr, hg, hb] = horizontal;
  for (let y = 1; y < height - 1; y++) {
    const row = y * width;
    for (let x = 1; x < width - 1; x++) {
      const i = row + x;
      const r = hr[i - width] + hr[i] + hr[i + width];
      const g = hg[i - width] + hg[i] + hg[i + width];
      const b = hb[i - width] + hb[i] + hb[i + width];
      const max = r > g ? (r > b ? r : b) : g > b ? g : b;
      const min = r < g ? (r < b ? r : b) : g < b ? g : b;
      coloured[i] = max - min > limit ? 1 : 0;
    }
  }
  return { grey, coloured };
}

/** The chroma (max − min channel) of the RGB pixel at `p`. */
function chromaAt(pixels: Uint8Array, p: number): number {
  const r = pixels[p];
  const g = pixels[p + 1];
  const b = pixels[p + 2];
  return (r > g ? (r > b ? r : b) : g > b ? g : b) - (r < g ? (r < b ? r : b) : g < b ? g : b);
}

/** The coloured flags of every window that holds one of the `hot` pixels, each window summed once. */
function markAroundHot(data: Uint8Array, width: number, height: number, channels: number, hot: number[], coloured: Uint8Array): void {
  const limit = CHROMA_THRESHOLD * 9;
  const done = new Set<number>();
  for (const h of hot) {
    const hy = (h / width) | 0;
    const hx = h - hy * width;
    for (let y = Math.max(1, hy - 1); y <= Math.min(height - 2, hy + 1); y++) {
      for (let x = Math.max(1, hx - 1); x <= Math.min(width - 2, hx + 1); x++) {
        const i = y * width + x;
        if (done.has(i)) continue;
        done.add(i);
        let r = 0;
        let g = 0;
        let b = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const p = (i + dy * width + dx) * channels;
            r += data[p];
            g += data[p + 1];
            b += data[p + 2];
          }
        }
        const max = r > g ? (r > b ? r : b) : g > b ? g : b;
        const min = r < g ? (r < b ? r : b) : g < b ? g : b;
        coloured[i] = max - min > limit ? 1 : 0;
      }
    }
  }
}

/** Share of the area that is clearly coloured, counting only 2×2 clusters (lone pixels are noise). */
function clusteredColourShare(coloured: Uint8Array, width: number, area: Area): number {
  let count = 0;
  for (let y = area.top; y < area.bottom - 1; y++) {
    const row = y * width;
    for (let x = area.left; x < area.right - 1; x++) {
      const i = row + x;
      if (coloured[i] && coloured[i + 1] && coloured[i + width] && coloured[i + width + 1]) count++;
    }
  }
  return count / ((area.right - area.left) * (area.bottom - area.top));
}

interface ToneResult {
  photoShare: number;
  shadedShare: number;
  photoBoxes: ColourDecision['photoBoxes'];
}

/**
 * Continuous tone: blocks mostly made of flat mid-tone pixels (text at 100 dpi is mid-tone too,
 * but every such pixel sits on a steep edge). Connected tone blocks form areas; an area whose
 * tone varies is a photo, one with a single tone is shading. Each block's tone is the mean of its
 * flat pixels only, so text printed on shading does not make the shading look varied.
 */
function findTone(grey: Uint8Array, width: number, height: number, area: Area, pixelsPerMm: number, knownPaper?: number): ToneResult {
  const paper = knownPaper ?? paperLevel(grey, width, area);
  const midHigh = paper - 30;
  const midLow = 40;
  const block = Math.max(4, Math.round(BLOCK_MM * pixelsPerMm));
  const cols = Math.floor((area.right - area.left) / block);
  const rows = Math.floor((area.bottom - area.top) / block);
  const empty = { photoShare: 0, shadedShare: 0, photoBoxes: [] };
  if (cols < 1 || rows < 1 || midHigh <= midLow) return empty;

  const toneLevel = new Float32Array(cols * rows).fill(-1);
  const needed = block * block * TONE_BLOCK_SHARE;
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      let flat = 0;
      let sum = 0;
      const x0 = area.left + bx * block;
      const y0 = area.top + by * block;
      for (let y = y0; y < y0 + block; y++) {
        // Rows left too few to make it a tone block (most blocks: paper or text): its level is not needed.
        if (flat + (y0 + block - y) * block < needed) break;
        const row = y * width;
        for (let x = x0; x < x0 + block; x++) {
          const i = row + x;
          const v = grey[i];
          if (v < midLow || v > midHigh) continue;
          // Neighbours beyond the last row or column compare with the pixel itself.
          const right = x + 1 < width ? grey[i + 1] : v;
          const below = y + 1 < height ? grey[i + width] : v;
          if (Math.abs(v - right) <= FLAT_TOLERANCE && Math.abs(v - below) <= FLAT_TOLERANCE) {
            flat++;
            sum += v;
          }
        }
      }
      if (flat >= needed) toneLevel[by * cols + bx] = sum / flat;
    }
  }

  const blockMm2 = (block / pixelsPerMm) ** 2;
  const label = new Int32Array(cols * rows).fill(-1);
  const stack: number[] = [];
  let photoBlocks = 0;
  let shadedBlocks = 0;
  const photoBoxes: ColourDecision['photoBoxes'] = [];
  for (let start = 0; start < toneLevel.length; start++) {
    if (toneLevel[start] < 0 || label[start] >= 0) continue;
    const members: number[] = [];
    label[start] = start;
    stack.push(start);
    let minX = cols;
    let minY = rows;
    let maxX = -1;
    let maxY = -1;
    while (stack.length > 0) {
      const b = stack.pop()!;
      members.push(b);
      const bx = b % cols;
      const by = (b / cols) | 0;
      if (bx < minX) minX = bx;
      if (bx > maxX) maxX = bx;
      if (by < minY) minY = by;
      if (by > maxY) maxY = by;
      for (const n of [bx > 0 ? b - 1 : -1, bx < cols - 1 ? b + 1 : -1, by > 0 ? b - cols : -1, by < rows - 1 ? b + cols : -1]) {
        if (n >= 0 && toneLevel[n] >= 0 && label[n] < 0) {
          label[n] = start;
          stack.push(n);
        }
      }
    }
    const levels = members.map((b) => toneLevel[b]).sort((a, b) => a - b);
    const spread = levels[Math.floor(levels.length * 0.9)] - levels[Math.floor(levels.length * 0.1)];
    const thinMm = Math.min(maxX - minX + 1, maxY - minY + 1) * (block / pixelsPerMm);
    const touchesEdge = minX === 0 || minY === 0 || maxX === cols - 1 || maxY === rows - 1;
    const isPhoto =
      members.length * blockMm2 >= MIN_PHOTO_AREA_MM2 && spread >= PHOTO_TONE_SPREAD && !(touchesEdge && thinMm < EDGE_STRIP_MM);
    if (isPhoto) {
      photoBlocks += members.length;
      photoBoxes.push({
        left: area.left + minX * block,
        top: area.top + minY * block,
        width: (maxX - minX + 1) * block,
        height: (maxY - minY + 1) * block,
      });
    } else {
      shadedBlocks += members.length;
    }
  }
  const total = cols * rows;
  return { photoShare: photoBlocks / total, shadedShare: shadedBlocks / total, photoBoxes };
}

/** The paper's brightness inside the area: the 90th percentile of its grey levels. */
function paperLevel(grey: Uint8Array, width: number, area: Area): number {
  const histogram = new Uint32Array(256);
  let total = 0;
  for (let y = area.top; y < area.bottom; y++) {
    const row = y * width;
    for (let x = area.left; x < area.right; x++) histogram[grey[row + x]]++;
    total += area.right - area.left;
  }
  let seen = 0;
  for (let level = 0; level < 256; level++) {
    seen += histogram[level];
    if (seen >= total * 0.9) return Math.max(level, 64);
  }
  return 255;
}
