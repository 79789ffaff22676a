/** The messages the station sends to its page workers, and their answers. */
import type { ProcessSourceResult, ProcessSourceTask } from '../imaging/process-source.js';
import type { BuildDocumentResult, BuildDocumentTask } from '../pdf/build-document.js';
import type { DetectPageMarksResult, DetectPageMarksTask } from '../mailroom/codes/worker-task.js';
import type { LayerPageResult, LayerPageTask } from '../pdf/page-layers.js';

export type WorkerTask =
  | { type: 'process_source'; task: ProcessSourceTask }
  | { type: 'build_document'; task: BuildDocumentTask }
  | { type: 'detect_page_marks'; task: DetectPageMarksTask }
  | { type: 'layer_page'; task: LayerPageTask };

export type WorkerResult =
  | { type: 'process_source'; result: ProcessSourceResult }
  | { type: 'build_document'; result: BuildDocumentResult }
  | { type: 'detect_page_marks'; result: DetectPageMarksResult }
  | { type: 'layer_page'; result: LayerPageResult };

export const pageWorkerEntry = new URL(`./page-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
