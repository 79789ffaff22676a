/**
 * Throughput and memory of the station's one-shot command on mailroom-sized batches:
 *   - start-up: one page, to tell the fixed cost apart from the cost per page;
 *   - 200 grey JPEG pages, half turned (target: at least 15 pages/s on a 2-core machine);
 *   - 200 pages, grey JPEG and black-and-white G4 TIFF mixed (the issue's batch; same target);
 *   - the same 200 mixed pages on scanner paper (texture.ts: grain, uneven light, show-through),
 *     an extra judged by the same target: pure white paper flatters the white-skipping paths;
 *   - with --per-file: the 200 grey pages once more as one PDF each instead of one batch document;
 *   - 1,000 distinct grey pages (target: peak memory about that of the 200-page batch).
 * The 200-page runs are repeated (interleaved, so they share the machine's moods) and reported as
 * medians; targets are judged on medians, never asserted on absolute times.
 *
 *   npm run bench -- process [--quick] [--reps N] [--cpu-prof] [--cpu-prof-batch grey|mixed|grey-profile] [--stages] [--no-large] [--per-file]
 * --cpu-prof-batch: which batch the profiled run takes (default grey; implies --cpu-prof).
 * --stages: also CPU ms per clean-up stage (decode, analysis, threshold, encode…) on 40 pages of
 * each batch, in-process, so a speed-up can be told from machine noise stage by stage.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ensurePages,
  fileName,
  greyBatch,
  largeGreyBatch,
  mixedBatch,
  texturedMixedBatch,
  type BenchPage,
  type GeneratedPage,
} from './generate.js';
import { REPO_ROOT, runCli, type MeasuredRun, type PageLine } from './measure-run.js';
import { profileStages, summariseCpuProfiles } from './profile.js';
import { formatTable, num } from './table.js';

const TARGET_PAGES_PER_SECOND = 15;
/** Peak memory of the large batch over that of the 200-page batch that still counts as "flat". */
const FLAT_MEMORY_RATIO = 1.25;
/** The issue's size limit for a black-and-white page. */
const BW_PAGE_KB_LIMIT = 60;

interface Options {
  quick: boolean;
  reps: number;
  cpuProf: boolean;
  /** The batch the --cpu-prof run takes. */
  cpuProfBatch: 'grey' | 'mixed' | 'grey-profile';
  stages: boolean;
  large: boolean;
  perFile: boolean;
}

function parseOptions(args: string[]): Options {
  const options: Options = { quick: false, reps: 3, cpuProf: false, cpuProfBatch: 'grey', stages: false, large: true, perFile: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--quick') options.quick = true;
    else if (arg === '--cpu-prof') options.cpuProf = true;
    else if (arg === '--cpu-prof-batch') {
      const value = args[++i];
      if (value !== 'grey' && value !== 'mixed' && value !== 'grey-profile') throw new RangeError(`--cpu-prof-batch takes grey, mixed or grey-profile, got "${value}".`);
      options.cpuProf = true;
      options.cpuProfBatch = value;
    } else if (arg === '--stages') options.stages = true;
    else if (arg === '--no-large') options.large = false;
    else if (arg === '--per-file') options.perFile = true;
    else if (arg === '--reps') {
      const value = Number(args[++i]);
      if (!Number.isInteger(value) || value < 1 || value > 20) throw new RangeError(`--reps needs a whole number from 1 to 20, got "${args[i]}".`);
      options.reps = value;
    } else throw new RangeError(`Unknown option for the process bench: "${arg}". Known: --quick, --reps N, --cpu-prof, --cpu-prof-batch B, --stages, --no-large, --per-file.`);
  }
  if (options.quick) Object.assign(options, { reps: 1, large: false, perFile: false });
  return options;
}

interface RunPlan {
  id: string;
  label: string;
  pages: BenchPage[];
  reps: number;
  perFile?: boolean;
  /** A profile colour mode passed as --colour; without it the default ('auto') applies. */
  colour?: 'grey';
}

