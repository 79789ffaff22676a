/**
 * `npm run bench -- ui-queue [--pages N] [--interval-ms N] [--per-file] [--dpi N] [--quiet-ms N] [--nice N]`:
 * drops a batch of generated scans (default 200 single pages, one every 100 ms) into the hot folder
 * of a browser-mode station while the queue is open in Chromium, and reports
 *   - per file: file complete (renamed into the folder) → its document showing in the queue,
 *   - batch: batch window closed (last arrival + quiet window) → the document showing,
 *   - per document: document ready in the store (assembled) → shown as "to review",
 *   - the longest main-thread task in the page during the batch (Long Tasks API), and how many
 *     took over 50 and 100 ms.
 * Goals (issue 4): median ≤ 1 s after the batch window closes; no task over 100 ms. Page processing
 * runs on the same machine and usually ends after the window: the goal line therefore measures from
 * the later of the two (window closed, last page processed); the lines above it show the whole way.
 */
import Database from 'better-sqlite3';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { stationPaths } from '../../main/config/paths.js';
import { renderPageFile } from '../fixtures/pages.js';
import { launchBrowser, openStation } from '../e2e/support/browser.js';
import { dropIntoHotFolder, startBrowserStation } from '../e2e/support/station.js';

interface Seen {
  first: number;
  states: Record<string, number>;
}

function stats(values: number[]): { n: number; median: number; p90: number; worst: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { n: sorted.length, median: at(0.5), p90: at(0.9), worst: sorted[sorted.length - 1] ?? Number.NaN };
}

const ms = (value: number) => (Number.isNaN(value) ? '   n/a' : `${Math.round(value).toString().padStart(6)} ms`);

