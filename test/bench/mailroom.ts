/**
 * `npm run bench -- mailroom [--pages N] [--quick]`: a generated mailroom batch (default 500 pages:
 * duplex letters with blank backs, every separator kind, cover sheets for known and unknown
 * customers, barcodes on first pages, 200 dpi pages, skew up to 5°, upside-down pages) through a
 * station with a mailroom profile: clean-up, barcode and sheet reading, the split when the batch
 * closes, auto-assignment, PDFs. Reports pages per second from the first file taken to the last
 * PDF built (goal: 10 pages/s on 2 cores), where the time goes, and whether the split was right.
 * Afterwards (not timed) the marks of every non-blank page are read again on this thread, as the
 * workers read them, for their CPU time per page (the workers' own figure is wall time).
 * The generated pages are kept in the temp folder between runs (generation is not measured).
 * `--keep-pages <dir>` copies the cleaned pages there with pages.json (each page's file, dpi, blank
 * flag and the marks the workers read): A/B runs of the marks reader on the batch's own pages.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../main/config/schema.js';
import { createStation } from '../../main/station.js';
import { dispatch } from '../../main/api/dispatch.js';
import { decodeG4Tiff, type RunImage } from '../../main/imaging/g4-runs.js';
import type { PackedPage } from '../../main/mailroom/codes/page-image.js';
import { detectPageMarks } from '../../main/mailroom/codes/page-marks.js';
import type { BatchReviewView } from '../../preload/contract/mailroom.js';
import { BatchBuilder, customersCsv, knownCustomers, renderScanPage, restampScanPage, unknownBgNumber, unknownCustomerNumber, type GeneratedBatch } from '../fixtures/mailroom-batch.js';
import { formatTable, num } from './table.js';

const GOAL_PAGES_PER_SECOND = 10;
const FIXTURE_VERSION = 3;

/** Repeats a script of letters and sheets (every kind) until the batch has at least `pages` pages. */
export function benchBatch(pages: number, seed = 21): GeneratedBatch & { roundPages: number } {
  const b = new BatchBuilder(true, seed, { dpi200: 0.3, skewed: 0.3, upsideDown: 0.08 });
  const [c1, c2, c3, c4] = knownCustomers;
  let roundPages = 0;
  for (let round = 0; b.pages.length < pages; round++) {
    b.letter({ pages: 2, barcode: { format: 'code128', text: `KDNR:${c1.customerNumber}` } })
      .blankSheet()
      .letter({ pages: 1 })
      .stationSheet()
      .letter({ pages: 3, twoSided: true, barcode: { format: 'datamatrix', text: `Az ${c2.bgNumber}` } })
      .patchT()
      .cover(c3.customerNumber, 2)
      .letter({ pages: 2 })
      .cover(unknownCustomerNumber, null)
      .letter({ pages: 1 })
      .cover(c4.customerNumber, 3, 'Widerspruch')
      .letter({ pages: 2 })
      .blankSheet()
      .letter({ pages: 1, barcode: { format: 'qrcode', text: `Unser Zeichen ${unknownBgNumber}` } })
      .stationSheet();
    if (round === 0) roundPages = b.pages.length;
  }
  return { ...b.build(), roundPages };
}

/**
 * Renders the first round of the script; later rounds are the same sheets with their own page
 * number stamped (rendering 500 pages from scratch takes longer than the bench itself).
 */
async function renderedFiles(batch: GeneratedBatch & { roundPages: number }, dir: string): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const files = batch.pages.map((_, i) => path.join(dir, `scan_${String(i + 1).padStart(5, '0')}.jpg`));
  const missing = files.map((file, i) => ({ file, i })).filter(({ file }) => !fs.existsSync(file));
  const firstRound = async (i: number) => {
    while (!fs.existsSync(files[i])) await new Promise((resolve) => setTimeout(resolve, 50));
    return fs.readFileSync(files[i]);
  };
  if (missing.length) {
    process.stdout.write(`Generating ${missing.length} scanner pages (kept in ${dir} for the next run) …\n`);
    for (let k = 0; k < missing.length; k += 2) {
      await Promise.all(
        missing.slice(k, k + 2).map(async ({ file, i }) => {
          const data = i < batch.roundPages ? await renderScanPage(batch.pages[i], i) : await restampScanPage(await firstRound(i % batch.roundPages), i);
          fs.writeFileSync(file + '.tmp', data);
          fs.renameSync(file + '.tmp', file);
        }),
      );
    }
  }
  return files;
}

