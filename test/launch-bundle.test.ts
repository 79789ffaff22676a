/**
 * The launcher's cached CLI bundle: keyed on its sources, rebuilt after any change (never run stale),
 * and the same CLI as from source. The launcher runs in a temporary copy of the project, so its
 * cache and the edits made here touch nothing of the checkout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { bundleKey, defaultCacheDir, findBundle } from '../main/launch/bundle-cache.mjs';
import { renderPageFile } from './fixtures/pages.js';
import { projectRoot } from './support/station-process.js';

const run = promisify(execFile);

describe('bundle key', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-bundle-key-'));
    fs.mkdirSync(path.join(root, 'main'));
    fs.writeFileSync(path.join(root, 'package.json'), '{"type":"module"}');
    fs.writeFileSync(path.join(root, 'package-lock.json'), '{"lockfileVersion":3}');
    fs.writeFileSync(path.join(root, 'main/a.ts'), 'export const a = 1;\n');
    fs.writeFileSync(path.join(root, 'main/b.ts'), 'export const b = 2;\n');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('changes with any input or shaping file, and only then', () => {
    const inputs = ['main/a.ts', 'main/b.ts'];
    const first = bundleKey(root, inputs);
    expect(bundleKey(root, [...inputs].reverse())).toBe(first);

    fs.writeFileSync(path.join(root, 'main/b.ts'), 'export const b = 3;\n');
    const edited = bundleKey(root, inputs);
    expect(edited).not.toBe(first);
    fs.writeFileSync(path.join(root, 'main/b.ts'), 'export const b = 2;\n');
    expect(bundleKey(root, inputs)).toBe(first);

    fs.writeFileSync(path.join(root, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
    expect(bundleKey(root, inputs)).not.toBe(first);
    fs.writeFileSync(path.join(root, 'package-lock.json'), '{"lockfileVersion":3}');

    fs.rmSync(path.join(root, 'main/a.ts'));
    expect(bundleKey(root, inputs)).not.toBe(first);
  });
});

describe('station launcher', () => {
  let copy: string;
  let work: string;
  const USAGE_TITLE = 'Intake Station — headless commands';
  const launcher = () => path.join(copy, 'main/launch/station.mjs');
  const station = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, [launcher(), ...args], { cwd: copy, env: { ...process.env, ...env }, timeout: 120_000 });
  const bundles = () => fs.readdirSync(defaultCacheDir(copy)).filter((name) => /^cli-[0-9a-f]+$/.test(name));

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-launcher-'));
    copy = path.join(work, 'project');
    fs.mkdirSync(copy);
    fs.cpSync(path.join(projectRoot, 'main'), path.join(copy, 'main'), { recursive: true });
    for (const file of ['package.json', 'package-lock.json', 'tsconfig.json']) fs.copyFileSync(path.join(projectRoot, file), path.join(copy, file));
    // Packages by link, each on its own, so the copy's cache folder is its own and not the checkout's.
    fs.mkdirSync(path.join(copy, 'node_modules'));
    for (const name of fs.readdirSync(path.join(projectRoot, 'node_modules'))) {
      if (name === '.cache') continue;
      fs.symlinkSync(path.join(projectRoot, 'node_modules', name), path.join(copy, 'node_modules', name));
    }
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('builds the bundle on first use, reuses it, and rebuilds it after a source change', async () => {
    expect(findBundle({ root: copy })).toBeNull();
    expect((await station(['help'])).stdout).toContain(USAGE_TITLE);
    const first = findBundle({ root: copy });
    expect(first).not.toBeNull();
    expect(first!.inputs).toContain('main/cli.ts');
    expect(first!.inputs).toContain('main/workers/page-worker.ts');
    expect(bundles()).toEqual([`cli-${first!.key}`]);
    const builtAt = fs.statSync(path.join(first!.dir, 'cli.js')).mtimeMs;

    await station(['help']);
    expect(bundles()).toEqual([`cli-${first!.key}`]);
    expect(fs.statSync(path.join(first!.dir, 'cli.js')).mtimeMs).toBe(builtAt);

    // Bundles nobody used for two days go when another is built; one used an hour ago stays.
    const unused = path.join(defaultCacheDir(copy), 'cli-0123456789abcdef01234567');
    const recent = path.join(defaultCacheDir(copy), 'cli-89abcdef0123456789abcdef');
    for (const [dir, hoursAgo] of [[unused, 48], [recent, 1]] as const) {
      fs.mkdirSync(dir);
      const then = new Date(Date.now() - hoursAgo * 3600 * 1000);
      fs.utimesSync(dir, then, then);
    }

    // A change to a source the CLI imports: the next start must run the new text, not the cached one.
    const cli = path.join(copy, 'main/cli.ts');
    fs.writeFileSync(cli, fs.readFileSync(cli, 'utf8').replace(USAGE_TITLE, 'Intake Station (edited) — headless commands'));
    expect(findBundle({ root: copy })).toBeNull();
    expect((await station(['help'])).stdout).toContain('Intake Station (edited) — headless commands');
    const second = findBundle({ root: copy });
    expect(second!.key).not.toBe(first!.key);
    expect(bundles().sort()).toEqual([`cli-${first!.key}`, `cli-${second!.key}`, path.basename(recent)].sort());
  }, 240_000);

  it('processes a page with bundled page workers exactly as the CLI from source does', async () => {
    const input = path.join(work, 'in');
    fs.mkdirSync(input);
    fs.writeFileSync(path.join(input, 'Seite 1.jpg'), await renderPageFile({ dpi: 150, angle: -2, seed: 31 }, 'jpeg'));
    const processOnce = async (name: string, env: Record<string, string>) => {
      const out = path.join(work, name);
      const { stdout, stderr } = await station(['process', input, '--out', out, '--json', '--data-dir', path.join(work, `${name}-data`)], env);
      const lines = stdout.trim().split('\n').map((line) => JSON.parse(line));
      return { lines, stderr, pdfs: fs.readdirSync(out) };
    };
    const bundled = await processOnce('bundled', {});
    const fromSource = await processOnce('source', { STATION_NO_BUNDLE: '1' });
    expect(bundled.stderr).toBe('');
    expect(bundled.lines).toHaveLength(1);
    expect(bundled.lines[0].state).toBe('needs_review');
    expect(bundled.lines[0].pages[0].skewDegrees).toBeCloseTo(-2, 1);
    expect(bundled.pdfs).toEqual(fromSource.pdfs);
    // Only the document's id and the output folder differ between two runs.
    const comparable = (line: Record<string, unknown>) => ({ ...line, documentId: undefined, pdf: path.basename(String(line.pdf)) });
    expect(bundled.lines.map(comparable)).toEqual(fromSource.lines.map(comparable));
  }, 240_000);
});
