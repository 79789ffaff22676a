/**
 * splitBatch: the pure split of a mailroom batch into documents, for every separation mode,
 * simplex and duplex. Pages are described by their marks (what the codes reader and the clean-up
 * found), so every rule is checked on exact inputs.
 */
import { describe, expect, it } from 'vitest';
import { splitBatch } from '../main/mailroom/flow/split.js';
import type { BatchPage, DocumentPlan, MarksLike, SeparationSettings } from '../main/mailroom/flow/types.js';

let counter = 0;
const noMarks = (): MarksLike => ({ barcodes: [], separator: null, coverSheet: null, assignments: [] });

/** A page with text on it. */
const text = (extra: Partial<BatchPage> = {}): BatchPage => ({ pageId: `p${counter++}`, blank: false, lowConfidence: false, marks: noMarks(), ...extra });
const blank = (): BatchPage => text({ blank: true });
const stationSheet = (): BatchPage => text({ marks: { ...noMarks(), separator: 'station-sheet', barcodes: [{ format: 'QRCode', text: 'IS1|SEP' }] } });
const patchT = (): BatchPage => text({ marks: { ...noMarks(), separator: 'patch-t' } });
const cover = (customerNumber: string, expectedPages: number | null = null, documentType: string | null = 'Antrag'): BatchPage =>
  text({ marks: { ...noMarks(), coverSheet: { customerNumber, documentType, expectedPages }, barcodes: [{ format: 'QRCode', text: `IS1|COVER|${customerNumber}` }] } });
const withBarcode = (customerNumber: string, documentType: string | null = null): BatchPage =>
  text({
    marks: {
      ...noMarks(),
      barcodes: [{ format: 'Code128', text: `KDNR:${customerNumber}` }],
      assignments: [{ rule: 'kdnr', barcodeIndex: 0, customerNumber, documentType, expectedPages: null }],
    },
  });

const simplex = (mode: SeparationSettings['mode'], extra: Partial<SeparationSettings> = {}): SeparationSettings => ({ mode, duplex: false, ...extra });
const duplex = (mode: SeparationSettings['mode'], extra: Partial<SeparationSettings> = {}): SeparationSettings => ({ mode, duplex: true, ...extra });

/** The ids of each document's PDF pages. */
const pdfPages = (plans: DocumentPlan[]) => plans.map((d) => d.pages.filter((p) => !p.dropped).map((p) => p.pageId));
const codes = (plan: DocumentPlan) => plan.flags.map((f) => f.code).sort();

/** Every input page is in exactly one document, in scan order within it. */
function expectNothingLost(input: BatchPage[], plans: DocumentPlan[]) {
  const all = plans.flatMap((d) => d.pages.map((p) => p.pageId));
  expect([...all].sort()).toEqual(input.map((p) => p.pageId).sort());
  for (const d of plans) {
    const order = d.pages.map((p) => p.batchIndex);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  }
}