/**
 * The marks of every non-blank page read again on this thread, CPU time per page: the worker's
 * own figure is wall time, which a loaded machine inflates many times over. A black-and-white
 * page is read as the worker reads it, from its 1-bit rows in memory (unpacked from the file
 * before the clock starts); other pages from the file.
 */
async function rereadMarksCpu(pagesDir: string, pages: { imagePath: string; dpi: number }[]): Promise<{ median: number; p95: number }> {
  const cpu: number[] = [];
  for (const [i, page] of pages.entries()) {
    const file = path.join(pagesDir, page.imagePath);
    const runs = decodeG4Tiff(fs.readFileSync(file));
    const input = runs ? packRuns(runs) : file;
    const before = process.cpuUsage();
    await detectPageMarks(input, { dpi: page.dpi });
    const used = process.cpuUsage(before);
    // The first pages load the wasm module and warm the JIT.
    if (i >= 3) cpu.push((used.user + used.system) / 1000);
  }
  cpu.sort((a, b) => a - b);
  const at = (q: number) => cpu[Math.min(cpu.length - 1, Math.floor(q * cpu.length))] ?? 0;
  return { median: at(0.5), p95: at(0.95) };
}

/** A G4 page's rows as the clean-up hands them to the marks reader (EncodedPage.bits: 1 = ink, top bit first). */
function packRuns(runs: RunImage): PackedPage {
  const stride = Math.ceil(runs.width / 32);
  const words = new Uint32Array(stride * runs.height);
  for (let y = 0; y < runs.height; y++) {
    const end = runs.rowStart[y + 1];
    for (let k = runs.rowStart[y]; k < end; k += 2) {
      const to = k + 1 < end ? runs.changes[k + 1] : runs.width;
      for (let x = runs.changes[k]; x < to; x++) words[y * stride + (x >>> 5)] |= 0x80000000 >>> (x & 31);
    }
  }
  return { words, width: runs.width, height: runs.height, stride };
}

/** The cleaned pages in scan order with what the workers read on them (for offline A/B runs of the reader). */
function keepPages(pagesDir: string, db: { prepare(sql: string): { all(): unknown[] } }, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const rows = db
    .prepare(
      `SELECT p.image_path AS imagePath, p.dpi, p.blank, m.marks_json AS marks FROM pages p JOIN sources s ON s.id = p.source_id
       LEFT JOIN page_marks m ON m.page_id = p.id ORDER BY s.original_name, p.source_index`,
    )
    .all() as { imagePath: string; dpi: number; blank: number; marks: string | null }[];
  for (const row of rows) fs.copyFileSync(path.join(pagesDir, row.imagePath), path.join(dir, row.imagePath));
  fs.writeFileSync(path.join(dir, 'pages.json'), JSON.stringify(rows.map((row) => ({ ...row, blank: row.blank === 1, marks: row.marks ? JSON.parse(row.marks) : null }))));
}

