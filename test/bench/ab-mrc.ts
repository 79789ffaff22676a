/**
 * Interleaved A/B of the MRC build (main/pdf/mrc.ts) against an older commit's module, on the
 * process bench's cached grey pages (`npm run bench -- process --quick` makes them): CPU ms per
 * page (medians), and every output field compared byte for byte (mask JBIG2, background JPEG and
 * its size and factor, ink, measures, or the reason a page keeps its JPEG).
 *
 *   node --import tsx test/bench/ab-mrc.ts --old <rev> [--pages N] [--rounds R] [--fixtures] [--one-component]
 *
 * With --expose-gc the heap is collected before each call, which leaves the collector's cost of a
 * call's own allocations out of its figure (in a page worker it is paid): without it is closer.
 *
 * --fixtures: also generated scans (test/fixtures/scan-faults.ts) the bench pages do not cover, for
 * the output check only: one-component grey, colour with photos, stamps and highlighter, 200 to
 * 400 dpi, widths and heights not a multiple of the block size; built however small their JPEG is.
 *
 * The old module is `git show <rev>:main/pdf/mrc.ts`, written into a temp dir whose other files
 * link to this checkout's, so only mrc.ts differs between the two sides.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { buildMrc as BuildMrc, MrcDecision } from '../../main/pdf/mrc.js';
import sharp from 'sharp';
import { renderScan, type ScanSpec } from '../fixtures/scan-faults.js';
import { cacheDir } from './generate.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const rev = option('--old', 'HEAD');
const pagesWanted = Number(option('--pages', '8'));
const rounds = Number(option('--rounds', '5'));

function oldModuleDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ab-mrc-'));
  fs.mkdirSync(path.join(dir, 'main', 'pdf'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'main', 'pdf', 'mrc.ts'), execFileSync('git', ['show', `${rev}:main/pdf/mrc.ts`], { cwd: root }));
  for (const entry of fs.readdirSync(path.join(root, 'main'))) if (entry !== 'pdf') fs.symlinkSync(path.join(root, 'main', entry), path.join(dir, 'main', entry));
  for (const entry of fs.readdirSync(path.join(root, 'main', 'pdf'))) if (entry !== 'mrc.ts') fs.symlinkSync(path.join(root, 'main', 'pdf', entry), path.join(dir, 'main', 'pdf', entry));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  fs.symlinkSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  return dir;
}

function summary(decision: MrcDecision): unknown {
  if (!decision.use) return decision;
  const { page, measures } = decision;
  return { measures, ink: page.ink, mask: { ...page.mask, jbig2: Buffer.from(page.mask.jbig2).toString('base64') }, background: { ...page.background, jpeg: page.background.jpeg.toString('base64') } };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};

async function main(): Promise<void> {
  const dir = oldModuleDir();
  const oldBuild = ((await import(pathToFileURL(path.join(dir, 'main', 'pdf', 'mrc.ts')).href)) as { buildMrc: typeof BuildMrc }).buildMrc;
  const newBuild = ((await import(pathToFileURL(path.join(root, 'main', 'pdf', 'mrc.ts')).href)) as { buildMrc: typeof BuildMrc }).buildMrc;
  const cache = cacheDir();
  // Plain grey pages of every kind (the grey batch's pages: white paper, variant 0), spread over the cache.
  const names = fs.readdirSync(cache).filter((name) => /-jpeg-v0\.jpg$/.test(name)).sort();
  const step = Math.max(1, Math.floor(names.length / pagesWanted));
  const picked = names.filter((_, i) => i % step === 0).slice(0, pagesWanted);
  const pages = picked.map((name) => ({ name, jpeg: fs.readFileSync(path.join(cache, name)) }));
  // The bench's pages are three-component JPEGs; a page the clean-up turned is stored as a grey
  // (one-component) JPEG: each page once more as one.
  if (args.includes('--one-component')) {
    for (const page of [...pages]) pages.push({ name: `${page.name} (one component)`, jpeg: await sharp(page.jpeg).toColourspace('b-w').jpeg({ quality: 85 }).toBuffer() });
  }
  const times = { old: [] as number[], new: [] as number[] };
  const byKind = { old: new Map<string, number[]>(), new: new Map<string, number[]>() };
  let different = 0;
  let used = 0;
  for (let round = 0; round < rounds; round++) {
    for (const [p, page] of pages.entries()) {
      const order = (round + p) % 2 ? (['old', 'new'] as const) : (['new', 'old'] as const);
      const results: Record<string, MrcDecision> = {};
      for (const side of order) {
        (globalThis as { gc?: () => void }).gc?.();
        const start = process.cpuUsage();
        results[side] = await (side === 'old' ? oldBuild : newBuild)(page.jpeg, 300);
        const used = process.cpuUsage(start);
        const ms = (used.user + used.system) / 1000;
        times[side].push(ms);
        const kind = page.name.endsWith('(one component)') ? 'one component' : 'three components';
        byKind[side].set(kind, [...(byKind[side].get(kind) ?? []), ms]);
      }
      if (round === 0) {
        if (results.new.use) used++;
        if (!isDeepStrictEqual(summary(results.old), summary(results.new))) {
          different++;
          console.log(`DIFFERENT: ${page.name}`);
        }
      }
    }
  }
  if (args.includes('--fixtures')) different += await checkFixtures(oldBuild, newBuild);
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`${pages.length} pages (${used} built as layers) × ${rounds} rounds; different outputs: ${different}`);
  console.log(`CPU ms per page, median: old ${median(times.old).toFixed(1)} -> new ${median(times.new).toFixed(1)}`);
  for (const [kind, values] of byKind.new) console.log(`  ${kind}: old ${median(byKind.old.get(kind)!).toFixed(1)} -> new ${median(values).toFixed(1)}`);
}

async function checkFixtures(oldBuild: typeof BuildMrc, newBuild: typeof BuildMrc): Promise<number> {
  const specs: ScanSpec[] = [
    { kind: 'letter', dpi: 300, seed: 2 },
    { kind: 'dense', dpi: 300, seed: 3, photo: 'grey' },
    { kind: 'letter', dpi: 300, seed: 4, photo: 'colour', stamp: 'blue' },
    { kind: 'letter', dpi: 300, seed: 5, stamp: 'red', highlighter: true },
    { kind: 'table', dpi: 300, seed: 6, shading: 200 },
    { kind: 'letter', dpi: 200, seed: 7, photo: 'colour' },
    { kind: 'columns', dpi: 250, seed: 8, photo: 'grey' },
    { kind: 'letter', dpi: 400, seed: 9, stamp: 'red', photo: 'grey' },
    { kind: 'sparse', dpi: 300, seed: 10, ink: 160 },
  ];
  let different = 0;
  let cases = 0;
  let layered = 0;
  for (const spec of specs) {
    const scan = await renderScan(spec);
    for (const colour of [false, true]) {
      // Whole blocks, and one and two columns and rows over.
      for (const trim of [0, 1, 2]) {
        const width = scan.width - trim;
        const height = scan.height - (2 - trim);
        const raw = colour ? scan.rgb : scan.grey;
        const image = sharp(raw, { raw: { width: scan.width, height: scan.height, channels: colour ? 3 : 1 } }).extract({ left: 0, top: 0, width, height });
        const jpeg = await (colour ? image : image.toColourspace('b-w')).jpeg({ quality: 85 }).toBuffer();
        const [a, b] = [await oldBuild(jpeg, spec.dpi ?? 300, { goalBytes: 1 }), await newBuild(jpeg, spec.dpi ?? 300, { goalBytes: 1 })];
        cases++;
        if (b.use) layered++;
        if (!isDeepStrictEqual(summary(a), summary(b))) {
          different++;
          console.log(`DIFFERENT: ${JSON.stringify(spec)} colour ${colour} ${width}×${height}`);
        }
      }
    }
  }
  console.log(`fixtures: ${cases} cases (${layered} built as layers), ${different} different`);
  return different;
}

await main();
