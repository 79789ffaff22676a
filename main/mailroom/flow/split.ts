/**
 * Splitting a mailroom batch into documents: a pure function over the pages' marks, so every rule
 * can be tested without images.
 *
 * Rules (main/mailroom/flow/README.md has the reasoning):
 * - The station's own sheets (separator QR, cover sheet) and Patch T sheets split in every mode:
 *   they cannot be mistaken for a letter's page. The mode adds the one ambiguous signal it names:
 *   a blank sheet, a barcode on a page, or a fixed page count.
 * - With duplex, pages come as front/back pairs of a sheet and a document always starts on a front.
 *   A blank separator is a sheet blank on BOTH sides, so a letter's blank back never splits. The
 *   blank back of a separator or cover sheet is removed with it (a sheet put in turned round, mark
 *   on the back, counts the same).
 * - With duplex, the blank side of a sheet that has content on its other side is dropped.
 * - Nothing is lost: separator, cover and blank pages stay in the plan as dropped pages of a
 *   document (left out of its PDF).
 * - Every uncertain case becomes a flag on the document.
 */
import type { Assignment, BatchPage, DocumentPlan, Flag, PageRole, PlannedPage, SeparationSettings, SplitReason } from './types.js';

interface Side {
  page: BatchPage;
  batchIndex: number;
  back: boolean;
}

type SheetKind = 'cover' | 'station_sheet' | 'patch_t' | 'blank' | 'content';

interface OpenDocument {
  reason: SplitReason;
  splitAt: number;
  pages: PlannedPage[];
  /** Sheets (duplex) or pages (simplex) with something on them, for fixed_pages. */
  contentUnits: number;
  cover: Assignment | null;
  expectedPages: number | null;
  flags: Flag[];
}

function kindOf(sides: Side[], settings: SeparationSettings): SheetKind {
  if (sides.some((s) => s.page.marks?.coverSheet)) return 'cover';
  const separator = sides.find((s) => s.page.marks?.separator)?.page.marks?.separator;
  if (separator === 'station-sheet') return 'station_sheet';
  if (separator === 'patch-t') return 'patch_t';
  if (settings.mode === 'blank_sheet' && sides.every((s) => s.page.blank)) return 'blank';
  return 'content';
}

/** The assignment a page's barcodes give (a customer number first, else a document type). */
function barcodeAssignment(page: BatchPage, batchIndex: number): Assignment | null {
  const marks = page.marks;
  if (!marks) return null;
  const match = marks.assignments.find((a) => a.customerNumber) ?? marks.assignments.find((a) => a.documentType);
  if (!match) return null;
  return {
    source: 'barcode',
    customerNumber: match.customerNumber,
    documentType: match.documentType,
    rule: match.rule,
    barcodeText: marks.barcodes[match.barcodeIndex]?.text ?? null,
    batchIndex,
  };
}

function expectedFromBarcode(page: BatchPage): number | null {
  return page.marks?.assignments.find((a) => a.expectedPages != null)?.expectedPages ?? null;
}

function sheetsOf(pages: BatchPage[], duplex: boolean): Side[][] {
  const sheets: Side[][] = [];
  const step = duplex ? 2 : 1;
  for (let i = 0; i < pages.length; i += step) {
    const sides: Side[] = [{ page: pages[i], batchIndex: i, back: false }];
    if (duplex && i + 1 < pages.length) sides.push({ page: pages[i + 1], batchIndex: i + 1, back: true });
    sheets.push(sides);
  }
  return sheets;
}

