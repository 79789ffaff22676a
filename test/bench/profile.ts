/**
 * Summarises the .cpuprofile files `node --cpu-prof` writes (one per thread: the main thread and
 * each page worker) by self time, so a bench run says where the JavaScript time goes. Work done
 * inside libvips (sharp) runs on native threads and shows up here only as the call that awaits it,
 * so compare the JS total with the process CPU time to see the native share.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CleanOptions } from '../../main/imaging/pipeline.js';
import { REPO_ROOT } from './measure-run.js';
import { formatTable, num } from './table.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * Node names profiles CPU.<date>.<time>.<pid>.<threadId>.<seq>.cpuprofile; thread 0 is the main
 * thread. Under `--import tsx` every isolate (main and each page worker) also gets a loader-hooks
 * thread, so there are more "workers" than page workers: the busy ones are the page workers.
 */
function threadLabel(file: string): string {
  const parts = path.basename(file).split('.');
  const threadId = parts.length >= 6 ? parts[4] : '?';
  return threadId === '0' ? 'main' : `thread ${threadId}`;
}

/**
 * The bundle (main/launch/bundle-cache.mjs) keeps esbuild's `// <path>` line before each module's
 * code: a bundle line is named by the source module it came from (null when the file cannot be read).
 */
const bundleModules = new Map<string, { line: number; module: string }[] | null>();

function bundleModuleAt(file: string, line: number): string | null {
  let starts = bundleModules.get(file);
  if (starts === undefined) {
    starts = null;
    try {
      starts = [];
      fs.readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
        const module = /^\/\/ ((?:main|node_modules)\/\S+)$/.exec(text)?.[1];
        if (module) starts!.push({ line: i, module });
      });
    } catch {
      starts = null;
    }
    bundleModules.set(file, starts);
  }
  if (!starts) return null;
  let found: string | null = null;
  for (const start of starts) {
    if (start.line > line) break;
    found = start.module;
  }
  return found;
}

function shortUrl(url: string, line = -1): string {
  if (!url) return '(native)';
  const clean = url.replace(/^file:\/\//, '');
  if (clean.includes('/.cache/intake-station/') && line >= 0) {
    const module = bundleModuleAt(clean, line);
    if (module) return module.startsWith('node_modules/') ? module.slice('node_modules/'.length).split('/').slice(0, 2).join('/') : module;
  }
  if (clean.startsWith(REPO_ROOT) && !clean.includes('node_modules')) return clean.slice(REPO_ROOT.length);
  const module = clean.lastIndexOf('node_modules/');
  if (module >= 0) return clean.slice(module + 'node_modules/'.length).split('/').slice(0, 2).join('/');
  return clean.startsWith('node:') ? clean : path.basename(clean);
}

export function summariseCpuProfiles(dir: string, top = 15): string {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return `No .cpuprofile files in ${dir}.`;
  const selfByFunction = new Map<string, { name: string; where: string; threads: Set<string>; us: number }>();
  const threadRows: string[][] = [];
  let busyTotal = 0;
  for (const file of files) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const thread = threadLabel(file);
    const selfUs = new Map<number, number>();
    profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    let idle = 0;
    let gc = 0;
    let sampled = 0;
    for (const [id, us] of selfUs) {
      const frame = nodes.get(id)!.callFrame;
      sampled += us;
      if (frame.functionName === '(idle)') {
        idle += us;
        continue;
      }
      if (frame.functionName === '(garbage collector)') gc += us;
      const where = shortUrl(frame.url, frame.lineNumber);
      const key = `${frame.functionName}|${frame.url}|${frame.lineNumber}`;
      // A bundle line number says nothing about the source file: bundled code is named by module only.
      const bundled = frame.url.includes('/.cache/intake-station/');
      const entry = selfByFunction.get(key) ?? { name: frame.functionName || '(anonymous)', where: frame.lineNumber > 0 && !bundled ? `${where}:${frame.lineNumber + 1}` : where, threads: new Set<string>(), us: 0 };
      entry.us += us;
      entry.threads.add(thread === 'main' ? 'main' : 'workers');
      selfByFunction.set(key, entry);
    }
    busyTotal += sampled - idle;
    threadRows.push([thread, num(sampled / 1000, 0), num((sampled - idle) / 1000, 0), num(gc / 1000, 0)]);
  }
  threadRows.sort((a, b) => a[0].localeCompare(b[0], undefined, { numeric: true }));
  const ranked = [...selfByFunction.values()].sort((a, b) => b.us - a.us).slice(0, top);
  const threads = formatTable(
    ['thread', { title: 'profiled ms', align: 'right' }, { title: 'busy ms', align: 'right' }, { title: 'GC ms', align: 'right' }],
    threadRows,
  );
  const functions = formatTable(
    ['function', 'where', 'thread', { title: 'self ms', align: 'right' }, { title: 'share of busy', align: 'right' }],
    ranked.map((f) => [f.name, f.where, [...f.threads].join('+'), num(f.us / 1000, 0), `${num((100 * f.us) / Math.max(1, busyTotal), 1)} %`]),
  );
  return (
    `${threads}\n\nTop ${ranked.length} functions by self time (all threads; "(program)" is native work outside JS, e.g. module compilation;\n` +
    `V8 samples wall time while a thread is not idle, so on a loaded machine a thread waiting for a core counts too: compare shares, not ms,\n` +
    `with CPU figures):\n\n${functions}`
  );
}

