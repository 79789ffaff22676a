/**
 * A page's layers built ahead of assembly by a worker task (main/pdf/page-layers.ts) and read by
 * the assembly (build-document.ts): the PDF is the one the assembly writes when it builds the
 * layers itself, a file built from other bytes is not used, a page found to keep its JPEG keeps it
 * byte for byte, and the tasks for a document's pages (layers-ahead.ts) run side by side.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDocument, type BuildDocumentTask } from '../main/pdf/build-document.js';
import { buildLayersAhead } from '../main/pdf/layers-ahead.js';
import { decodeLayers, encodeLayers, layerPage, readPageLayers } from '../main/pdf/page-layers.js';
import { renderScan } from './fixtures/scan-faults.js';
import { useTempDir } from './support/temp-dir.js';

const temp = useTempDir('intake-page-layers-');
const meta = { documentId: 'layers', title: 'Layers', createdAt: '2026-01-02T03:04:05.000Z', stationId: 's1', sourceSha256: [], producer: 'test' };

describe('layers built ahead of assembly', () => {
  let letter: { path: string; width: number; height: number };
  let small: { path: string; width: number; height: number };
  beforeAll(async () => {
    const scan = await renderScan({ kind: 'letter', dpi: 300, seed: 4 });
    const grey = sharp(scan.grey, { raw: { width: scan.width, height: scan.height, channels: 1 } }).toColourspace('b-w');
    letter = { path: await temp.write('letter.jpg', await grey.jpeg({ quality: 85 }).toBuffer()), width: scan.width, height: scan.height };
    // Within the size goal: keeps its JPEG.
    const sparse = await renderScan({ kind: 'sparse', dpi: 300, seed: 3, noise: 0 });
    const smallJpeg = await sharp(sparse.grey, { raw: { width: sparse.width, height: sparse.height, channels: 1 } }).toColourspace('b-w').jpeg({ quality: 60 }).toBuffer();
    small = { path: await temp.write('small.jpg', smallJpeg), width: sparse.width, height: sparse.height };
  });

  function task(name: string, pages: { path: string; width: number; height: number; layersPath?: string }[]): BuildDocumentTask {
    return { outPath: path.join(temp.path(), `${name}.pdf`), pages: pages.map((page) => ({ ...page, format: 'jpeg' as const, dpi: 300 })), meta };
  }

  it('gives the same PDF as layers built during assembly; a page that keeps its JPEG keeps it byte for byte', async () => {
    const letterLayers = path.join(temp.path(), 'letter.layers');
    const smallLayers = path.join(temp.path(), 'small.layers');
    expect(await layerPage({ jpegPath: letter.path, dpi: 300, outPath: letterLayers })).toEqual({ layered: true });
    expect(await layerPage({ jpegPath: small.path, dpi: 300, outPath: smallLayers })).toEqual({ layered: false });
    expect(readPageLayers(smallLayers, fs.readFileSync(small.path), 300)).toBeNull();

    const inAssembly = await buildDocument(task('in-assembly', [letter, small]));
    const ahead = await buildDocument(task('ahead', [{ ...letter, layersPath: letterLayers }, { ...small, layersPath: smallLayers }]));
    expect(ahead).toEqual(inAssembly);
    const pdf = fs.readFileSync(path.join(temp.path(), 'ahead.pdf'));
    expect(pdf.indexOf(fs.readFileSync(small.path))).toBeGreaterThan(0);
    expect(pdf.includes('/JBIG2Decode')).toBe(true);

    // The file is what the PDF gets: a made-up ink colour in it shows in the page's drawing.
    const whole = fs.readFileSync(letterLayers);
    const source = (JSON.parse(whole.subarray(12, 12 + whole.readUInt32BE(8)).toString('utf8')) as { source: string }).source;
    const kept = decodeLayers(whole, source)!;
    fs.writeFileSync(letterLayers, encodeLayers(source, { ...kept, ink: [0.321] }));
    await buildDocument(task('made-up-ink', [{ ...letter, layersPath: letterLayers }]));
    expect(fs.readFileSync(path.join(temp.path(), 'made-up-ink.pdf')).includes('0.321 g')).toBe(true);
  });

  it('does not use a file built from other bytes or another resolution, nor one cut short', async () => {
    const letterLayers = path.join(temp.path(), 'letter-2.layers');
    await layerPage({ jpegPath: letter.path, dpi: 300, outPath: letterLayers });
    const jpeg = fs.readFileSync(letter.path);
    expect(readPageLayers(letterLayers, jpeg, 300)).toBeTruthy();
    expect(readPageLayers(letterLayers, fs.readFileSync(small.path), 300)).toBeUndefined();
    expect(readPageLayers(letterLayers, jpeg, 301)).toBeUndefined();
    expect(readPageLayers(path.join(temp.path(), 'none.layers'), jpeg, 300)).toBeUndefined();
    const whole = fs.readFileSync(letterLayers);
    const source = (JSON.parse(whole.subarray(12, 12 + whole.readUInt32BE(8)).toString('utf8')) as { source: string }).source;
    expect(decodeLayers(whole, source)).toBeTruthy();
    expect(decodeLayers(whole.subarray(0, whole.length - 1), source)).toBeUndefined();
    expect(decodeLayers(Buffer.from('not a layers file'), source)).toBeUndefined();

    // A stale file (here: the small page's decision under the letter's name) is ignored: the assembly decides itself.
    fs.writeFileSync(letterLayers, encodeLayers('another page', null));
    const built = await buildDocument(task('stale', [{ ...letter, layersPath: letterLayers }]));
    const pdf = fs.readFileSync(path.join(temp.path(), 'stale.pdf'));
    expect(pdf.includes('/JBIG2Decode')).toBe(true);
    expect(pdf.indexOf(jpeg)).toBe(-1);
    expect(built.bytes).toBe(pdf.length);
  });

  it('runs a task per JPEG page at 200 dpi or more, all at once, and leaves a failed page to the assembly', async () => {
    let running = 0;
    let most = 0;
    const asked: string[] = [];
    const dir = path.join(temp.path(), 'ahead');
    const files = await buildLayersAhead(
      [
        { id: 'a', path: letter.path, format: 'jpeg', dpi: 300 },
        { id: 'b', path: small.path, format: 'jpeg', dpi: 300 },
        { id: 'c', path: letter.path, format: 'g4tiff', dpi: 300 },
        { id: 'd', path: letter.path, format: 'jpeg', dpi: 150 },
        { id: 'e', path: path.join(temp.path(), 'missing.jpg'), format: 'jpeg', dpi: 300 },
      ],
      dir,
      async (layerTask) => {
        asked.push(layerTask.jpegPath);
        running++;
        most = Math.max(most, running);
        try {
          return await layerPage(layerTask);
        } finally {
          running--;
        }
      },
    );
    expect(asked).toHaveLength(3);
    expect(most).toBe(3);
    expect([...files.keys()].sort()).toEqual(['a', 'b']);
    for (const file of files.values()) expect(path.dirname(file)).toBe(dir);
    expect(readPageLayers(files.get('a')!, fs.readFileSync(letter.path), 300)).toBeTruthy();
  });
});