export function splitBatch(pages: BatchPage[], settings: SeparationSettings): DocumentPlan[] {
  if (settings.mode === 'fixed_pages' && !(settings.pages && settings.pages >= 1)) {
    throw new RangeError('Separation "fixed_pages" needs a page count of at least 1.');
  }
  const docs: OpenDocument[] = [];
  let current: OpenDocument | null = null;
  /** Separator pages seen since the last document, waiting for the document they start. */
  let pending: PlannedPage[] = [];
  let pendingReason: { reason: SplitReason; splitAt: number } | null = null;
  /** Content sides of separator/cover sheets (a mark on a printed page): kept, flagged. */
  let pendingFlags: Flag[] = [];

  const open = (reason: SplitReason, splitAt: number): OpenDocument => {
    const doc: OpenDocument = { reason, splitAt, pages: pending, contentUnits: 0, cover: null, expectedPages: null, flags: pendingFlags };
    pending = [];
    pendingFlags = [];
    pendingReason = null;
    docs.push(doc);
    return doc;
  };

  const sheets = sheetsOf(pages, settings.duplex);
  for (const sides of sheets) {
    const kind = kindOf(sides, settings);
    if (kind === 'cover') {
      const coverSide = sides.find((s) => s.page.marks?.coverSheet)!;
      const cover = coverSide.page.marks!.coverSheet!;
      current = open('cover_sheet', coverSide.batchIndex);
      current.cover = {
        source: 'cover_sheet',
        customerNumber: cover.customerNumber || null,
        documentType: cover.documentType,
        rule: 'cover_sheet',
        barcodeText: null,
        batchIndex: coverSide.batchIndex,
      };
      current.expectedPages = cover.expectedPages;
      for (const side of sides) {
        if (side === coverSide) current.pages.push(planned(side, 'cover', true));
        else sheetOtherSide(side, 'cover_back', current.pages, current.flags);
      }
      continue;
    }
    if (kind === 'station_sheet' || kind === 'patch_t' || kind === 'blank') {
      const markSide = kind === 'blank' ? sides[0] : sides.find((s) => s.page.marks?.separator)!;
      if (!pendingReason) pendingReason = { reason: kind === 'blank' ? 'blank_sheet' : kind, splitAt: markSide.batchIndex };
      current = null;
      for (const side of sides) {
        if (side === markSide) pending.push(planned(side, 'separator', true));
        else sheetOtherSide(side, 'separator_back', pending, pendingFlags);
      }
      continue;
    }
    // A sheet (or simplex page) with content, or blank where blank sheets do not separate.
    const front = sides[0];
    const startsByBarcode = settings.mode === 'barcode_first_page' && barcodeAssignment(front.page, front.batchIndex) !== null;
    const startsByCount = settings.mode === 'fixed_pages' && current !== null && current.contentUnits >= settings.pages!;
    if (!current) {
      current = open(pendingReason?.reason ?? 'batch_start', pendingReason?.splitAt ?? front.batchIndex);
    } else if ((startsByBarcode || startsByCount) && current.contentUnits > 0) {
      current = open(startsByBarcode ? 'barcode' : 'fixed_pages', front.batchIndex);
    }
    current.contentUnits += 1;
    // With duplex, the empty side of a sheet with something on it is no page of the letter.
    const sheetHasContent = sides.some((s) => !s.page.blank);
    for (const side of sides) {
      const role: PageRole = side.page.blank ? (side.back ? 'blank_back' : 'blank') : 'content';
      const dropped = side.page.blank && ((settings.duplex && sheetHasContent) || settings.dropBlankPages === true);
      current.pages.push(planned(side, role, dropped));
    }
    if (settings.duplex && sides.length === 1) current.flags.push({ code: 'missing_back' });
  }
  return finish(docs, pending, pendingFlags, pages);
}

function planned(side: Side, role: PageRole, dropped: boolean): PlannedPage {
  return { pageId: side.page.pageId, batchIndex: side.batchIndex, role, dropped };
}

/** The other side of a separator or cover sheet: dropped when blank (or itself a mark), else kept and flagged. */
function sheetOtherSide(side: Side, role: PageRole, into: PlannedPage[], flags: Flag[]): void {
  const marks = side.page.marks;
  if (side.page.blank || marks?.separator || marks?.coverSheet) {
    into.push(planned(side, role, true));
    return;
  }
  into.push(planned(side, 'content', false));
  flags.push({ code: 'sheet_back_not_blank' });
}

