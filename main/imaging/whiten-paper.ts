/**
 * Levels for grey and colour pages before JPEG: the paper's brightness and its sensor noise become
 * pure white, darker tones are stretched to fill the range. Paper noise is most of what a JPEG of
 * a scanned page spends its bytes on (every 8×8 block of noisy paper needs AC coefficients; a
 * block of pure white needs none), so this is what brings a grey page within its size budget.
 * One global curve, not a local one: a local white point would wash each photo out to its own
 * brightest tone.
 */
import type { GreyImage, RawImage } from './types.js';

export interface PaperLevels {
  /** The commonest bright level: the paper. */
  paper: number;
  /** Levels at or above this become 255 (the paper's noise lies above it). */
  whitePoint: number;
}

/** Pages with no clear paper peak this bright are left alone (a dark photo, a coloured sheet). */
const MIN_PAPER_LEVEL = 150;
/** The paper peak's lower edge: where the histogram falls below this share of the peak's height. */
const PEAK_EDGE_SHARE = 0.05;
/** Never stretch by more than this (a white point below 200 would blow out light photo tones). */
const MIN_WHITE_POINT = 200;

/** Finds the paper peak and the level under its noise, from the luminance (or grey) histogram. */
export function measurePaperLevels(image: RawImage | GreyImage): PaperLevels | null {
  const channels = 'channels' in image ? image.channels : 1;
  const histogram = new Uint32Array(256);
  const { data } = image;
  // Every 5th pixel: a percentile-grade histogram at a fifth of the cost.
  const step = channels * 5;
  if (channels >= 3) {
    for (let i = 0; i + 2 < data.length; i += step) histogram[(data[i] * 77 + data[i + 1] * 150 + data[i + 2] * 29) >> 8]++;
  } else {
    for (let i = 0; i < data.length; i += step) histogram[data[i]]++;
  }
  // Smooth by 5 levels so JPEG's comb-like histograms do not hide the peak.
  const smooth = new Float64Array(256);
  for (let level = 0; level < 256; level++) {
    let s = 0;
    for (let d = -2; d <= 2; d++) s += histogram[Math.min(255, Math.max(0, level + d))];
    smooth[level] = s;
  }
  let paper = MIN_PAPER_LEVEL;
  for (let level = MIN_PAPER_LEVEL; level < 256; level++) if (smooth[level] > smooth[paper]) paper = level;
  if (smooth[paper] === 0) return null;
  let edge = paper;
  while (edge > MIN_WHITE_POINT && smooth[edge - 1] >= smooth[paper] * PEAK_EDGE_SHARE) edge--;
  // A paper peak as wide as the whole bright range is not paper (a light photo filling the page).
  if (edge <= MIN_WHITE_POINT && paper - edge > 40) return null;
  return { paper, whitePoint: Math.max(MIN_WHITE_POINT, edge) };
}

/**
 * Maps the paper to white in place (grey, grey+alpha, RGB or RGBA; alpha is left as it is) and
 * returns the levels used, or null when the page shows no paper to whiten.
 */
export function whitenPaper(image: RawImage | GreyImage, levels: PaperLevels | null = measurePaperLevels(image)): PaperLevels | null {
  if (!levels) return null;
  const channels = 'channels' in image ? image.channels : 1;
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) lut[v] = v >= levels.whitePoint ? 255 : Math.round((v * 255) / levels.whitePoint);
  const { data } = image;
  const colourChannels = channels === 2 || channels === 4 ? channels - 1 : channels;
  if (colourChannels === channels) {
    for (let i = 0; i < data.length; i++) data[i] = lut[data[i]];
  } else {
    for (let i = 0; i < data.length; i += channels) for (let c = 0; c < colourChannels; c++) data[i + c] = lut[data[i + c]];
  }
  return levels;
}
