/**
 * The headless CLI as a user runs it: a real child process, real files, JSON lines on stdout.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument } from 'pdf-lib';
import { renderPageFile } from './fixtures/pages.js';
import { truncate } from './fixtures/bad-files.js';
import { projectRoot } from './support/station-process.js';

const run = promisify(execFile);
const station = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'main/cli.ts'), ...args], { cwd: projectRoot, env: { ...process.env, ...env } });

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('station CLI', () => {
  it('process --json: one line per document with per-page skew, and lines for quarantined and ignored inputs', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-cli-'));
    const input = path.join(root, 'in');
    const out = path.join(root, 'out');
    fs.mkdirSync(input);
    const good = await renderPageFile({ dpi: 150, angle: -2.5, seed: 21, kind: 'table' }, 'jpeg');
    fs.writeFileSync(path.join(input, 'Seite 1.jpg'), await renderPageFile({ dpi: 150, seed: 20 }, 'jpeg'));
    fs.writeFileSync(path.join(input, 'Seite 2.jpg'), good);
    fs.writeFileSync(path.join(input, 'Seite 3.tif'), await renderPageFile({ dpi: 150, angle: 1.2, seed: 22 }, 'tiff-g4'));
    fs.writeFileSync(path.join(input, 'halb.jpg'), truncate(good));
    fs.writeFileSync(path.join(input, 'scan.tmp'), 'still being written');
    const before = new Map(fs.readdirSync(input).map((name) => [name, sha(path.join(input, name))]));

    const { stdout } = await station(['process', input, '--out', out, '--json']);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line));
    const documents = lines.filter((l) => l.documentId);
    expect(documents).toHaveLength(1);
    const [document] = documents;
    expect(document.state).toBe('needs_review');
    expect(document.pageCount).toBe(3);
    expect(document.pages.map((p: { source: string }) => path.basename(p.source))).toEqual(['Seite 1.jpg', 'Seite 2.jpg', 'Seite 3.tif']);
    expect(document.pages[0].skewDegrees).toBeCloseTo(0, 1);
    expect(document.pages[1].skewDegrees).toBeCloseTo(-2.5, 1);
    expect(document.pages[2].skewDegrees).toBeCloseTo(1.2, 1);
    expect(document.pages[2].colourMode).toBe('bw');
    for (const page of document.pages) {
      expect(typeof page.confidence).toBe('number');
      expect(page.blank).toBe(false);
      expect(page.pageIndex).toBe(0);
    }
    expect(path.dirname(document.pdf)).toBe(out);
    expect((await PDFDocument.load(fs.readFileSync(document.pdf))).getPageCount()).toBe(3);

    expect(lines.filter((l) => l.state === 'quarantined')).toEqual([
      { state: 'quarantined', source: path.join(input, 'halb.jpg'), code: 'truncated', reason: expect.stringMatching(/truncat|ends/i) },
    ]);
    expect(lines.filter((l) => l.state === 'ignored')).toEqual([{ state: 'ignored', source: path.join(input, 'scan.tmp'), reason: expect.any(String) }]);
    // The inputs are untouched.
    expect(new Map(fs.readdirSync(input).map((name) => [name, sha(path.join(input, name))]))).toEqual(before);
  });

  it('status reports counts and the quarantine list of a data folder; usage errors are plain', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-cli-'));
    const input = path.join(root, 'in');
    fs.mkdirSync(input);
    fs.writeFileSync(path.join(input, 'a.jpg'), await renderPageFile({ dpi: 100, seed: 30 }, 'jpeg'));
    fs.writeFileSync(path.join(input, 'b.jpg'), 'not an image at all, just words');
    const dataDir = path.join(root, 'data');
    await station(['process', input, '--out', path.join(root, 'out'), '--data-dir', dataDir, '--per-file']);
    const { stdout } = await station(['status', '--json'], { STATION_DATA_DIR: dataDir });
    const status = JSON.parse(stdout);
    expect(status.documents.needs_review).toBe(1);
    expect(status.quarantined).toEqual([expect.objectContaining({ name: 'b.jpg', code: 'text_or_office' })]);
    const human = await station(['status', '--data-dir', dataDir]);
    expect(human.stdout).toContain('b.jpg');

    await expect(station(['process', input])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('--out') });
    await expect(station(['frobnicate'])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('Unknown command') });
  });
});
