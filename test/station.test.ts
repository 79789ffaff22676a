/**
 * The station as a whole, in-process: a real hot folder, real files, a real SQLite file, real PDFs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { parseConfig } from '../main/config/schema.js';
import { createStation, type Station } from '../main/station.js';
import { renderPageFile, a4Pixels } from './fixtures/pages.js';
import * as bad from './fixtures/bad-files.js';
import { waitFor } from './support/station-process.js';

const sha = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');
const running: Station[] = [];

afterEach(async () => {
  for (const station of running.splice(0)) await station.stop().catch(() => undefined);
});

function setUp(profile: Record<string, unknown> = {}) {
  // The quiet window is generous: a shared, loaded test machine may deliver files seconds apart.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-station-'));
  const hot = path.join(root, 'hot');
  fs.mkdirSync(hot);
  const config = parseConfig(
    {
      stationId: 'test-station',
      hotFolders: [{ path: hot, profile: { grouping: { rule: 'batch', quietWindowMs: 2500 }, ...profile } }],
      watcher: { stableWindowMs: 200, pollIntervalMs: 50, reconcileIntervalMs: 500 },
      imaging: { workers: 2 },
    },
    'test',
  );
  const station = createStation({ dataDir: path.join(root, 'data'), config, incompleteGraceMs: 0 });
  running.push(station);
  return { root, hot, station };
}

async function settle(station: Station, hot: string, expectDocuments: number): Promise<void> {
  await waitFor(() => {
    const counts = station.status().documents;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    return total >= expectDocuments && counts.processing === 0 && fs.readdirSync(hot).length === 0;
  }, 60_000, `${expectDocuments} document(s)`);
  await station.whenIdle();
}

function pdfOf(station: Station, documentId: string): Buffer {
  return fs.readFileSync(path.join(station.paths.dataDir, station.store.documents.get(documentId)!.pdf_path!));
}

describe('station', () => {
  it('turns a scanner batch into one document in scan order, and a multi-page file into its own', async () => {
    // A grey profile: straight scanner JPEGs then go into the PDF byte for byte.
    const { hot, station } = setUp({ colourMode: 'grey' });
    const names = ['scan_10.jpg', 'scan_2.jpg', 'scan_1.jpg'];
    const files = new Map<string, Buffer>();
    for (const [i, name] of names.entries()) {
      files.set(name, await renderPageFile({ dpi: 100, angle: i === 1 ? 3 : 0, seed: i, pageNumber: i }, 'jpeg'));
    }
    const pdf = await PDFDocument.create();
    for (let i = 0; i < 3; i++) {
      pdf.addPage([595, 842]).drawImage(await pdf.embedJpg(await renderPageFile({ dpi: 100, seed: 50 + i }, 'jpeg')), { x: 0, y: 0, width: 595, height: 842 });
    }
    const pdfBytes = await pdf.save();
    await station.start();
    // The scanner writes its batch in arrival order scan_10, scan_2, scan_1; scan order is by name.
    for (const [name, data] of files) {
      fs.writeFileSync(path.join(hot, name), data);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    fs.writeFileSync(path.join(hot, 'Netzwerkscan.PDF'), pdfBytes);

    await settle(station, hot, 2);
    const documents = station.store.documents.list();
    expect(documents.map((d) => d.page_count).sort()).toEqual([3, 3]);
    const nameOf = (sourceId: string) => station.store.sources.get(sourceId)!.original_name;
    const batchDoc = documents.find((d) => nameOf(station.store.pages.forDocument(d.id)[0].source_id).startsWith('scan_'))!;
    const batchPages = station.store.pages.forDocument(batchDoc.id);
    // Natural order: scan_1, scan_2, scan_10 — not the arrival order, not plain string order.
    expect(batchPages.map((p) => nameOf(p.source_id))).toEqual(['scan_1.jpg', 'scan_2.jpg', 'scan_10.jpg']);
    expect(batchDoc.state).toBe('needs_review');
    // The turned page was straightened; the straight JPEGs went in byte for byte.
    const turned = batchPages.find((p) => nameOf(p.source_id) === 'scan_2.jpg')!;
    expect(turned.rotated_degrees).toBeCloseTo(3, 0);
    const straight = batchPages.find((p) => nameOf(p.source_id) === 'scan_1.jpg')!;
    expect(straight.passthrough).toBe(1);
    for (const document of documents) {
      const bytes = pdfOf(station, document.id);
      expect((await PDFDocument.load(bytes)).getPageCount()).toBe(document.page_count);
      expect(sha(bytes)).toBe(document.pdf_sha256);
    }
    expect(pdfOf(station, batchDoc.id).includes(files.get('scan_1.jpg')!)).toBe(true);
    // Originals are kept byte for byte; the hot folder is empty.
    for (const source of station.store.sources.all()) {
      const stored = fs.readFileSync(path.join(station.paths.dataDir, source.stored_path!));
      expect(sha(stored)).toBe(source.sha256);
    }
    expect(fs.readdirSync(hot)).toEqual([]);
    // The audit trail tells the story of each document.
    expect(station.store.audit.forSubject('document', documents[0].id).map((a) => a.action)).toEqual(['create_document', 'assemble']);
  });

  it('takes 1,000 files dropped at once, each exactly once, and files present before start', async () => {
    const { hot, station } = setUp({ grouping: { rule: 'batch', quietWindowMs: 3000 } });
    // Small but real pages: each file differs in a few pixels, so none is a duplicate of another.
    const base = await sharp({ create: { width: 210, height: 297, channels: 3, background: '#ffffff' } })
      .composite([{ input: Buffer.from('<svg width="210" height="297"><rect x="20" y="30" width="170" height="8" fill="#000"/><rect x="20" y="60" width="120" height="8" fill="#000"/></svg>') }])
      .greyscale()
      .raw()
      .toBuffer();
    const fileFor = (i: number) => {
      const pixels = Buffer.from(base);
      for (let bit = 0; bit < 10; bit++) if (i & (1 << bit)) pixels[280 * 210 + 20 + bit * 4] = 0;
      return sharp(pixels, { raw: { width: 210, height: 297, channels: 1 } }).withDensity(25).png().toBuffer();
    };
    fs.writeFileSync(path.join(hot, 'vorher.png'), await fileFor(1000));
    const files = await Promise.all(Array.from({ length: 1000 }, (_, i) => fileFor(i)));
    await station.start();
    files.forEach((data, i) => fs.writeFileSync(path.join(hot, `post_${i}.png`), data));
    await waitFor(() => fs.readdirSync(hot).length === 0 && station.store.sources.all().length >= 1001, 400_000, '1,001 files ingested');
    await station.whenIdle();
    const sources = station.store.sources.all();
    expect(sources).toHaveLength(1001);
    expect(new Set(sources.map((s) => s.hot_path)).size).toBe(1001);
    expect(sources.every((s) => s.state === 'processed')).toBe(true);
    const pagesInDocuments = station.store.documents.list().reduce((sum, d) => sum + d.page_count, 0);
    expect(pagesInDocuments).toBe(1001);
  }, 600_000);

  it('recognises the same content dropped again and does not process it twice', async () => {
    const { hot, station } = setUp({ grouping: { rule: 'per_file', quietWindowMs: 0 } });
    const duplicates: string[] = [];
    station.on('duplicate', (e) => duplicates.push(e.name));
    await station.start();
    const data = await renderPageFile({ dpi: 100, seed: 3 }, 'jpeg');
    fs.writeFileSync(path.join(hot, 'erste.jpg'), data);
    await settle(station, hot, 1);
    fs.writeFileSync(path.join(hot, 'nochmal.jpg'), data);
    await waitFor(() => duplicates.length === 1, 20_000, 'the duplicate report');
    await station.whenIdle();
    expect(duplicates).toEqual(['nochmal.jpg']);
    expect(station.store.documents.list()).toHaveLength(1);
    const [first, second] = station.store.sources.all();
    expect(second.state).toBe('duplicate');
    expect(second.duplicate_of).toBe(first.id);
    expect(fs.readdirSync(hot)).toEqual([]);
  });

  it('leaves the scanner file in place in keep mode and takes it only once, also after a restart', async () => {
    const { root, hot, station } = setUp({ afterIngest: 'keep', grouping: { rule: 'per_file', quietWindowMs: 0 } });
    await station.start();
    fs.writeFileSync(path.join(hot, 'bleibt.jpg'), await renderPageFile({ dpi: 100, seed: 4 }, 'jpeg'));
    await waitFor(() => station.store.documents.list().length === 1, 30_000, 'the document');
    await station.whenIdle();
    await station.stop();
    running.splice(0);
    const again = createStation({ dataDir: path.join(root, 'data'), config: station.config, incompleteGraceMs: 0 });
    running.push(again);
    await again.start();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await again.whenIdle();
    expect(fs.readdirSync(hot)).toEqual(['bleibt.jpg']);
    expect(again.store.sources.all()).toHaveLength(1);
    expect(again.store.documents.list()).toHaveLength(1);
  });

  it('flags blank pages and drops them where the profile says so', async () => {
    const { hot, station } = setUp({ dropBlankPages: true });
    const { width, height } = a4Pixels(100);
    const blank = await sharp({ create: { width, height, channels: 3, background: '#fdfdfd' } }).greyscale().withDensity(100).jpeg().toBuffer();
    const first = await renderPageFile({ dpi: 100, seed: 8 }, 'jpeg');
    const third = await renderPageFile({ dpi: 100, seed: 9, kind: 'sparse' }, 'jpeg');
    fs.writeFileSync(path.join(hot, 'p1.jpg'), first);
    fs.writeFileSync(path.join(hot, 'p2.jpg'), blank);
    fs.writeFileSync(path.join(hot, 'p3.jpg'), third);
    // Present before start, so they arrive as one batch however loaded the machine is.
    await station.start();
    await settle(station, hot, 1);
    const documents = station.store.documents.list();
    expect(documents.map((d) => [d.state, d.page_count, d.error])).toEqual([['needs_review', 2, null]]);
    const [document] = documents;
    const pages = station.store.pages.forDocument(document.id);
    expect(pages.map((p) => [p.blank, p.dropped])).toEqual([[0, 0], [1, 1], [0, 0]]);
    expect(document.page_count).toBe(2);
    expect((await PDFDocument.load(pdfOf(station, document.id))).getPageCount()).toBe(2);
  });

  it('quarantines every kind of bad input with its reason, keeps the original, and goes on', async () => {
    const { hot, station } = setUp({ grouping: { rule: 'per_file', quietWindowMs: 0 } });
    const good = await renderPageFile({ dpi: 100, seed: 11 }, 'jpeg');
    const goodPng = await renderPageFile({ dpi: 100, seed: 12 }, 'png');
    const cases: [string, Buffer, string][] = [
      ['leer.jpg', Buffer.alloc(0), 'empty'],
      ['abgeschnitten.jpg', bad.truncate(good), 'truncated'],
      ['abgeschnitten.png', bad.truncate(goodPng), 'truncated'],
      ['kaputt.jpg', bad.flipMiddle(good), 'corrupt'],
      ['zufall.jpg', bad.randomBytes(5000), 'unknown_format'],
      ['brief.pdf', bad.textFile(), 'text_or_office'],
      ['Antrag.docx.jpg', bad.docxHead(), 'text_or_office'],
      ['verschluesselt.pdf', await bad.encryptedPdf(), 'pdf_encrypted'],
      ['defekt.pdf', bad.garbagePdf(), 'pdf_broken'],
      ['riesig.png', bad.pngBomb(), 'too_large'],
      ['winzig.png', await bad.tinyImage('png'), 'too_small'],
      ['bild.svg', bad.svgFile(true), 'svg'],
    ];
    const longName = `${'Kontoauszug Müller '.repeat(10).slice(0, 190)} Ä.JPG`;
    await station.start();
    for (const [name, data] of cases) fs.writeFileSync(path.join(hot, name), data);
    fs.writeFileSync(path.join(hot, longName), good);
    await waitFor(() => station.store.sources.quarantined().length === cases.length && station.store.documents.list().length === 1, 60_000, 'all bad files quarantined');
    await station.whenIdle();

    const quarantined = new Map(station.store.sources.quarantined().map((s) => [s.original_name, s]));
    for (const [name, data, code] of cases) {
      const row = quarantined.get(name)!;
      expect(row, name).toBeDefined();
      expect([name, row.reason_code]).toEqual([name, code]);
      expect(row.reason!.length).toBeGreaterThan(20);
      // The original, byte for byte, under quarantine/ with its own name.
      expect(row.stored_path!.startsWith('quarantine')).toBe(true);
      expect(sha(fs.readFileSync(path.join(station.paths.dataDir, row.stored_path!)))).toBe(sha(data));
    }
    // The good file with a long umlaut name and an upper-case extension made it through.
    const [document] = station.store.documents.list();
    expect(station.store.sources.get(station.store.pages.forDocument(document.id)[0].source_id)!.original_name).toBe(longName);
    expect(fs.readdirSync(hot)).toEqual([]);
    expect(station.status().quarantined).toHaveLength(cases.length);
  });
});
