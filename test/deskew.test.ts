import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { measureSkew, measureSkewEitherWay, SKEW_ANALYSIS_DPI, type SkewEstimate } from '../main/imaging/deskew.js';
import { ProfileScorer } from '../main/imaging/deskew-profile.js';
import { glyphInk } from '../main/imaging/orientation-ink.js';
import { rotateGreyQuarters } from '../main/imaging/quarter-turn.js';
import type { GreyImage } from '../main/imaging/types.js';
import { HARD_PAGE_KINDS, renderHardPageFile, type HardPageSpec } from './fixtures/hard-pages.js';
import { renderPageFile, type PageKind } from './fixtures/pages.js';

/** What the station does: shrink-on-load decode of the scanner's file to the analysis resolution. */
async function analysisImage(file: Buffer, dpi: number): Promise<{ image: GreyImage; dpi: number }> {
  const meta = await sharp(file).metadata();
  const width = Math.round(((meta.width ?? 0) * SKEW_ANALYSIS_DPI) / dpi);
  const { data, info } = await sharp(file).resize({ width }).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { image: { data, width: info.width, height: info.height }, dpi: (dpi * info.width) / (meta.width ?? info.width) };
}

async function measureFile(file: Buffer, dpi: number, options?: { maxAngleDegrees?: number }): Promise<SkewEstimate> {
  const { image, dpi: analysisDpi } = await analysisImage(file, dpi);
  return measureSkew(image, analysisDpi, options);
}

const ANGLES = [0, 0.3, -0.3, 3, -3, 9.7, -9.7, 14.5, -14.5];

/**
 * Every kind meets two of the required angles; together they cover all of them, both
 * resolutions and both scan modes. (The bench runs the full set.)
 */
const HARD_CASES: HardPageSpec[] = HARD_PAGE_KINDS.flatMap((kind, k) =>
  [0, 1].map((j) => ({
    kind,
    angle: ANGLES[(k * 2 + j) % ANGLES.length],
    dpi: (k + j) % 2 === 0 ? 300 : 200,
    mode: (k + j) % 3 === 1 ? ('bw' as const) : ('grey' as const),
    seed: 10 * k + j + 1,
  })),
);

describe('measureSkew on hard generated scans (target bounds)', () => {
  const errors: number[] = [];

  it.each(HARD_CASES.map((spec) => [`${spec.kind} ${spec.mode} ${spec.dpi} dpi ${spec.angle}°`, spec] as const))('%s', async (_name, spec) => {
    const estimate = await measureFile(await renderHardPageFile(spec), spec.dpi);
    expect(estimate.reliable).toBe(true);
    expect(estimate.confidence).toBeGreaterThan(0.3);
    const error = Math.abs(estimate.angleDegrees - spec.angle);
    errors.push(error);
    expect(error).toBeLessThanOrEqual(0.1);
  });

  it('keeps the mean error within 0.02°', () => {
    expect(errors).toHaveLength(HARD_CASES.length);
    expect(errors.reduce((s, e) => s + e, 0) / errors.length).toBeLessThanOrEqual(0.02);
  });
});

describe('measureSkew on the plain page fixtures (floor of the first issue)', () => {
  const cases: Array<[PageKind, number]> = [
    ['letter', 7.3],
    ['dense', -4.1],
    ['table', 1.9],
    ['columns', -9.9],
    ['sparse', 0.6],
  ];
  it('is within 0.3° on every page and 0.1° on average', async () => {
    const errors: number[] = [];
    for (const [kind, angle] of cases) {
      const estimate = await measureFile(await renderPageFile({ kind, angle, dpi: 300, seed: 4 }, 'jpeg'), 300);
      expect(estimate.reliable, kind).toBe(true);
      errors.push(Math.abs(estimate.angleDegrees - angle));
    }
    expect(Math.max(...errors)).toBeLessThanOrEqual(0.3);
    expect(errors.reduce((s, e) => s + e, 0) / errors.length).toBeLessThanOrEqual(0.1);
  });
});

describe('pages whose angle cannot be told', () => {
  /** Never turned wrongly: either flagged, or the angle is the true one, or (near) no turn at all. */
  function expectNoWrongTurn(estimate: SkewEstimate, truth: number) {
    if (!estimate.reliable) {
      expect(estimate.angleDegrees).toBe(0);
      return;
    }
    const offTruth = Math.abs(estimate.angleDegrees - truth);
    expect(Math.min(offTruth, Math.abs(estimate.angleDegrees))).toBeLessThanOrEqual(0.3);
  }

  it('flags a near-empty page', async () => {
    for (const mode of ['grey', 'bw'] as const) {
      const estimate = await measureFile(await renderHardPageFile({ kind: 'empty', angle: 4, dpi: 300, mode, seed: 3 }), 300);
      expect(estimate.reliable, mode).toBe(false);
      expect(estimate.confidence).toBeLessThan(0.3);
    }
  });

  it('never turns a full-page photo wrongly', async () => {
    for (const [angle, mode] of [[6.5, 'grey'], [-2, 'bw']] as const) {
      const estimate = await measureFile(await renderHardPageFile({ kind: 'photo-full', angle, dpi: 300, mode, seed: 8 }), 300);
      expectNoWrongTurn(estimate, angle);
    }
  });

  it('flags random noise, which has no lines at all', () => {
    const width = 1240;
    const height = 1754;
    const data = new Uint8Array(width * height);
    let seed = 12345;
    for (let i = 0; i < data.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      data[i] = (seed >>> 16) & 0xff;
    }
    const estimate = measureSkew({ data, width, height }, 150);
    expect(estimate.reliable).toBe(false);
    expect(estimate.angleDegrees).toBe(0);
  });
});

