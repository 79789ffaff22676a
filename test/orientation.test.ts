import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { detectOrientation, type OrientationEstimate } from '../main/imaging/orientation.js';
import type { GreyImage } from '../main/imaging/types.js';
import { HARD_PAGE_KINDS } from './fixtures/hard-pages.js';
import {
  fewWordsPageFile,
  hardPageFile,
  monospacedPageFile,
  orientationAsPipeline,
  plainPageFile,
  sparsePageFile,
  sparsePageName,
  sparsePagePlan,
  turnedAnalysisCopy,
  type PlainPage,
  type ScanMode,
} from './fixtures/orientation-pages.js';
import type { PageKind } from './fixtures/pages.js';

const QUARTERS = [0, 1, 2, 3] as const;
/** Content turned k quarter turns clockwise needs (4 − k) mod 4 clockwise quarter turns back. */
const needed = (contentQuarters: number) => (4 - contentQuarters) % 4;

type Outcome = 'right' | 'flagged' | 'wrong';
function outcome(estimate: OrientationEstimate, expected: number): Outcome {
  if (!estimate.reliable) return 'flagged';
  return estimate.turnQuarters === expected ? 'right' : 'wrong';
}

async function estimatesForAllTurns(file: Buffer, dpi: number): Promise<Array<{ k: number; estimate: OrientationEstimate }>> {
  const results = [];
  for (const k of QUARTERS) {
    const copy = await turnedAnalysisCopy(file, dpi, k);
    results.push({ k, estimate: detectOrientation(copy.image, copy.dpi) });
  }
  return results;
}

const KINDS: PageKind[] = ['letter', 'dense', 'table', 'columns', 'sparse'];
const PLAIN_PAGES: PlainPage[] = KINDS.flatMap((kind, k) =>
  [150, 300].flatMap((dpi) => [0, 2, -2].flatMap((skew) => (['grey', 'bw'] as ScanMode[]).map((mode, m) => ({ kind, dpi, skew, mode, seed: 100 * k + dpi + 10 * skew + m })))),
);

describe('detectOrientation on generated pages turned by quarter turns (5 kinds, 150/300 dpi, skew 0/±2°, grey and 1-bit)', () => {
  const outcomes: Array<{ kind: PageKind; result: Outcome }> = [];
  const flagged: string[] = [];

  it.each(PLAIN_PAGES.map((page) => [`${page.kind} ${page.dpi} dpi ${page.skew}° ${page.mode}`, page] as const))('%s: never confidently wrong', async (_name, page) => {
    for (const { k, estimate } of await estimatesForAllTurns(await plainPageFile(page), page.dpi)) {
      const result = outcome(estimate, needed(k));
      outcomes.push({ kind: page.kind, result });
      if (result === 'flagged') flagged.push(`${_name} turned ${90 * k}°`);
      expect(result, `content turned ${90 * k}° clockwise: got ${JSON.stringify(estimate)}`).not.toBe('wrong');
      expect(estimate.confidence).toBeGreaterThanOrEqual(0);
      expect(estimate.confidence).toBeLessThanOrEqual(1);
    }
  });

  const share = (kinds: PageKind[]) => {
    const chosen = outcomes.filter((o) => kinds.includes(o.kind));
    return chosen.filter((o) => o.result === 'right').length / chosen.length;
  };

  it('gets at least 99% of the pages with body text right (the rest flagged)', () => {
    expect(outcomes).toHaveLength(PLAIN_PAGES.length * 4);
    expect(share(['letter', 'dense', 'table', 'columns']), `flagged: ${flagged.join(', ')}`).toBeGreaterThanOrEqual(0.99);
  });

  // Six short lines give five to nine line votes, too few on their own (44 of 48 right with line
  // votes only); tail strokes that agree with the ink carry the rest: measured 48 of 48.
  it('gets at least 97% of the sparse pages (a few lines) right, flagging the rest', () => {
    expect(share(['sparse']), `flagged: ${flagged.join(', ')}`).toBeGreaterThanOrEqual(0.97);
  });
});