describe('splitBatch, simplex', () => {
  it('none: one document; station sheets still split and are removed', () => {
    const a = [text(), text()];
    const b = [text()];
    const sep = stationSheet();
    const input = [...a, sep, ...b];
    const plans = splitBatch(input, simplex('none'));
    expect(pdfPages(plans)).toEqual([a.map((p) => p.pageId), b.map((p) => p.pageId)]);
    expect(plans.map((d) => d.reason)).toEqual(['batch_start', 'station_sheet']);
    expect(plans[1].splitAt).toBe(2);
    expect(plans[1].pages[0]).toMatchObject({ pageId: sep.pageId, role: 'separator', dropped: true });
    expectNothingLost(input, plans);
  });

  it('none without any sheet: the whole batch is one document, blank pages included', () => {
    const input = [text(), blank(), text()];
    const plans = splitBatch(input, simplex('none'));
    expect(pdfPages(plans)).toEqual([input.map((p) => p.pageId)]);
  });

  it('blank_sheet: a blank page separates, runs of blanks make one split, leading and trailing blanks make no empty document', () => {
    const a = [text(), text()];
    const b = [text()];
    const c = [text(), text(), text()];
    const input = [blank(), ...a, blank(), ...b, blank(), blank(), ...c, blank()];
    const plans = splitBatch(input, simplex('blank_sheet'));
    expect(pdfPages(plans)).toEqual([a, b, c].map((doc) => doc.map((p) => p.pageId)));
    expect(plans.map((d) => d.reason)).toEqual(['blank_sheet', 'blank_sheet', 'blank_sheet']);
    expect(plans.map((d) => d.splitAt)).toEqual([0, 3, 5]);
    expectNothingLost(input, plans);
  });

  it('station_sheet and patch_t: the sheet splits and is removed; blank pages do not split', () => {
    for (const mode of ['station_sheet', 'patch_t'] as const) {
      const sheet = mode === 'station_sheet' ? stationSheet : patchT;
      const a = [text(), blank(), text()];
      const b = [text()];
      const input = [...a, sheet(), ...b];
      const plans = splitBatch(input, simplex(mode));
      expect(pdfPages(plans)).toEqual([a.map((p) => p.pageId), b.map((p) => p.pageId)]);
      expect(plans[1].reason).toBe(mode);
    }
  });

  it('dropBlankPages drops blank pages inside documents (kept in the plan, not in the PDF)', () => {
    const input = [text(), blank(), text()];
    const [plan] = splitBatch(input, simplex('station_sheet', { dropBlankPages: true }));
    expect(plan.pages.map((p) => [p.role, p.dropped])).toEqual([['content', false], ['blank', true], ['content', false]]);
  });

  it('patch T and station sheets split in every mode, even fixed_pages and barcode_first_page', () => {
    const input = [text(), patchT(), text(), stationSheet(), text()];
    for (const mode of ['blank_sheet', 'barcode_first_page', 'fixed_pages'] as const) {
      const plans = splitBatch(input, simplex(mode, { pages: 5 }));
      expect(plans.map((d) => d.reason)).toEqual(['batch_start', 'patch_t', 'station_sheet']);
      expect(pdfPages(plans)).toEqual([[input[0].pageId], [input[2].pageId], [input[4].pageId]]);
    }
  });

  it('barcode_first_page: a page with a customer barcode starts a document and assigns it', () => {
    const first = withBarcode('12345');
    const second = withBarcode('67890', 'Widerspruch');
    const input = [first, text(), text(), second, text()];
    const plans = splitBatch(input, simplex('barcode_first_page'));
    expect(pdfPages(plans)).toEqual([input.slice(0, 3).map((p) => p.pageId), input.slice(3).map((p) => p.pageId)]);
    expect(plans[1].reason).toBe('barcode');
    expect(plans[1].splitAt).toBe(3);
    expect(plans[0].assignment).toMatchObject({ source: 'barcode', customerNumber: '12345', rule: 'kdnr', barcodeText: 'KDNR:12345', batchIndex: 0 });
    expect(plans[1].assignment).toMatchObject({ customerNumber: '67890', documentType: 'Widerspruch' });
    expect(plans.map(codes)).toEqual([[], []]);
  });

  it('barcode_first_page: pages before the first barcode form a document flagged "no barcode"', () => {
    const input = [text(), text(), withBarcode('12345'), text()];
    const plans = splitBatch(input, simplex('barcode_first_page'));
    expect(plans.map((d) => d.pages.length)).toEqual([2, 2]);
    expect(codes(plans[0])).toEqual(['no_barcode']);
    expect(plans[0].assignment).toBeNull();
  });

  it('barcode_first_page: a barcode right after a separator does not split again', () => {
    const input = [withBarcode('1'), text(), stationSheet(), withBarcode('2'), text()];
    const plans = splitBatch(input, simplex('barcode_first_page'));
    expect(plans.map((d) => d.reason)).toEqual(['batch_start', 'station_sheet']);
    expect(pdfPages(plans)).toEqual([[input[0].pageId, input[1].pageId], [input[3].pageId, input[4].pageId]]);
    expect(plans[1].assignment?.customerNumber).toBe('2');
  });

  it('other modes: a barcode assigns but does not split; a second customer in one document is flagged (missed separator?)', () => {
    const input = [withBarcode('111'), text(), withBarcode('222'), text()];
    const [plan, ...rest] = splitBatch(input, simplex('blank_sheet'));
    expect(rest).toHaveLength(0);
    expect(plan.assignment?.customerNumber).toBe('111');
    expect(plan.flags).toContainEqual({ code: 'conflicting_barcode', customerNumber: '222', pages: [3] });
  });

  it('fixed_pages: every N pages, counting again after a separator', () => {
    const input = Array.from({ length: 7 }, () => text());
    const plans = splitBatch(input, simplex('fixed_pages', { pages: 3 }));
    expect(plans.map((d) => d.pages.length)).toEqual([3, 3, 1]);
    expect(plans.map((d) => d.reason)).toEqual(['batch_start', 'fixed_pages', 'fixed_pages']);
    expect(plans.map((d) => d.splitAt)).toEqual([0, 3, 6]);

    const withSheet = [text(), text(), stationSheet(), text(), text(), text(), text()];
    expect(splitBatch(withSheet, simplex('fixed_pages', { pages: 3 })).map((d) => d.pages.filter((p) => !p.dropped).length)).toEqual([2, 3, 1]);
    expect(() => splitBatch(input, simplex('fixed_pages'))).toThrow(/page count/);
  });

  it('a cover sheet starts a document, assigns it, is removed, and a page count mismatch is flagged', () => {
    const input = [text(), cover('12345', 2), text(), text(), cover('67890', 2), text(), text(), text()];
    const plans = splitBatch(input, simplex('none'));
    expect(plans.map((d) => d.reason)).toEqual(['batch_start', 'cover_sheet', 'cover_sheet']);
    expect(pdfPages(plans)).toEqual([[input[0].pageId], [input[2].pageId, input[3].pageId], input.slice(5).map((p) => p.pageId)]);
    expect(plans[1].assignment).toMatchObject({ source: 'cover_sheet', customerNumber: '12345', documentType: 'Antrag', batchIndex: 1 });
    expect(plans[1].expectedPages).toBe(2);
    expect(codes(plans[1])).toEqual([]);
    // The second letter has a page too many: a separator was probably missed.
    expect(plans[2].flags).toContainEqual({ code: 'page_count_mismatch', expected: 2, actual: 3 });
    expect(codes(plans[0])).toEqual(['no_barcode']);
    expectNothingLost(input, plans);
  });

  it('a cover sheet followed at once by another sheet: its page goes to the next document, flagged', () => {
    const input = [cover('111', 1), cover('222', 1), text()];
    const plans = splitBatch(input, simplex('none'));
    expect(plans).toHaveLength(1);
    expect(plans[0].assignment?.customerNumber).toBe('222');
    expect(plans[0].flags).toContainEqual({ code: 'cover_without_pages', customerNumber: '111' });
    expectNothingLost(input, plans);
  });

  it('a cover sheet and a barcode for another customer: the cover wins, the barcode is flagged', () => {
    const input = [cover('111'), withBarcode('222')];
    const [plan] = splitBatch(input, simplex('barcode_first_page'));
    expect(plan.assignment?.customerNumber).toBe('111');
    expect(plan.flags).toContainEqual({ code: 'conflicting_barcode', customerNumber: '222', pages: [1] });
  });

  it('low-confidence pages and unread marks are flagged with their PDF positions', () => {
    const input = [text(), text({ lowConfidence: true }), text({ marks: null })];
    const [plan] = splitBatch(input, simplex('none'));
    expect(plan.flags).toContainEqual({ code: 'low_confidence_page', pages: [2] });
    expect(plan.flags).toContainEqual({ code: 'marks_unread', pages: [3] });
  });

  it('a batch of nothing but sheets and blanks keeps every page for a person to see', () => {
    const input = [blank(), stationSheet(), blank()];
    const plans = splitBatch(input, simplex('blank_sheet'));
    expect(plans).toHaveLength(1);
    expect(plans[0].pages.every((p) => !p.dropped)).toBe(true);
    expect(codes(plans[0])).toContain('no_content');
  });

  it('an empty batch has no documents', () => {
    expect(splitBatch([], simplex('blank_sheet'))).toEqual([]);
  });
});

