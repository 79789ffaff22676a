/** Worker-thread entry for page and PDF work (see pool.ts). */
import { parentPort } from 'node:worker_threads';
import sharp from 'sharp';
import { processSource } from '../imaging/process-source.js';
import { serveTasks } from './pool.js';
import type { WorkerResult, WorkerTask } from './tasks.js';

// One libvips thread per worker: the pool already runs one worker per core.
sharp.concurrency(1);
sharp.cache(false);

serveTasks<WorkerTask, WorkerResult>(parentPort!, async (task) => {
  switch (task.type) {
    case 'process_source':
      return { type: 'process_source', result: await processSource(task.task) };
    case 'build_document': {
      // Loaded on first use: the PDF writer is large, and the first page should not wait for it.
      const { buildDocument } = await import('../pdf/build-document.js');
      return { type: 'build_document', result: await buildDocument(task.task) };
    }
    case 'layer_page': {
      const { layerPage } = await import('../pdf/page-layers.js');
      return { type: 'layer_page', result: await layerPage(task.task) };
    }
    case 'detect_page_marks': {
      // Loaded on first use: only mailroom pages need the barcode reader (and its wasm).
      const { runDetectPageMarks } = await import('../mailroom/codes/worker-task.js');
      return { type: 'detect_page_marks', result: await runDetectPageMarks(task.task) };
    }
  }
});