export async function runUiQueueBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      pages: { type: 'string', default: '200' },
      'interval-ms': { type: 'string', default: '100' },
      'per-file': { type: 'boolean', default: false },
      dpi: { type: 'string', default: '150' },
      'quiet-ms': { type: 'string', default: '2000' },
      /** Runs the station at this niceness (0-19): does a lower-priority core keep the page responsive? */
      nice: { type: 'string', default: '0' },
    },
    strict: true,
  });
  const pages = Number(values.pages);
  const intervalMs = Number(values['interval-ms']);
  const dpi = Number(values.dpi);
  const quietMs = Number(values['quiet-ms']);
  if (![pages, intervalMs, dpi, quietMs].every((n) => Number.isFinite(n) && n >= 0) || pages < 1) {
    throw new RangeError('--pages, --interval-ms, --dpi and --quiet-ms take non-negative numbers (pages at least 1).');
  }
  const perFile = values['per-file'];
  const nice = Number(values.nice);
  if (!Number.isInteger(nice) || nice < 0 || nice > 19) throw new RangeError('--nice takes 0 to 19.');

  console.log(`ui-queue bench: ${pages} pages at ${dpi} dpi, one every ${intervalMs} ms, ${perFile ? 'each file its own document' : `one batch (quiet window ${quietMs} ms)`}${nice ? `, station at nice ${nice}` : ''}`);
  console.log('Generating pages …');
  const files: Buffer[] = [];
  for (let i = 0; i < pages; i++) files.push(await renderPageFile({ seed: 1000 + i, dpi }, 'jpeg'));

  const station = await startBrowserStation({
    profile: { grouping: perFile ? { rule: 'per_file' } : { rule: 'batch', quietWindowMs: quietMs } },
    config: { imaging: { workers: 0 } },
    timeoutMs: 60_000,
  });
  if (nice > 0) os.setPriority(station.child.pid!, nice);
  const browser = await launchBrowser();
  try {
    const { page } = await openStation(browser, station.url);
    await page.locator('[data-empty="needs_review"]').waitFor();
    // Observers inside the page: long tasks, and when each document's row shows up (and in which state).
    // A string, not a function: tsx's name-keeping helper (__name) does not exist inside the page.
    await page.evaluate(`(() => {
      const bench = { longTasks: [], seen: {} };
      window.bench = bench;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) bench.longTasks.push({ at: performance.timeOrigin + entry.startTime, duration: entry.duration });
      }).observe({ type: 'longtask', buffered: true });
      const look = () => {
        const now = Date.now();
        for (const row of document.querySelectorAll('.queue-row[data-document-id]')) {
          const id = row.getAttribute('data-document-id');
          const state = row.getAttribute('data-state') || '';
          const seen = (bench.seen[id] ??= { first: now, states: {} });
          seen.states[state] ??= now;
        }
      };
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state', 'data-document-id'] });
    })()`);

    const completeAt = new Map<string, number>();
    const startedAt = Date.now();
    for (let i = 0; i < pages; i++) {
      const name = `scan_${String(i + 1).padStart(4, '0')}.jpg`;
      dropIntoHotFolder(station, name, files[i]!);
      completeAt.set(name, Date.now());
      if (intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    console.log(`Dropped ${pages} files in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; waiting for the queue …`);

    const db = new Database(stationPaths(station.dataDir).database, { readonly: true, fileMustExist: true });
    const deadline = Date.now() + 15 * 60_000;
    let documents: { id: string; state: string; updated_at: string; batch_id: string | null }[] = [];
    for (;;) {
      const sources = db.prepare(`SELECT COUNT(*) AS n FROM source_files WHERE state != 'ingested'`).get() as { n: number };
      documents = db.prepare(`SELECT id, state, updated_at, batch_id FROM documents`).all() as typeof documents;
      const seen = (await page.evaluate(() => (window as unknown as { bench: { seen: Record<string, Seen> } }).bench.seen)) as Record<string, Seen>;
      const allShown = documents.length > 0 && documents.every((d) => d.state !== 'processing' && seen[d.id]?.states[d.state] !== undefined);
      if (sources.n >= pages && allShown) break;
      if (Date.now() > deadline) throw new Error('The batch did not show completely within 15 minutes.');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const endedAt = Date.now();
    const bench = (await page.evaluate(() => (window as unknown as { bench: unknown }).bench)) as { longTasks: { at: number; duration: number }[]; seen: Record<string, Seen> };
    const sources = db.prepare(`SELECT original_name, document_id, batch_id, updated_at FROM source_files WHERE state = 'processed'`).all() as {
      original_name: string;
      document_id: string | null;
      batch_id: string | null;
      updated_at: string;
    }[];
    // When each batch's last page was processed: before that no document can exist, whatever the window.
    const lastProcessed = new Map<string, number>();
    for (const source of sources) {
      if (source.batch_id) lastProcessed.set(source.batch_id, Math.max(lastProcessed.get(source.batch_id) ?? 0, Date.parse(source.updated_at)));
    }
    const batches = new Map(
      (db.prepare(`SELECT id, last_arrival_ms, quiet_window_ms FROM batches`).all() as { id: string; last_arrival_ms: number; quiet_window_ms: number }[]).map((b) => [b.id, b]),
    );
    db.close();

    const perFileLatency: number[] = [];
    const perFileReady: number[] = [];
    for (const source of sources) {
      const seen = source.document_id ? bench.seen[source.document_id] : undefined;
      const complete = completeAt.get(source.original_name);
      if (!seen || complete === undefined) continue;
      perFileLatency.push(seen.first - complete);
      if (seen.states.needs_review) perFileReady.push(seen.states.needs_review - complete);
    }
    const afterWindow: number[] = [];
    const afterReady: number[] = [];
    const readyToShown: number[] = [];
    for (const doc of documents) {
      const seen = bench.seen[doc.id];
      if (!seen) continue;
      const batch = doc.batch_id ? batches.get(doc.batch_id) : undefined;
      if (batch) {
        const windowClosed = batch.last_arrival_ms + batch.quiet_window_ms;
        afterWindow.push(seen.first - windowClosed);
        afterReady.push(seen.first - Math.max(windowClosed, lastProcessed.get(batch.id) ?? 0));
      }
      const shown = seen.states[doc.state];
      if (shown !== undefined) readyToShown.push(shown - Date.parse(doc.updated_at));
    }
    const tasks = bench.longTasks.filter((t) => t.at >= startedAt && t.at <= endedAt);
    const longest = tasks.reduce((max, t) => Math.max(max, t.duration), 0);

    const line = (label: string, values: number[]) => {
      const s = stats(values);
      console.log(`  ${label.padEnd(52)} n=${String(s.n).padStart(4)}  median ${ms(s.median)}  p90 ${ms(s.p90)}  worst ${ms(s.worst)}`);
    };
    console.log(`\nResults (${documents.length} document(s), ${sources.length} pages, ${((endedAt - startedAt) / 1000).toFixed(1)} s from first drop to all shown):`);
    line('file complete → document shows (any state)', perFileLatency);
    line('file complete → document shows "to review"', perFileReady);
    if (afterWindow.length) {
      line('batch window closed → document shows', afterWindow);
      line('window closed and last page processed → shows', afterReady);
    }
    line('document ready in the store → shown in that state', readyToShown);
    console.log(`  machine: ${os.availableParallelism()} cores, load average ${os.loadavg()[0]!.toFixed(1)} (page processing shares the cores with the browser; a long task is wall time, so a busy machine lengthens it)`);
    console.log(`  longest main-thread task during the batch: ${longest.toFixed(0)} ms; tasks > 50 ms: ${tasks.filter((t) => t.duration > 50).length}, > 100 ms: ${tasks.filter((t) => t.duration > 100).length}`);
    // The goal is about the queue, not page processing: measured from the moment the batch could
    // become a document (window closed and its pages processed); the rows above show the whole way.
    const windowMedian = stats(afterReady.length ? afterReady : readyToShown).median;
    console.log(`  goals: median ≤ 1000 ms once the batch is complete: ${windowMedian <= 1000 ? 'met' : 'NOT met'} (${Math.round(windowMedian)} ms); no task > 100 ms: ${longest <= 100 ? 'met' : 'NOT met'}`);
    if (windowMedian > 1000 || longest > 100) process.exitCode = 1;
  } finally {
    await browser.close();
    await station.stop();
  }
}

