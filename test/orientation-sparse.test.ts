import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readSparseCues, sparseNoteTop, tailLean, type TailLean } from '../main/imaging/orientation-sparse.js';
import { detectOrientationDetailed } from '../main/imaging/orientation.js';
import { rotateGreyQuarters } from '../main/imaging/quarter-turn.js';
import { levelRows } from '../main/imaging/shear.js';
import type { GreyImage } from '../main/imaging/types.js';
import { noteBoxImage, orientationAsPipeline, sparsePageFile, sparsePageName, sparsePagePlan, turnedAnalysisCopy, type FullPage, type NoteBox } from './fixtures/orientation-pages.js';

const NOTE = ['Herrn Jürgen Schäfer', 'Lindenweg 17b, 04109 Leipzig', 'Bitte um Rückruf unter 0341 556790'];
/** Tails that lean neither way: the cue that must not count. */
const NO_LEAN: TailLean = { before: 100, after: 100, strokesBefore: 5, strokesAfter: 5 };
const upsideDown = (image: GreyImage) => rotateGreyQuarters(image, 2);

describe('sparse-note cues on a left-aligned note', () => {
  it.each([
    ['DejaVu Sans 11 pt, 200 dpi grey', { lines: NOTE, align: 'left' }],
    ['DejaVu Serif 9 pt, 200 dpi 1-bit', { lines: NOTE.slice(0, 2), align: 'left', font: 'DejaVu Serif', sizePt: 9, mode: 'bw' }],
  ] as Array<[string, NoteBox]>)('%s: margins and marks say upright, and upside down say so', async (_name, note) => {
    const image = await noteBoxImage(note);
    const dpi = note.dpi ?? 200;
    const upright = readSparseCues(image, dpi, 0);
    expect(upright.lines).toHaveLength(note.lines.length);
    expect(upright).toMatchObject({ margins: 1, marks: 1 });
    expect(upright.leftSpread).toBeLessThan(0.35);
    const turned = readSparseCues(upsideDown(image), dpi, 0);
    expect(turned).toMatchObject({ margins: -1, marks: -1 });
    expect(sparseNoteTop(upright, NO_LEAN)).toMatchObject({ upright: true, agreeing: 2 });
    expect(sparseNoteTop(turned, NO_LEAN)).toMatchObject({ upright: false, agreeing: 2 });
  });

  it('DejaVu Sans Light 10 pt, 150 dpi 1-bit: the dots break into single pixels, which are no marks; the margins alone decide nothing', async () => {
    const image = await noteBoxImage({ lines: NOTE, align: 'left', font: 'DejaVu Sans Light', sizePt: 10, dpi: 150, mode: 'bw' });
    for (const [turn, cues, margins] of [['upright', readSparseCues(image, 150, 0), 1], ['upside down', readSparseCues(upsideDown(image), 150, 0), -1]] as const) {
      expect(cues.margins, turn).toBe(margins);
      expect(cues.marks, turn).not.toBe(-margins);
      if (cues.marks === 0) expect(sparseNoteTop(cues, NO_LEAN), turn).toBeUndefined();
    }
  });

  it('skewed 3.5° and levelled by shearing: the line starts are corrected by the skew and stay flush', async () => {
    for (const skew of [3.5, -3.5]) {
      const levelled = levelRows(await noteBoxImage({ lines: NOTE, align: 'left', skew }), skew);
      const cues = readSparseCues(levelled, 200, skew);
      expect(cues.margins, `skew ${skew}°`).toBe(1);
      // Uncorrected, the starts of three lines spread over 0.3 x-heights; corrected, 0.04.
      expect(cues.leftSpread, `skew ${skew}°`).toBeLessThan(0.1);
      expect(readSparseCues(upsideDown(levelled), 200, skew).margins, `skew ${skew}°, upside down`).toBe(-1);
    }
  });

  it('names every cue in its evidence', async () => {
    const top = sparseNoteTop(readSparseCues(await noteBoxImage({ lines: NOTE, align: 'left' }), 200, 0), { before: 300, after: 60, strokesBefore: 20, strokesAfter: 3 });
    expect(top).toMatchObject({ upright: true, agreeing: 3 });
    expect(top!.evidence).toMatch(/^sparse note, 3 lines: margins agree .*detached marks agree \(\d+ to 0\), tails agree/);
  });
});