type PageClass = 'grey straight' | 'grey turned' | 'bw straight' | 'bw turned';

interface ClassFigures {
  pages: number;
  inBytes: number;
  outBytes: number;
  /** Pages the station treated as the truth says: straight grey kept as is, turned ones turned. */
  asExpected: number;
  passthrough: number;
}

interface RepResult {
  measured: MeasuredRun;
  pages: number;
  documents: number;
  passthrough: number;
  byClass: Map<PageClass, ClassFigures>;
  /** Stored page file bytes (G4) of each page that came out black-and-white. */
  bwPageBytes: number[];
  /** Grey JPEG pages, and how many of them auto mode made black-and-white. */
  greyPages: number;
  greyPagesToBw: number;
  problems: string[];
}

function classOf(page: BenchPage): PageClass {
  const turned = page.angle !== 0;
  if (page.format === 'tiff-g4') return turned ? 'bw turned' : 'bw straight';
  return turned ? 'grey turned' : 'grey straight';
}

/** The input folder a user would point the command at: the scans in order, as hard links into the cache. */
function stageInput(dir: string, pages: GeneratedPage[]): Map<string, GeneratedPage> {
  fs.mkdirSync(dir, { recursive: true });
  const byName = new Map<string, GeneratedPage>();
  pages.forEach((page, i) => {
    const name = `scan-${String(i + 1).padStart(5, '0')}${path.extname(page.file)}`;
    const target = path.join(dir, name);
    try {
      fs.linkSync(page.file, target);
    } catch {
      fs.copyFileSync(page.file, target); // Another file system: a copy is only slower to stage.
    }
    byName.set(name, page);
  });
  return byName;
}

/**
 * `keepsStraightJpegs`: in a grey profile a straight grey JPEG must go into the PDF byte for byte; in
 * the default 'auto' mode a text page becomes 1-bit (a change), so only the turn is checked.
 */