describe('splitBatch, duplex', () => {
  it('blank backs of ordinary pages never separate and are dropped', () => {
    // Three one-sided letters scanned duplex: every back is blank.
    const input = [text(), blank(), text(), blank(), text(), blank()];
    const plans = splitBatch(input, duplex('blank_sheet'));
    expect(plans).toHaveLength(1);
    expect(pdfPages(plans)).toEqual([[input[0].pageId, input[2].pageId, input[4].pageId]]);
    expect(plans[0].pages.filter((p) => p.dropped).map((p) => p.role)).toEqual(['blank_back', 'blank_back', 'blank_back']);
  });

  it('blank_sheet: only a sheet blank on both sides separates; both sides are removed', () => {
    const input = [text(), blank(), text(), text(), blank(), blank(), text(), blank()];
    const plans = splitBatch(input, duplex('blank_sheet'));
    expect(pdfPages(plans)).toEqual([[input[0].pageId, input[2].pageId, input[3].pageId], [input[6].pageId]]);
    expect(plans[1].reason).toBe('blank_sheet');
    expect(plans[1].splitAt).toBe(4);
    expect(plans[1].pages.slice(0, 2).map((p) => [p.role, p.dropped])).toEqual([['separator', true], ['separator_back', true]]);
    expectNothingLost(input, plans);
  });

  it('a blank front with content on the back is not a separator (a sheet put in the other way round)', () => {
    const input = [text(), blank(), blank(), text()];
    const plans = splitBatch(input, duplex('blank_sheet'));
    expect(plans).toHaveLength(1);
    expect(pdfPages(plans)).toEqual([[input[0].pageId, input[3].pageId]]);
  });

  it('a separator sheet removes its blank back too, whichever side the mark is on', () => {
    for (const sheet of [stationSheet, patchT]) {
      const markFront = [text(), blank(), sheet(), blank(), text(), text()];
      const plans = splitBatch(markFront, duplex('station_sheet'));
      expect(pdfPages(plans)).toEqual([[markFront[0].pageId], [markFront[4].pageId, markFront[5].pageId]]);
      expect(plans[1].pages.slice(0, 2).map((p) => p.role)).toEqual(['separator', 'separator_back']);

      const markBack = [text(), blank(), blank(), sheet(), text(), blank()];
      const turned = splitBatch(markBack, duplex('patch_t'));
      expect(pdfPages(turned)).toEqual([[markBack[0].pageId], [markBack[4].pageId]]);
      expect(turned[1].splitAt).toBe(3);
    }
  });

  it('a separator sheet with something printed on its back: the back is kept and flagged', () => {
    const input = [text(), blank(), stationSheet(), text(), text(), blank()];
    const plans = splitBatch(input, duplex('station_sheet'));
    expect(pdfPages(plans)).toEqual([[input[0].pageId], [input[3].pageId, input[4].pageId]]);
    expect(codes(plans[1])).toContain('sheet_back_not_blank');
  });

  it('a cover sheet with a blank back: both removed; the expected count counts pages with content', () => {
    const input = [cover('12345', 3), blank(), text(), text(), text(), blank(), cover('999', 1), blank(), text(), text()];
    const plans = splitBatch(input, duplex('none'));
    expect(plans.map((d) => d.reason)).toEqual(['cover_sheet', 'cover_sheet']);
    expect(pdfPages(plans)).toEqual([[input[2].pageId, input[3].pageId, input[4].pageId], [input[8].pageId, input[9].pageId]]);
    expect(codes(plans[0])).toEqual([]);
    expect(plans[1].flags).toContainEqual({ code: 'page_count_mismatch', expected: 1, actual: 2 });
    expectNothingLost(input, plans);
  });

  it('barcode_first_page: only a front starts a document; a barcode on a back does not split a sheet', () => {
    const input = [withBarcode('1'), blank(), text(), withBarcode('2'), withBarcode('3'), blank()];
    const plans = splitBatch(input, duplex('barcode_first_page'));
    expect(plans.map((d) => d.pages.map((p) => p.pageId))).toEqual([input.slice(0, 4).map((p) => p.pageId), input.slice(4).map((p) => p.pageId)]);
    expect(plans[0].flags).toContainEqual({ code: 'conflicting_barcode', customerNumber: '2', pages: [3] });
    expect(plans[1].assignment?.customerNumber).toBe('3');
  });

  it('fixed_pages counts sheets with duplex', () => {
    const input = Array.from({ length: 8 }, (_, i) => (i % 2 ? blank() : text()));
    const plans = splitBatch(input, duplex('fixed_pages', { pages: 2 }));
    expect(plans.map((d) => d.pages.length)).toEqual([4, 4]);
    expect(pdfPages(plans).map((p) => p.length)).toEqual([2, 2]);
  });

  it('an odd page count: the last sheet has no back and is flagged', () => {
    const input = [text(), blank(), text()];
    const [plan] = splitBatch(input, duplex('blank_sheet'));
    expect(plan.flags).toContainEqual({ code: 'missing_back' });
    expect(pdfPages([plan])).toEqual([[input[0].pageId, input[2].pageId]]);
  });
});
