/**
 * Skew benchmark: generated scans of every hard page kind at known angles, 200 and 300 dpi, grey
 * JPEG and 1-bit G4 TIFF. Times what the station does per page (read the header, shrink-on-load
 * decode to SKEW_ANALYSIS_DPI, measure) and reports the angle error per kind and overall. With
 * ImageMagick installed (/usr/bin/convert), runs its -deskew on a sample of the same files too.
 *
 *   node --import tsx test/bench/cleanup.ts [--kinds a,b] [--dpi 300,200] [--modes grey,bw]
 *        [--angles 0,0.3,-3] [--per-kind 4] [--im-pages 24] [--seed 1]
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { measureSkew, SKEW_ANALYSIS_DPI } from '../../main/imaging/deskew.js';
import { rng } from '../fixtures/pages.js';
import {
  HARD_PAGE_KINDS,
  UNTELLABLE_PAGE_KINDS,
  renderHardPageFile,
  type HardPageKind,
  type HardPageSpec,
  type ScanMode,
} from '../fixtures/hard-pages.js';

const IMAGEMAGICK = '/usr/bin/convert';
const run = promisify(execFile);

interface Options {
  kinds: HardPageKind[];
  dpis: number[];
  modes: ScanMode[];
  /** Fixed angles every kind gets; `perKind` more are drawn at random within ±15°. */
  angles: number[];
  perKind: number;
  imPages: number;
  seed: number;
}

interface Result {
  spec: HardPageSpec;
  tellable: boolean;
  angle: number;
  reliable: boolean;
  /** How far the page stays off straight after the station acts on the verdict. */
  error: number;
  ms: number;
  /** CPU time of the process (libvips threads included): steadier than wall time on a busy machine. */
  cpuMs: number;
  im?: { error: number; ms: number };
}

function parseOptions(args: string[]): Options {
  const value = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const list = (name: string) => value(name)?.split(',').filter(Boolean);
  const known = new Set<string>([...HARD_PAGE_KINDS, ...UNTELLABLE_PAGE_KINDS]);
  const kinds = (list('kinds') ?? [...known]) as HardPageKind[];
  for (const kind of kinds) if (!known.has(kind)) throw new Error(`Unknown page kind "${kind}"; known: ${[...known].join(', ')}`);
  const numbers = (name: string, fallback: number[]) => {
    const parsed = list(name)?.map(Number) ?? fallback;
    if (parsed.some((n) => !Number.isFinite(n))) throw new Error(`--${name} takes numbers separated by commas, got "${value(name)}"`);
    return parsed;
  };
  return {
    kinds,
    dpis: numbers('dpi', [300, 200]),
    modes: (list('modes') ?? ['grey', 'bw']) as ScanMode[],
    angles: numbers('angles', [0, 0.3, -3, 9.7, -14.5]),
    perKind: Number(value('per-kind') ?? 2),
    imPages: Number(value('im-pages') ?? 24),
    seed: Number(value('seed') ?? 1),
  };
}

function specs(options: Options): HardPageSpec[] {
  const random = rng(options.seed);
  const result: HardPageSpec[] = [];
  let seed = options.seed;
  for (const kind of options.kinds) {
    const angles = [...options.angles];
    for (let i = 0; i < options.perKind; i++) angles.push(Math.round((random() * 30 - 15) * 1000) / 1000);
    for (const dpi of options.dpis) for (const mode of options.modes) for (const angle of angles) result.push({ kind, dpi, mode, angle, seed: seed++ });
  }
  return result;
}