describe('detectOrientation on sparse pages drawn otherwise (six DejaVu faces, 9–14 pt, 2–5 lines, left or centred, skew within ±4°)', () => {
  const outcomes: Outcome[] = [];
  const flagged: string[] = [];
  const pages = sparsePagePlan(24, 5);

  it.each(pages.map((page) => [sparsePageName(page), page] as const))('%s: never confidently wrong', async (name, page) => {
    for (const { k, estimate } of await estimatesForAllTurns(await sparsePageFile(page), page.dpi)) {
      const result = outcome(estimate, needed(k));
      outcomes.push(result);
      if (result === 'flagged') flagged.push(`${name} turned ${90 * k}°`);
      expect(result, `content turned ${90 * k}° clockwise: got ${JSON.stringify(estimate)}`).not.toBe('wrong');
    }
  });

  // Two lines of 9 pt at the 100 dpi analysis copy hold a dozen tail strokes: many such pages
  // are rightly flagged. Measured on other seeds of this plan: 69% (240 cases) right on the bare
  // skewed copy, 72% after the pipeline's straightening, none wrong.
  it('gets most of them right, flagging the rest', () => {
    expect(outcomes).toHaveLength(pages.length * 4);
    expect(outcomes.filter((o) => o === 'right').length / outcomes.length, `flagged: ${flagged.join(', ')}`).toBeGreaterThanOrEqual(0.55);
  });
});

// A typewriter's or an older printer's face sets letters on a grid: they line up across the lines
// too, in columns with half the line ink of the real lines or more. Before the line-length rule
// nearly every such page was flagged; measured on these pages through the pipeline's order: 22
// of 24 right, the two-column page at 300 dpi turned 180° and 270° flagged (its lines only 1.4
// times as long as the letter columns).
describe('detectOrientation on typewritten pages (DejaVu Sans Mono, full pages)', () => {
  const outcomes: Outcome[] = [];
  const pages = (['letter', 'dense', 'columns'] as const).flatMap((kind, i) => [
    { kind, dpi: 300, skew: i === 1 ? 2.3 : 0, mode: 'grey' as ScanMode, seed: 40 + i },
    { kind, dpi: 200, skew: i === 0 ? -1.7 : 0.4, mode: 'bw' as ScanMode, seed: 50 + i },
  ]);

  it.each(pages.map((p) => [`${p.kind} ${p.dpi} dpi ${p.skew}° ${p.mode}`, p] as const))('%s: never wrong, the columns of letters named', async (_name, p) => {
    const file = await monospacedPageFile(p.kind, p.dpi, p.skew, p.mode, p.seed);
    for (const k of QUARTERS) {
      const estimate = await orientationAsPipeline(await turnedAnalysisCopy(file, p.dpi, k));
      const result = outcome(estimate, needed(k));
      outcomes.push(result);
      expect(result, `content turned ${90 * k}° clockwise: got ${estimate.evidence}`).not.toBe('wrong');
      if (result === 'right' && estimate.axisRatio < 3) expect(estimate.evidence).toMatch(/monospaced/);
    }
  });

  it('gets nearly all of them right', () => {
    expect(outcomes).toHaveLength(pages.length * 4);
    expect(outcomes.filter((o) => o === 'right').length / outcomes.length).toBeGreaterThanOrEqual(0.9);
  });
});

describe('detectOrientation on hard scans (forms, photos beside text, handwriting, stamps, borders, speckle, faint print)', () => {
  const outcomes: Outcome[] = [];
  const cases = HARD_PAGE_KINDS.map((kind, i) => ({ kind, dpi: i % 2 ? 300 : 200, skew: i % 3 === 0 ? -3 : 1.5, mode: (i % 2 ? 'bw' : 'grey') as ScanMode, seed: 500 + i }));

  it.each(cases.map((c) => [`${c.kind} ${c.dpi} dpi ${c.skew}° ${c.mode}`, c] as const))('%s: never confidently wrong', async (_name, c) => {
    for (const { k, estimate } of await estimatesForAllTurns(await hardPageFile(c.kind, c.dpi, c.skew, c.mode, c.seed), c.dpi)) {
      const result = outcome(estimate, needed(k));
      outcomes.push(result);
      expect(result, `content turned ${90 * k}° clockwise: got ${JSON.stringify(estimate)}`).not.toBe('wrong');
    }
  });

  it('tells most of them', () => {
    expect(outcomes).toHaveLength(cases.length * 4);
    expect(outcomes.filter((o) => o === 'right').length / outcomes.length).toBeGreaterThanOrEqual(0.9);
  });
});

