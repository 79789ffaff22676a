/**
 * Dark scanner borders and edge shadows: found on the small analysis copy as bands along the
 * image edges, then whitened at full resolution (the page keeps its size, so its PDF page stays
 * A4). A band is a run of whole rows or columns from the image edge inwards that are dark and
 * even along nearly all their length, as a scanner lid or bed is; a shadow's lighter tail after
 * it is followed for a few millimetres. Text, tables, punch holes and photos never make a whole
 * row or column dark and even, so they are never inside a band; a page that is dark to its
 * middle has no band at all. A page turned on a dark bed leaves dark wedges beside it: the box
 * takes the part square to the image; the wedges' rest is left to the binarizer and deskew.
 */
import { paperLevel } from './analyse.js';
import type { GreyImage, RawImage } from './types.js';

export interface PaperBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface BorderResult {
  /** The paper in the analysed image's pixels; null when no edge has a dark band. */
  box: PaperBox | null;
  /** 0..1: how clearly the bands stand out from the paper (1 when there is nothing to remove). */
  confidence: number;
  /** Band width per edge in the analysed image's pixels (0: none), for the audit trail. */
  bands: { left: number; top: number; right: number; bottom: number };
}

/** A row or column is border while under half of it is at least this share of the paper's brightness. */
const DARK_SHARE = 0.75;
/** After a dark band, a shadow's lighter tail is followed up to this share of the paper's brightness. */
const SHADOW_SHARE = 0.9;
/** How far a shadow's tail is followed beyond the dark band. */
const SHADOW_TAIL_MM = 3;
/** A band wider than this share of the page is not a border (a dark photo or a dark page). */
const MAX_BAND_SHARE = 0.2;
/** A shadow's tail ends at the first row or column with at least this share of bright pixels. */
const PAPER_LINE_SHARE = 0.5;
/** A border row or column is dark along nearly all its length: at most this share is paper-bright. */
const BORDER_LINE_BRIGHT_SHARE = 0.1;
/**
 * ...and even along its length (standard deviation in grey levels): a scanner lid or bed is one
 * flat tone, a photo's dark edge is not. Guards a dark photo at the page edge from being whitened.
 */
const BORDER_LINE_MAX_SPREAD = 24;

/** `knownPaper`: the image's paper level when the caller has it (analyse.ts's paperLevel, as computed here). */
export function findPaperBox(image: GreyImage, dpi?: number, knownPaper?: number): BorderResult {
  const { data, width, height } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 8 || height < 8) {
    throw new RangeError(`findPaperBox: the image must be at least 8×8 pixels, got ${width}×${height}`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height) {
    throw new RangeError(`findPaperBox: expected ${width * height} bytes for ${width}×${height}, got ${data?.length ?? 'none'}`);
  }
  const pixelsPerMm = dpi ? dpi / 25.4 : Math.max(width, height) / 297;
  const paper = knownPaper ?? paperLevel(image);
  const darkLevel = paper * DARK_SHARE;
  const shadowLevel = paper * SHADOW_SHARE;
  const tail = Math.max(1, Math.round(SHADOW_TAIL_MM * pixelsPerMm));

  // Lines are measured only as the walk from each edge reaches them: on a page without a border
  // that is one row or column per edge, not the whole image.
  const band = (columns: boolean, fromEnd: boolean): number => {
    const lines = columns ? width : height;
    const length = columns ? height : width;
    const stats = (i: number, level: number) => lineStat(image, columns, i, level);
    const limit = Math.floor(lines * MAX_BAND_SHARE);
    const at = (i: number) => (fromEnd ? lines - 1 - i : i);
    let n = 0;
    while (n <= limit) {
      const line = stats(at(n), darkLevel);
      if (line.bright > length * BORDER_LINE_BRIGHT_SHARE || line.spread > BORDER_LINE_MAX_SPREAD) break;
      n++;
    }
    // Dark to beyond the limit: a dark photo or a dark sheet, not a border; leave this edge alone.
    if (n === 0 || n > limit) return 0;
    const end = Math.min(limit, n + tail);
    while (n < end && stats(at(n), shadowLevel).bright < length * PAPER_LINE_SHARE) n++;
    return n;
  };
  const bands = { left: band(true, false), right: band(true, true), top: band(false, false), bottom: band(false, true) };
  if (bands.left + bands.right + bands.top + bands.bottom === 0) return { box: null, confidence: 1, bands };

  const box = { left: bands.left, top: bands.top, width: width - bands.left - bands.right, height: height - bands.top - bands.bottom };
  return { box, confidence: bandContrast(image, box, bands, paper), bands };
}

/** Grows a box found on the small copy to full resolution, rounding outwards (never into the paper). */
export function scaleBox(box: PaperBox, from: { width: number; height: number }, to: { width: number; height: number }): PaperBox {
  const sx = to.width / from.width;
  const sy = to.height / from.height;
  const left = Math.max(0, Math.floor(box.left * sx));
  const top = Math.max(0, Math.floor(box.top * sy));
  const right = Math.min(to.width, Math.ceil((box.left + box.width) * sx));
  const bottom = Math.min(to.height, Math.ceil((box.top + box.height) * sy));
  return { left, top, width: right - left, height: bottom - top };
}

/** Whitens every pixel outside the box, in place (grey, grey+alpha, RGB or RGBA; alpha becomes opaque). */
export function whitenOutside(image: RawImage, box: PaperBox): void {
  const { data, width, height, channels } = image;
  if (data.length !== width * height * channels) {
    throw new RangeError(`whitenOutside: expected ${width * height * channels} bytes for ${width}×${height}×${channels}, got ${data.length}`);
  }
  const left = clamp(Math.round(box.left), 0, width);
  const top = clamp(Math.round(box.top), 0, height);
  const right = clamp(Math.round(box.left + box.width), left, width);
  const bottom = clamp(Math.round(box.top + box.height), top, height);
  const rowBytes = width * channels;
  data.fill(255, 0, top * rowBytes);
  data.fill(255, bottom * rowBytes, height * rowBytes);
  for (let y = top; y < bottom; y++) {
    data.fill(255, y * rowBytes, y * rowBytes + left * channels);
    data.fill(255, y * rowBytes + right * channels, (y + 1) * rowBytes);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** One row or column: how many pixels are at least `level` bright, and the standard deviation of its grey levels. */
function lineStat(image: GreyImage, column: boolean, index: number, level: number): { bright: number; spread: number } {
  const { data, width, height } = image;
  const length = column ? height : width;
  const step = column ? width : 1;
  let bright = 0;
  let sum = 0;
  let squares = 0;
  for (let i = column ? index : index * width, k = 0; k < length; k++, i += step) {
    const v = data[i];
    sum += v;
    squares += v * v;
    if (v >= level) bright++;
  }
  return { bright, spread: Math.sqrt(Math.max(0, squares / length - (sum / length) ** 2)) };
}

/** How much darker than the paper the removed bands are, 0..1 (a black lid ≈ 0.9, a light shadow ≈ 0.2). */
function bandContrast(image: GreyImage, box: PaperBox, bands: BorderResult['bands'], paper: number): number {
  const { data, width, height } = image;
  let sum = 0;
  let count = 0;
  for (let y = 0; y < height; y++) {
    const inRows = y >= box.top && y < box.top + box.height;
    for (let x = 0; x < width; x++) {
      if (inRows && x >= box.left && x < box.left + box.width) continue;
      sum += data[y * width + x];
      count++;
    }
  }
  if (count === 0 || bands.left + bands.right + bands.top + bands.bottom === 0) return 1;
  return clamp((paper - sum / count) / paper, 0, 1);
}
