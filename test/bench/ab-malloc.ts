/**
 * A/B of the whole clean-up (cleanPage, the working tree) under two glibc malloc settings, each side
 * in its own child process (ab-cleanup.ts's child), pages interleaved. Why: sharp hands every
 * decoded page over in a fresh 26 MB block (a 300 dpi RGB page), malloc'd on a libuv thread and
 * freed only when V8 collects its Buffer. With glibc's defaults several such blocks are live at
 * once in per-thread arenas; their heaps are unmapped when freed, and the next decode pays for
 * fresh pages (6,350 page faults: 50-90 ms CPU on a loaded machine, on a third of the pages).
 * Reports CPU per page and per stage, means and medians (the cost is in the tail, which the
 * median hides), and major GCs per page.
 *
 *   node --import tsx test/bench/ab-malloc.ts [--pages N] [--env "MALLOC_ARENA_MAX=1 ..."]
 * Default --env: MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=268435456 MALLOC_TRIM_THRESHOLD_=1073741824.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./ab-cleanup.ts', import.meta.url));
const DEFAULT_ENV = 'MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=268435456 MALLOC_TRIM_THRESHOLD_=1073741824';

interface PageResult {
  ms: number;
  stages: Record<string, number>;
  majorGcs: number;
  rss: number;
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const count = Number(opt('pages') ?? 32);
  const extra = Object.fromEntries((opt('env') ?? DEFAULT_ENV).split(/\s+/).filter(Boolean).map((kv) => kv.split('=') as [string, string]));
  const { ensurePages, greyBatch } = await import('./generate.js');
  const files = (await ensurePages(greyBatch(count))).map((p) => p.file);
  const sides = { default: process.env, tuned: { ...process.env, ...extra } };
  const children = {} as Record<keyof typeof sides, ChildProcess>;
  const ask = (side: keyof typeof sides, file: string) =>
    new Promise<PageResult>((resolve) => {
      children[side].once('message', (m) => resolve(m as PageResult));
      children[side].send({ file, options: { colourMode: 'auto', jpegQuality: 75, minSkewDegrees: 0.1, maxSkewDegrees: 15 } });
    });
  try {
    for (const side of ['default', 'tuned'] as const) {
      children[side] = fork(CHILD, ['--child', REPO_ROOT], { execArgv: ['--import', 'tsx'], env: sides[side] });
      await new Promise((resolve) => children[side].once('message', resolve));
      // Two pages unmeasured: module loading, the JIT's first compiles, the first arenas.
      for (const file of files.slice(0, 2)) await ask(side, file);
    }
    const totals = { default: [] as number[], tuned: [] as number[] };
    const stages = { default: new Map<string, number[]>(), tuned: new Map<string, number[]>() };
    const gcs = { default: [0, 0], tuned: [0, 0] };
    const peak = { default: 0, tuned: 0 };
    for (const [n, file] of files.entries()) {
      const order = n % 2 ? (['tuned', 'default'] as const) : (['default', 'tuned'] as const);
      for (const side of order) {
        const r = await ask(side, file);
        totals[side].push(r.ms);
        peak[side] = Math.max(peak[side], r.rss);
        if (n === 0) gcs[side][0] = r.majorGcs;
        gcs[side][1] = r.majorGcs;
        for (const [stage, ms] of Object.entries(r.stages)) stages[side].set(stage, [...(stages[side].get(stage) ?? []), ms]);
      }
    }
    console.log(`${files.length} pages (${path.basename(path.dirname(files[0]))}), tuned: ${opt('env') ?? DEFAULT_ENV}`);
    console.log(`${'stage'.padEnd(14)} ${'default'.padStart(15)} ${'tuned'.padStart(15)}   CPU ms, mean / median`);
    const cell = (v: number[]) => `${mean(v).toFixed(1)} / ${median(v).toFixed(1)}`.padStart(15);
    for (const stage of stages.default.keys()) console.log(`${stage.padEnd(14)} ${cell(stages.default.get(stage)!)} ${cell(stages.tuned.get(stage) ?? [])}`);
    console.log(`${'page'.padEnd(14)} ${cell(totals.default)} ${cell(totals.tuned)}`);
    const perPage = (g: number[]) => ((g[1] - g[0]) / Math.max(1, files.length - 1)).toFixed(2);
    console.log(`major GCs per page: default ${perPage(gcs.default)}, tuned ${perPage(gcs.tuned)}; peak RSS: default ${(peak.default / 2 ** 20).toFixed(0)} MB, tuned ${(peak.tuned / 2 ** 20).toFixed(0)} MB`);
  } finally {
    for (const side of ['default', 'tuned'] as const) children[side]?.send('exit');
  }
}

await main();