function analyse(measured: MeasuredRun, staged: Map<string, GeneratedPage>, keepsStraightJpegs: boolean): RepResult {
  const problems: string[] = [];
  if (measured.exitCode !== 0) problems.push(`exit code ${measured.exitCode}: ${measured.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  const byClass = new Map<PageClass, ClassFigures>();
  let pages = 0;
  let documents = 0;
  let passthrough = 0;
  const bwPageBytes: number[] = [];
  let greyPages = 0;
  let greyPagesToBw = 0;
  const seen = new Set<string>();
  for (const line of measured.lines) {
    if (!line.pages) {
      problems.push(`${line.state} ${line.source ?? ''}: ${line.reason ?? ''}`);
      continue;
    }
    documents++;
    if (line.error) problems.push(`document in state ${line.state}: ${line.error}`);
    for (const page of line.pages as PageLine[]) {
      const name = path.basename(page.source);
      const truth = staged.get(name);
      if (!truth) {
        problems.push(`a page from an unknown source: ${page.source}`);
        continue;
      }
      seen.add(name);
      pages++;
      if (page.passthrough) passthrough++;
      if (page.colourMode === 'bw') bwPageBytes.push(page.bytes);
      if (truth.format === 'jpeg') {
        greyPages++;
        if (page.colourMode === 'bw') greyPagesToBw++;
      }
      const cls = classOf(truth);
      const figures = byClass.get(cls) ?? { pages: 0, inBytes: 0, outBytes: 0, asExpected: 0, passthrough: 0 };
      figures.pages++;
      figures.inBytes += truth.bytes;
      figures.outBytes += page.bytes;
      if (page.passthrough) figures.passthrough++;
      const turned = page.rotatedDegrees !== 0;
      const expected = truth.angle === 0 ? !turned && (!keepsStraightJpegs || truth.format !== 'jpeg' || page.passthrough) : turned;
      if (expected) figures.asExpected++;
      byClass.set(cls, figures);
    }
  }
  const missing = staged.size - seen.size;
  if (missing > 0) problems.push(`${missing} of ${staged.size} input pages are in no document`);
  return { measured, pages, documents, passthrough, byClass, bwPageBytes, greyPages, greyPagesToBw, problems };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const MB = 1024 * 1024;

interface RunSummary {
  plan: RunPlan;
  reps: RepResult[];
  wallS: number;
  pagesPerS: number;
  cpuMsPerPage: number;
  /** pages/s if every core did nothing but this run: a figure a busy machine disturbs far less than wall time. */
  cpuBoundPagesPerS: number;
  peakMb: number;
  pdfKbPerPage: number;
}

function summarise(plan: RunPlan, reps: RepResult[]): RunSummary {
  const pages = plan.pages.length;
  return {
    plan,
    reps,
    wallS: median(reps.map((r) => r.measured.wallMs)) / 1000,
    pagesPerS: median(reps.map((r) => pages / (r.measured.wallMs / 1000))),
    cpuMsPerPage: median(reps.map((r) => r.measured.cpuMs / pages)),
    cpuBoundPagesPerS: (os.availableParallelism() * 1000) / median(reps.map((r) => r.measured.cpuMs / pages)),
    peakMb: median(reps.map((r) => r.measured.peakRssBytes)) / MB,
    pdfKbPerPage: median(reps.map((r) => r.measured.pdfBytes / pages)) / 1024,
  };
}

async function measureOnce(plan: RunPlan, files: GeneratedPage[], nodeArgs: string[] = []): Promise<RepResult> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-bench-run-'));
  try {
    const inDir = path.join(work, 'in');
    const staged = stageInput(inDir, files);
    const extraArgs = [...(plan.perFile ? ['--per-file'] : []), ...(plan.colour ? ['--colour', plan.colour] : [])];
    const measured = await runCli({ inputs: [inDir], outDir: path.join(work, 'out'), extraArgs, nodeArgs });
    return analyse(measured, staged, plan.colour === 'grey');
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function planRuns(options: Options): { repeated: RunPlan[]; once: RunPlan[] } {
  const size = options.quick ? 40 : 200;
  const repeated: RunPlan[] = [
    { id: 'startup', label: 'start-up (1 straight grey page)', pages: greyBatch(1), reps: options.reps },
    { id: 'grey', label: `grey JPEG, half turned`, pages: greyBatch(size), reps: options.reps },
    { id: 'mixed', label: `grey JPEG + bw G4, half turned`, pages: mixedBatch(size), reps: options.reps },
    { id: 'mixed-textured', label: `the same on textured paper`, pages: texturedMixedBatch(size), reps: options.reps },
    { id: 'grey-profile', label: `grey JPEG, half turned, --colour grey`, pages: greyBatch(size), reps: options.reps, colour: 'grey' },
  ];
  const once: RunPlan[] = [];
  if (options.perFile) once.push({ id: 'per-file', label: 'grey JPEG, --per-file (1 PDF each)', pages: greyBatch(size), reps: 1, perFile: true });
  if (options.large) once.push({ id: 'large', label: 'grey JPEG, distinct variants', pages: largeGreyBatch(1000, size), reps: 1 });
  return { repeated, once };
}

export async function runProcessBench(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const versionAtStart = codeVersion();
  const { repeated, once } = planRuns(options);
  const plans = [...repeated, ...once];

  const wanted = new Map<string, BenchPage>();
  for (const plan of plans) for (const page of plan.pages) wanted.set(fileName(page), page);
  const generationStarted = Date.now();
  let lastReport = 0;
  const generated = await ensurePages([...wanted.values()], {
    concurrency: 2,
    onProgress: (done, total) => {
      if (Date.now() - lastReport > 5000 || done === total) {
        lastReport = Date.now();
        log(`generating scans: ${done}/${total} drawings`);
      }
    },
  });
  const byName = new Map(generated.map((g) => [fileName(g), g]));
  const filesOf = (plan: RunPlan) => plan.pages.map((p) => byName.get(fileName(p))!);
  log(`scans ready in ${((Date.now() - generationStarted) / 1000).toFixed(1)} s (${generated.length} files, cached)`);

  const results = new Map<string, RepResult[]>(plans.map((p) => [p.id, []]));
  // Interleaved repetitions: a slow minute on a shared machine hits every run alike, so the
  // ratios between runs stay meaningful even when the absolute figures wander.
  for (let rep = 0; rep < options.reps; rep++) {
    for (const plan of repeated) {
      log(`run ${plan.id} (${plan.pages.length} pages) ${rep + 1}/${plan.reps}`);
      const result = await measureOnce(plan, filesOf(plan));
      log(`  ${(result.measured.wallMs / 1000).toFixed(1)} s, ${(result.measured.peakRssBytes / MB).toFixed(0)} MB peak`);
      results.get(plan.id)!.push(result);
      if (rep === 0 && plan.id === 'grey') estimateDuration(result, plan, plans, options);
    }
  }
  for (const plan of once) {
    log(`run ${plan.id} (${plan.pages.length} pages)`);
    const result = await measureOnce(plan, filesOf(plan));
    log(`  ${(result.measured.wallMs / 1000).toFixed(1)} s, ${(result.measured.peakRssBytes / MB).toFixed(0)} MB peak`);
    results.get(plan.id)!.push(result);
  }

  const summaries = plans.map((plan) => summarise(plan, results.get(plan.id)!));
  const byId = new Map(summaries.map((s) => [s.plan.id, s]));
  const startup = byId.get('startup')!;
  const problems = summaries.flatMap((s) => s.reps.flatMap((r) => r.problems.map((p) => `${s.plan.id}: ${p}`)));

  const versionAtEnd = codeVersion();
  const version = versionAtStart === versionAtEnd ? versionAtStart : `${versionAtStart} at the start, ${versionAtEnd} at the end: the station changed during the bench`;
  console.log(report(summaries, startup, options, version));
  if (options.cpuProf) await profileRun(byId.get(options.cpuProfBatch)!.plan, filesOf);
  if (options.stages) await stagesRun(byId, filesOf);
  if (problems.length > 0) {
    console.log(`\nPROBLEMS (${problems.length}):\n${problems.slice(0, 20).map((p) => `  - ${p}`).join('\n')}`);
    process.exitCode = 1;
  }
}

/** Says early how long the rest will take at the speed just measured, and how to shorten it. */
function estimateDuration(first: RepResult, grey: RunPlan, plans: RunPlan[], options: Options): void {
  const secondsPerPage = first.measured.wallMs / 1000 / grey.pages.length;
  const pagesLeft = plans.reduce((sum, p) => sum + p.pages.length * p.reps, 0) - grey.pages.length - 1;
  const minutes = (pagesLeft * secondsPerPage) / 60;
  log(`  at ${(1 / secondsPerPage).toFixed(1)} pages/s the rest takes about ${minutes.toFixed(0)} min`);
  if (minutes > 5 && !options.quick) {
    log('  (the 5-minute budget assumes the 15 pages/s target; shorten with --reps 1 or --no-large)');
  }
}

/** Which code was measured: the checkout is shared, so uncommitted station changes are named. */
function codeVersion(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const changed = git('status', '--porcelain', '--', 'main').split('\n').filter(Boolean).length;
    return `commit ${git('rev-parse', '--short', 'HEAD')}${changed ? ` + ${changed} uncommitted change(s) under main/` : ''}`;
  } catch {
    return 'commit unknown (no git)';
  }
}

/** Median image bytes of the last repetition's black-and-white pages, in KB. */
function medianBwKb(s: RunSummary): number {
  const bytes = s.reps[s.reps.length - 1].bwPageBytes;
  return bytes.length === 0 ? 0 : median(bytes) / 1024;
}

function report(summaries: RunSummary[], startup: RunSummary, options: Options, version: string): string {
  const fixedS = startup.wallS;
  const marginal = (s: RunSummary) => (s.plan.pages.length - 1) / Math.max(0.001, s.wallS - fixedS);
  const spread = (s: RunSummary) => {
    const rates = s.reps.map((r) => s.plan.pages.length / (r.measured.wallMs / 1000));
    return rates.length > 1 ? `${num(Math.min(...rates))}–${num(Math.max(...rates))}` : '–';
  };
  const out: string[] = [];
  out.push(`\nProcess bench: node main/launch/station.mjs process <folder> --out <dir> --json (${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.versions.node})`);
  out.push(`Code measured: ${version}.`);
  out.push(`300-dpi A4 scans; medians of ${options.reps} interleaved run(s) where reps > 1. pages/s = pages ÷ wall time from spawn to exit; "after start-up" subtracts the 1-page run's wall time;
CPU = user + system time of the child, all threads; "CPU-bound pages/s" = cores × 1000 ÷ CPU ms per page, what the run would reach with the machine to itself.
Load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min) on ${os.availableParallelism()} cores.\n`);
  out.push(
    formatTable(
      [
        'run',
        { title: 'pages', align: 'right' },
        { title: 'reps', align: 'right' },
        { title: 'wall s', align: 'right' },
        { title: 'pages/s', align: 'right' },
        { title: 'min–max', align: 'right' },
        { title: 'after start-up', align: 'right' },
        { title: 'CPU ms/page', align: 'right' },
        { title: 'CPU-bound pages/s', align: 'right' },
        { title: 'peak RSS MB', align: 'right' },
        { title: 'PDF KB/page', align: 'right' },
        { title: 'passthrough', align: 'right' },
        { title: 'docs', align: 'right' },
      ],
      summaries.map((s) => {
        const last = s.reps[s.reps.length - 1];
        return [
          s.plan.label,
          String(s.plan.pages.length),
          String(s.reps.length),
          num(s.wallS, 2),
          num(s.pagesPerS),
          spread(s),
          s === startup ? '–' : num(marginal(s)),
          num(s.cpuMsPerPage, 0),
          s === startup ? '–' : num(s.cpuBoundPagesPerS),
          num(s.peakMb, 0),
          num(s.pdfKbPerPage, 0),
          `${num((100 * last.passthrough) / Math.max(1, last.pages), 0)} %`,
          String(last.documents),
        ];
      }),
    ),
  );

  // Bytes per page class, from the mixed batch (it holds all four) and the grey batch.
  const classRows: string[][] = [];
  for (const id of ['grey', 'mixed', 'mixed-textured']) {
    const s = summaries.find((x) => x.plan.id === id);
    if (!s) continue;
    const rep = s.reps[s.reps.length - 1];
    for (const [cls, f] of [...rep.byClass.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      classRows.push([
        s.plan.label,
        cls,
        String(f.pages),
        num(f.inBytes / f.pages / 1024, 0),
        num(f.outBytes / f.pages / 1024, 0),
        `${num((100 * f.passthrough) / f.pages, 0)} %`,
        `${f.asExpected}/${f.pages}`,
      ]);
    }
  }
  out.push('\nPer page class (page image bytes as embedded in the PDF; "as expected" = straight kept, turned turned):\n');
  out.push(
    formatTable(
      [
        'run',
        'class',
        { title: 'pages', align: 'right' },
        { title: 'scan KB/page', align: 'right' },
        { title: 'PDF image KB/page', align: 'right' },
        { title: 'passthrough', align: 'right' },
        { title: 'as expected', align: 'right' },
      ],
      classRows,
    ),
  );

  const grey = summaries.find((s) => s.plan.id === 'grey')!;
  const mixed = summaries.find((s) => s.plan.id === 'mixed');
  const perFile = summaries.find((s) => s.plan.id === 'per-file');
  const large = summaries.find((s) => s.plan.id === 'large');
  out.push('\nRatios between runs of this session (steadier than the absolute figures on a shared machine):');
  out.push(`  fixed cost (1-page run): ${num(fixedS, 2)} s wall, ${num(startup.cpuMsPerPage, 0)} ms CPU, ${num(startup.peakMb, 0)} MB peak`);
  if (mixed) out.push(`  mixed ÷ grey pages/s: ${num(mixed.pagesPerS / grey.pagesPerS, 2)}   CPU per page: ${num(mixed.cpuMsPerPage / grey.cpuMsPerPage, 2)}`);
  const textured = summaries.find((s) => s.plan.id === 'mixed-textured');
  if (mixed && textured) {
    out.push(`  textured ÷ white paper (mixed) pages/s: ${num(textured.pagesPerS / mixed.pagesPerS, 2)}   CPU per page: ${num(textured.cpuMsPerPage / mixed.cpuMsPerPage, 2)}   bytes per bw page: ${num(medianBwKb(textured) / medianBwKb(mixed), 2)}`);
    for (const s of [mixed, textured]) {
      const rep = s.reps[s.reps.length - 1];
      const kb = rep.bwPageBytes.map((b) => b / 1024);
      out.push(`  ${s.plan.id}: ${rep.greyPagesToBw}/${rep.greyPages} grey pages made black-and-white; bw page files (G4) median ${num(medianBwKb(s), 1)} KB, largest ${num(Math.max(0, ...kb), 1)} KB`);
    }
  }
  if (perFile) out.push(`  per-file ÷ batch pages/s: ${num(perFile.pagesPerS / grey.pagesPerS, 2)}   PDF bytes: ${num(perFile.pdfKbPerPage / grey.pdfKbPerPage, 2)}`);
  if (large) {
    out.push(`  ${large.plan.pages.length} ÷ ${grey.plan.pages.length} pages: peak RSS ${num(large.peakMb / grey.peakMb, 2)}   pages/s after start-up ${num(marginal(large) / marginal(grey), 2)}   CPU per page ${num(large.cpuMsPerPage / grey.cpuMsPerPage, 2)}`);
  }

  out.push('\nVerdicts:');
  // The issue's batch is "grey and black-and-white" (the mixed run); the all-grey runs are the
  // harder case (every page a JPEG to decode) and are judged too.
  const verdictLabel = (run: RunSummary): string =>
    run.plan.id === 'mixed' ? `${run.plan.pages.length} mixed pages (grey JPEG + bw G4, auto)` : `${run.plan.pages.length} grey pages (${run.plan.colour ? `--colour ${run.plan.colour}` : 'auto'})`;
  for (const run of summaries.filter((s) => s.plan.id === 'mixed' || s.plan.id === 'grey' || s.plan.id === 'grey-profile')) {
    const rate = run.pagesPerS;
    out.push(
      `  ${rate >= TARGET_PAGES_PER_SECOND ? 'MET    ' : 'NOT MET'}  ${verdictLabel(run)} at ≥ ${TARGET_PAGES_PER_SECOND} pages/s: median ${num(rate)} pages/s incl. start-up, ${num(marginal(run))} after start-up, ${num(run.cpuBoundPagesPerS)} CPU-bound${options.quick ? ' [quick run: 40 pages, start-up weighs more]' : ''}`,
    );
  }
  if (textured) {
    // An extra, not the issue's batch: real paper is not pure white, and this says what that costs.
    const rate = textured.pagesPerS;
    out.push(
      `  ${rate >= TARGET_PAGES_PER_SECOND ? 'MET    ' : 'NOT MET'}  [extra] ${textured.plan.pages.length} mixed pages on textured paper at ≥ ${TARGET_PAGES_PER_SECOND} pages/s: median ${num(rate)} pages/s incl. start-up, ${num(marginal(textured))} after start-up, ${num(textured.cpuBoundPagesPerS)} CPU-bound`,
    );
    // Judged on the mean (a batch's budget); the largest is shown beside white paper's, as the
    // densest drawings exceed it on white paper too.
    const bytes = textured.reps[textured.reps.length - 1].bwPageBytes;
    const meanKb = bytes.reduce((a, b) => a + b, 0) / Math.max(1, bytes.length) / 1024;
    const largestKb = (s: RunSummary | undefined) => (s ? num(Math.max(0, ...s.reps[s.reps.length - 1].bwPageBytes) / 1024, 1) : '–');
    out.push(
      `  ${meanKb <= BW_PAGE_KB_LIMIT ? 'MET    ' : 'NOT MET'}  [extra] black-and-white pages on textured paper ≤ ${BW_PAGE_KB_LIMIT} KB (the stored G4 page file; the PDF embeds JBIG2, smaller): mean ${num(meanKb, 1)} KB over ${bytes.length} pages, largest ${largestKb(textured)} KB (white paper: ${largestKb(mixed)} KB)`,
    );
  }
  if (large) {
    const ratio = large.peakMb / grey.peakMb;
    out.push(
      `  ${ratio <= FLAT_MEMORY_RATIO ? 'MET    ' : 'NOT MET'}  peak memory flat with batch size (${large.plan.pages.length} vs ${grey.plan.pages.length} pages, ratio ≤ ${FLAT_MEMORY_RATIO}): ${num(large.peakMb, 0)} MB vs ${num(grey.peakMb, 0)} MB = ${num(ratio, 2)}`,
    );
  } else {
    out.push('  n/a      peak memory flat with batch size: needs the 1,000-page run (not in --quick / --no-large)');
  }
  const straightGrey = summaries
    .filter((s) => s.plan.colour === 'grey')
    .flatMap((s) => s.reps)
    .map((r) => r.byClass.get('grey straight'))
    .filter((f): f is ClassFigures => !!f);
  const kept = straightGrey.reduce((n, f) => n + f.passthrough, 0);
  const total = straightGrey.reduce((n, f) => n + f.pages, 0);
  out.push(`  ${kept === total ? 'MET    ' : 'NOT MET'}  straight grey JPEGs go into the PDF byte for byte in a grey profile: ${kept}/${total}`);
  return out.join('\n');
}

/** CPU per clean-up stage on the first 40 pages of the grey (auto and grey profile) and mixed batches. */
async function stagesRun(byId: Map<string, RunSummary>, filesOf: (plan: RunPlan) => GeneratedPage[]): Promise<void> {
  const imaging = { jpegQuality: 75, minSkewDegrees: 0.1, maxSkewDegrees: 15 };
  for (const id of ['grey', 'mixed', 'mixed-textured', 'grey-profile']) {
    const plan = byId.get(id)?.plan;
    if (!plan) continue;
    log(`timing clean-up stages on 40 pages of ${id}`);
    const files = filesOf(plan).slice(0, 40).map((f) => f.file);
    console.log(`\n${await profileStages(files, { ...imaging, colourMode: plan.colour ?? 'auto' }, plan.label)}`);
  }
}

/** One more run of `plan` (grey by default) under --cpu-prof (main thread and page workers), summarised by self time. */
async function profileRun(plan: RunPlan, filesOf: (plan: RunPlan) => GeneratedPage[]): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-bench-prof-'));
  const files = filesOf(plan).slice(0, 40);
  log(`profiling a ${files.length}-page ${plan.id} run (--cpu-prof) into ${dir}`);
  const result = await measureOnce({ ...plan, pages: plan.pages.slice(0, files.length) }, files, ['--cpu-prof', '--cpu-prof-dir', dir]);
  console.log(`\nCPU profile of a ${files.length}-page ${plan.id} batch (${num(result.measured.wallMs / 1000, 1)} s wall, ${num(result.measured.cpuMs / 1000, 1)} s CPU); profiles kept in ${dir}:\n`);
  console.log(summariseCpuProfiles(dir, 15));
}