describe('measureSkew options and input checks', () => {
  it('searches only within maxAngleDegrees', async () => {
    const file = await renderHardPageFile({ kind: 'letter', angle: 2.5, dpi: 200, mode: 'grey', seed: 2 });
    const narrow = await measureFile(file, 200, { maxAngleDegrees: 4 });
    expect(Math.abs(narrow.angleDegrees - 2.5)).toBeLessThanOrEqual(0.1);
    const tooNarrow = await measureFile(file, 200, { maxAngleDegrees: 1 });
    expect(Math.abs(tooNarrow.angleDegrees)).toBeLessThanOrEqual(1);
  });

  it('rejects malformed images and options with specific errors', () => {
    const data = new Uint8Array(100 * 100).fill(255);
    expect(() => measureSkew({ data, width: 100, height: 99 }, 150)).toThrow(/expected width×height = 9900/);
    expect(() => measureSkew({ data, width: 100, height: 100 }, 0)).toThrow(/dpi must be between/);
    expect(() => measureSkew({ data, width: 100, height: 100 }, 150, { maxAngleDegrees: 90 })).toThrow(/maxAngleDegrees/);
    expect(() => measureSkew({ data: [] as unknown as Uint8Array, width: 100, height: 100 }, 150)).toThrow(/Uint8Array/);
  });

  it('says a blank white page is unreliable rather than straight', () => {
    const estimate = measureSkew({ data: new Uint8Array(600 * 800).fill(250), width: 600, height: 800 }, 75);
    expect(estimate).toEqual({ angleDegrees: 0, confidence: 0, reliable: false });
  });
});

describe('work the skew measurement does once', () => {
  it('scores four angles at a time exactly as one at a time', () => {
    const count = 3001;
    const xs = new Float64Array(count);
    const ys = new Float64Array(count);
    const weights = new Float64Array(count);
    let seed = 7;
    const next = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) | 0;
      return (seed >>> 0) / 4294967296;
    };
    // Points along a few rows, in raster order as the edge points come, so neighbours share bins.
    for (let i = 0; i < count; i++) {
      xs[i] = next() * 800 - 400;
      ys[i] = Math.floor(i / 300) * 40 - 200 + next() * 3;
      weights[i] = next();
    }
    const scorer = new ProfileScorer({ xs, ys, weights, count, radius: Math.hypot(400, 300) + 2 });
    // Eleven angles: two groups of four and three left over.
    const angles = Float64Array.from({ length: 11 }, (_, i) => ((i - 5) * 0.37 * Math.PI) / 180);
    const scores = new Float64Array(angles.length);
    scorer.scoreAll(angles, scores);
    for (let i = 0; i < angles.length; i++) expect(scores[i]).toBe(scorer.score(angles[i]));
  });

  it("hands its block extremes of the lines to the orientation's ink finder, for those pixels only", async () => {
    const file = await renderPageFile({ kind: 'letter', angle: 0, dpi: 300, seed: 3 });
    const { image, dpi } = await analysisImage(file, 300);
    // Upright, the lines are the page's own; sideways, a quarter turn of it, measured second.
    for (const [page, quarters] of [[image, 0], [rotateGreyQuarters(image, 1), 1]] as const) {
      const { lines, linesQuarters, linesExtremes } = measureSkewEitherWay(page, dpi);
      expect(linesQuarters).toBe(quarters);
      if (quarters === 0) expect(lines).toBe(page);
      expect(linesExtremes?.data).toBe(lines.data);
      const alone = glyphInk(lines, dpi);
      expect(alone.some((v) => v === 1)).toBe(true);
      expect(Buffer.from(glyphInk(lines, dpi, linesExtremes)).equals(Buffer.from(alone))).toBe(true);
      // Taken over indeed: extremes that say no block holds ink give no ink.
      const inkless = { ...linesExtremes!, darkest: new Uint8Array(linesExtremes!.darkest.length).fill(255) };
      expect(glyphInk(lines, dpi, inkless).some((v) => v === 1)).toBe(false);
      // But never for other pixels, even the same ones in another array.
      const copy = { ...lines, data: Uint8Array.from(lines.data) };
      expect(Buffer.from(glyphInk(copy, dpi, inkless)).equals(Buffer.from(alone))).toBe(true);
    }
  });
});
