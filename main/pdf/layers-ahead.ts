/**
 * Before a document is assembled, its JPEG pages' layers (mrc.ts: 0.2-0.5 s of CPU per grey text
 * page) are built as one worker task per page, so every core shares them; the assembly task then
 * only copies their bytes into the PDF (build-document.ts reads the files, page-layers.ts).
 * Runs on the station's thread and imports nothing heavy.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LayerPageResult, LayerPageTask } from './page-layers.js';

export interface LayerablePage {
  id: string;
  path: string;
  format: string;
  dpi: number;
}

/** Below this the text mask gains nothing (as buildMrc says): no task. */
const MIN_DPI = 200;

/**
 * Runs a layer_page task per JPEG page into `dir` and answers the layers file of each page that
 * has one. A task that fails only leaves its page to the assembly, which decides for itself (and
 * reports a page it cannot read).
 */
export async function buildLayersAhead(pages: LayerablePage[], dir: string, run: (task: LayerPageTask) => Promise<LayerPageResult>): Promise<Map<string, string>> {
  const wanted = pages.filter((page) => page.format === 'jpeg' && page.dpi >= MIN_DPI);
  const files = new Map<string, string>();
  if (wanted.length === 0) return files;
  await fs.promises.mkdir(dir, { recursive: true });
  await Promise.all(
    wanted.map(async (page) => {
      const outPath = path.join(dir, `${wanted.indexOf(page)}-${page.id.replace(/[^A-Za-z0-9_-]/g, '_')}.layers`);
      try {
        await run({ jpegPath: page.path, dpi: page.dpi, outPath });
        files.set(page.id, outPath);
      } catch {
        // The assembly builds this page's layers itself.
      }
    }),
  );
  return files;
}
