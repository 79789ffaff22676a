/**
 * A black-and-white page's JBIG2 stream coded at clean-up (process-source.ts) and kept beside its
 * page file (jbig2-sidecar.ts): the assembly (build-document.ts) copies it, and the PDF is byte for
 * byte the one it writes when it codes every page itself; a file that does not belong to the page
 * file's bytes (another page's, another dpi) or is not whole (cut short, torn) is passed over.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { processSource, type ProcessedPageRecord } from '../main/imaging/process-source.js';
import { buildDocument, type BuildDocumentTask } from '../main/pdf/build-document.js';
import { jbig2FromG4Tiff } from '../main/pdf/jbig2-page.js';
import { decodeJbig2Sidecar, encodeJbig2Sidecar, jbig2SidecarPath, readJbig2Sidecar } from '../main/pdf/jbig2-sidecar.js';
import { renderScan } from './fixtures/scan-faults.js';
import { useTempDir } from './support/temp-dir.js';

const temp = useTempDir('intake-jbig2-sidecar-');
const meta = { documentId: 'sidecar', title: 'Sidecar', createdAt: '2026-01-02T03:04:05.000Z', stationId: 's1', sourceSha256: [], producer: 'test' };
const options = { colourMode: 'bw' as const, jpegQuality: 75, minSkewDegrees: 0.1, maxSkewDegrees: 15 };

describe('JBIG2 streams coded at clean-up', () => {
  let pagesDir: string;
  let pages: ProcessedPageRecord[];

  beforeAll(async () => {
    pagesDir = path.join(temp.path(), 'pages');
    fs.mkdirSync(pagesDir);
    // A grey scan thresholded by the clean-up, and a 1-bit G4 TIFF (encoded by encodeBilevel).
    const sources: string[] = [];
    for (const [index, kind] of (['letter', 'dense'] as const).entries()) {
      const scan = await renderScan({ kind, dpi: 300, seed: 5 + index });
      const grey = sharp(scan.grey, { raw: { width: scan.width, height: scan.height, channels: 1 } }).toColourspace('b-w');
      sources.push(await temp.write(`scan-${kind}.jpg`, await grey.withDensity(300).jpeg({ quality: 85 }).toBuffer()));
    }
    const table = await renderScan({ kind: 'table', dpi: 300, seed: 9 });
    const g4 = await sharp(table.grey, { raw: { width: table.width, height: table.height, channels: 1 } })
      .toColourspace('b-w')
      .withDensity(300)
      .tiff({ compression: 'ccittfax4', bitdepth: 1 })
      .toBuffer();
    sources.push(await temp.write('scan-table.tif', g4));

    pages = [];
    for (const [index, storedPath] of sources.entries()) {
      const result = await processSource({ sourceId: `s${index}`, storedPath, pagesDir, options });
      if (!result.ok) throw new Error(result.message);
      pages.push(...result.pages);
    }
  });

  function task(name: string, list: ProcessedPageRecord[] = pages): BuildDocumentTask {
    return {
      outPath: path.join(temp.path(), `${name}.pdf`),
      pages: list.map((page) => ({ path: path.join(pagesDir, page.imagePath), format: page.imageFormat, width: page.width, height: page.height, dpi: page.dpi })),
      meta,
    };
  }

  function pdf(name: string): Buffer {
    return fs.readFileSync(path.join(temp.path(), `${name}.pdf`));
  }

  it('writes one beside each black-and-white page file, holding the stream the assembly would code', async () => {
    expect(pages.map((page) => page.imageFormat)).toEqual(['g4tiff', 'g4tiff', 'g4tiff']);
    for (const page of pages) {
      const pagePath = path.join(pagesDir, page.imagePath);
      const tiff = fs.readFileSync(pagePath);
      const kept = readJbig2Sidecar(pagePath, tiff, page.dpi);
      expect(kept).toBeDefined();
      const coded = await jbig2FromG4Tiff(tiff, page.dpi);
      expect({ ...kept!, data: Buffer.from(kept!.data) }).toEqual({ ...coded, data: Buffer.from(coded.data) });
    }
    expect(fs.readdirSync(pagesDir).sort()).toEqual(pages.flatMap((page) => [page.imagePath, `${page.imagePath}.jb2`]).sort());
  });

  it('gives the PDF byte for byte that the assembly writes when it codes every page itself', async () => {
    const withSidecars = await buildDocument(task('with-sidecars'));
    const copies = path.join(temp.path(), 'copies');
    fs.mkdirSync(copies);
    // The same page files with no file beside them.
    for (const page of pages) fs.copyFileSync(path.join(pagesDir, page.imagePath), path.join(copies, page.imagePath));
    const without = task('without');
    const coded = await buildDocument({ ...without, pages: without.pages.map((page) => ({ ...page, path: path.join(copies, path.basename(page.path)) })) });
    expect(withSidecars).toEqual(coded);
    expect(pdf('with-sidecars').equals(pdf('without'))).toBe(true);
    expect(pdf('with-sidecars').includes('/JBIG2Decode')).toBe(true);
  });

  it('copies the stream from the file: a made-up stream for the same page file shows in the PDF', async () => {
    const page = pages[0];
    const pagePath = path.join(pagesDir, page.imagePath);
    const tiff = fs.readFileSync(pagePath);
    const sidecar = jbig2SidecarPath(pagePath);
    const original = fs.readFileSync(sidecar);
    try {
      const source = (JSON.parse(original.subarray(12, 12 + original.readUInt32BE(8)).toString('utf8')) as { source: string }).source;
      const real = decodeJbig2Sidecar(original, source)!;
      const madeUp = Buffer.from(real.data);
      madeUp.write('MADE-UP-STREAM', madeUp.length - 20, 'latin1');
      fs.writeFileSync(sidecar, encodeJbig2Sidecar(source, { ...real, data: madeUp }));
      expect(readJbig2Sidecar(pagePath, tiff, page.dpi)).toBeDefined();
      await buildDocument(task('made-up', [page]));
      expect(pdf('made-up').includes('MADE-UP-STREAM')).toBe(true);
    } finally {
      fs.writeFileSync(sidecar, original);
    }
  });

  it('passes over a file that belongs to other bytes or another dpi, or is cut short or torn', async () => {
    const [first, second] = pages;
    const firstPath = path.join(pagesDir, first.imagePath);
    const secondPath = path.join(pagesDir, second.imagePath);
    const tiff = fs.readFileSync(firstPath);
    await buildDocument(task('first-coded', [first]));
    const firstCoded = pdf('first-coded');

    const original = fs.readFileSync(jbig2SidecarPath(firstPath));
    try {
      expect(readJbig2Sidecar(firstPath, tiff, first.dpi + 1)).toBeUndefined();
      expect(readJbig2Sidecar(firstPath, fs.readFileSync(secondPath), first.dpi)).toBeUndefined();
      fs.writeFileSync(jbig2SidecarPath(firstPath), original.subarray(0, original.length - 1));
      expect(readJbig2Sidecar(firstPath, tiff, first.dpi)).toBeUndefined();
      // Torn: whole in length, but a crash left other bytes in the stream.
      const torn = Buffer.from(original);
      torn.fill(0, torn.length - 64);
      fs.writeFileSync(jbig2SidecarPath(firstPath), torn);
      expect(readJbig2Sidecar(firstPath, tiff, first.dpi)).toBeUndefined();
      fs.writeFileSync(jbig2SidecarPath(firstPath), 'not a sidecar');
      expect(readJbig2Sidecar(firstPath, tiff, first.dpi)).toBeUndefined();

      // A stale file: the second page's stream under the first page's name. The PDF is the one
      // coded from the page file.
      fs.copyFileSync(jbig2SidecarPath(secondPath), jbig2SidecarPath(firstPath));
      await buildDocument(task('stale', [first]));
      expect(pdf('stale').equals(firstCoded)).toBe(true);
    } finally {
      fs.writeFileSync(jbig2SidecarPath(firstPath), original);
    }
    await buildDocument(task('first-again', [first]));
    expect(pdf('first-again').equals(firstCoded)).toBe(true);
  });

  it('a re-run of the clean-up writes the same file again', async () => {
    const page = pages[0];
    const sidecar = jbig2SidecarPath(path.join(pagesDir, page.imagePath));
    const before = fs.readFileSync(sidecar);
    fs.writeFileSync(sidecar, 'left by an earlier attempt');
    const result = await processSource({ sourceId: 's0', storedPath: path.join(temp.path(), 'scan-letter.jpg'), pagesDir, options });
    expect(result.ok).toBe(true);
    expect(fs.readFileSync(sidecar).equals(before)).toBe(true);
  });
});
