/**
 * Crash safety: the station is killed (SIGKILL, like a power cut) at random moments while a batch
 * is dropped into its hot folder and processed, and restarted, again and again. At the end every
 * page is in exactly one document, no file is lost, and the database is sound.
 */
import { describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PDFDocument } from 'pdf-lib';
import { renderPageFile, rng } from './fixtures/pages.js';
import { startStationProcess, waitFor, writeStationConfig } from './support/station-process.js';

const KILLS = 22;
const SINGLE_PAGES = 46;
const PDF_PAGES = 8;

async function makeBatch(): Promise<{ name: string; data: Buffer; pages: number }[]> {
  const files: { name: string; data: Buffer; pages: number }[] = [];
  const random = rng(7);
  for (let i = 0; i < SINGLE_PAGES; i++) {
    const angle = i % 2 === 0 ? 0 : Math.round((random() * 16 - 8) * 10) / 10;
    const format = i % 5 === 4 ? 'png' : 'jpeg';
    const data = await renderPageFile({ kind: i % 3 === 0 ? 'table' : 'letter', dpi: 100, angle, seed: 100 + i, pageNumber: i + 1 }, format);
    files.push({ name: `scan_${String(i + 1).padStart(4, '0')}.${format === 'png' ? 'png' : 'jpg'}`, data, pages: 1 });
  }
  const pdf = await PDFDocument.create();
  for (let i = 0; i < PDF_PAGES; i++) {
    const jpeg = await renderPageFile({ kind: 'dense', dpi: 100, angle: i % 2 ? 1.5 : 0, seed: 500 + i, pageNumber: i + 1 }, 'jpeg');
    const image = await pdf.embedJpg(jpeg);
    pdf.addPage([595, 842]).drawImage(image, { x: 0, y: 0, width: 595, height: 842 });
  }
  files.push({ name: 'Netzwerkscanner Übersicht.pdf', data: Buffer.from(await pdf.save()), pages: PDF_PAGES });
  return files;
}

