/**
 * Mixed raster content for grey and colour pages that are mostly text: the page becomes a 1-bit
 * text mask at full resolution (lossless JBIG2, drawn as a stencil in the ink's colour) over a
 * background JPEG at a third of the resolution (half where there are photos) in which the text is
 * filled in with the paper around it. Text keeps the scan's sharpness, as the station's
 * black-and-white pages do (the same Sauvola threshold decides what is ink); the paper, shading,
 * colour marks and photos keep their tones in the background. A 300 dpi grey letter goes from
 * several hundred KB to well under 150 KB.
 *
 * Built when the PDF is assembled, from the stored page JPEG: the page store and its schema do not
 * change, and a later turn by hand still changes only the page's drawing (both layers are drawn
 * through it). A page keeps its own JPEG when MRC would not serve it (see MrcDecision.reason).
 */
import sharp from 'sharp';
import { binarizeAdaptive } from '../imaging/binarize.js';
import { encodeJbig2Generic } from './jbig2.js';
import { readJpegInfo } from './jpeg-info.js';

const A4_INCHES = { width: 210 / 25.4, height: 297 / 25.4 };

export interface MrcPage {
  /** The background JPEG, covering `factor`·width × `factor`·height page pixels (its last row and column may overhang the page). */
  background: { jpeg: Buffer; width: number; height: number; factor: number; components: 1 | 3 };
  /** The text mask as a JBIG2 stream, ink = 1, at the page's own size. */
  mask: { jbig2: Uint8Array; width: number; height: number };
  /** The ink's colour, 0..1 per component (1 for grey, 3 for colour). */
  ink: number[];
}

export interface MrcMeasures {
  /** Share of the page in photo tiles (kept in the background at the finer resolution). */
  photoShare: number;
  /** Share of pixels (outside photos, off the text's edges) the layers show clearly wrong. */
  wrongShare: number;
  bytes: number;
}

export type MrcDecision = { use: true; page: MrcPage; measures: MrcMeasures } | { use: false; reason: string; measures?: Partial<MrcMeasures> };

/** Pages whose JPEG is within the size goal keep their bytes: no second generation of anything. */
export const MRC_GOAL_BYTES_A4 = 150 * 1024;
/** A page mostly photo is not a text page: it keeps its JPEG. */
const MAX_PHOTO_SHARE = 0.5;
/**
 * The readability check. A pixel counts as wrong when the layers show it more than half the
 * paper-to-ink distance away from the scan, other than on the edge of a stroke (where the scan's
 * pixel is a blend of both and either answer is right): a stroke the mask missed and the
 * background blurred away, a blot the mask added. Text that reads as the scan does has next to
 * none; generated letters, tables, forms with shading and photo pages measure 0.00–0.1 %; a letter in
 * red ink (colour is left to the background) measures 4.6 % and keeps its JPEG.
 */
export const MAX_WRONG_SHARE = 0.003;
/** Photo tiles: a sixth of an inch, where more than this share is mid-tone and textured. */
const PHOTO_MIDTONE_SHARE = 0.5;
const PHOTO_TEXTURE = 3;
/** Background resolution: 100 dpi behind text, 150 where a photo needs it. */
const TEXT_BACKGROUND_DPI = 100;
const PHOTO_BACKGROUND_DPI = 150;
const TEXT_BACKGROUND_QUALITY = 50;
const PHOTO_BACKGROUND_QUALITY = 70;
/** Colour pixels with more chroma than this are colour marks (stamps, highlighter), not text: background. */
const MAX_TEXT_CHROMA = 60;

