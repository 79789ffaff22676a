/**
 * The page worker task for marks (main/workers): a cleaned page file in, PageMarks out. Rules come
 * as configuration (already checked at config load) and are compiled once per worker per rule set.
 */
import { detectPageMarks, type PageMarks } from './page-marks.js';
import { compileBarcodeRules, type BarcodeRuleConfig, type CompiledBarcodeRule } from './rules.js';

export interface DetectPageMarksTask {
  /** Absolute path of the page image. */
  imagePath: string;
  dpi?: number;
  rules?: BarcodeRuleConfig[];
}

export type DetectPageMarksResult = PageMarks;

const compiled = new Map<string, CompiledBarcodeRule[]>();

export function runDetectPageMarks(task: DetectPageMarksTask): Promise<PageMarks> {
  let rules: CompiledBarcodeRule[] | undefined;
  if (task.rules) {
    const key = JSON.stringify(task.rules);
    rules = compiled.get(key);
    if (!rules) {
      rules = compileBarcodeRules(task.rules);
      if (compiled.size > 16) compiled.clear();
      compiled.set(key, rules);
    }
  }
  return detectPageMarks(task.imagePath, { dpi: task.dpi, rules });
}