describe('crash safety', () => {
  it(`keeps every page exactly once through ${KILLS} SIGKILLs at random moments`, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-crash-'));
    const dataDir = path.join(root, 'data');
    const hot = path.join(root, 'hot');
    fs.mkdirSync(hot, { recursive: true });
    writeStationConfig(dataDir, {
      hotFolders: [{ path: hot, profile: { name: 'Poststelle', kind: 'mailroom', grouping: { rule: 'batch', quietWindowMs: 1500 } } }],
      watcher: { stableWindowMs: 300, pollIntervalMs: 100, reconcileIntervalMs: 1000 },
      imaging: { workers: 2 },
      jobLeaseMs: 2000,
    });
    const batch = await makeBatch();
    const expectedHashes = new Map(batch.map((f) => [crypto.createHash('sha256').update(f.data).digest('hex'), f]));
    const totalPages = batch.reduce((sum, f) => sum + f.pages, 0);
    expect(totalPages).toBeGreaterThanOrEqual(50);

    // Drop the batch in bursts while the station is being killed and restarted.
    const dropping = (async () => {
      for (let i = 0; i < batch.length; i += 4) {
        for (const file of batch.slice(i, i + 4)) fs.writeFileSync(path.join(hot, file.name), file.data);
        await new Promise((resolve) => setTimeout(resolve, 350));
      }
    })();

    const random = rng(42);
    const dbFile = path.join(dataDir, 'station.db');
    const workLeft = () => {
      if (fs.readdirSync(hot).length > 0 || !fs.existsSync(dbFile)) return true;
      const db = new Database(dbFile, { readonly: true });
      try {
        return (db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE state != 'done'`).get() as { n: number }).n > 0;
      } finally {
        db.close();
      }
    };
    let killsWithWorkUnderWay = 0;
    let progressSeen = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const station = startStationProcess(dataDir);
      // Some kills land during start-up (recovery itself must be crash-safe); the others once this run
      // has visibly taken or cleaned a file, so they hit the middle of the work whatever the machine's speed.
      if (kill % 4 === 0) {
        await new Promise((resolve) => setTimeout(resolve, random() * 1500));
      } else {
        await waitFor(() => /took|cleaned|document/.test(station.output()) || station.child.exitCode !== null || !workLeft(), 60_000, 'the station to work').catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, random() * 1200));
      }
      station.child.kill('SIGKILL');
      await station.exited;
      // Count the kills that hit real work: files waiting or steps open, and progress made since the last kill.
      if (fs.existsSync(dbFile)) {
        const db = new Database(dbFile, { readonly: true });
        const open = (db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE state IN ('pending','running')`).get() as { n: number }).n;
        const done = (db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE state = 'done'`).get() as { n: number }).n;
        db.close();
        if ((open > 0 || fs.readdirSync(hot).length > 0) && done > progressSeen) killsWithWorkUnderWay++;
        progressSeen = done;
      }
    }
    await dropping;
    // The test only means something if most kills landed in the middle of the work.
    expect(killsWithWorkUnderWay).toBeGreaterThanOrEqual(10);

    // A last, undisturbed run finishes the work.
    const final = startStationProcess(dataDir);
    const settled = () => {
      if (!fs.existsSync(dbFile) || fs.readdirSync(hot).length > 0) return false;
      const db = new Database(dbFile, { readonly: true });
      try {
        const open = db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE state IN ('pending','running')`).get() as { n: number };
        const batches = db.prepare('SELECT COUNT(*) AS n FROM batches WHERE closed_at IS NULL').get() as { n: number };
        const sources = db.prepare(`SELECT COUNT(*) AS n FROM source_files WHERE state = 'processed'`).get() as { n: number };
        return open.n === 0 && batches.n === 0 && sources.n >= batch.length;
      } finally {
        db.close();
      }
    };
    try {
      await waitFor(settled, 90_000, `the station to finish the batch (output: ${final.output().slice(-2000)})`);
    } finally {
      final.child.kill('SIGTERM');
      await final.exited;
    }

    expect(fs.readdirSync(hot)).toEqual([]);
    const db = new Database(dbFile, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const sources = db.prepare('SELECT * FROM source_files ORDER BY seq').all() as { id: string; sha256: string; state: string; page_count: number }[];
      // Each dropped file became exactly one processed source; no duplicates, nothing quarantined, nothing lost.
      expect(sources.map((s) => s.state)).toEqual(sources.map(() => 'processed'));
      expect(new Set(sources.map((s) => s.sha256))).toEqual(new Set(expectedHashes.keys()));
      expect(sources).toHaveLength(batch.length);
      for (const source of sources) expect(source.page_count).toBe(expectedHashes.get(source.sha256)!.pages);

      const pages = db.prepare('SELECT id, source_id, document_id, position FROM pages').all() as { id: string; document_id: string | null }[];
      expect(pages).toHaveLength(totalPages);
      expect(pages.filter((p) => p.document_id === null)).toEqual([]);

      const documents = db.prepare('SELECT * FROM documents').all() as { id: string; state: string; page_count: number; pdf_path: string }[];
      const pagesInDocuments = documents.reduce((sum, d) => sum + d.page_count, 0);
      expect(pagesInDocuments).toBe(totalPages);
      for (const document of documents) {
        expect(document.state).toBe('needs_review');
        const pdf = await PDFDocument.load(fs.readFileSync(path.join(dataDir, document.pdf_path)));
        expect(pdf.getPageCount()).toBe(document.page_count);
      }
      // Every stored original is whole: its bytes still hash to its name.
      for (const source of sources) {
        const stored = db.prepare('SELECT stored_path FROM source_files WHERE id = ?').get(source.id) as { stored_path: string };
        const bytes = fs.readFileSync(path.join(dataDir, stored.stored_path));
        expect(crypto.createHash('sha256').update(bytes).digest('hex')).toBe(source.sha256);
      }
    } finally {
      db.close();
    }
    fs.rmSync(root, { recursive: true, force: true });
  }, 300_000);
});