/** Builds the layers of a grey or colour page JPEG, or says why the page keeps its JPEG. */
export async function buildMrc(jpeg: Buffer, dpi: number, options: { goalBytes?: number } = {}): Promise<MrcDecision> {
  if (!(dpi >= 200)) return { use: false, reason: `${Math.round(dpi)} dpi: below 200 dpi the text mask gains nothing over the scan` };
  const header = readJpegInfo(jpeg);
  // The goal scales with the page's area (an A5 page gets half an A4 page's bytes).
  const a4Share = (header.width * header.height) / (A4_INCHES.width * dpi * A4_INCHES.height * dpi);
  const goal = (options.goalBytes ?? MRC_GOAL_BYTES_A4) * Math.max(a4Share, 0.25);
  if (jpeg.length <= goal) return { use: false, reason: `the JPEG (${jpeg.length} bytes) is within the size goal (${Math.round(goal)})` };
  if (header.components === 4) return { use: false, reason: 'a CMYK JPEG: only grey and RGB pages get layers' };
  // The JPEG's own components decide grey or colour: a colour page stays colour.
  const decoded = sharp(jpeg).toColourspace(header.components === 1 ? 'b-w' : 'srgb');
  const { data, info } = await decoded.raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  if (channels !== 1 && channels !== 3) return { use: false, reason: `${channels} channels after decoding: only grey and RGB pages get layers` };
  // Behind text at 300 dpi (blocks of three), a colour page's background sums come with its grey in one pass.
  const sumsOfThrees = channels === 3 && Math.max(1, Math.round(dpi / TEXT_BACKGROUND_DPI)) === 3 ? luminanceAndSumsOfThrees(data, width, height) : undefined;
  const grey = channels === 1 ? data : (sumsOfThrees?.grey ?? luminance(data, width * height));

  const paper = paperLevel(grey);
  const photo = photoTiles(grey, width, height, Math.max(8, Math.round(dpi / 6)), paper);
  if (photo.share > MAX_PHOTO_SHARE) {
    return { use: false, reason: `${Math.round(photo.share * 100)} % of the page is photo: not a text page`, measures: { photoShare: photo.share } };
  }
  const factor = Math.max(1, Math.round(dpi / (photo.share > 0 ? PHOTO_BACKGROUND_DPI : TEXT_BACKGROUND_DPI)));
  // The threshold's bytes (0 = ink) become the mask in place: one page-sized buffer fewer.
  const mask = binarizeAdaptive({ data: grey, width, height }, dpi);
  const background = splitLayers(data, channels, mask, width, height, factor, photo, factor === 3 ? sumsOfThrees?.sums : undefined);
  const { ink: inkColour, wrongShare } = inkAndWrong(data, grey, channels, mask, background, width, height, factor, paper, photo);

  if (wrongShare > MAX_WRONG_SHARE) {
    return { use: false, reason: `the layers would show ${(wrongShare * 100).toFixed(2)} % of the page clearly unlike the scan (limit ${MAX_WRONG_SHARE * 100} %)`, measures: { photoShare: photo.share, wrongShare } };
  }
  const jbig2 = encodeJbig2Generic({ data: mask, width, height }, { dpi, ink: 'nonzero' });
  const backgroundJpeg = await sharp(background.data, { raw: { width: background.width, height: background.height, channels } })
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .jpeg({ quality: photo.share > 0 ? PHOTO_BACKGROUND_QUALITY : TEXT_BACKGROUND_QUALITY, chromaSubsampling: '4:2:0', optimiseCoding: true })
    .toBuffer();
  const bytes = jbig2.length + backgroundJpeg.length;
  const measures: MrcMeasures = { photoShare: photo.share, wrongShare, bytes };
  if (bytes >= jpeg.length) return { use: false, reason: `the layers (${bytes} bytes) are not smaller than the JPEG (${jpeg.length})`, measures };
  return {
    use: true,
    measures,
    page: {
      background: { jpeg: backgroundJpeg, width: background.width, height: background.height, factor, components: channels },
      mask: { jbig2, width, height },
      ink: inkColour.map((value) => Math.round((value / 255) * 1000) / 1000),
    },
  };
}

/**
 * luminance of a colour page, and the sums of its blocks of three by three pixels per channel (as
 * splitLayers adds them up at factor 3), in one pass over the pixels.
 */