/**
 * CPU time per clean-up stage, page by page, in this thread: each file is opened and cleaned
 * exactly as the page worker does (one libvips thread, no cache), with cleanPage's stage clock
 * reading process.cpuUsage() (user + system, so libvips' native work counts where it happens).
 * Medians per stage over the pages that ran the stage, and the median total per page.
 */
export async function profileStages(files: string[], options: CleanOptions, label: string): Promise<string> {
  const sharp = (await import('sharp')).default;
  const { openSource } = await import('../../main/imaging/decode.js');
  const { cleanPage } = await import('../../main/imaging/pipeline.js');
  const previousConcurrency = sharp.concurrency();
  sharp.concurrency(1);
  sharp.cache(false);
  const byStage = new Map<string, number[]>();
  const totals: number[] = [];
  const cpuNow = () => {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1000;
  };
  try {
    // One page first, unmeasured: module loading and the JIT's first compiles are not per-page work.
    for (const [i, file] of [files[0], ...files].entries()) {
      const start = cpuNow();
      let last = start;
      const times = new Map<string, number>();
      const clock = (stage: string) => {
        const now = cpuNow();
        times.set(stage, (times.get(stage) ?? 0) + now - last);
        last = now;
      };
      const source = await openSource(file);
      clock('open');
      for (let index = 0; index < source.pageCount; index++) await cleanPage(await source.readPage(index), options, clock);
      await source.close();
      if (i === 0) continue;
      for (const [stage, ms] of times) byStage.set(stage, [...(byStage.get(stage) ?? []), ms]);
      totals.push(last - start);
    }
  } finally {
    sharp.concurrency(previousConcurrency);
  }
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const rows = [...byStage.entries()].map(([stage, values]) => [
    stage,
    String(values.length),
    num(median(values), 1),
    num(mean(values), 1),
    num((mean(values) * values.length) / totals.length, 1),
  ]);
  rows.push(['all stages', String(totals.length), num(median(totals), 1), num(mean(totals), 1), num(mean(totals), 1)]);
  const table = formatTable(
    ['stage', { title: 'pages', align: 'right' }, { title: 'median ms', align: 'right' }, { title: 'mean ms', align: 'right' }, { title: 'ms per page of all', align: 'right' }],
    rows,
  );
  return (
    `CPU per clean-up stage, ${label} (${totals.length} pages, in-process, 1 libvips thread; the previous page's\n` +
    `buffers are freed by the garbage collector in whichever stage allocates next, mostly "open"):\n\n${table}`
  );
}
