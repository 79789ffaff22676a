/**
 * A mailroom page is decoded once: its marks (barcodes, patch code, station sheets) are read in the
 * same page worker task as its clean-up, from the page it has just encoded, not by a second task
 * that reads the page file back. Real scanner JPEGs through a real station and its worker pool;
 * the marks stored must be the ones a re-read of the page file finds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../main/config/schema.js';
import { createStation, type Station } from '../main/station.js';
import { detectPageMarks } from '../main/mailroom/codes/page-marks.js';
import { renderScanPage, type ScanPage } from './fixtures/mailroom-batch.js';

const pages: ScanPage[] = [
  { kind: 'text', dpi: 300, seed: 1, angle: 2, upsideDown: false, barcode: { format: 'code128', text: 'KDNR:123A456789' } },
  { kind: 'blank', dpi: 300, seed: 2, angle: 0, upsideDown: false },
  { kind: 'station_sheet', dpi: 200, seed: 3, angle: -1.5, upsideDown: true },
  { kind: 'patch_t', dpi: 300, seed: 4, angle: 0, upsideDown: false },
  { kind: 'cover', dpi: 200, seed: 5, angle: 1, upsideDown: false, cover: { customerNumber: '223A456789', documentType: 'Antrag', expectedPages: 2 } },
  { kind: 'text', dpi: 200, seed: 6, angle: -3, upsideDown: true, barcode: { format: 'datamatrix', text: 'Az 12345BG0000001' } },
];

let root = '';
let station: Station;
const taskTypes: string[] = [];

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-marks-once-'));
  const hot = path.join(root, 'post');
  fs.mkdirSync(hot);
  const config = parseConfig(
    {
      stationId: 'marks-once',
      hotFolders: [{ path: hot, profile: { name: 'Post', kind: 'mailroom', grouping: { rule: 'batch', quietWindowMs: 600_000 }, afterIngest: 'keep', separation: { mode: 'station_sheet', duplex: false } } }],
      imaging: { workers: 2 },
    },
    'test',
  );
  station = createStation({ dataDir: path.join(root, 'data'), config, watch: false, incompleteGraceMs: 0 });
  // Every task the station gives its page workers (the pool itself is real).
  const pool = (station as unknown as { pool: { run(task: { type: string }): Promise<unknown> } }).pool;
  const run = pool.run.bind(pool);
  pool.run = (task) => {
    taskTypes.push(task.type);
    return run(task);
  };
  await station.start();
  const target = { hotFolder: path.resolve(hot), profile: config.hotFolders[0].profile, afterIngest: 'keep' as const };
  for (const [i, page] of pages.entries()) {
    const file = path.join(hot, `scan_${i + 1}.jpg`);
    fs.writeFileSync(file, await renderScanPage(page, i));
    const stat = fs.statSync(file);
    await station.ingest(target, { path: file, size: stat.size, mtimeMs: stat.mtimeMs });
  }
  station.store.batches.endWindows(path.resolve(hot));
  await station.whenIdle();
}, 300_000);

afterAll(async () => {
  await station?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

interface MarksRow {
  page_id: string;
  image_path: string;
  dpi: number;
  blank: number;
  marks_json: string | null;
  error: string | null;
  read_ms: number | null;
}

function marksRows(): MarksRow[] {
  return station.store.db
    .prepare('SELECT p.id AS page_id, p.image_path, p.dpi, p.blank, m.marks_json, m.error, m.read_ms FROM pages p JOIN source_files s ON s.id = p.source_id LEFT JOIN page_marks m ON m.page_id = p.id ORDER BY s.original_name, p.source_index')
    .all() as MarksRow[];
}

describe('mailroom marks in the clean-up task', () => {
  it('gives the page workers one task per scanned file, and no second task to read the marks', () => {
    const cleanups = taskTypes.filter((type) => type === 'process_source');
    expect(cleanups).toHaveLength(pages.length);
    expect(taskTypes.filter((type) => type === 'detect_page_marks')).toEqual([]);
  });

  it('stores marks for every page, read from the cleaned page: the same marks a re-read of the page file finds', async () => {
    const rows = marksRows();
    expect(rows).toHaveLength(pages.length);
    for (const row of rows) {
      expect(row.error).toBeNull();
      expect(row.marks_json).not.toBeNull();
      const stored = JSON.parse(row.marks_json!) as Record<string, unknown>;
      if (row.blank) {
        expect(stored).toEqual({ barcodes: [], separator: null, coverSheet: null, assignments: [] });
        expect(row.read_ms).toBe(0);
        continue;
      }
      const { ms, ...again } = await detectPageMarks(path.join(station.paths.pages, row.image_path), { dpi: row.dpi });
      expect(ms).toBeGreaterThanOrEqual(0);
      const { ms: storedMs, ...rest } = stored;
      expect(typeof storedMs).toBe('number');
      expect(rest).toEqual(again);
    }
  });

  it('found what each page holds: barcodes, the station sheet turned over, Patch T, the cover sheet', () => {
    const marks = marksRows().map((row) => JSON.parse(row.marks_json!) as { barcodes: { text: string }[]; separator: string | null; coverSheet: { customerNumber: string } | null });
    expect(marks[0].barcodes.map((b) => b.text)).toEqual(['KDNR:123A456789']);
    expect(marks[1].barcodes).toEqual([]);
    expect(marks[2].separator).toBe('station-sheet');
    expect(marks[3].separator).toBe('patch-t');
    expect(marks[4].coverSheet?.customerNumber).toBe('223A456789');
    expect(marks[5].barcodes.map((b) => b.text)).toEqual(['Az 12345BG0000001']);
  });
});