function luminanceAndSumsOfThrees(rgb: Uint8Array, width: number, height: number): { grey: Uint8Array; sums: Uint32Array } {
  // Written whole: the thread's scratch needs no clearing.
  const grey = scratch.grey(width * height);
  const bw = Math.ceil(width / 3);
  const sums = scratch.sums(bw * Math.ceil(height / 3) * 3);
  const whole = Math.floor(width / 3);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let s = Math.floor(y / 3) * bw * 3;
    let i = row;
    let p = row * 3;
    for (let bx = 0; bx < whole; bx++, i += 3, p += 9, s += 3) {
      const r0 = rgb[p];
      const g0 = rgb[p + 1];
      const b0 = rgb[p + 2];
      const r1 = rgb[p + 3];
      const g1 = rgb[p + 4];
      const b1 = rgb[p + 5];
      const r2 = rgb[p + 6];
      const g2 = rgb[p + 7];
      const b2 = rgb[p + 8];
      grey[i] = (r0 * 77 + g0 * 150 + b0 * 29) >> 8;
      grey[i + 1] = (r1 * 77 + g1 * 150 + b1 * 29) >> 8;
      grey[i + 2] = (r2 * 77 + g2 * 150 + b2 * 29) >> 8;
      sums[s] += r0 + r1 + r2;
      sums[s + 1] += g0 + g1 + g2;
      sums[s + 2] += b0 + b1 + b2;
    }
    // The row's last, partial block.
    for (; i < row + width; i++, p += 3) {
      grey[i] = (rgb[p] * 77 + rgb[p + 1] * 150 + rgb[p + 2] * 29) >> 8;
      sums[s] += rgb[p];
      sums[s + 1] += rgb[p + 1];
      sums[s + 2] += rgb[p + 2];
    }
  }
  return { grey, sums };
}

/**
 * The page-sized buffers of one build, kept for the thread's next page: a fresh 9 MB grey and 12 MB
 * of sums per page cost their pages' first-touch faults and the collector's time. Used only within
 * buildMrc's synchronous stretch (from the decode to the background's encode), and never part of
 * its result, so builds that interleave at their awaits do not share them.
 */
class Scratch {
  private greyBuffer = new Uint8Array(0);
  private sumsBuffer = new Uint32Array(0);
  /** Any contents: the caller writes every byte. */
  grey(length: number): Uint8Array {
    if (this.greyBuffer.length < length) this.greyBuffer = new Uint8Array(length);
    return this.greyBuffer.subarray(0, length);
  }
  /** All zero. */
  sums(length: number): Uint32Array {
    if (this.sumsBuffer.length < length) this.sumsBuffer = new Uint32Array(length);
    else this.sumsBuffer.fill(0, 0, length);
    return this.sumsBuffer.subarray(0, length);
  }
}
const scratch = new Scratch();

function luminance(rgb: Uint8Array, pixels: number): Uint8Array {
  const grey = new Uint8Array(pixels);
  for (let i = 0, p = 0; i < pixels; i++, p += 3) grey[i] = (rgb[p] * 77 + rgb[p + 1] * 150 + rgb[p + 2] * 29) >> 8;
  return grey;
}

/** The paper's level: the 90th percentile of the page's grey (every fourth row is plenty). */
function paperLevel(grey: Uint8Array): number {
  return percentile(histogramOf(grey), 0.9, 255);
}

function histogramOf(grey: Uint8Array): Uint32Array {
  // Four histograms taking turns, summed after: the paper's pixels mostly fall in one bin, and each
  // count would otherwise wait for the one before it.
  const four = new Uint32Array(1024);
  const length = grey.length;
  let i = 0;
  for (; i + 12 < length; i += 16) {
    four[grey[i]]++;
    four[256 + grey[i + 4]]++;
    four[512 + grey[i + 8]]++;
    four[768 + grey[i + 12]]++;
  }
  for (; i < length; i += 4) four[grey[i]]++;
  const histogram = new Uint32Array(256);
  for (let level = 0; level < 256; level++) histogram[level] = four[level] + four[256 + level] + four[512 + level] + four[768 + level];
  return histogram;
}

function percentile(histogram: Uint32Array, share: number, fallback: number): number {
  let total = 0;
  for (const count of histogram) total += count;
  if (total === 0) return fallback;
  let seen = 0;
  for (let level = 0; level < 256; level++) {
    seen += histogram[level];
    if (seen >= total * share) return level;
  }
  return 255;
}

