/**
 * Everything the mailroom wants to know about one page, in one call: its barcodes, whether it is
 * a separator sheet (the station's QR or a Patch T), whether it is one of the station's cover
 * sheets, and what the barcode rules make of its codes. Plain JSON out, so it crosses worker
 * threads and fits a database column. Barcode text is social data: callers must not log it.
 */
import { parseStationPayload, type CoverPayload } from '../sheets/payload.js';
import type { Barcode, BarcodeFormatName } from './formats.js';
import { loadPageImage, type PageInput } from './page-image.js';
import { detectPatchCode } from './patch-code.js';
import type { PatchType } from './patch-spec.js';
import { readBarcodesOnPage } from './read-barcodes.js';
import { applyBarcodeRules, compileBarcodeRules, type CompiledBarcodeRule, type RuleMatch } from './rules.js';

export interface PageMarks {
  barcodes: Barcode[];
  /** The page is a separator sheet: the station's own (QR `IS1|SEP`) or any sheet with Patch T. */
  separator: 'station-sheet' | 'patch-t' | null;
  /** A patch code on the page (Patch T is also reported in `separator`). */
  patchCode: { type: PatchType; orientation: 0 | 90 | 180 | 270 } | null;
  /** The page is one of the station's cover sheets. */
  coverSheet: CoverPayload | null;
  /** The first matching rule for each barcode that matched one. */
  assignments: RuleMatch[];
  /** Resolution the page was read at (from the caller, the file, or inferred as A4). */
  dpi: number;
  /** Time spent, milliseconds. */
  ms: number;
}

export interface DetectPageMarksOptions {
  dpi?: number;
  /** Compiled rules (compileBarcodeRules); the station's defaults when missing. */
  rules?: readonly CompiledBarcodeRule[];
  formats?: readonly BarcodeFormatName[];
  /** 'thorough' also searches the whole page when no candidate region held a code. */
  mode?: 'fast' | 'thorough';
}

let defaultRules: CompiledBarcodeRule[] | null = null;

export async function detectPageMarks(input: PageInput, options: DetectPageMarksOptions = {}): Promise<PageMarks> {
  const started = performance.now();
  const page = await loadPageImage(input, options.dpi);
  // The station's own sheets carry one code and nothing else the mailroom uses (a separator is
  // dropped, a cover sheet assigns from its own code): once it is read, the page's other dense
  // regions (the sheet's large lettering, the Patch T bars) need no zxing pass.
  const { barcodes } = await readBarcodesOnPage(page, { formats: options.formats, mode: options.mode, enough: (found) => found.some((code) => parseStationPayload(code.text) !== null) });
  const patch = detectPatchCode(page.small, page.smallDpi);

  let stationSeparator = false;
  let coverSheet: CoverPayload | null = null;
  for (const code of barcodes) {
    const payload = parseStationPayload(code.text);
    if (payload?.kind === 'separator') stationSeparator = true;
    else if (payload?.kind === 'cover' && !coverSheet) coverSheet = { customerNumber: payload.customerNumber, documentType: payload.documentType, expectedPages: payload.expectedPages };
  }
  const rules = options.rules ?? (defaultRules ??= compileBarcodeRules());
  return {
    barcodes,
    separator: stationSeparator ? 'station-sheet' : patch?.type === 'T' ? 'patch-t' : null,
    patchCode: patch ? { type: patch.type, orientation: patch.orientation } : null,
    coverSheet,
    assignments: applyBarcodeRules(barcodes, rules),
    dpi: page.dpi,
    ms: Math.round(performance.now() - started),
  };
}