describe('sparse-note cues abstain where the top cannot be told from them', () => {
  it('centred lines: no margin answer', async () => {
    const cues = readSparseCues(await noteBoxImage({ lines: ['Eingangsbestätigung', 'Zur Kenntnis genommen'], align: 'centre' }), 200, 0);
    expect(cues.margins).toBe(0);
    expect(cues.marks).toBe(1);
    // One cue alone decides nothing.
    expect(sparseNoteTop(cues, NO_LEAN)).toBeUndefined();
  });

  it('right-aligned lines (a date and a room): the margins point the wrong way, the marks disagree, so no answer', async () => {
    const image = await noteBoxImage({ lines: ['Leipzig, den 2. Dezember 2026', 'Termin am Dienstag, 9:30 Uhr', 'Zimmer 214'], align: 'right' });
    for (const [turn, cues] of [['upright', readSparseCues(image, 200, 0)], ['upside down', readSparseCues(upsideDown(image), 200, 0)]] as const) {
      expect(Math.abs(cues.margins), turn).toBe(1);
      expect(cues.marks, turn).toBe(-cues.margins);
      expect(sparseNoteTop(cues, NO_LEAN), turn).toBeUndefined();
    }
  });

  it('right-aligned lines heavy with descenders: margins and tails both point the wrong way, one i dot against them keeps it undecided', async () => {
    const note: NoteBox = { lines: ['Zur Kenntnis genommen', 'gypsy jog paying'], align: 'right', sizePt: 9, dpi: 150, skew: -3 };
    const levelled = levelRows(await noteBoxImage(note), -3);
    for (const [turn, image] of [['upright', levelled], ['upside down', upsideDown(levelled)]] as const) {
      const cues = readSparseCues(image, 150, -3);
      const lean = detectOrientationDetailed(image, 150, { straightened: true }).horizontal;
      const wrongWay = turn === 'upright' ? -1 : 1;
      expect(cues.margins, turn).toBe(wrongWay);
      expect(tailLean(lean), turn).toBe(wrongWay);
      expect(turn === 'upright' ? cues.marksAbove : cues.marksBelow, turn).toBeGreaterThan(0);
      expect(sparseNoteTop(cues, lean), turn).toBeUndefined();
    }
  });

  it('right-aligned figures with no dots: the margins alone decide nothing', async () => {
    const cues = readSparseCues(await noteBoxImage({ lines: ['812K044913', '07301//0012345', '04109 0341 556790'], align: 'right' }), 200, 0);
    expect(cues.margins).toBe(-1);
    expect(cues.marks).toBe(0);
    expect(sparseNoteTop(cues, NO_LEAN)).toBeUndefined();
  });

  it('a grainy photo: no text lines, no answer', async () => {
    const [width, height] = [800, 500];
    const noise = Buffer.alloc(width * height);
    let state = 12345;
    for (let i = 0; i < noise.length; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      noise[i] = state >>> 24;
    }
    const { data } = await sharp(noise, { raw: { width, height, channels: 1 } }).blur(2).normalise().raw().toBuffer({ resolveWithObject: true });
    const cues = readSparseCues({ data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height }, 200, 0);
    expect(cues).toMatchObject({ margins: 0, marks: 0 });
    expect(sparseNoteTop(cues, { before: 500, after: 10, strokesBefore: 30, strokesAfter: 0 })).toBeUndefined();
  });
});

describe('tailLean', () => {
  it('counts only a clear lean of both ink and strokes', () => {
    expect(tailLean({ before: 300, after: 100, strokesBefore: 14, strokesAfter: 2 })).toBe(1);
    expect(tailLean({ before: 100, after: 300, strokesBefore: 2, strokesAfter: 14 })).toBe(-1);
    // Ink leaning one way, strokes nearly even (seen the wrong way on a 150 dpi 1-bit light face).
    expect(tailLean({ before: 190, after: 100, strokesBefore: 11, strokesAfter: 8 })).toBe(0);
    expect(tailLean({ before: 0, after: 0, strokesBefore: 0, strokesAfter: 0 })).toBe(0);
    // Two strokes to none are two letters, not a lean.
    expect(tailLean({ before: 60, after: 20, strokesBefore: 2, strokesAfter: 0 })).toBe(0);
  });
});

describe('the second look tells a note the tails left unsure', () => {
  // DejaVu Serif Condensed 9 pt, two lines, 200 dpi grey, skewed -3.8°: "Eingangsbestätigung" and
  // "Zur Kenntnis genommen" have about as much descender ink as ascender ink, so the tails stay
  // unsure at 200 dpi too; the lines start flush and their i and umlaut dots stand above the band.
  const page = sparsePagePlan(48, 31)[16];

  it(`${sparsePageName(page)}: right at every quarter turn, the sparse-note rule named where it decided`, async () => {
    const file = await sparsePageFile(page);
    const told: string[] = [];
    for (const k of [0, 1, 2, 3] as const) {
      const copy = await turnedAnalysisCopy(file, page.dpi, k);
      const full = async (): Promise<FullPage> => {
        const { data, info } = await sharp(file).greyscale().rotate(90 * k).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
        return { image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }, dpi: page.dpi };
      };
      const estimate = await orientationAsPipeline(copy, 0.1, full);
      expect(estimate.reliable, `content turned ${90 * k}°: ${estimate.evidence}`).toBe(true);
      expect(estimate.turnQuarters, `content turned ${90 * k}°`).toBe((4 - k) % 4);
      if (estimate.evidence?.includes('sparse note')) told.push(`${90 * k}°`);
    }
    expect(told.length).toBeGreaterThan(0);
  });
});