interface PhotoTiles {
  tile: number;
  cols: number;
  rows: number;
  /** 1 where a tile is photo (grown by one tile, so a photo's edge is in). */
  map: Uint8Array;
  share: number;
}

/**
 * Photo tiles: mostly mid-tone (neither paper nor ink) and textured. Text tiles are mostly paper
 * with mid-tones only on stroke edges; a flat shaded form field is mid-tone but not textured, so
 * its text stays in the mask.
 */
function photoTiles(grey: Uint8Array, width: number, height: number, tile: number, paper: number): PhotoTiles {
  const cols = Math.ceil(width / tile);
  const rows = Math.ceil(height / tile);
  const midtone = new Uint32Array(cols * rows);
  const texture = new Float64Array(cols * rows);
  const low = paper * 0.2;
  const high = paper * 0.75;
  // The same test in whole levels: v >= low exactly when v >= ceil(low), v <= high when v <= floor(high).
  const lowest = Math.ceil(low);
  const highest = Math.floor(high);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const tileRow = Math.floor(y / tile) * cols;
    // Tile by tile along the row (no division per pixel); the last column has no right neighbour.
    for (let c = 0, x = 0; c < cols; c++) {
      const end = Math.min(x + tile, width - 1);
      let mid = 0;
      let rough = 0;
      for (; x < end; x++) {
        const value = grey[row + x];
        if (value < lowest || value > highest) continue;
        mid++;
        rough += Math.abs(value - grey[row + x + 1]);
      }
      midtone[tileRow + c] += mid;
      texture[tileRow + c] += rough;
      x = (c + 1) * tile;
    }
  }
  const found = new Uint8Array(cols * rows);
  for (let t = 0; t < found.length; t++) {
    const tw = Math.min(tile, width - (t % cols) * tile);
    const th = Math.min(tile, height - Math.floor(t / cols) * tile);
    if (midtone[t] > PHOTO_MIDTONE_SHARE * tw * th && texture[t] / midtone[t] > PHOTO_TEXTURE) found[t] = 1;
  }
  // A lone tile is a bold heading or a logo, not a photo: a photo is at least two by two tiles.
  const seed = new Uint8Array(cols * rows);
  for (let r = 0; r < rows - 1; r++) {
    for (let c = 0; c < cols - 1; c++) {
      const t = r * cols + c;
      if (found[t] && found[t + 1] && found[t + cols] && found[t + cols + 1]) seed[t] = seed[t + 1] = seed[t + cols] = seed[t + cols + 1] = 1;
    }
  }
  // Photos are rectangles: each group of touching photo tiles takes its bounding box and one tile
  // around it, so a photo's dark or light corners (not mid-tone, so not found) go with it.
  const map = new Uint8Array(cols * rows);
  const seen = new Uint8Array(cols * rows);
  const stack: number[] = [];
  for (let start = 0; start < seed.length; start++) {
    if (!seed[start] || seen[start]) continue;
    let [left, right, top, bottom] = [cols, -1, rows, -1];
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const t = stack.pop()!;
      const r = Math.floor(t / cols);
      const c = t % cols;
      [left, right, top, bottom] = [Math.min(left, c), Math.max(right, c), Math.min(top, r), Math.max(bottom, r)];
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          const rr = r + dr;
          const cc = c + dc;
          if (rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
          const n = rr * cols + cc;
          if (seed[n] && !seen[n]) {
            seen[n] = 1;
            stack.push(n);
          }
        }
      }
    }
    for (let r = Math.max(0, top - 1); r <= Math.min(rows - 1, bottom + 1); r++) map.fill(1, r * cols + Math.max(0, left - 1), r * cols + Math.min(cols - 1, right + 1) + 1);
  }
  let count = 0;
  for (const value of map) count += value;
  return { tile, cols, rows, map, share: count / (cols * rows) };
}

/**
 * Which columns of rows y may hold text: 0 in photo tiles (their ink stays in the background), 1
 * elsewhere. Refilled when y enters a new row of tiles.
 */