describe('detectOrientation on pages whose orientation cannot be told', () => {
  it.each([
    ['an empty page with a few specks', () => hardPageFile('empty', 200, 0, 'grey', 7), 200],
    ['a full-page photo (grey)', () => hardPageFile('photo-full', 200, 0, 'grey', 8), 200],
    ['a full-page photo (1-bit)', () => hardPageFile('photo-full', 300, 0, 'bw', 9), 300],
  ] as const)('%s: flagged unreliable', async (_name, make, dpi) => {
    for (const { estimate } of await estimatesForAllTurns(await make(), dpi)) expect(estimate.reliable).toBe(false);
  });

  // Its grain once formed three short "lines" with one-sided tails (7 strokes to 0): the stroke
  // evidence counts only where the lines hold most of the page's glyph ink.
  it('a full-page photo turned 9°, through the pipeline\'s order (skew, straighten, orientation): flagged', async () => {
    const file = await hardPageFile('photo-full', 300, -9.274, 'grey', 287);
    for (const k of QUARTERS) expect((await orientationAsPipeline(await turnedAnalysisCopy(file, 300, k))).reliable).toBe(false);
  });

  it.each(['Anlage', 'Kontoauszug Oktober', 'Bitte zurück an Frau Müller'])('a page with only "%s": flagged or right, never wrong', async (words) => {
    for (const { k, estimate } of await estimatesForAllTurns(await fewWordsPageFile(150, words), 150)) {
      expect(outcome(estimate, needed(k))).not.toBe('wrong');
    }
  });

  it('a blank white page: unreliable, confidence 0', () => {
    const blank: GreyImage = { data: new Uint8Array(827 * 1169).fill(255), width: 827, height: 1169 };
    expect(detectOrientation(blank, 100)).toEqual({ turnQuarters: 0, confidence: 0, reliable: false, evidence: 'no text lines' });
  });
});

describe('detectOrientation: turn convention', () => {
  it('sharp.rotate(90 × turnQuarters) makes a turned page upright', async () => {
    const dpi = 150;
    const file = await plainPageFile({ kind: 'letter', dpi, skew: 0, mode: 'grey', seed: 3 });
    const turned = await turnedAnalysisCopy(file, dpi, 1);
    const estimate = detectOrientation(turned.image, turned.dpi);
    expect(estimate).toMatchObject({ turnQuarters: 3, reliable: true });
    const fixed = await sharp(Buffer.from(turned.image.data), { raw: { width: turned.image.width, height: turned.image.height, channels: 1 } })
      .rotate(90 * estimate.turnQuarters)
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    const again = detectOrientation({ data: new Uint8Array(fixed.data), width: fixed.info.width, height: fixed.info.height }, turned.dpi);
    expect(again).toMatchObject({ turnQuarters: 0, reliable: true });
    expect(fixed.info.width).toBeLessThan(fixed.info.height);
  });
});

describe('detectOrientation: bad input', () => {
  const image = (width: number, height: number, length = width * height): GreyImage => ({ data: new Uint8Array(length), width, height });
  it('names what is wrong', () => {
    expect(() => detectOrientation({ data: [1, 2] as unknown as Uint8Array, width: 1, height: 2 }, 100)).toThrow(/Uint8Array/);
    expect(() => detectOrientation(image(8, 100), 100)).toThrow(/at least 16×16 pixels, got 8×100/);
    expect(() => detectOrientation(image(100, 100, 9999), 100)).toThrow(/9999 bytes, expected width×height = 10000/);
    expect(() => detectOrientation(image(100, 100), 600)).toThrow(/dpi must be between 50 and 400.*got 600/);
    expect(() => detectOrientation(image(100, 100), Number.NaN)).toThrow(/dpi/);
  });
});