export async function runMailroomBench(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const pagesArg = args.indexOf('--pages');
  const keepArg = args.indexOf('--keep-pages');
  const keepDir = keepArg >= 0 ? path.resolve(args[keepArg + 1] ?? '') : null;
  const wanted = pagesArg >= 0 ? Number(args[pagesArg + 1]) : quick ? 60 : 500;
  if (!Number.isInteger(wanted) || wanted < 10) throw new RangeError('--pages needs a whole number of at least 10.');
  const batch = benchBatch(wanted);
  const fixtureDir = path.join(os.tmpdir(), `intake-mailroom-bench-v${FIXTURE_VERSION}-${batch.pages.length}`);
  const files = await renderedFiles(batch, fixtureDir);

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-mailroom-bench-run-'));
  const hot = path.join(root, 'post');
  fs.mkdirSync(hot);
  const config = parseConfig(
    {
      stationId: 'mailroom-bench',
      hotFolders: [{ path: hot, profile: { name: 'Post', kind: 'mailroom', grouping: { rule: 'batch', quietWindowMs: 600_000 }, afterIngest: 'keep', separation: { mode: 'blank_sheet', duplex: true } } }],
    },
    'bench',
  );
  const station = createStation({ dataDir: path.join(root, 'data'), config, watch: false, incompleteGraceMs: 0 });
  const problems: string[] = [];
  station.on('problem', (p) => problems.push(p.message));
  let progressEvents = 0;
  station.on('ui', (event) => {
    if (event.type === 'progress') progressEvents++;
  });
  try {
    await station.start();
    await station.customers.importCsv(Buffer.from(customersCsv(), 'utf8'), 'kunden.csv');
    const target = { hotFolder: path.resolve(hot), profile: config.hotFolders[0].profile, afterIngest: 'keep' as const };
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (const file of files) {
      const copy = path.join(hot, path.basename(file));
      fs.copyFileSync(file, copy);
      const stat = fs.statSync(copy);
      await station.ingest(target, { path: copy, size: stat.size, mtimeMs: stat.mtimeMs });
    }
    // The scanner is done: end the batch's quiet window now (a loaded machine may take seconds between files).
    station.store.batches.endWindows(path.resolve(hot));
    await station.whenIdle();
    const wallS = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuS = (cpu.user + cpu.system) / 1e6;

    const batchId = (station.store.db.prepare('SELECT id FROM batches ORDER BY opened_at').get() as { id: string }).id;
    const answer = await dispatch({ station, actor: 'bench' }, 'getBatchReview', { batchId });
    if (!answer.ok) throw new Error(`getBatchReview: ${answer.message}`);
    const review = answer.value as BatchReviewView;
    const marks = station.store.db.prepare('SELECT COUNT(*) AS n, SUM(read_ms) AS ms, SUM(marks_json IS NULL) AS unread, SUM(read_ms > 0) AS read FROM page_marks').get() as {
      n: number;
      ms: number;
      unread: number;
      read: number;
    };

    // Correctness of the split against what the generator put in.
    const expected = batch.expected;
    const splitRight = review.documents.length === expected.length && review.documents.every((d, i) => d.split.reason === expected[i].reason && d.pageCount === expected[i].pages);
    const customersRight = review.documents.length === expected.length && review.documents.every((d, i) => d.assignment.customerNumber === expected[i].customerNumber);
    const flagsMissing = review.documents.filter((d, i) => expected[i] && expected[i].flags.some((code) => !d.flags.some((f) => f.code === code))).length;
    const pagesPerSecond = batch.pages.length / wallS;
    const readPerPageMs = marks.read ? marks.ms / marks.read : 0;
    const marksCpu = await rereadMarksCpu(station.paths.pages, station.store.db.prepare('SELECT image_path AS imagePath, dpi FROM pages WHERE blank = 0').all() as { imagePath: string; dpi: number }[]);

    if (keepDir) keepPages(station.paths.pages, station.store.db, keepDir);

    console.log(`\nMailroom bench: ${batch.pages.length} scanned pages (duplex), ${expected.length} letters, ${os.availableParallelism()} cores, load average ${os.loadavg()[0].toFixed(1)}\n`);
    console.log(
      formatTable(
        ['measure', { title: 'value', align: 'right' }],
        [
          ['wall time, first file to last PDF (s)', num(wallS, 1)],
          ['pages per second (goal ≥ ' + GOAL_PAGES_PER_SECOND + ')', num(pagesPerSecond, 2)],
          ['CPU time, all threads (s)', num(cpuS, 1)],
          ['CPU seconds per page', num(cpuS / batch.pages.length, 3)],
          ['pages read for marks (blank pages skipped)', String(marks.read)],
          ['marks reading per read page (ms wall, in a worker)', num(readPerPageMs, 0)],
          ['marks re-read afterwards, CPU ms per page, one thread: median / p95', `${num(marksCpu.median, 1)} / ${num(marksCpu.p95, 1)}`],
          ['pages whose marks could not be read', String(marks.unread)],
          ['progress events', String(progressEvents)],
          ['documents found / expected', `${review.documents.length} / ${expected.length}`],
          ['every split point right', splitRight ? 'yes' : 'NO'],
          ['every customer number right', customersRight ? 'yes' : 'NO'],
          ['documents missing an expected flag', String(flagsMissing)],
          ['documents flagged', String(review.batch.flagged)],
        ],
      ),
    );
    console.log(pagesPerSecond >= GOAL_PAGES_PER_SECOND ? `\nGoal met: ${num(pagesPerSecond, 1)} pages/s.` : `\nGoal NOT met: ${num(pagesPerSecond, 1)} pages/s of ${GOAL_PAGES_PER_SECOND}.`);
    if (problems.length) console.log(`\nStation problems (${problems.length}):\n  ${problems.slice(0, 5).join('\n  ')}`);
    if (!splitRight || !customersRight || flagsMissing > 0) process.exitCode = 1;
  } finally {
    await station.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