class TextColumns {
  readonly keep: Uint8Array;
  private tileRow = -1;
  constructor(private readonly photo: PhotoTiles, width: number) {
    this.keep = new Uint8Array(width).fill(1);
  }
  at(y: number): Uint8Array {
    const { photo, keep } = this;
    if (photo.share === 0) return keep;
    const tileRow = Math.floor(y / photo.tile);
    if (tileRow !== this.tileRow) {
      this.tileRow = tileRow;
      for (let c = 0; c < photo.cols; c++) keep.fill(photo.map[tileRow * photo.cols + c] ^ 1, c * photo.tile, Math.min(keep.length, (c + 1) * photo.tile));
    }
    return keep;
  }
}

interface Background {
  data: Buffer;
  width: number;
  height: number;
}

/**
 * One pass over the page: turns the threshold's bytes (`mask`: 0 = ink, 255 = paper) into the text
 * mask in place (1 = ink outside photos, and on a colour page only where it is not a colour mark)
 * and sums the background's blocks, block by block along each row. A background pixel is the
 * mean of its block; blocks with ink in or next to them (a stroke's blended edge reaches a pixel
 * or two out) take the paper around them instead (fillGaps), so no grey ghost of the text stays
 * behind the mask.
 */
function splitLayers(
  data: Uint8Array,
  channels: number,
  mask: Uint8Array,
  width: number,
  height: number,
  factor: number,
  photo: PhotoTiles,
  summed?: Uint32Array,
): Background {
  const bw = Math.ceil(width / factor);
  const bh = Math.ceil(height / factor);
  // The blocks' sums, unless already added up (summed: by luminanceAndSumsOfThrees, at factor 3).
  const sums = summed ?? new Uint32Array(bw * bh * channels);
  const addSums = !summed;
  const inked = new Uint8Array(bw * bh);
  const columns = new TextColumns(photo, width);
  // Blocks of three (300 dpi behind text): whole blocks unrolled, the row's last partial block by the general loop.
  const unrolled = factor === 3 ? Math.floor(width / 3) : 0;
  const anyPhoto = photo.share > 0;
  for (let y = 0; y < height; y++) {
    const keep = columns.at(y);
    const brow = Math.floor(y / factor) * bw;
    const row = y * width;
    if (unrolled > 0) {
      if (channels === 1) splitRowOfThreesGrey(data, mask, keep, anyPhoto, sums, inked, row, brow, unrolled);
      else if (addSums) splitRowOfThreesRgb(data, mask, keep, anyPhoto, sums, inked, row, brow, unrolled);
      else maskRowOfThreesRgb(data, mask, keep, anyPhoto, inked, row, brow, unrolled);
      if (unrolled === bw) continue;
    }
    if (channels === 1) {
      for (let bx = unrolled, x = unrolled * 3; bx < bw; bx++) {
        const end = Math.min(x + factor, width);
        let sum = 0;
        let any = 0;
        for (; x < end; x++) {
          const i = row + x;
          sum += data[i];
          // Branch-free: 1 where the threshold said ink (0) and the column may hold text.
          const m = (((mask[i] + 255) >> 8) ^ 1) & keep[x];
          mask[i] = m;
          any |= m;
        }
        if (addSums) sums[brow + bx] += sum;
        inked[brow + bx] |= any;
      }
    } else {
      for (let bx = unrolled, x = unrolled * 3; bx < bw; bx++) {
        const end = Math.min(x + factor, width);
        let r = 0;
        let g = 0;
        let b = 0;
        let any = 0;
        for (; x < end; x++) {
          const i = row + x;
          const p = i * 3;
          const red = data[p];
          const green = data[p + 1];
          const blue = data[p + 2];
          r += red;
          g += green;
          b += blue;
          let m = (((mask[i] + 255) >> 8) ^ 1) & keep[x];
          if (m && Math.max(red, green, blue) - Math.min(red, green, blue) > MAX_TEXT_CHROMA) m = 0;
          mask[i] = m;
          any |= m;
        }
        if (addSums) {
          const s = (brow + bx) * 3;
          sums[s] += r;
          sums[s + 1] += g;
          sums[s + 2] += b;
        }
        inked[brow + bx] |= any;
      }
    }
  }
  // Blocks with ink in their 3×3 neighbourhood: dilated along rows, then along columns.
  const wide = new Uint8Array(bw * bh);
  for (let by = 0; by < bh; by++) {
    const row = by * bw;
    for (let bx = 0; bx < bw; bx++) {
      if (!inked[row + bx]) continue;
      wide[row + bx] = 1;
      if (bx > 0) wide[row + bx - 1] = 1;
      if (bx + 1 < bw) wide[row + bx + 1] = 1;
    }
  }
  const out = Buffer.alloc(bw * bh * channels);
  const known = new Uint8Array(bw * bh);
  // A whole block's mean from a table (the same Math.round of the same quotient), not a division per value.
  const whole = factor * factor;
  const meanOfWhole = new Uint8Array(255 * whole + 1);
  for (let sum = 0; sum < meanOfWhole.length; sum++) meanOfWhole[sum] = Math.round(sum / whole);
  for (let by = 0; by < bh; by++) {
    const rows = Math.min(factor, height - by * factor);
    for (let bx = 0; bx < bw; bx++) {
      const b = by * bw + bx;
      if (wide[b] || (by > 0 && wide[b - bw]) || (by + 1 < bh && wide[b + bw])) continue;
      const count = rows * Math.min(factor, width - bx * factor);
      known[b] = 1;
      if (count === whole) for (let c = 0; c < channels; c++) out[b * channels + c] = meanOfWhole[sums[b * channels + c]];
      else for (let c = 0; c < channels; c++) out[b * channels + c] = Math.round(sums[b * channels + c] / count);
    }
  }
  fillGaps(out, known, bw, bh, channels);
  return { data: out, width: bw, height: bh };
}
/**
 * One row of splitLayers' pass over whole blocks of three pixels (factor 3), grey: the same sums
 * and mask as the general loop. Most blocks are paper (no threshold byte 0): their mask is 0
 * without a look at the text columns.
 */
