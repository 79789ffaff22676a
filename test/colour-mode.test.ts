import { describe, expect, it } from 'vitest';
import { analyseRgb } from '../main/imaging/analyse.js';
import { findPaperBox } from '../main/imaging/borders.js';
import { decideColourMode } from '../main/imaging/colour-mode.js';
import { analysisCopy, renderScan, type ScanSpec } from './fixtures/scan-faults.js';

const CASES: Array<[string, 'colour' | 'grey' | 'bw', ScanSpec]> = [
  ['a black letter', 'bw', {}],
  ['a dense page', 'bw', { kind: 'dense' }],
  ['a table', 'bw', { kind: 'table' }],
  ['faint pencil-grey text (#aaa)', 'bw', { ink: 170, noise: 10 }],
  ['text on light form shading', 'bw', { shading: 215 }],
  ['text on darker form shading', 'bw', { shading: 180 }],
  ['a red stamp', 'colour', { stamp: 'red' }],
  ['a blue stamp', 'colour', { stamp: 'blue' }],
  ['a highlighter stroke', 'colour', { highlighter: true }],
  ['a grey photo block', 'grey', { photo: 'grey' }],
  ['a colour photo block', 'colour', { photo: 'colour' }],
  ['a black scanner border and punch holes', 'bw', { bands: { left: 8, top: 4 }, punchHoles: true }],
  ['a grey border and an edge shadow', 'bw', { bands: { right: 6 }, bandLevel: 120, shadowMm: 4 }],
];

describe('decideColourMode on generated scans (100 dpi analysis copy)', () => {
  it.each(CASES)('%s → %s', async (_name, expected, spec) => {
    const scan = await renderScan({ dpi: 150, seed: 7, ...spec });
    const rgb = await analysisCopy(scan, 3);
    const grey = await analysisCopy(scan, 1);
    const border = findPaperBox(grey, grey.dpi);
    const decision = decideColourMode(rgb, { dpi: rgb.dpi, box: border.box ?? undefined });
    expect(decision.mode, decision.reason).toBe(expected);
    expect(decision.reason.length).toBeGreaterThan(5);
    if (expected === 'grey') expect(decision.photoBoxes.length).toBeGreaterThan(0);
    if (spec.shading !== undefined) expect(decision.shadedShare).toBeGreaterThan(0.1);
  });

  it.each(CASES)('%s: the same decision from the page analysis the clean-up already has', async (_name, _expected, spec) => {
    const scan = await renderScan({ dpi: 150, seed: 7, ...spec });
    for (const channels of [3, 1] as const) {
      const copy = await analysisCopy(scan, channels);
      const analysis = analyseRgb(copy.data, copy.width, copy.height, channels);
      const border = findPaperBox(analysis.grey, copy.dpi, analysis.paperLevel);
      expect(border).toEqual(findPaperBox(analysis.grey, copy.dpi));
      const box = border.box ?? undefined;
      expect(decideColourMode(copy, { dpi: copy.dpi, box, analysis })).toEqual(decideColourMode(copy, { dpi: copy.dpi, box }));
    }
  });

  it('a grey copy (one channel) never comes out colour', async () => {
    const scan = await renderScan({ dpi: 150, seed: 7, stamp: 'red' });
    const grey = await analysisCopy(scan, 1);
    const decision = decideColourMode(grey, { dpi: grey.dpi });
    expect(decision.colourShare).toBe(0);
    expect(decision.mode).toBe('bw');
  });

  it('ignores colour fringes along black text (scanner misregistration of one 150 dpi pixel)', async () => {
    const scan = await renderScan({ dpi: 150, seed: 7 });
    // Shift the red channel right by one pixel at full resolution: every glyph edge gets a coloured fringe.
    const { rgb, width, height } = scan;
    for (let y = 0; y < height; y++) for (let x = width - 1; x > 0; x--) rgb[(y * width + x) * 3] = rgb[(y * width + x - 1) * 3];
    const copy = await analysisCopy(scan, 3);
    let fringe = 0;
    for (let i = 0; i < copy.data.length; i += 3) if (Math.max(copy.data[i], copy.data[i + 1], copy.data[i + 2]) - Math.min(copy.data[i], copy.data[i + 1], copy.data[i + 2]) > 48) fringe++;
    // The fringes are there (as many coloured pixels as a stamp would give), and still not colour.
    expect(fringe / (copy.width * copy.height)).toBeGreaterThan(0.002);
    const decision = decideColourMode(copy, { dpi: copy.dpi });
    expect(decision.mode, decision.reason).toBe('bw');
  });

  it('finds the photo where it is', async () => {
    const scan = await renderScan({ dpi: 150, seed: 7, photo: 'grey' });
    const rgb = await analysisCopy(scan, 3);
    const decision = decideColourMode(rgb, { dpi: rgb.dpi });
    expect(decision.photoBoxes).toHaveLength(1);
    const mm = rgb.dpi / 25.4;
    const [box] = decision.photoBoxes;
    // The fixture's photo: 60 × 45 mm, 20 mm from the right edge, 130 mm from the top.
    expect(Math.abs(box.left + box.width - (rgb.width - 20 * mm))).toBeLessThan(4 * mm);
    expect(Math.abs(box.top - 130 * mm)).toBeLessThan(4 * mm);
    expect(Math.abs(box.width - 60 * mm)).toBeLessThan(6 * mm);
  });

  it('refuses data that does not match the size', () => {
    expect(() => decideColourMode({ data: new Uint8Array(5), width: 10, height: 10, channels: 3 })).toThrow(/expected 300 bytes/);
    expect(() => decideColourMode({ data: new Uint8Array(500), width: 10, height: 10, channels: 5 })).toThrow(/channels/);
  });
});
