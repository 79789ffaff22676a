/**
 * The page worker's side of the marks reader (main/workers). Two ways in:
 * - a mailroom page as the clean-up has just encoded it (readCleanedPageMarks, called by the
 *   process_source task): read from its bytes in memory, so the page is neither written, read
 *   back nor sent to a second task before its marks are known;
 * - a page file (task detect_page_marks), for a re-read on request.
 * Rules come as configuration (already checked at config load) and are compiled once per worker per rule set.
 */
import { detectPageMarks, type PageMarks } from './page-marks.js';
import type { PackedPage } from './page-image.js';
import { compileBarcodeRules, type BarcodeRuleConfig, type CompiledBarcodeRule } from './rules.js';

export interface DetectPageMarksTask {
  /** Absolute path of the page image. */
  imagePath: string;
  dpi?: number;
  rules?: BarcodeRuleConfig[];
}

export type DetectPageMarksResult = PageMarks;

/** What the process_source task is asked for on a mailroom profile (ProcessSourceTask.marks). */
export interface MarksRequest {
  rules?: BarcodeRuleConfig[];
}

/** One page's marks as read in the clean-up's task: null marks and a message when they could not be read. */
export interface PageMarksOutcome {
  marks: PageMarks | null;
  error: string | null;
  ms: number;
}

const compiled = new Map<string, CompiledBarcodeRule[]>();

function rulesFor(config: BarcodeRuleConfig[] | undefined): CompiledBarcodeRule[] | undefined {
  if (!config) return undefined;
  const key = JSON.stringify(config);
  let rules = compiled.get(key);
  if (!rules) {
    rules = compileBarcodeRules(config);
    if (compiled.size > 16) compiled.clear();
    compiled.set(key, rules);
  }
  return rules;
}

export function runDetectPageMarks(task: DetectPageMarksTask): Promise<PageMarks> {
  return detectPageMarks(task.imagePath, { dpi: task.dpi, rules: rulesFor(task.rules) });
}

/**
 * Marks of a cleaned page as the clean-up has just encoded it: from the 1-bit rows it coded when
 * it still holds them (EncodedPage.bits: the very pixels of the G4 file, so no decode), else from
 * the encoded bytes. Either way the same marks a re-read of the page file finds. A page that
 * cannot be read is not the source's fault: it gets null marks and the message (its document is
 * flagged), never a failed clean-up.
 */
export async function readCleanedPageMarks(page: { data: Buffer; dpi: number; bits?: PackedPage }, request: MarksRequest): Promise<PageMarksOutcome> {
  const started = performance.now();
  try {
    const marks = await detectPageMarks(page.bits ?? page.data, { dpi: page.dpi, rules: rulesFor(request.rules) });
    return { marks, error: null, ms: marks.ms };
  } catch (error) {
    return { marks: null, error: (error instanceof Error ? error.message : String(error)).slice(0, 300), ms: performance.now() - started };
  }
}