function splitRowOfThreesGrey(
  data: Uint8Array,
  mask: Uint8Array,
  keep: Uint8Array,
  anyPhoto: boolean,
  sums: Uint32Array,
  inked: Uint8Array,
  row: number,
  brow: number,
  blocks: number,
): void {
  for (let bx = 0, i = row; bx < blocks; bx++, i += 3) {
    sums[brow + bx] += data[i] + data[i + 1] + data[i + 2];
    const t0 = mask[i];
    const t1 = mask[i + 1];
    const t2 = mask[i + 2];
    if (t0 !== 0 && t1 !== 0 && t2 !== 0) {
      mask[i] = 0;
      mask[i + 1] = 0;
      mask[i + 2] = 0;
      continue;
    }
    const x = i - row;
    let m0 = t0 === 0 ? 1 : 0;
    let m1 = t1 === 0 ? 1 : 0;
    let m2 = t2 === 0 ? 1 : 0;
    if (anyPhoto) {
      m0 &= keep[x];
      m1 &= keep[x + 1];
      m2 &= keep[x + 2];
    }
    mask[i] = m0;
    mask[i + 1] = m1;
    mask[i + 2] = m2;
    inked[brow + bx] |= m0 | m1 | m2;
  }
}

/** splitRowOfThreesGrey for RGB: colour marks (chroma over MAX_TEXT_CHROMA) are not text. */
function splitRowOfThreesRgb(
  data: Uint8Array,
  mask: Uint8Array,
  keep: Uint8Array,
  anyPhoto: boolean,
  sums: Uint32Array,
  inked: Uint8Array,
  row: number,
  brow: number,
  blocks: number,
): void {
  for (let bx = 0, i = row, p = row * 3, s = brow * 3; bx < blocks; bx++, i += 3, p += 9, s += 3) {
    sums[s] += data[p] + data[p + 3] + data[p + 6];
    sums[s + 1] += data[p + 1] + data[p + 4] + data[p + 7];
    sums[s + 2] += data[p + 2] + data[p + 5] + data[p + 8];
    const t0 = mask[i];
    const t1 = mask[i + 1];
    const t2 = mask[i + 2];
    if (t0 !== 0 && t1 !== 0 && t2 !== 0) {
      mask[i] = 0;
      mask[i + 1] = 0;
      mask[i + 2] = 0;
      continue;
    }
    const x = i - row;
    let m0 = t0 === 0 ? 1 : 0;
    let m1 = t1 === 0 ? 1 : 0;
    let m2 = t2 === 0 ? 1 : 0;
    if (anyPhoto) {
      m0 &= keep[x];
      m1 &= keep[x + 1];
      m2 &= keep[x + 2];
    }
    if (m0 && isColourMark(data, p)) m0 = 0;
    if (m1 && isColourMark(data, p + 3)) m1 = 0;
    if (m2 && isColourMark(data, p + 6)) m2 = 0;
    mask[i] = m0;
    mask[i + 1] = m1;
    mask[i + 2] = m2;
    inked[brow + bx] |= m0 | m1 | m2;
  }
}