function finish(docs: OpenDocument[], pending: PlannedPage[], pendingFlags: Flag[], pages: BatchPage[]): DocumentPlan[] {
  // Separator pages after the last document belong to it (dropped).
  if (pending.length) {
    if (docs.length) {
      docs[docs.length - 1].pages.push(...pending);
      docs[docs.length - 1].flags.push(...pendingFlags);
    } else {
      docs.push({ reason: 'batch_start', splitAt: 0, pages: pending, contentUnits: 0, cover: null, expectedPages: null, flags: pendingFlags });
    }
  }
  // A cover sheet with no pages after it (the next sheet was another cover or separator): its pages
  // go, dropped, to the following document (or the previous one at the end), which is flagged.
  const kept: OpenDocument[] = [];
  const orphans: { pages: PlannedPage[]; flags: Flag[] }[] = [];
  for (const doc of docs) {
    const hasPage = doc.pages.some((p) => p.role === 'content' || p.role === 'blank' || p.role === 'blank_back');
    if (!hasPage) {
      const flags = [...doc.flags];
      if (doc.cover) flags.push({ code: 'cover_without_pages', ...(doc.cover.customerNumber ? { customerNumber: doc.cover.customerNumber } : {}) });
      orphans.push({ pages: doc.pages, flags });
      continue;
    }
    for (const orphan of orphans.splice(0)) {
      doc.pages.unshift(...orphan.pages);
      doc.flags.push(...orphan.flags);
    }
    kept.push(doc);
  }
  if (orphans.length) {
    if (kept.length) {
      const last = kept[kept.length - 1];
      for (const orphan of orphans) {
        last.pages.push(...orphan.pages);
        last.flags.push(...orphan.flags);
      }
    } else {
      // Nothing but sheets and blanks: one document of every page, nothing dropped, for a person to look at.
      const all = orphans.flatMap((o) => o.pages).sort((a, b) => a.batchIndex - b.batchIndex);
      return [
        {
          reason: 'batch_start',
          splitAt: 0,
          pages: all.map((p) => ({ ...p, dropped: false })),
          assignment: null,
          expectedPages: null,
          flags: [{ code: 'no_content' }, ...orphans.flatMap((o) => o.flags)],
        },
      ];
    }
  }
  for (const doc of kept) doc.pages.sort((a, b) => a.batchIndex - b.batchIndex);
  return kept.map((doc) => describe(doc, pages));
}

function describe(doc: OpenDocument, pages: BatchPage[]): DocumentPlan {
  const flags: Flag[] = [];
  // A document of only blank pages keeps them (as the front desk does), and says so.
  if (!doc.pages.some((p) => !p.dropped)) {
    for (const p of doc.pages) if (p.role === 'blank' || p.role === 'blank_back') p.dropped = false;
    flags.push({ code: 'no_content' });
  }
  const inPdf = doc.pages.filter((p) => !p.dropped);
  const position = (p: PlannedPage) => inPdf.indexOf(p) + 1;
  const contentPages = inPdf.filter((p) => p.role === 'content');

  let assignment: Assignment | null = doc.cover;
  let expectedPages = doc.expectedPages;
  const fromBarcodes = contentPages.map((p) => barcodeAssignment(pages[p.batchIndex], p.batchIndex)).filter((a): a is Assignment => a !== null);
  if (!assignment && fromBarcodes.length) {
    assignment = fromBarcodes[0];
    expectedPages = expectedFromBarcode(pages[assignment.batchIndex]);
  } else if (assignment && fromBarcodes.length && !assignment.documentType && fromBarcodes[0].documentType) {
    assignment = { ...assignment, documentType: fromBarcodes[0].documentType };
  }

  if (!assignment?.customerNumber) flags.push({ code: 'no_barcode' });
  const conflicting = fromBarcodes.filter((a) => a.customerNumber && assignment?.customerNumber && a.customerNumber !== assignment.customerNumber);
  for (const number of new Set(conflicting.map((a) => a.customerNumber!))) {
    const at = conflicting.filter((a) => a.customerNumber === number).map((a) => position(doc.pages.find((p) => p.batchIndex === a.batchIndex)!));
    flags.push({ code: 'conflicting_barcode', customerNumber: number, pages: at });
  }
  if (expectedPages != null) {
    const actual = contentPages.filter((p) => !pages[p.batchIndex].blank).length;
    if (actual !== expectedPages) flags.push({ code: 'page_count_mismatch', expected: expectedPages, actual });
  }
  const lowConfidence = contentPages.filter((p) => pages[p.batchIndex].lowConfidence && !pages[p.batchIndex].blank).map(position);
  if (lowConfidence.length) flags.push({ code: 'low_confidence_page', pages: lowConfidence });
  const unread = inPdf.filter((p) => pages[p.batchIndex].marks === null).map(position);
  if (unread.length) flags.push({ code: 'marks_unread', pages: unread });
  // Flags gathered while splitting (sheet backs, a missing back), each code once.
  for (const flag of doc.flags) if (!flags.some((f) => f.code === flag.code && f.customerNumber === flag.customerNumber)) flags.push(flag);
  return { reason: doc.reason, splitAt: doc.splitAt, pages: doc.pages, assignment, expectedPages, flags };
}
