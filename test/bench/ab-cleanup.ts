/**
 * A/B of the whole clean-up (cleanPage): main/ as committed at a git revision (--old, default HEAD)
 * against the working tree, on the same pages, interleaved (the order alternates page by page).
 * Each side runs in its own child process, so each pays for its own garbage collections, with one
 * libvips thread as in a page worker. Reports CPU medians per stage and per page (user + system,
 * every thread of the child), major GCs per page and peak RSS, and checks that the outputs are the
 * same: colour mode, quarter turns, skew, pass-through, record and the output bytes. Exits 1 on any
 * difference.
 *
 *   node --import tsx test/bench/ab-cleanup.ts [--old REV] [--pages N] [--modes auto,bw,grey] [--paper white|textured|both] [--no-pdf-turn] [--hard]
 * Pages: the process bench's grey JPEGs and G4 TIFFs (first N of its mixed and grey batches; made
 * and cached by generate.ts when missing), on pure white paper or with --paper on scanner paper
 * (texture.ts) or both, each textured page beside its white one; with --hard also the cleanup bench's kinds at 300 dpi,
 * straight and turned, as 1-channel JPEG, 3-channel 4:2:0 JPEG and G4 (rendered into a temp dir).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChildMeter } from './child-meter.js';
import type { CleanOptions } from '../../main/imaging/pipeline.js';
import { snapshotMain } from './snapshot.js';

const self = fileURLToPath(import.meta.url);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface PageResult {
  ms: number;
  stages: Record<string, number>;
  outputs: string[];
  rss: number;
  majorGcs: number;
}

/** The child: cleans each page it is sent with the clean-up under `root`, and answers with CPU and output digests. */
async function child(root: string): Promise<void> {
  const sharp = (await import('sharp')).default;
  const { openSource } = await import(path.join(root, 'main/imaging/decode.ts'));
  const { cleanPage } = await import(path.join(root, 'main/imaging/pipeline.ts'));
  const { cpuMs: cpu, majorGcs: gcCount } = startChildMeter(sharp);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const digest = (c: any) =>
    JSON.stringify({ mode: c.colourMode, quarters: c.turnQuarters, skew: c.skew, turn: c.rotatedDegrees, pass: c.passthrough, blank: c.blank, ink: c.inkShare, colour: c.colourShare, record: c.record, format: c.encoded.format, drawing: c.encoded.drawing, bytes: createHash('sha256').update(c.encoded.data).digest('hex') });
  process.on('message', async (message: { file: string; options: CleanOptions } | 'exit') => {
    if (message === 'exit') process.exit(0);
    const stages: Record<string, number> = {};
    const start = cpu();
    let last = start;
    const clock = (stage: string) => {
      const now = cpu();
      stages[stage] = (stages[stage] ?? 0) + now - last;
      last = now;
    };
    const source = await openSource(message.file);
    clock('open');
    const outputs: string[] = [];
    for (let index = 0; index < source.pageCount; index++) outputs.push(digest(await cleanPage(await source.readPage(index), message.options, clock)));
    await source.close();
    const result: PageResult = { ms: cpu() - start, stages, outputs, rss: process.memoryUsage().rss, majorGcs: gcCount() };
    process.send!(result);
  });
  process.send!('ready');
}