/** splitRowOfThreesRgb for sums already added up: the mask only. */
function maskRowOfThreesRgb(data: Uint8Array, mask: Uint8Array, keep: Uint8Array, anyPhoto: boolean, inked: Uint8Array, row: number, brow: number, blocks: number): void {
  for (let bx = 0, i = row; bx < blocks; bx++, i += 3) {
    const t0 = mask[i];
    const t1 = mask[i + 1];
    const t2 = mask[i + 2];
    if (t0 !== 0 && t1 !== 0 && t2 !== 0) {
      mask[i] = 0;
      mask[i + 1] = 0;
      mask[i + 2] = 0;
      continue;
    }
    const x = i - row;
    const p = i * 3;
    let m0 = t0 === 0 ? 1 : 0;
    let m1 = t1 === 0 ? 1 : 0;
    let m2 = t2 === 0 ? 1 : 0;
    if (anyPhoto) {
      m0 &= keep[x];
      m1 &= keep[x + 1];
      m2 &= keep[x + 2];
    }
    if (m0 && isColourMark(data, p)) m0 = 0;
    if (m1 && isColourMark(data, p + 3)) m1 = 0;
    if (m2 && isColourMark(data, p + 6)) m2 = 0;
    mask[i] = m0;
    mask[i + 1] = m1;
    mask[i + 2] = m2;
    inked[brow + bx] |= m0 | m1 | m2;
  }
}

function isColourMark(data: Uint8Array, p: number): boolean {
  const red = data[p];
  const green = data[p + 1];
  const blue = data[p + 2];
  return Math.max(red, green, blue) - Math.min(red, green, blue) > MAX_TEXT_CHROMA;
}

/** Unknown pixels take the nearer known pixel of their row (both sides averaged), then of their column; else paper white. */
function fillGaps(out: Buffer, known: Uint8Array, width: number, height: number, channels: number): void {
  const filled = new Uint8Array(known);
  for (let y = 0; y < height; y++) {
    let x = 0;
    while (x < width) {
      if (known[y * width + x]) {
        x++;
        continue;
      }
      let end = x;
      while (end < width && !known[y * width + end]) end++;
      const left = x > 0 ? y * width + x - 1 : -1;
      const right = end < width ? y * width + end : -1;
      if (left >= 0 || right >= 0) {
        for (let xx = x; xx < end; xx++) {
          const i = y * width + xx;
          for (let c = 0; c < channels; c++) {
            const a = left >= 0 ? out[left * channels + c] : out[right * channels + c];
            const b = right >= 0 ? out[right * channels + c] : a;
            out[i * channels + c] = (a + b + 1) >> 1;
          }
          filled[i] = 1;
        }
      }
      x = end;
    }
  }
  // Down each column, row by row through the image (last[x]: the column's nearest filled pixel above).
  const last = new Int32Array(width).fill(-1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (filled[i]) last[x] = i;
      else {
        const above = last[x];
        for (let c = 0; c < channels; c++) out[i * channels + c] = above >= 0 ? out[above * channels + c] : 255;
      }
    }
  }
}