/** What the station does per page: header, shrink-on-load decode to the analysis size, measure. */
async function decodeAndMeasure(file: Buffer) {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const meta = await sharp(file).metadata();
  const dpi = meta.density && meta.density > 0 ? meta.density : 300;
  const width = Math.round(((meta.width ?? 0) * SKEW_ANALYSIS_DPI) / dpi);
  const { data, info } = await sharp(file).resize({ width }).greyscale().raw().toBuffer({ resolveWithObject: true });
  const estimate = measureSkew({ data, width: info.width, height: info.height }, (dpi * info.width) / (meta.width ?? info.width));
  const cpu = process.cpuUsage(cpuStarted);
  return { estimate, ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function imageMagickAngle(path: string): Promise<{ angle: number; ms: number }> {
  const started = performance.now();
  const { stdout } = await run(IMAGEMAGICK, [path, '-deskew', '40%', '-format', '%[deskew:angle]', 'info:'], {
    env: { ...process.env, MAGICK_THREAD_LIMIT: '1' },
  });
  const angle = Number.parseFloat(stdout);
  if (!Number.isFinite(angle)) throw new Error(`ImageMagick printed no angle for ${path}: "${stdout}"`);
  return { angle, ms: performance.now() - started };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function summarise(errors: number[], ms: number[], cpuMs: number[] = []) {
  const e = [...errors].sort((a, b) => a - b);
  const t = [...ms].sort((a, b) => a - b);
  return {
    n: e.length,
    mean: e.reduce((s, v) => s + v, 0) / Math.max(1, e.length),
    median: percentile(e, 0.5),
    p95: percentile(e, 0.95),
    worst: e.length ? e[e.length - 1] : Number.NaN,
    within: e.filter((v) => v <= 0.1).length / Math.max(1, e.length),
    ms: percentile(t, 0.5),
    cpuMs: percentile([...cpuMs].sort((a, b) => a - b), 0.5),
  };
}

const f = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

function printTable(title: string, rows: Array<[string, Result[]]>, withImageMagick: boolean): void {
  console.log(`\n${title}`);
  const header = ['group', 'pages', 'unreliable', 'mean°', 'median°', 'p95°', 'worst°', '≤0.1°', 'ms/page', 'cpu ms'];
  if (withImageMagick) header.push('| IM pages', 'IM mean°', 'IM worst°', 'IM ≤0.1°', 'IM ms', 'ours mean° (same)');
  console.log(header.map((h, i) => (i === 0 ? h.padEnd(14) : h.padStart(9))).join(' '));
  for (const [name, results] of rows) {
    const s = summarise(results.map((r) => r.error), results.map((r) => r.ms), results.map((r) => r.cpuMs));
    const cells = [name.padEnd(14), String(s.n), String(results.filter((r) => !r.reliable).length), f(s.mean, 4), f(s.median, 4), f(s.p95, 4), f(s.worst, 4), `${(s.within * 100).toFixed(1)}%`, f(s.ms, 1), f(s.cpuMs, 1)];
    if (withImageMagick) {
      const sampled = results.filter((r) => r.im);
      const im = summarise(sampled.map((r) => r.im!.error), sampled.map((r) => r.im!.ms));
      const ours = summarise(sampled.map((r) => r.error), []);
      if (sampled.length === 0) cells.push('| 0', '-', '-', '-', '-', '-');
      else cells.push(`| ${sampled.length}`, f(im.mean, 4), f(im.worst, 4), `${(im.within * 100).toFixed(1)}%`, f(im.ms, 0), f(ours.mean, 4));
    }
    console.log(cells.map((c, i) => (i === 0 ? c : c.padStart(9))).join(' '));
  }
}

export async function runCleanupBench(args: string[]): Promise<void> {
  const options = parseOptions(args);
  // One libvips thread: the station measures one page per worker, one worker per core.
  sharp.concurrency(1);
  const all = specs(options);
  const withImageMagick = options.imPages > 0 && existsSync(IMAGEMAGICK);
  if (!existsSync(IMAGEMAGICK)) console.log(`ImageMagick not found at ${IMAGEMAGICK}: comparison skipped (apt-get install -y imagemagick).`);
  // A seeded random sample: a fixed stride would keep hitting the same angle of the cycle.
  const imSample = new Set<number>();
  if (withImageMagick) {
    const pick = rng(options.seed + 7);
    while (imSample.size < Math.min(options.imPages, all.length)) imSample.add(Math.floor(pick() * all.length));
  }
  const scratch = mkdtempSync(join(tmpdir(), 'cleanup-bench-'));
  const untellable = new Set<string>(UNTELLABLE_PAGE_KINDS);
  const results: Result[] = [];
  console.log(`Skew bench: ${all.length} pages, analysis at ${SKEW_ANALYSIS_DPI} dpi${withImageMagick ? `, ImageMagick on ${imSample.size} of them` : ''}`);
  try {
    for (let index = 0; index < all.length; index++) {
      const spec = all[index];
      const file = await renderHardPageFile(spec);
      await decodeAndMeasure(file); // warm-up, so the timing is of steady work, not first-call costs
      const { estimate, ms, cpuMs } = await decodeAndMeasure(file);
      const tellable = !untellable.has(spec.kind);
      // An unreliable page is left as it is: it stays off by its own angle.
      const applied = estimate.reliable ? estimate.angleDegrees : 0;
      const result: Result = { spec, tellable, angle: estimate.angleDegrees, reliable: estimate.reliable, error: Math.abs(applied - spec.angle), ms, cpuMs };
      if (imSample.has(index)) {
        const path = join(scratch, `page.${spec.mode === 'grey' ? 'jpg' : 'tif'}`);
        writeFileSync(path, file);
        const im = await imageMagickAngle(path);
        result.im = { error: Math.abs(im.angle - spec.angle), ms: im.ms };
      }
      results.push(result);
      if (tellable && result.error > 0.1) {
        console.log(`  miss: ${spec.kind} ${spec.mode} ${spec.dpi} dpi ${spec.angle}° → ${estimate.angleDegrees}° (reliable ${estimate.reliable}, confidence ${estimate.confidence.toFixed(2)})`);
      }
      if (!tellable && estimate.reliable && result.error > 0.3 && Math.abs(estimate.angleDegrees) > 0.3) {
        console.log(`  WRONG TURN: ${spec.kind} ${spec.mode} ${spec.dpi} dpi ${spec.angle}° → ${estimate.angleDegrees}°`);
      }
      if ((index + 1) % 20 === 0) console.log(`  ${index + 1}/${all.length}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  const tellable = results.filter((r) => r.tellable);
  const byKind = options.kinds.filter((k) => !untellable.has(k)).map((k) => [k, tellable.filter((r) => r.spec.kind === k)] as [string, Result[]]);
  const byScan = options.modes.flatMap((m) => options.dpis.map((d) => [`${m} ${d} dpi`, tellable.filter((r) => r.spec.mode === m && r.spec.dpi === d)] as [string, Result[]]));
  printTable('Pages with text (error = how far the page stays off straight; unreliable pages stay as they are)', [...byKind, ...byScan, ['overall', tellable]], withImageMagick);

  const rest = results.filter((r) => !r.tellable);
  if (rest.length > 0) {
    console.log('\nPages whose angle cannot be told (must be unreliable, or never turned wrongly by more than 0.3°)');
    for (const kind of new Set(rest.map((r) => r.spec.kind))) {
      const pages = rest.filter((r) => r.spec.kind === kind);
      const wrong = pages.filter((r) => r.reliable && Math.abs(r.angle - r.spec.angle) > 0.3 && Math.abs(r.angle) > 0.3);
      console.log(`${kind.padEnd(14)} pages ${pages.length}  unreliable ${pages.filter((r) => !r.reliable).length}  turned wrongly ${wrong.length}`);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCleanupBench(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