async function hardPages(dir: string): Promise<string[]> {
  const sharp = (await import('sharp')).default;
  const { HARD_PAGE_KINDS, UNTELLABLE_PAGE_KINDS, renderHardPageRaw } = await import('../fixtures/hard-pages.js');
  const files: string[] = [];
  let seed = 1;
  for (const kind of [...HARD_PAGE_KINDS, ...UNTELLABLE_PAGE_KINDS]) {
    for (const angle of [0, -3, 9.7]) {
      const raw = await renderHardPageRaw({ kind, dpi: 300, mode: 'grey', angle, seed: seed++ });
      const grey = sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 1 } }).withDensity(raw.dpi);
      const base = path.join(dir, `${kind}-a${angle}`);
      fs.writeFileSync(`${base}.jpg`, await grey.clone().toColourspace('b-w').jpeg({ quality: 85 }).toBuffer());
      fs.writeFileSync(`${base}-rgb.jpg`, await grey.clone().toColourspace('srgb').jpeg({ quality: 85, chromaSubsampling: '4:2:0' }).toBuffer());
      fs.writeFileSync(`${base}.tif`, await grey.clone().threshold(160).toColourspace('b-w').tiff({ compression: 'ccittfax4', bitdepth: 1, xres: raw.dpi / 25.4, yres: raw.dpi / 25.4 }).toBuffer());
      files.push(`${base}.jpg`, `${base}-rgb.jpg`, `${base}.tif`);
    }
  }
  return files;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const count = Number(opt('pages') ?? 48);
  const modes = (opt('modes') ?? 'auto').split(',') as CleanOptions['colourMode'][];
  const { ensurePages, greyBatch, mixedBatch } = await import('./generate.js');
  const paper = opt('paper') ?? 'white';
  if (!['white', 'textured', 'both'].includes(paper)) throw new Error(`--paper white, textured or both, not ${paper}`);
  const white = [...greyBatch(count), ...mixedBatch(count).filter((p) => p.format === 'tiff-g4')];
  const bench = await ensurePages(
    white.flatMap((p) => [...(paper === 'textured' ? [] : [p]), ...(paper === 'white' ? [] : [{ ...p, paper: 'textured' as const }])]),
  );
  const files = bench.map((p) => p.file);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ab-cleanup-pages-'));
  if (args.includes('--hard')) files.push(...(await hardPages(scratch)));
  const roots = { old: snapshotMain(opt('old') ?? 'HEAD', 'ab-cleanup'), new: REPO_ROOT };
  const children: Record<'old' | 'new', ChildProcess> = {} as Record<'old' | 'new', ChildProcess>;
  const ask = (side: 'old' | 'new', message: unknown) =>
    new Promise<PageResult>((resolve) => {
      children[side].once('message', (m) => resolve(m as PageResult));
      children[side].send(message as object);
    });
  try {
    for (const side of ['old', 'new'] as const) {
      children[side] = fork(self, ['--child', roots[side]], { execArgv: ['--import', 'tsx'] });
      await new Promise((resolve) => children[side].once('message', resolve));
    }
    const base = { jpegQuality: 75, minSkewDegrees: 0.1, maxSkewDegrees: 15, ...(args.includes('--no-pdf-turn') ? { turnInPdf: false } : {}) };
    // One page each first, unmeasured: module loading and the JIT's first compiles.
    for (const side of ['old', 'new'] as const) await ask(side, { file: files[0], options: { ...base, colourMode: 'auto' } });
    const totals = { old: [] as number[], new: [] as number[] };
    const stages = { old: new Map<string, number[]>(), new: new Map<string, number[]>() };
    const last = { old: undefined as PageResult | undefined, new: undefined as PageResult | undefined };
    const peak = { old: 0, new: 0 };
    let differences = 0;
    let n = 0;
    for (const colourMode of modes) {
      for (const file of files) {
        const order = n++ % 2 ? (['new', 'old'] as const) : (['old', 'new'] as const);
        const result = {} as Record<'old' | 'new', PageResult>;
        for (const side of order) result[side] = await ask(side, { file, options: { ...base, colourMode } });
        if (JSON.stringify(result.old.outputs) !== JSON.stringify(result.new.outputs)) {
          differences++;
          console.log(`DIFFERENT ${colourMode} ${path.basename(file)}\n  old ${result.old.outputs.join('\n      ')}\n  new ${result.new.outputs.join('\n      ')}`);
        }
        for (const side of ['old', 'new'] as const) {
          totals[side].push(result[side].ms);
          peak[side] = Math.max(peak[side], result[side].rss);
          last[side] = result[side];
          for (const [stage, ms] of Object.entries(result[side].stages)) stages[side].set(stage, [...(stages[side].get(stage) ?? []), ms]);
        }
      }
    }
    const median = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    };
    const pages = totals.old.length;
    console.log(`${files.length} files × ${modes.join('/')}: ${pages} pages each side, ${differences} with different output\n`);
    console.log(`${'stage'.padEnd(14)} ${'old ms'.padStart(8)} ${'new ms'.padStart(8)}   (CPU medians over the pages that ran the stage)`);
    for (const stage of new Set([...stages.old.keys(), ...stages.new.keys()])) {
      console.log(`${stage.padEnd(14)} ${median(stages.old.get(stage) ?? []).toFixed(1).padStart(8)} ${median(stages.new.get(stage) ?? []).toFixed(1).padStart(8)}`);
    }
    const ratio = median(totals.old.map((old, i) => totals.new[i] / old));
    console.log(`${'page'.padEnd(14)} ${median(totals.old).toFixed(1).padStart(8)} ${median(totals.new).toFixed(1).padStart(8)}   median of new/old per page ${ratio.toFixed(3)}`);
    console.log(`major GCs per page: old ${((last.old?.majorGcs ?? 0) / pages).toFixed(2)}, new ${((last.new?.majorGcs ?? 0) / pages).toFixed(2)}; peak RSS: old ${(peak.old / 2 ** 20).toFixed(0)} MB, new ${(peak.new / 2 ** 20).toFixed(0)} MB`);
    process.exitCode = differences > 0 ? 1 : 0;
  } finally {
    for (const side of ['old', 'new'] as const) children[side]?.send('exit');
    fs.rmSync(roots.old, { recursive: true, force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]);
else await main();