/**
 * The ink's colour and the readability check (see MAX_WRONG_SHARE), in one pass over every other
 * row (a share over a million pixels is as good as over two).
 *
 * The ink's colour is the mean of the ink's inner pixels (mask pixels whose four neighbours are ink
 * too: edges are blends), else of all its pixels. The check composes the layers as a reader does,
 * against the scan, on the pixels off a stroke's edge (there the scan's pixel is a blend and either
 * answer is right) outside photos. Its limit depends on the ink's colour, not known until the pass
 * ends, so the pass keeps histograms: of the scan's grey under inner ink, and of how far the
 * background is from the scan elsewhere.
 */
function inkAndWrong(
  data: Uint8Array,
  grey: Uint8Array,
  channels: number,
  mask: Uint8Array,
  background: Background,
  width: number,
  height: number,
  factor: number,
  paper: number,
  photo: PhotoTiles,
): { ink: number[]; wrongShare: number } {
  // The ink's sums are of whole numbers (exact in any order): kept per channel in locals.
  let inkR = 0;
  let inkG = 0;
  let inkB = 0;
  let allR = 0;
  let allG = 0;
  let allB = 0;
  let allCount = 0;
  const underInk = new Uint32Array(256);
  // Two histograms, even and odd columns, summed after: neighbouring paper pixels mostly fall in
  // the same bin, and each count would otherwise wait for the one before it.
  const offPaperTwo = new Uint32Array(512);
  const shownGrey = channels === 1 ? background.data : luminance(background.data, background.width * background.height);
  const column = blockIndex(width, factor);
  const columns = new TextColumns(photo, width);
  const rgb = channels === 3;
  // Without photos every column may hold text: no look at the text columns.
  const allText = photo.share === 0;
  for (let y = 1; y < height - 1; y += 2) {
    const keep = columns.at(y);
    const brow = Math.floor(y / factor) * background.width;
    const row = y * width;
    // The mask's left, own and right pixels slide along the row.
    let left = mask[row];
    let own = mask[row + 1];
    for (let x = 1; x < width - 1; x++) {
      const i = row + x;
      const right = mask[i + 1];
      const m = own;
      const around = left + right + mask[i - width] + mask[i + width];
      left = own;
      own = right;
      if (m) {
        allCount++;
        if (rgb) {
          const p = i * 3;
          const red = data[p];
          const green = data[p + 1];
          const blue = data[p + 2];
          allR += red;
          allG += green;
          allB += blue;
          if (around !== 4) continue;
          inkR += red;
          inkG += green;
          inkB += blue;
        } else {
          const value = data[i];
          allR += value;
          if (around !== 4) continue;
          inkR += value;
        }
        underInk[grey[i]]++;
      } else if (around === 0 && (allText || keep[x] !== 0)) {
        offPaperTwo[((x & 1) << 8) | Math.abs(shownGrey[brow + column[x]] - grey[i])]++;
      }
    }
  }
  const offPaper = new Uint32Array(256);
  for (let level = 0; level < 256; level++) offPaper[level] = offPaperTwo[level] + offPaperTwo[256 + level];
  const inkSums = rgb ? [inkR, inkG, inkB] : [inkR];
  const allSums = rgb ? [allR, allG, allB] : [allR];
  let inner = 0;
  for (const count of underInk) inner += count;
  const ink = inner > 0 ? inkSums.map((sum) => sum / inner) : allCount > 0 ? allSums.map((sum) => sum / allCount) : new Array<number>(channels).fill(0);
  const inkGrey = channels === 1 ? ink[0] : (ink[0] * 77 + ink[1] * 150 + ink[2] * 29) / 256;
  const limit = Math.max(24, (paper - inkGrey) / 2);
  let wrong = 0;
  let counted = 0;
  for (let level = 0; level < 256; level++) {
    counted += underInk[level] + offPaper[level];
    if (Math.abs(inkGrey - level) > limit) wrong += underInk[level];
    if (level > limit) wrong += offPaper[level];
  }
  return { ink, wrongShare: counted ? wrong / counted : 0 };
}

/** blockOf[x] = x / factor, rounded down: one table read instead of a division per pixel. */
function blockIndex(length: number, factor: number): Int32Array {
  const table = new Int32Array(length);
  for (let x = 0; x < length; x++) table[x] = Math.floor(x / factor);
  return table;
}
